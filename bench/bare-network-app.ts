/**
 * Baseline for `npm run bench`: the default week-1 network declared directly with cdktf and the
 * provider classes, no config, registry or runbooks. Same resources as `WEEKS=1` with study.yaml.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Instance } from "@cdktf/provider-aws/lib/instance";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { App, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";

export function synthBareNetwork(outdir: string): void {
const app = new App({ outdir });
const stack = new TerraformStack(app, "bare-network");
new LocalBackend(stack, { path: "terraform.tfstate" });
new AwsProvider(stack, "aws", { region: "ap-northeast-2", defaultTags: [{ tags: { Project: "bare" } }] });

const vpc = new Vpc(stack, "vpc", { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true, enableDnsSupport: true });
new DefaultSecurityGroup(stack, "default-sg", { vpcId: vpc.id, ingress: [], egress: [] });
const igw = new InternetGateway(stack, "igw", { vpcId: vpc.id });
const azs = ["ap-northeast-2a", "ap-northeast-2c"];
const publicSubnets = azs.map((az, i) => new Subnet(stack, `public-${az}`, { vpcId: vpc.id, availabilityZone: az, cidrBlock: `10.0.${i * 16}.0/20` }));
const privateSubnets = azs.map((az, i) => new Subnet(stack, `private-${az}`, { vpcId: vpc.id, availabilityZone: az, cidrBlock: `10.0.${128 + i * 16}.0/20` }));
const publicTable = new RouteTable(stack, "public-rt", { vpcId: vpc.id });
new Route(stack, "public-route", { routeTableId: publicTable.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });
publicSubnets.forEach((s, i) => new RouteTableAssociation(stack, `public-rta-${i}`, { subnetId: s.id, routeTableId: publicTable.id }));
const eip = new Eip(stack, "nat-eip", { domain: "vpc" });
const nat = new NatGateway(stack, "nat", { allocationId: eip.allocationId, subnetId: publicSubnets[0].id });
const privateTable = new RouteTable(stack, "private-rt", { vpcId: vpc.id });
new Route(stack, "private-route", { routeTableId: privateTable.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id });
privateSubnets.forEach((s, i) => new RouteTableAssociation(stack, `private-rta-${i}`, { subnetId: s.id, routeTableId: privateTable.id }));

const logGroup = new CloudwatchLogGroup(stack, "flow-logs", { name: "/bare/vpc-flow-logs", retentionInDays: 30 });
const flowRole = new IamRole(stack, "flow-role", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "vpc-flow-logs.amazonaws.com" }, Action: "sts:AssumeRole" }] }) });
new IamRolePolicy(stack, "flow-policy", { role: flowRole.id, policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroup.arn}:*` }] }) });
new FlowLog(stack, "flow-log", { vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logGroup.arn, iamRoleArn: flowRole.arn });

const role = new IamRole(stack, "bastion-role", { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }) });
new IamRolePolicyAttachment(stack, "bastion-ssm", { role: role.name, policyArn: "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" });
const profile = new IamInstanceProfile(stack, "bastion-profile", { role: role.name });
const sg = new SecurityGroup(stack, "bastion-sg", { vpcId: vpc.id, egress: [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }] });
const template = new LaunchTemplate(stack, "bastion-template", { imageId: "resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", metadataOptions: { httpTokens: "required" } });
const bastion = new Instance(stack, "bastion", {
  launchTemplate: { id: template.id, version: "$Latest" },
  instanceType: "t3.micro",
  subnetId: publicSubnets[0].id,
  vpcSecurityGroupIds: [sg.id],
  iamInstanceProfile: profile.name,
  associatePublicIpAddress: true,
  metadataOptions: { httpTokens: "required" },
  rootBlockDevice: { encrypted: true, volumeType: "gp3", volumeSize: 8 },
  userDataBase64: Buffer.from("#!/bin/bash\ndnf upgrade -y --security\n").toString("base64"),
});
new TerraformOutput(stack, "vpc_id", { value: vpc.id });
new TerraformOutput(stack, "bastion_instance_id", { value: bastion.id });
app.synth();
}
