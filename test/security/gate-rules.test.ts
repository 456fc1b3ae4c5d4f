import { describe, expect, test } from "vitest";
import { formatGateReport, runSecurityGate, SECURITY_RULE_IDS, SECURITY_RULES, type PlanJson, type SecurityRuleId } from "../../lib/security-gate/aws-rules";
import { ref, syntheticPlan, type SyntheticResource } from "./plans";

const closedVpc: SyntheticResource[] = [
  { type: "aws_vpc", name: "main", values: { cidr_block: "10.0.0.0/16" } },
  { type: "aws_flow_log", name: "main", values: {}, expressions: { vpc_id: ref("aws_vpc.main", "id") }, unknown: { vpc_id: true } },
  { type: "aws_default_security_group", name: "main", values: { ingress: [], egress: [] }, expressions: { vpc_id: ref("aws_vpc.main", "id") } },
];

const privateBucket = (name: string, overrides: { pab?: Record<string, unknown> | null; sse?: string | null } = {}): SyntheticResource[] => [
  { type: "aws_s3_bucket", name, values: { bucket_prefix: `${name}-` }, unknown: { id: true, bucket: true } },
  ...(overrides.pab === null
    ? []
    : [
        {
          type: "aws_s3_bucket_public_access_block",
          name,
          values: { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true, ...overrides.pab },
          expressions: { bucket: ref(`aws_s3_bucket.${name}`, "id") },
          unknown: { bucket: true },
        },
      ]),
  ...(overrides.sse === null
    ? []
    : [
        {
          type: "aws_s3_bucket_server_side_encryption_configuration",
          name,
          values: { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: overrides.sse ?? "AES256" }] }] },
          expressions: { bucket: ref(`aws_s3_bucket.${name}`, "id") },
          unknown: { bucket: true },
        },
      ]),
];

const secureCluster = (overrides: Record<string, unknown> = {}): SyntheticResource => ({
  type: "aws_eks_cluster",
  name: "main",
  values: {
    enabled_cluster_log_types: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
    encryption_config: [{ resources: ["secrets"], provider: [{}] }],
    vpc_config: [{ endpoint_public_access: true, public_access_cidrs: ["203.0.113.10/32"] }],
    ...overrides,
  },
  expressions: { encryption_config: [{ provider: [{ key_arn: ref("aws_kms_key.eks", "arn") }] }] },
  unknown: { encryption_config: [{ provider: [{ key_arn: true }] }] },
});

const template = (metadata: Record<string, unknown>, ebs: Record<string, unknown>): SyntheticResource => ({
  type: "aws_launch_template",
  name: "nodes",
  values: { metadata_options: [metadata], block_device_mappings: [{ device_name: "/dev/xvda", virtual_name: null, ebs: [ebs] }] },
});

/** EventBridge rules for the four alerts DW_ALERTS asks for, each to the alerts topic. */
const ALERT_PATTERNS: Record<string, Record<string, unknown>> = {
  guardduty: { source: ["aws.guardduty"], "detail-type": ["GuardDuty Finding"] },
  root: { source: ["aws.signin"], "detail-type": ["AWS Console Sign In via CloudTrail"], detail: { userIdentity: { type: ["Root"] } } },
  key: { source: ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventSource: ["iam.amazonaws.com"], eventName: ["CreateAccessKey"] } },
  sg: { source: ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventName: ["AuthorizeSecurityGroupIngress"] } },
};
const alertRules: SyntheticResource[] = Object.entries(ALERT_PATTERNS).flatMap(([name, pattern]) => [
  { type: "aws_cloudwatch_event_rule", name, values: { name: `dev-${name}`, event_pattern: JSON.stringify(pattern) }, unknown: { arn: true } },
  { type: "aws_cloudwatch_event_target", name, values: { rule: `dev-${name}` }, expressions: { rule: ref(`aws_cloudwatch_event_rule.${name}`, "name"), arn: ref("aws_sns_topic.alerts", "arn") }, unknown: { arn: true } },
]);
const alertSubscription: SyntheticResource = { type: "aws_sns_topic_subscription", name: "mail", values: { protocol: "email", endpoint: "kim@example.com" }, expressions: { topic_arn: ref("aws_sns_topic.alerts", "arn") }, unknown: { topic_arn: true } };

/** A pipeline whose S3 source bucket logs every request into a bucket that expires them. */
const sourceLogsLifecycle: SyntheticResource = {
  type: "aws_s3_bucket_lifecycle_configuration",
  name: "source-logs",
  values: { rule: [{ id: "expire", status: "Enabled", expiration: [{ days: 90 }] }] },
  expressions: { bucket: ref("aws_s3_bucket.source-logs", "id") },
  unknown: { bucket: true },
};
const sourceLogging: SyntheticResource = {
  type: "aws_s3_bucket_logging",
  name: "source",
  values: { target_prefix: "source-bucket/" },
  expressions: { bucket: ref("aws_s3_bucket.source", "id"), target_bucket: ref("aws_s3_bucket.source-logs", "id") },
  unknown: { bucket: true, target_bucket: true },
};
const pipelineFromS3: SyntheticResource[] = [
  ...privateBucket("source"),
  ...privateBucket("source-logs"),
  sourceLogsLifecycle,
  sourceLogging,
  {
    type: "aws_codepipeline",
    name: "app",
    values: { stage: [{ name: "Source", action: [{ category: "Source", provider: "S3", configuration: { S3Bucket: "dev-source", S3ObjectKey: "source/app.zip" } }] }] },
    expressions: { stage: [{ action: [{ configuration: ref("aws_s3_bucket.source", "bucket") }] }] },
  },
];

/** A plan every rule passes: the baseline the broken cases below each change in one place. */
const secureResources: SyntheticResource[] = [
  ...alertRules,
  alertSubscription,
  ...pipelineFromS3,
  ...closedVpc,
  ...privateBucket("logs"),
  template({ http_tokens: "required" }, { encrypted: "true" }),
  secureCluster(),
  { type: "aws_kms_key", name: "eks", values: { enable_key_rotation: true, customer_master_key_spec: "SYMMETRIC_DEFAULT" } },
  { type: "aws_cloudtrail", name: "trail", values: { enable_log_file_validation: true } },
  { type: "aws_ecr_repository", name: "app", values: { image_scanning_configuration: [{ scan_on_push: true }] } },
  { type: "aws_sns_topic", name: "alerts", values: {}, expressions: { kms_master_key_id: ref("aws_kms_key.eks", "arn") }, unknown: { kms_master_key_id: true } },
  { type: "aws_cloudwatch_log_group", name: "app", values: { retention_in_days: 30 } },
  {
    type: "aws_security_group",
    name: "web",
    values: { ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["203.0.113.10/32"], ipv6_cidr_blocks: [] }, { protocol: "tcp", from_port: 443, to_port: 443, cidr_blocks: ["0.0.0.0/0"], ipv6_cidr_blocks: [] }] },
  },
];

function replacing(type: string, name: string, replacement: SyntheticResource | SyntheticResource[] | null): SyntheticResource[] {
  const rest = secureResources.filter((r) => !(r.type === type && r.name === name));
  return [...rest, ...(replacement === null ? [] : [replacement].flat())];
}

function adding(...extra: SyntheticResource[]): SyntheticResource[] {
  return [...secureResources, ...extra];
}

function failedRules(plan: PlanJson): SecurityRuleId[] {
  return runSecurityGate([{ stack: "test", plan }]).outcomes.filter((o) => o.status === "failed").map((o) => o.rule);
}

/** Each rule, with plans that break it in the ways the rule exists to catch. */
const brokenCases: [SecurityRuleId, string, SyntheticResource[]][] = [
  ["CKV_AWS_24", "a security group allowing SSH from 0.0.0.0/0", adding({ type: "aws_security_group", name: "ssh", values: { ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }] } })],
  ["CKV_AWS_24", "a security group allowing every TCP port from ::/0", adding({ type: "aws_security_group", name: "all", values: { ingress: [{ protocol: "tcp", from_port: 0, to_port: 65535, cidr_blocks: [], ipv6_cidr_blocks: ["::/0"] }] } })],
  ["CKV_AWS_24", "a security group rule allowing all protocols from 0.0.0.0/0", adding({ type: "aws_security_group_rule", name: "all", values: { type: "ingress", protocol: "-1", from_port: 0, to_port: 0, cidr_blocks: ["0.0.0.0/0"] } })],
  ["CKV_AWS_24", "a VPC ingress rule for port 22 from 0.0.0.0/0", adding({ type: "aws_vpc_security_group_ingress_rule", name: "ssh", values: { ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/0" } })],
  ["CKV_AWS_79", "a launch template with IMDSv1 (http_tokens optional)", replacing("aws_launch_template", "nodes", template({ http_tokens: "optional" }, { encrypted: "true" }))],
  ["CKV_AWS_79", "an instance with no metadata options and no launch template", adding({ type: "aws_instance", name: "old", values: { associate_public_ip_address: false, root_block_device: [{ encrypted: true }] }, unknown: { metadata_options: true } })],
  ["CKV_AWS_8", "a launch template whose volume is not encrypted", replacing("aws_launch_template", "nodes", template({ http_tokens: "required" }, { encrypted: "false" }))],
  ["CKV_AWS_8", "a launch configuration with an unencrypted root volume", adding({ type: "aws_launch_configuration", name: "old", values: { metadata_options: [{ http_tokens: "required" }], root_block_device: [{ encrypted: false }], ebs_block_device: [] } })],
  ["CKV_AWS_8", "an instance with an unencrypted root volume", adding({ type: "aws_instance", name: "old", values: { associate_public_ip_address: false, metadata_options: [{ http_tokens: "required" }], root_block_device: [{ encrypted: false }], ebs_block_device: [] } })],
  ["CKV_AWS_58", "an EKS cluster without secrets encryption", replacing("aws_eks_cluster", "main", { ...secureCluster({ encryption_config: [] }), expressions: {}, unknown: {} })],
  ["CKV_AWS_37", "an EKS cluster logging only api and audit", replacing("aws_eks_cluster", "main", secureCluster({ enabled_cluster_log_types: ["api", "audit"] }))],
  ["CKV_AWS_38", "an EKS public endpoint open to 0.0.0.0/0", replacing("aws_eks_cluster", "main", secureCluster({ vpc_config: [{ endpoint_public_access: true, public_access_cidrs: ["0.0.0.0/0"] }] }))],
  [
    "CKV_AWS_38",
    "an EKS public endpoint with public_access_cidrs left unset (defaults to 0.0.0.0/0)",
    replacing("aws_eks_cluster", "main", { ...secureCluster({ vpc_config: [{ endpoint_public_access: true }] }), unknown: { vpc_config: [{ public_access_cidrs: true }], encryption_config: [{ provider: [{ key_arn: true }] }] } }),
  ],
  ["CKV_AWS_7", "a KMS key without rotation", replacing("aws_kms_key", "eks", { type: "aws_kms_key", name: "eks", values: { enable_key_rotation: false, customer_master_key_spec: "SYMMETRIC_DEFAULT" } })],
  ["CKV_AWS_36", "a trail without log file validation", replacing("aws_cloudtrail", "trail", { type: "aws_cloudtrail", name: "trail", values: { enable_log_file_validation: false } })],
  ["CKV_AWS_163", "an ECR repository without scan on push", replacing("aws_ecr_repository", "app", { type: "aws_ecr_repository", name: "app", values: { image_scanning_configuration: [{ scan_on_push: false }] } })],
  ["CKV_AWS_26", "an SNS topic without a KMS key", replacing("aws_sns_topic", "alerts", { type: "aws_sns_topic", name: "alerts", values: { kms_master_key_id: null } })],
  ["CKV2_AWS_6", "a bucket without a public access block", adding(...privateBucket("open", { pab: null }))],
  ["CKV2_AWS_6", "a bucket whose public access block lets public policies through", adding(...privateBucket("leaky", { pab: { block_public_policy: false } }))],
  ["CKV_AWS_19", "a bucket without default encryption", adding(...privateBucket("plain", { sse: null }))],
  ["CKV_AWS_66", "a log group kept forever (retention 0)", replacing("aws_cloudwatch_log_group", "app", { type: "aws_cloudwatch_log_group", name: "app", values: { retention_in_days: 0 } })],
  ["CKV2_AWS_11", "a VPC without flow logs", replacing("aws_flow_log", "main", null)],
  ["CKV2_AWS_12", "a VPC whose default security group is not adopted", replacing("aws_default_security_group", "main", null)],
  ["CKV_AWS_88", "an instance with a public IP address", adding({ type: "aws_instance", name: "bastion", values: { associate_public_ip_address: true, metadata_options: [{ http_tokens: "required" }], root_block_device: [{ encrypted: true }], ebs_block_device: [] } })],
  ["CKV_AWS_88", "an instance that leaves its public address to the subnet", adding({ type: "aws_instance", name: "bastion", values: { metadata_options: [{ http_tokens: "required" }], root_block_device: [{ encrypted: true }], ebs_block_device: [] }, unknown: { associate_public_ip_address: true } })],
  ["CKV_AWS_88", "a launch template that asks for a public address", replacing("aws_launch_template", "nodes", { ...template({ http_tokens: "required" }, { encrypted: "true" }), values: { ...template({ http_tokens: "required" }, { encrypted: "true" }).values, network_interfaces: [{ associate_public_ip_address: "true" }] } })],
  ["CKV_AWS_18", "a pipeline's S3 source bucket without access logging", replacing("aws_s3_bucket_logging", "source", null)],
  ["CKV_AWS_18", "access logs kept forever (no lifecycle rule on their bucket)", replacing("aws_s3_bucket_lifecycle_configuration", "source-logs", null)],
  ["DW_ALERTS", "alerts to a topic nobody subscribes to", replacing("aws_sns_topic_subscription", "mail", null)],
  ["DW_ALERTS", "no rule for a new access key", replacing("aws_cloudwatch_event_rule", "key", null)],
  ["DW_ALERTS", "CloudTrail rules with no trail that logs", replacing("aws_cloudtrail", "trail", { type: "aws_cloudtrail", name: "trail", values: { enable_log_file_validation: true, enable_logging: false } })],
  [
    "CKV2_AWS_12",
    "an adopted default security group that keeps an ingress rule",
    replacing("aws_default_security_group", "main", { ...closedVpc[2], values: { ingress: [{ protocol: "-1", from_port: 0, to_port: 0, self: true }], egress: [] } }),
  ],
];

describe("security gate rules", () => {
  test("there is one rule per Checkov id the gate promises, each with a title", () => {
    expect(SECURITY_RULES.map((r) => r.id)).toEqual([...SECURITY_RULE_IDS]);
    for (const rule of SECURITY_RULES) expect(rule.title.length).toBeGreaterThan(20);
  });

  test("the secure baseline plan passes every rule", () => {
    const report = runSecurityGate([{ stack: "test", plan: syntheticPlan(secureResources) }]);
    expect(report.outcomes.filter((o) => o.status !== "passed")).toEqual([]);
    expect(report.passed).toBe(true);
    // Every rule looked at something: no pass is vacuous.
    for (const outcome of report.outcomes) expect(outcome.checked, outcome.rule).toBeGreaterThan(0);
  });

  test("every rule has at least one broken case below", () => {
    expect(new Set(brokenCases.map(([rule]) => rule))).toEqual(new Set(SECURITY_RULE_IDS));
  });

  test.each(brokenCases)("%s fires on %s, and only it", (rule, _what, resources) => {
    expect(failedRules(syntheticPlan(resources))).toEqual([rule]);
  });
});

describe("matching resources to each other, strictly", () => {
  test("a public access block or encryption for another bucket does not cover this one", () => {
    const plan = syntheticPlan([...privateBucket("a"), { type: "aws_s3_bucket", name: "b", values: {}, unknown: { id: true } }]);
    const failed = runSecurityGate([{ stack: "t", plan }]).outcomes.filter((o) => o.status === "failed");
    expect(failed.map((o) => o.rule)).toEqual(["CKV2_AWS_6", "CKV_AWS_19"]);
    for (const o of failed) expect(o.findings.map((f) => f.address)).toEqual(["aws_s3_bucket.b"]);
  });

  test("a child that names its bucket literally is matched by the bucket's name", () => {
    const plan = syntheticPlan([
      { type: "aws_s3_bucket", name: "named", values: { bucket: "devops-weeks-dev-named" } },
      { type: "aws_s3_bucket_public_access_block", name: "named", values: { bucket: "devops-weeks-dev-named", block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true } },
      { type: "aws_s3_bucket_server_side_encryption_configuration", name: "named", values: { bucket: "devops-weeks-dev-named", rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "aws:kms" }] }] } },
    ]);
    expect(runSecurityGate([{ stack: "t", plan }]).passed).toBe(true);
  });

  test("a flow log of one VPC does not count for another", () => {
    const plan = syntheticPlan([...closedVpc, { type: "aws_vpc", name: "other", values: {} }, { type: "aws_default_security_group", name: "other", values: { ingress: [], egress: [] }, expressions: { vpc_id: ref("aws_vpc.other", "id") } }]);
    const outcome = runSecurityGate([{ stack: "t", plan }]).outcomes.find((o) => o.rule === "CKV2_AWS_11")!;
    expect(outcome.findings.map((f) => f.address)).toEqual(["aws_vpc.other"]);
  });

  test("an instance that sets no metadata options inherits IMDSv2 and encryption from its launch template", () => {
    const plan = syntheticPlan([
      template({ http_tokens: "required" }, { encrypted: "true" }),
      { type: "aws_instance", name: "web", values: { associate_public_ip_address: false, ebs_block_device: [] }, expressions: { launch_template: [{ id: ref("aws_launch_template.nodes", "id") }] }, unknown: { metadata_options: true, root_block_device: true } },
    ]);
    expect(failedRules(plan)).toEqual([]);
    const withoutTemplate = syntheticPlan([{ type: "aws_instance", name: "web", values: { associate_public_ip_address: false, ebs_block_device: [] }, unknown: { metadata_options: true, root_block_device: true } }]);
    expect(failedRules(withoutTemplate)).toEqual(["CKV_AWS_79", "CKV_AWS_8"]);
  });

  test("inline ingress written with references is resolved from the plan; rules kept in separate resources are checked there", () => {
    const vpc = { type: "aws_vpc", name: "main", values: { cidr_block: "10.0.0.0/16" } };
    const inline = (cidr: string): SyntheticResource => ({
      type: "aws_security_group",
      name: "app",
      values: {},
      expressions: { ingress: { constant_value: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: [cidr] }], references: ["aws_vpc.main.cidr_block", "aws_vpc.main"] } },
      unknown: { ingress: true },
    });
    const sshRule = (plan: PlanJson) => runSecurityGate([{ stack: "t", plan }]).outcomes.find((o) => o.rule === "CKV_AWS_24")!;
    expect(sshRule(syntheticPlan([vpc, inline("${aws_vpc.main.cidr_block}")])).status).toBe("passed");
    expect(sshRule(syntheticPlan([vpc, inline("${aws_instance.jump.public_ip}")])).findings[0].message).toMatch(/unknown until apply/);
    const separate = syntheticPlan([
      { type: "aws_security_group", name: "app", values: {}, unknown: { ingress: true } },
      { type: "aws_vpc_security_group_ingress_rule", name: "ssh", values: { ip_protocol: "tcp", from_port: 22, to_port: 22, cidr_ipv4: "0.0.0.0/0" }, expressions: { security_group_id: ref("aws_security_group.app", "id") } },
    ]);
    expect(sshRule(separate).findings.map((f) => f.address)).toEqual(["aws_vpc_security_group_ingress_rule.ssh"]);
  });

  test("SSH from a named address passes, and a reference is not mistaken for a literal", () => {
    const plan = syntheticPlan([
      { type: "aws_security_group_rule", name: "office", values: { type: "ingress", protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["198.51.100.7/32"] } },
      { type: "aws_cloudwatch_log_group", name: "referenced", values: {}, expressions: { retention_in_days: { constant_value: "${var.days}", references: ["var.days"] } }, unknown: { retention_in_days: true } },
    ]);
    expect(failedRules(plan)).toEqual([]);
    const unset = syntheticPlan([{ type: "aws_cloudwatch_log_group", name: "forever", values: { retention_in_days: null } }]);
    expect(failedRules(unset)).toEqual(["CKV_AWS_66"]);
  });
});

describe("skipping a rule", () => {
  const broken = syntheticPlan(brokenCases[0][2]);

  test("a rule turned off is reported as skipped with its reason and the findings it hides, and the gate passes", () => {
    const report = runSecurityGate([{ stack: "dev", plan: broken }], [{ rule: "CKV_AWS_24", reason: "lab 3 shows why SSH from anywhere is dangerous" }]);
    expect(report.passed).toBe(true);
    const outcome = report.outcomes.find((o) => o.rule === "CKV_AWS_24")!;
    expect(outcome.status).toBe("skipped");
    expect(outcome.skipReason).toBe("lab 3 shows why SSH from anywhere is dangerous");
    expect(outcome.skippedFindings.map((f) => f.address)).toEqual(["aws_security_group.ssh"]);
    expect(report.skips).toEqual([{ rule: "CKV_AWS_24", reason: "lab 3 shows why SSH from anywhere is dangerous", suppressed: 1 }]);
    const text = formatGateReport(report);
    expect(text).toMatch(/^SKIP CKV_AWS_24 .*\n\s+skipped by config: lab 3 shows why SSH from anywhere is dangerous$/m);
    expect(text).toMatch(/security gate: passed \(1 rule\(s\) with skips\)/);
  });

  test("a skip for one resource hides only that resource's finding", () => {
    const twoOpen = syntheticPlan(adding(
      { type: "aws_security_group", name: "ssh", values: { ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }] } },
      { type: "aws_security_group", name: "other", values: { ingress: [{ protocol: "tcp", from_port: 22, to_port: 22, cidr_blocks: ["0.0.0.0/0"] }] } },
    ));
    const report = runSecurityGate([{ stack: "dev", plan: twoOpen }], [{ rule: "CKV_AWS_24", reason: "the lab's jump host, for one hour", resource: "aws_security_group.ssh" }]);
    const outcome = report.outcomes.find((o) => o.rule === "CKV_AWS_24")!;
    expect(outcome.status).toBe("failed");
    expect(outcome.findings.map((f) => f.address)).toEqual(["aws_security_group.other"]);
    expect(outcome.skippedFindings.map((f) => [f.address, f.reason])).toEqual([["aws_security_group.ssh", "the lab's jump host, for one hour"]]);
    expect(formatGateReport(report)).toContain("skipped dev: aws_security_group.ssh: ingress[0] allows port 22 from the whole internet (reason: the lab's jump host, for one hour)");
  });

  test("a skip that matches nothing is still listed", () => {
    const report = runSecurityGate([{ stack: "dev", plan: syntheticPlan(secureResources) }], [{ rule: "CKV_AWS_7", reason: "keys for a one-day lab" }]);
    expect(report.outcomes.find((o) => o.rule === "CKV_AWS_7")!.status).toBe("skipped");
    expect(formatGateReport(report)).toContain("note: skip of CKV_AWS_7 matched nothing (reason given: keys for a one-day lab)");
  });
});
