import { z } from "zod";
import { uniqueList } from "../../lib/aws/ec2";
import { KUBERNETES_RULE_IDS } from "../../lib/security-gate/kubernetes-rules";
import { SECURITY_RULE_IDS } from "../../lib/security-gate/aws-rules";

export const SECURITY_DEFAULTS = {
  findingPublishingFrequency: "FIFTEEN_MINUTES",
  trailLogExpirationDays: 365,
  accessLogExpirationDays: 90,
  kmsDeletionWindowDays: 7,
  inspectorResourceTypes: ["EC2", "ECR"],
  budgetLimitUsd: 20,
  learnerGroupName: "learners",
} as const;

/** IAM user names: letters, digits and + = , . @ _ - (IAM's own rule), at most 64 characters. */
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;

const gateSkip = z.strictObject({
  /** The rule to turn off, by its id: an AWS rule (CKV_AWS_24) or a Kubernetes rule (CKV_K8S_22, DW_K8S_1). */
  rule: z.enum([...SECURITY_RULE_IDS, ...KUBERNETES_RULE_IDS]),
  /** Why this is acceptable: the gate prints it beside the skipped rule. */
  reason: z.string().trim().min(10, "a reason of at least 10 characters saying why the rule may be skipped"),
  /**
   * Only this resource: a Terraform address (aws_security_group.x, kubernetes_deployment_v1.x) or a
   * manifest object as Kind/namespace/name (Deployment/devops-weeks/web). @default - the whole rule
   */
  resource: z.string().min(1).optional(),
});

export const securitySettings = z.strictObject({
  /**
   * Your 12-digit AWS account id. Optional: without it the account id is read at apply time from
   * the ARN of a resource this module creates (no aws_caller_identity, so plans run offline).
   * @default - taken from the CloudTrail key's ARN (or the GuardDuty detector / budget)
   */
  accountId: z.string().regex(/^\d{12}$/, "a 12-digit AWS account id such as 123456789012").optional(),
  guardDuty: z
    .strictObject({
      /** A GuardDuty detector in the region. @default true */
      enabled: z.boolean().default(true),
      /** How often updated findings are exported: FIFTEEN_MINUTES | ONE_HOUR | SIX_HOURS. @default FIFTEEN_MINUTES */
      findingPublishingFrequency: z.enum(["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]).default(SECURITY_DEFAULTS.findingPublishingFrequency),
      /** EKS Protection: GuardDuty reads the EKS audit logs. @default true */
      eksAuditLogs: z.boolean().default(true),
      /** Runtime Monitoring with the EKS agent managed by GuardDuty (billed per vCPU). @default true */
      runtimeMonitoring: z.boolean().default(true),
      /** S3 Protection (data events; billed per million events). @default false */
      s3DataEvents: z.boolean().default(false),
      /** Malware Protection for EC2 volumes, scanned after a finding (billed per GB scanned). @default false */
      malwareProtection: z.boolean().default(false),
    })
    .prefault({}),
  cloudTrail: z
    .strictObject({
      /**
       * A multi-region trail, KMS-encrypted, into a private, versioned S3 bucket: the trail, its key and both buckets.
       * From week 1, since the security alerts read its events: `false` leaves only their GuardDuty rule (no
       * CloudTrail event would reach the others). @default true
       */
      enabled: z.boolean().default(true),
      /** Trail log files (and old versions) are deleted after this many days. @default 365 */
      logExpirationDays: z.number().int().min(1).max(3650).default(SECURITY_DEFAULTS.trailLogExpirationDays),
      /** S3 server access logs of the trail bucket are deleted after this many days. @default 90 */
      accessLogExpirationDays: z.number().int().min(1).max(3650).default(SECURITY_DEFAULTS.accessLogExpirationDays),
      /** `terraform destroy` empties and deletes both buckets. Set false to keep the audit logs (destroy then stops at the buckets). @default true */
      forceDestroyBuckets: z.boolean().default(true),
      /** Days a destroyed KMS key waits before deletion (7-30). @default 7 */
      kmsDeletionWindowDays: z.number().int().min(7).max(30).default(SECURITY_DEFAULTS.kmsDeletionWindowDays),
    })
    .prefault({}),
  inspector: z
    .strictObject({
      /** Amazon Inspector scans EC2 instances and ECR images for vulnerabilities. @default true */
      enabled: z.boolean().default(true),
      /** What Inspector scans: EC2, ECR, LAMBDA, LAMBDA_CODE. @default [EC2, ECR] */
      resourceTypes: z
        .array(z.enum(["EC2", "ECR", "LAMBDA", "LAMBDA_CODE"]))
        .min(1)
        .default([...SECURITY_DEFAULTS.inspectorResourceTypes]),
    })
    .prefault({}),
  budget: z
    .strictObject({
      /** Moved to the cost guard (costGuard, on from week 1); kept only to point there. @default false */
      enabled: z.boolean().default(false),
      /** Monthly limit in USD. @default 20 */
      limitUsd: z.number().min(1).max(100000).default(SECURITY_DEFAULTS.budgetLimitUsd),
      /** Who gets the alerts (required while the budget is on). @default - none: synth asks for one */
      emails: uniqueList(z.array(z.email("an email address such as kim@example.com")).max(10), "address").default([]),
    })
    .prefault({}),
  learners: z
    .strictObject({
      /** An IAM group with a policy that denies everything without MFA, and one IAM user per learner. @default false */
      enabled: z.boolean().default(false),
      /** Group name suffix: the group is `<project>-<environment>-<groupName>`. @default learners */
      groupName: z.string().regex(/^[\w+=,.@-]{1,40}$/, "an IAM group name part: letters, digits and + = , . @ _ -").default(SECURITY_DEFAULTS.learnerGroupName),
      /** One IAM user per learner: one person, one user, never the root user (at least one when enabled, each once). @default [] */
      users: z.array(z.string().regex(IAM_USER_NAME, "IAM user names: 1-64 letters, digits and + = , . @ _ -")).default([]),
      /**
       * Managed policies the group gets on top of the MFA rule (for example
       * arn:aws:iam::aws:policy/PowerUserAccess). They only take effect after the learner signs in with MFA.
       * @default [] - the group can only set up its own MFA and password
       */
      policyArns: z.array(z.string().regex(/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/, "IAM policy ARNs such as arn:aws:iam::aws:policy/ReadOnlyAccess")).default([]),
      /** Console passwords (reset at first sign-in), shown by `terraform output -json learner_initial_passwords`. @default true */
      consoleAccess: z.boolean().default(true),
      /** An account password policy (14+ characters, all character classes, 90-day rotation, no reuse of the last 24). @default true */
      passwordPolicy: z.boolean().default(true),
    })
    .prefault({}),
  gate: z
    .strictObject({
      /** Security gate rules to turn off, each with a reason; the gate reports them as skipped. @default [] */
      skip: z.array(gateSkip).default([]),
    })
    .prefault({}),
});

export type SecuritySettings = z.output<typeof securitySettings>;
