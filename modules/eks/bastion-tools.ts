/**
 * First-boot script that gives the bastion kubectl (matching the cluster's minor version, from the
 * Kubernetes project's official download site, checked against the published SHA-256) and the AWS CLI,
 * plus a login hint with the update-kubeconfig command.
 */
export interface BastionToolsOptions {
  readonly kubernetesVersion: string;
  readonly clusterName: string;
  readonly region: string;
}

export function bastionToolsScript(options: BastionToolsOptions): string {
  return `
# AWS CLI v2 (preinstalled on Amazon Linux 2023; this keeps it present on minimal images)
dnf install -y awscli-2
# kubectl: latest patch of v${options.kubernetesVersion} (kubectl supports one minor version of skew with the API server)
case "$(uname -m)" in aarch64) KUBECTL_ARCH=arm64 ;; *) KUBECTL_ARCH=amd64 ;; esac
KUBECTL_VERSION="$(curl -fsSL https://dl.k8s.io/release/stable-${options.kubernetesVersion}.txt)"
curl -fsSL -o /tmp/kubectl "https://dl.k8s.io/release/\${KUBECTL_VERSION}/bin/linux/\${KUBECTL_ARCH}/kubectl"
curl -fsSL -o /tmp/kubectl.sha256 "https://dl.k8s.io/release/\${KUBECTL_VERSION}/bin/linux/\${KUBECTL_ARCH}/kubectl.sha256"
echo "$(cat /tmp/kubectl.sha256)  /tmp/kubectl" | sha256sum --check --strict
install -o root -g root -m 0755 /tmp/kubectl /usr/local/bin/kubectl
rm -f /tmp/kubectl /tmp/kubectl.sha256
cat > /etc/profile.d/devops-weeks-eks.sh <<'PROFILE'
export AWS_REGION=${options.region}
alias k=kubectl
[ -f "$HOME/.kube/config" ] || echo "EKS: run 'aws eks update-kubeconfig --region ${options.region} --name ${options.clusterName}' once, then kubectl get nodes"
PROFILE
`;
}
