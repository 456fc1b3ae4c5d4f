/**
 * Baseline for `npm run bench`: the default week-1 stack declared directly with cdktf and the provider
 * classes, no config, registry or runbooks: the network and its bastion, and the security alerts that
 * every synth builds (nine EventBridge rules and targets, four of them forwarded from us-east-1, an
 * encrypted SNS topic, and the CloudTrail trail with its KMS key, log bucket and access-log bucket).
 * bench/run.ts checks that both stacks have the same resource types, each as many times.
 */
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
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
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { App, Fn, LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const assumedBy = (service: string) => policy([{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }]);

/** A private bucket as the trail's two have it: owner-enforced, versioned, encrypted, expiring, with a policy. */
function privateBucket(stack: Construct, id: string, props: { prefix: string; days: number; kmsKeyArn?: string; statements: (arn: string) => object[] }): S3Bucket {
  const bucket = new S3Bucket(stack, id, { bucketPrefix: props.prefix, forceDestroy: true });
  new S3BucketOwnershipControls(stack, `${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  const block = new S3BucketPublicAccessBlock(stack, `${id}-public-access-block`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  new S3BucketVersioningA(stack, `${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  new S3BucketServerSideEncryptionConfigurationA(stack, `${id}-encryption`, {
    bucket: bucket.id,
    rule: [props.kmsKeyArn ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true } : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
  });
  new S3BucketLifecycleConfiguration(stack, `${id}-lifecycle`, {
    bucket: bucket.id,
    rule: [{ id: "expire-old-logs", status: "Enabled", filter: [{}], expiration: [{ days: props.days }], noncurrentVersionExpiration: [{ noncurrentDays: 30 }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }] }],
  });
  new S3BucketPolicy(stack, `${id}-policy`, { bucket: bucket.id, policy: policy(props.statements(bucket.arn)), dependsOn: [block] });
  return bucket;
}

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
new VpcEndpoint(stack, "s3-endpoint", { vpcId: vpc.id, serviceName: "com.amazonaws.ap-northeast-2.s3", vpcEndpointType: "Gateway", routeTableIds: [privateTable.id] });

// The security alerts: an encrypted topic, rules in the study region, the global services' rules in us-east-1 forwarded to it.
const alertsKey = new KmsKey(stack, "alerts-key", { description: "bare: the security alerts topic", deletionWindowInDays: 7, enableKeyRotation: true });
new KmsAlias(stack, "alerts-key-alias", { name: "alias/bare-security-alerts", targetKeyId: alertsKey.keyId });
const account = Fn.element(Fn.split(":", alertsKey.arn), 4);
new KmsKeyPolicy(stack, "alerts-key-policy", {
  keyId: alertsKey.id,
  policy: policy([
    { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "EventBridgePublishes", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*" },
  ]),
});
const topic = new SnsTopic(stack, "alerts-topic", { name: "bare-security-alerts", kmsMasterKeyId: alertsKey.arn });
new SnsTopicPolicy(stack, "alerts-topic-policy", { arn: topic.arn, policy: policy([{ Sid: "TheseRulesPublish", Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sns:Publish", Resource: topic.arn }]) });
const usEast1 = new AwsProvider(stack, "aws-us-east-1", { alias: "us_east_1", region: "us-east-1", defaultTags: [{ tags: { Project: "bare" } }] });
const studyBus = `arn:aws:events:ap-northeast-2:${account}:event-bus/default`;
const forwardRole = new IamRole(stack, "forward-role", { assumeRolePolicy: assumedBy("events.amazonaws.com") });
new IamRolePolicy(stack, "forward-role-policy", { role: forwardRole.id, name: "put-events-on-the-study-region-bus", policy: policy([{ Effect: "Allow", Action: "events:PutEvents", Resource: studyBus }]) });
const signIn = (type: string) => ({ source: ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"], detail: { eventName: ["ConsoleLogin"], userIdentity: { type: [type] } } });
const apiCall = (eventSource: string, eventName: string) => ({ source: [`aws.${eventSource.split(".")[0]}`], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventSource: [eventSource], eventName: [eventName] } });
const rules: { id: string; pattern: object; global: boolean }[] = [
  { id: "root-sign-in", pattern: signIn("Root"), global: true },
  { id: "console-sign-in-without-mfa", pattern: signIn("IAMUser"), global: true },
  { id: "access-key-created", pattern: apiCall("iam.amazonaws.com", "CreateAccessKey"), global: true },
  { id: "sg-open-to-ipv4-world", pattern: apiCall("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"), global: false },
  { id: "sg-open-to-ipv6-world", pattern: apiCall("ec2.amazonaws.com", "AuthorizeSecurityGroupIngress"), global: false },
  { id: "guardduty-findings", pattern: { source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"], detail: { severity: [{ numeric: [">=", 7] }] } }, global: false },
];
for (const rule of rules) {
  const local = new CloudwatchEventRule(stack, rule.id, { name: `bare-${rule.id}`, eventPattern: JSON.stringify(rule.pattern) });
  new CloudwatchEventTarget(stack, `${rule.id}-target`, { rule: local.name, arn: topic.arn, targetId: "security-alerts" });
  if (!rule.global) continue;
  const forwarded = new CloudwatchEventRule(stack, `${rule.id}-fwd`, { provider: usEast1, name: `bare-${rule.id}-fwd`, eventPattern: JSON.stringify(rule.pattern) });
  new CloudwatchEventTarget(stack, `${rule.id}-fwd-target`, { provider: usEast1, rule: forwarded.name, arn: studyBus, roleArn: forwardRole.arn, targetId: "study-region-bus" });
}

// The trail those rules need: a multi-region trail, its KMS key, its log bucket and that bucket's access-log bucket.
const trailKey = new KmsKey(stack, "trail-key", { description: "bare: CloudTrail log encryption", deletionWindowInDays: 7, enableKeyRotation: true });
new KmsAlias(stack, "trail-key-alias", { name: "alias/bare-cloudtrail", targetKeyId: trailKey.keyId });
const trailArn = `arn:aws:cloudtrail:ap-northeast-2:${account}:trail/bare-trail`;
const trailKeyPolicy = new KmsKeyPolicy(stack, "trail-key-policy", {
  keyId: trailKey.keyId,
  policy: policy([
    { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
    { Sid: "CloudTrailEncryptsLogs", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:GenerateDataKey*", Resource: "*", Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
    { Sid: "CloudTrailDescribesKey", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:DescribeKey", Resource: "*", Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
  ]),
});
const accessLogs = privateBucket(stack, "trail-access-logs", {
  prefix: "bare-access-logs-",
  days: 90,
  statements: (arn) => [{ Sid: "S3ServerAccessLogs", Effect: "Allow", Principal: { Service: "logging.s3.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/*`, Condition: { StringEquals: { "aws:SourceAccount": account } } }],
});
const trailLogs = privateBucket(stack, "trail-logs", {
  prefix: "bare-cloudtrail-",
  days: 365,
  kmsKeyArn: trailKey.arn,
  statements: (arn) => [
    { Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: arn, Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
    { Sid: "CloudTrailWrite", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject", Resource: `${arn}/AWSLogs/${account}/*`, Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } } },
    { Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } },
  ],
});
new S3BucketLoggingA(stack, "trail-logs-access-logging", { bucket: trailLogs.id, targetBucket: accessLogs.id, targetPrefix: "trail-bucket/" });
const trail = new Cloudtrail(stack, "trail", {
  name: "bare-trail",
  s3BucketName: trailLogs.id,
  kmsKeyId: trailKey.arn,
  isMultiRegionTrail: true,
  includeGlobalServiceEvents: true,
  enableLogFileValidation: true,
  enableLogging: true,
  dependsOn: [trailKeyPolicy],
});

new TerraformOutput(stack, "vpc_id", { value: vpc.id });
new TerraformOutput(stack, "public_subnet_ids", { value: publicSubnets.map((s) => s.id) });
new TerraformOutput(stack, "private_subnet_ids", { value: privateSubnets.map((s) => s.id) });
new TerraformOutput(stack, "bastion_instance_id", { value: bastion.id });
new TerraformOutput(stack, "bastion_ssm_command", { value: `aws ssm start-session --target ${bastion.id}` });
new TerraformOutput(stack, "security_alerts_topic_arn", { value: topic.arn });
new TerraformOutput(stack, "cloudtrail_arn", { value: trail.arn });
new TerraformOutput(stack, "cloudtrail_bucket", { value: trailLogs.id });
app.synth();
}
