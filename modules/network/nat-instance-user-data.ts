/**
 * First-boot script that turns Amazon Linux 2023 into a NAT: IP forwarding plus masquerading of
 * the VPC's traffic out of the primary interface, persisted across reboots by iptables-services.
 */
export function natInstanceScript(vpcCidr: string): string {
  return `
dnf install -y iptables-services
echo 'net.ipv4.ip_forward = 1' > /etc/sysctl.d/90-devops-weeks-nat.conf
sysctl --system
primary_interface=$(ip route show default | awk '{print $5; exit}')
iptables -t nat -A POSTROUTING -o "$primary_interface" -s ${vpcCidr} -j MASQUERADE
iptables -F FORWARD
service iptables save
systemctl enable --now iptables`;
}
