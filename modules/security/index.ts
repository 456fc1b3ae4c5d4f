/**
 * Week 10: account security. GuardDuty with EKS protection, a multi-region CloudTrail trail
 * encrypted with a rotating customer-managed KMS key into a private, versioned bucket with access
 * logs, Amazon Inspector, and (optionally) one IAM user
 * per learner in a group that can do nothing without MFA.
 *
 * Nothing here reads the account id through a data source (aws_caller_identity would make the
 * offline plan fail): when the config does not give it, Terraform reads it at apply time from the
 * ARN of a resource this module creates, e.g. `arn:aws:kms:<region>:<account>:key/<id>`.
 */
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupMembership } from "@cdktf/provider-aws/lib/iam-group-membership";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserLoginProfile } from "@cdktf/provider-aws/lib/iam-user-login-profile";
import { Inspector2Enabler } from "@cdktf/provider-aws/lib/inspector2-enabler";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Fn, TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import type { BuildContext } from "../../lib/module";
import type { SecuritySettings } from "./settings";
import { denyInsecureTransport } from "../../lib/constructs/s3-policy";

export { SECURITY_DEFAULTS, securitySettings, type SecuritySettings } from "./settings";

export interface SecurityExports {
  readonly guardDutyDetectorId?: string;
  readonly trailArn?: string;
  /** The CloudTrail key; other weeks may reuse it only through its own key policy. */
  readonly trailKey?: KmsKey;
  readonly trailBucketName?: string;
  readonly learnerGroupName?: string;
}

export { securityModule } from "./module";

interface Arns {
  partition: string;
  account: string;
}

export function buildSecurity(ctx: BuildContext<SecuritySettings>): SecurityExports {
  const { scope, settings } = ctx;
  const exports: { -readonly [K in keyof SecurityExports]: SecurityExports[K] } = {};
  let arns: Arns | undefined = settings.accountId ? { partition: partitionOf(ctx.study.region), account: settings.accountId } : undefined;

  if (settings.cloudTrail.enabled) {
    const trail = buildTrail(scope, ctx, arns);
    arns ??= trail.arns;
    Object.assign(exports, { trailArn: trail.trailArn, trailKey: trail.key, trailBucketName: trail.bucketName });
  }

  if (settings.guardDuty.enabled) {
    const detector = buildGuardDuty(scope, ctx);
    arns ??= { partition: partitionOf(ctx.study.region), account: detector.accountId };
    exports.guardDutyDetectorId = detector.id;
  }

  if (settings.inspector.enabled) {
    // validate() guarantees an account source when Inspector is on.
    new Inspector2Enabler(scope, "inspector", { accountIds: [arns!.account], resourceTypes: [...settings.inspector.resourceTypes] });
  }

  if (settings.learners.enabled) exports.learnerGroupName = buildLearners(scope, ctx);
  return exports;
}

/** Only the partition is fixed by the region; everything else about an ARN comes from AWS. */
function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

function buildGuardDuty(scope: Construct, ctx: BuildContext<SecuritySettings>): GuarddutyDetector {
  const { guardDuty } = ctx.settings;
  // Protection plans are set one by one with detector features; the detector's `datasources` block is deprecated.
  const detector = new GuarddutyDetector(scope, "guardduty", { enable: true, findingPublishingFrequency: guardDuty.findingPublishingFrequency });
  const status = (on: boolean) => (on ? "ENABLED" : "DISABLED");
  new GuarddutyDetectorFeature(scope, "guardduty-eks-audit-logs", { detectorId: detector.id, name: "EKS_AUDIT_LOGS", status: status(guardDuty.eksAuditLogs) });
  // RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING (AWS refuses both at once); the EKS add-on
  // carrying the agent is managed by GuardDuty, the EC2 and Fargate agents are left off.
  new GuarddutyDetectorFeature(scope, "guardduty-runtime-monitoring", {
    detectorId: detector.id,
    name: "RUNTIME_MONITORING",
    status: status(guardDuty.runtimeMonitoring),
    additionalConfiguration: [
      { name: "EKS_ADDON_MANAGEMENT", status: status(guardDuty.runtimeMonitoring) },
      { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "DISABLED" },
      { name: "EC2_AGENT_MANAGEMENT", status: "DISABLED" },
    ],
  });
  new GuarddutyDetectorFeature(scope, "guardduty-s3-data-events", { detectorId: detector.id, name: "S3_DATA_EVENTS", status: status(guardDuty.s3DataEvents) });
  new GuarddutyDetectorFeature(scope, "guardduty-ebs-malware-protection", { detectorId: detector.id, name: "EBS_MALWARE_PROTECTION", status: status(guardDuty.malwareProtection) });
  ctx.output("guardduty_detector_id", detector.id, "GuardDuty detector; findings are in the GuardDuty console of this region");
  return detector;
}

interface Trail {
  trailArn: string;
  key: KmsKey;
  bucketName: string;
  arns: Arns;
}

function buildTrail(scope: Construct, ctx: BuildContext<SecuritySettings>, given: Arns | undefined): Trail {
  const { cloudTrail } = ctx.settings;
  const region = ctx.study.region;
  const trailName = ctx.name("trail");

  // Created with AWS's default key policy (the account administers it), then given the full policy
  // below: the policy needs the account id, which the key's own ARN carries.
  const key = new KmsKey(scope, "trail-key", {
    description: `CloudTrail log encryption for ${ctx.environment.name}`,
    enableKeyRotation: true,
    deletionWindowInDays: cloudTrail.kmsDeletionWindowDays,
  });
  new KmsAlias(scope, "trail-key-alias", { name: `alias/${ctx.name("cloudtrail")}`, targetKeyId: key.keyId });
  const arns = given ?? { partition: Fn.element(Fn.split(":", key.arn), 1), account: Fn.element(Fn.split(":", key.arn), 4) };
  const { partition, account } = arns;
  // The trail's ARN is known before the trail exists; the bucket and key policies must exist first.
  const trailArn = `arn:${partition}:cloudtrail:${region}:${account}:trail/${trailName}`;

  const keyPolicy = new KmsKeyPolicy(scope, "trail-key-policy", {
    keyId: key.keyId,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: `arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
        {
          Sid: "CloudTrailEncryptsLogs",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "kms:GenerateDataKey*",
          Resource: "*",
          Condition: {
            StringEquals: { "aws:SourceArn": trailArn },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${account}:trail/*` },
          },
        },
        { Sid: "CloudTrailDescribesKey", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:DescribeKey", Resource: "*", Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
        {
          Sid: "AccountReadsLogFiles",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["kms:Decrypt", "kms:ReEncryptFrom"],
          Resource: "*",
          Condition: {
            StringEquals: { "kms:CallerAccount": account },
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${partition}:cloudtrail:*:${account}:trail/*` },
          },
        },
      ],
    }),
  });

  const accessLogs = privateBucket(scope, ctx, "trail-access-logs", {
    prefix: "access-logs",
    // S3 server access logging delivers only to buckets with SSE-S3 default encryption, not SSE-KMS.
    kmsKeyArn: undefined,
    expirationDays: cloudTrail.accessLogExpirationDays,
  });
  const logs = privateBucket(scope, ctx, "trail-logs", { prefix: "cloudtrail", kmsKeyArn: key.arn, expirationDays: cloudTrail.logExpirationDays });
  new S3BucketLoggingA(scope, "trail-logs-access-logging", { bucket: logs.bucket.id, targetBucket: accessLogs.bucket.id, targetPrefix: "trail-bucket/" });

  new S3BucketPolicy(scope, "trail-access-logs-policy", {
    bucket: accessLogs.bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "S3ServerAccessLogsDelivery",
          Effect: "Allow",
          Principal: { Service: "logging.s3.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${accessLogs.bucket.arn}/trail-bucket/*`,
          Condition: { ArnLike: { "aws:SourceArn": logs.bucket.arn }, StringEquals: { "aws:SourceAccount": account } },
        },
        denyInsecureTransport(accessLogs.bucket),
      ],
    }),
    dependsOn: [accessLogs.publicAccessBlock],
  });
  const bucketPolicy = new S3BucketPolicy(scope, "trail-logs-policy", {
    bucket: logs.bucket.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "CloudTrailAclCheck", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: logs.bucket.arn, Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
        {
          Sid: "CloudTrailWrite",
          Effect: "Allow",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "s3:PutObject",
          Resource: `${logs.bucket.arn}/AWSLogs/${account}/*`,
          Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": trailArn } },
        },
        denyInsecureTransport(logs.bucket),
      ],
    }),
    dependsOn: [logs.publicAccessBlock],
  });

  const trail = new Cloudtrail(scope, "trail", {
    name: trailName,
    s3BucketName: logs.bucket.id,
    kmsKeyId: key.arn,
    isMultiRegionTrail: true,
    includeGlobalServiceEvents: true,
    enableLogFileValidation: true,
    enableLogging: true,
    dependsOn: [bucketPolicy, keyPolicy, logs.encryption],
  });
  ctx.output("cloudtrail_bucket", logs.bucket.id, "S3 bucket holding the CloudTrail log files (KMS-encrypted)");
  ctx.output("cloudtrail_arn", trail.arn, "The multi-region CloudTrail trail");
  return { trailArn: trail.arn, key, bucketName: logs.bucket.id, arns };
}

interface PrivateBucket {
  bucket: S3Bucket;
  publicAccessBlock: S3BucketPublicAccessBlock;
  encryption: S3BucketServerSideEncryptionConfigurationA;
}

/** A bucket that is private (public access blocked, ACLs off), encrypted, versioned, and expires what it holds. */
function privateBucket(scope: Construct, ctx: BuildContext<SecuritySettings>, id: string, props: { prefix: string; kmsKeyArn?: string; expirationDays: number }): PrivateBucket {
  // bucket_prefix: names are global across all AWS accounts, so Terraform appends a unique suffix.
  const bucket = new S3Bucket(scope, id, { bucketPrefix: `${ctx.name(props.prefix)}-`.slice(0, 37), forceDestroy: ctx.settings.cloudTrail.forceDestroyBuckets });
  const publicAccessBlock = new S3BucketPublicAccessBlock(scope, `${id}-public-access-block`, {
    bucket: bucket.id,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, `${id}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
  const encryption = new S3BucketServerSideEncryptionConfigurationA(scope, `${id}-encryption`, {
    bucket: bucket.id,
    rule: [
      {
        applyServerSideEncryptionByDefault: props.kmsKeyArn ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn } : { sseAlgorithm: "AES256" },
        bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
      },
    ],
  });
  new S3BucketVersioningA(scope, `${id}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
  new S3BucketLifecycleConfiguration(scope, `${id}-lifecycle`, {
    bucket: bucket.id,
    rule: [
      {
        id: "expire-old-logs",
        status: "Enabled",
        filter: [{}],
        expiration: [{ days: props.expirationDays }],
        noncurrentVersionExpiration: [{ noncurrentDays: 30 }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ],
  });
  return { bucket, publicAccessBlock, encryption };
}


/**
 * AWS's documented "self-manage MFA" policy: a learner may set up their own MFA device and password;
 * everything else is denied until they sign in with MFA. `$${aws:username}` is Terraform's escape for
 * the IAM policy variable `${aws:username}`.
 */
export const REQUIRE_MFA_POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "AllowViewAccountInfo", Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], Resource: "*" },
    { Sid: "AllowManageOwnPasswords", Effect: "Allow", Action: ["iam:ChangePassword", "iam:GetUser"], Resource: "arn:aws:iam::*:user/$${aws:username}" },
    { Sid: "AllowManageOwnVirtualMFADevice", Effect: "Allow", Action: ["iam:CreateVirtualMFADevice"], Resource: "arn:aws:iam::*:mfa/*" },
    {
      Sid: "AllowManageOwnUserMFA",
      Effect: "Allow",
      Action: ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
      Resource: "arn:aws:iam::*:user/$${aws:username}",
    },
    {
      Sid: "DenyAllExceptListedIfNoMFA",
      Effect: "Deny",
      NotAction: ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ChangePassword", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    },
  ],
};

/**
 * A construct id for an IAM user name: IAM allows + = , . @ which construct ids do not, so each becomes
 * _x<hex code>_ (`kim.lee` is `kim_x2e_lee`), and `kim.lee` and `kim_lee` stay two users; names of
 * letters, digits, - and _ keep the ids they always had.
 */
function constructIdOf(name: string): string {
  return name.replace(/[^\w-]/g, (c) => `_x${c.charCodeAt(0).toString(16)}_`);
}

function buildLearners(scope: Construct, ctx: BuildContext<SecuritySettings>): string {
  const { learners } = ctx.settings;
  const group = new IamGroup(scope, "learners", { name: ctx.name(learners.groupName) });
  new IamGroupPolicy(scope, "learners-require-mfa", { name: "require-mfa", group: group.name, policy: JSON.stringify(REQUIRE_MFA_POLICY) });
  learners.policyArns.forEach((arn, i) => new IamGroupPolicyAttachment(scope, `learners-policy-${i}`, { group: group.name, policyArn: arn }));
  const users = learners.users.map((name) => new IamUser(scope, `learner-${constructIdOf(name)}`, { name, forceDestroy: true, tags: { Learner: name } }));
  new IamGroupMembership(scope, "learners-membership", { name: ctx.name(`${learners.groupName}-membership`), group: group.name, users: users.map((u) => u.name) });
  if (learners.consoleAccess) {
    const profiles = users.map((user, i) => new IamUserLoginProfile(scope, `learner-login-${constructIdOf(learners.users[i])}`, { user: user.name, passwordResetRequired: true, passwordLength: 20, lifecycle: { ignoreChanges: ["password_reset_required", "password_length"] } }));
    // Sensitive, so not through ctx.output: `terraform output -json learner_initial_passwords` shows them.
    new TerraformOutput(TerraformStack.of(scope), "learner_initial_passwords", {
      value: Object.fromEntries(profiles.map((p, i) => [learners.users[i], p.password])),
      description: "First sign-in passwords of the learner IAM users (each must change it at first sign-in and set up MFA)",
      sensitive: true,
    });
  }
  if (learners.passwordPolicy) {
    new IamAccountPasswordPolicy(scope, "password-policy", {
      minimumPasswordLength: 14,
      requireLowercaseCharacters: true,
      requireUppercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      allowUsersToChangePassword: true,
      maxPasswordAge: 90,
      passwordReusePrevention: 24,
    });
  }
  ctx.output("learner_group_name", group.name, "IAM group of the learners; nothing but MFA setup works until they sign in with MFA");
  return group.name;
}
