/**
 * Week 1: the network every later week stands on. A VPC with one public and one private subnet
 * per AZ, internet access for private subnets through the NAT the config picks, flow logs, the
 * default security group closed, and a bastion reached through SSM Session Manager.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import type { Construct } from "constructs";
import { planSubnets } from "../../lib/aws/cidr";
import { ManagedInstance } from "../../lib/constructs/managed-instance";
import type { BuildContext } from "../../lib/core/module";
import { natInstanceScript } from "./nat-instance-user-data";
import type { NatGatewayInAz, NetworkExports } from "./exports";
import { SESSION_MANAGER } from "./module";
import type { NetworkSettings } from "./settings";

export function buildNetwork(ctx: BuildContext<NetworkSettings>): NetworkExports {
  const { scope, settings } = ctx;
  const azs = ctx.availabilityZones;
  const plan = planSubnets(ctx.environment.vpcCidr, settings.subnetPrefixLength, azs.length);
  if (typeof plan === "string") throw new Error(plan); // refused earlier by validate()

  const vpc = new Vpc(scope, "vpc", {
    cidrBlock: ctx.environment.vpcCidr,
    enableDnsSupport: true,
    enableDnsHostnames: true,
    tags: { Name: ctx.name("vpc") },
  });
  // Adopting the default security group with no rules closes it: nothing can be placed in it by
  // accident and still talk to the world.
  new DefaultSecurityGroup(scope, "default-sg-closed", { vpcId: vpc.id, ingress: [], egress: [], tags: { Name: ctx.name("default-closed") } });

  const internetGateway = new InternetGateway(scope, "igw", { vpcId: vpc.id, tags: { Name: ctx.name("igw") } });

  // Discovery tags let the AWS Load Balancer Controller and in-tree Services place load balancers
  // (weeks 5-6); without them a LoadBalancer Service stays pending.
  const publicSubnets = azs.map(
    (az, i) =>
      new Subnet(scope, `public-${az}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: plan.publicCidrs[i],
        mapPublicIpOnLaunch: false,
        tags: { Name: ctx.name(`public-${az}`), Tier: "public", "kubernetes.io/role/elb": "1" },
      }),
  );
  const privateSubnets = azs.map(
    (az, i) =>
      new Subnet(scope, `private-${az}`, {
        vpcId: vpc.id,
        availabilityZone: az,
        cidrBlock: plan.privateCidrs[i],
        tags: { Name: ctx.name(`private-${az}`), Tier: "private", "kubernetes.io/role/internal-elb": "1" },
      }),
  );

  const publicRoutes = new RouteTable(scope, "public-rt", { vpcId: vpc.id, tags: { Name: ctx.name("public") } });
  new Route(scope, "public-default-route", { routeTableId: publicRoutes.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id });
  publicSubnets.forEach((subnet, i) => new RouteTableAssociation(scope, `public-rta-${azs[i]}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }));

  const natInstances: ManagedInstance[] = [];
  const natGateways: NatGatewayInAz[] = [];
  const natTargets = buildNat(scope, ctx, publicSubnets, internetGateway, natInstances, natGateways);
  // One private route table per NAT (or one in all when there is none), so each AZ leaves through
  // its own NAT when perAz is on.
  const privateTables = new Map<number, RouteTable>();
  privateSubnets.forEach((subnet, i) => {
    const tableIndex = natTargets.length > 1 ? i : 0;
    let table = privateTables.get(tableIndex);
    if (!table) {
      const label = natTargets.length > 1 ? `private-${azs[i]}` : "private";
      table = new RouteTable(scope, `${label}-rt`, { vpcId: vpc.id, tags: { Name: ctx.name(label) } });
      privateTables.set(tableIndex, table);
      const target = natTargets[tableIndex];
      if (target) new Route(scope, `${label}-default-route`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", ...target });
    }
    new RouteTableAssociation(scope, `private-rta-${azs[i]}`, { subnetId: subnet.id, routeTableId: table.id });
  });

  if (settings.endpoints.s3Gateway) {
    // Gateway endpoints cost nothing; traffic to S3 (ECR's layers live there) skips the NAT and its per-GB price.
    new VpcEndpoint(scope, "s3-gateway-endpoint", {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${ctx.study.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [...privateTables.values()].map((table) => table.id),
      tags: { Name: ctx.name("s3") },
    });
  }
  if (settings.flowLogs.enabled) buildFlowLogs(scope, ctx, vpc);
  if (settings.endpoints.ssm) buildSsmEndpoints(scope, ctx, vpc, privateSubnets);
  // The bastion sits in a private subnet with no public address: Session Manager reaches it through the
  // NAT or the SSM endpoints. Only SSH from named sources puts it in a public subnet with an address.
  const ssh = settings.bastion.sshIngressCidrs.length > 0;
  const bastion = settings.bastion.enabled ? buildBastion(scope, ctx, vpc, ssh ? publicSubnets[0] : privateSubnets[0], ssh) : undefined;

  ctx.output("vpc_id", vpc.id, "ID of the study VPC");
  ctx.output("public_subnet_ids", publicSubnets.map((s) => s.id), "Public subnet IDs, one per AZ");
  ctx.output("private_subnet_ids", privateSubnets.map((s) => s.id), "Private subnet IDs, one per AZ");
  if (bastion) {
    ctx.diagramFlow({ from: { actor: "learner" }, to: SESSION_MANAGER, label: "diagram.flow.ssmShell" });
    ctx.diagramFlow({ from: SESSION_MANAGER, to: bastion, label: "diagram.flow.ssmSession" });
    if (ssh) ctx.diagramFlow({ from: { actor: "learner" }, to: bastion, label: "diagram.flow.ssh" });
    ctx.output("bastion_instance_id", bastion.instance.id, "Instance ID of the bastion host");
    ctx.output(
      "bastion_ssm_command",
      `aws ssm start-session --region ${ctx.study.region} --target ${bastion.instance.id}`,
      "Opens a shell on the bastion through SSM Session Manager",
    );
  }

  return {
    vpc,
    vpcCidr: ctx.environment.vpcCidr,
    availabilityZones: azs,
    publicSubnets,
    privateSubnets,
    publicSubnetCidrs: plan.publicCidrs,
    privateSubnetCidrs: plan.privateCidrs,
    natMode: settings.nat.mode,
    bastion,
    natInstances,
    natGateways,
  };
}

type NatTarget = { natGatewayId: string } | { networkInterfaceId: string };

function buildNat(
  scope: Construct,
  ctx: BuildContext<NetworkSettings>,
  publicSubnets: Subnet[],
  internetGateway: InternetGateway,
  natInstances: ManagedInstance[],
  natGateways: NatGatewayInAz[],
): NatTarget[] {
  const { nat } = ctx.settings;
  if (nat.mode === "none") return [];
  const placed = nat.perAz ? publicSubnets : publicSubnets.slice(0, 1);
  const azs = ctx.availabilityZones;

  if (nat.mode === "gateway") {
    return placed.map((subnet, i) => {
      const eip = new Eip(scope, `nat-eip-${azs[i]}`, { domain: "vpc", tags: { Name: ctx.name(`nat-${azs[i]}`) }, dependsOn: [internetGateway] });
      const gateway = new NatGateway(scope, `nat-gateway-${azs[i]}`, {
        allocationId: eip.allocationId,
        subnetId: subnet.id,
        tags: { Name: ctx.name(`nat-${azs[i]}`) },
        dependsOn: [internetGateway],
      });
      natGateways.push({ availabilityZone: azs[i], gateway });
      return { natGatewayId: gateway.id };
    });
  }

  // A NAT instance forwards only web traffic (80/443) from inside the VPC: enough for packages,
  // container images and AWS APIs, and no open relay for anything else.
  const natSecurityGroup = new SecurityGroup(scope, "nat-instance-sg", {
    name: ctx.name("nat-instance"),
    description: "NAT instance: HTTP(S) from the VPC out to the internet",
    vpcId: internetGateway.vpcId,
    ingress: [80, 443].map((port) => ({ description: `port ${port} from the VPC`, protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: [ctx.environment.vpcCidr] })),
    egress: [80, 443].map((port) => ({ description: `port ${port} to the internet`, protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: ["0.0.0.0/0"] })),
    tags: { Name: ctx.name("nat-instance") },
  });
  return placed.map((subnet, i) => {
    const natInstance = new ManagedInstance(scope, `nat-instance-${azs[i]}`, {
      name: ctx.name(`nat-${azs[i]}`),
      instanceType: nat.instanceType,
      subnetId: subnet.id,
      securityGroupIds: [natSecurityGroup.id],
      publicIp: true,
      sourceDestCheck: false,
      dependsOn: [internetGateway],
    });
    natInstance.addUserData("NAT: forward and masquerade the VPC's traffic", natInstanceScript(ctx.environment.vpcCidr));
    natInstances.push(natInstance);
    return { networkInterfaceId: natInstance.instance.primaryNetworkInterfaceId };
  });
}

function buildFlowLogs(scope: Construct, ctx: BuildContext<NetworkSettings>, vpc: Vpc): void {
  const logGroup = new CloudwatchLogGroup(scope, "flow-log-group", {
    name: `/devops-weeks/${ctx.environment.name}/vpc-flow-logs`,
    retentionInDays: ctx.settings.flowLogs.retentionDays,
  });
  const role = new IamRole(scope, "flow-log-role", {
    name: ctx.name("vpc-flow-logs"),
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  new IamRolePolicy(scope, "flow-log-policy", {
    name: "write-vpc-flow-logs",
    role: role.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ],
    }),
  });
  new FlowLog(scope, "flow-log", {
    vpcId: vpc.id,
    trafficType: ctx.settings.flowLogs.trafficType,
    logDestinationType: "cloud-watch-logs",
    logDestination: logGroup.arn,
    iamRoleArn: role.arn,
    maxAggregationInterval: 600,
    tags: { Name: ctx.name("vpc-flow-logs") },
  });
}

/** Session Manager without a NAT: the three endpoints its agent talks to, admitting HTTPS from the VPC only. */
function buildSsmEndpoints(scope: Construct, ctx: BuildContext<NetworkSettings>, vpc: Vpc, privateSubnets: Subnet[]): void {
  const group = new SecurityGroup(scope, "ssm-endpoints-sg", {
    name: ctx.name("ssm-endpoints"),
    description: "Session Manager endpoints: HTTPS from inside the VPC",
    vpcId: vpc.id,
    ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [ctx.environment.vpcCidr] }],
    egress: [],
    tags: { Name: ctx.name("ssm-endpoints") },
  });
  for (const service of ["ssm", "ssmmessages", "ec2messages"]) {
    new VpcEndpoint(scope, `${service}-endpoint`, {
      vpcId: vpc.id,
      serviceName: `com.amazonaws.${ctx.study.region}.${service}`,
      vpcEndpointType: "Interface",
      subnetIds: privateSubnets.map((s) => s.id),
      securityGroupIds: [group.id],
      privateDnsEnabled: true,
      tags: { Name: ctx.name(service) },
    });
  }
}

function buildBastion(scope: Construct, ctx: BuildContext<NetworkSettings>, vpc: Vpc, subnet: Subnet, publicAddress: boolean): ManagedInstance {
  const { bastion } = ctx.settings;
  const securityGroup = new SecurityGroup(scope, "bastion-sg", {
    name: ctx.name("bastion"),
    description: "Bastion: no inbound unless the config names SSH sources; HTTPS out for SSM and packages",
    vpcId: vpc.id,
    ingress: bastion.sshIngressCidrs.length
      ? [{ description: "SSH from the sources the config names", protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [...bastion.sshIngressCidrs] }]
      : [],
    egress: [{ description: "HTTPS to SSM, package repositories and AWS APIs", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }],
    tags: { Name: ctx.name("bastion") },
  });
  const host = new ManagedInstance(scope, "bastion", {
    name: ctx.name("bastion"),
    instanceType: bastion.instanceType,
    subnetId: subnet.id,
    securityGroupIds: [securityGroup.id],
    publicIp: publicAddress,
    keyPairName: bastion.keyPairName,
  });
  host.addUserData("Updates and basic tools", "dnf upgrade -y --security\ndnf install -y jq git");
  return host;
}
