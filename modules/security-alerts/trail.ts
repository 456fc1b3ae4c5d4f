/**
 * The account's CloudTrail trail. EventBridge receives CloudTrail's events (the API calls, the console
 * sign-ins) only while a trail with logging on exists, so the trail starts in week 1 with the security
 * alerts; week 10 (account security) uses the same one. One trail is free for management events; the
 * key costs 1 USD a month and the bucket a few cents.
 */
import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
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
import { Fn, TerraformResource } from "cdktf";
import { Construct } from "constructs";
import { denyInsecureTransport } from "../../lib/constructs/s3-policy";
import type { BuildContext } from "../../lib/core/module";
import { AwsStudyStack } from "../../lib/core/stacks";
import type { SecuritySettings } from "../security/settings";
import type { AccountArns, AuditTrail } from "./exports";

export type TrailSettings = SecuritySettings["cloudTrail"];

/**
 * The multi-region trail into a KMS-encrypted, private, versioned bucket with access logs. Every
 * resource is built where week 10 built it before it moved here: a `moved` block each carries state
 * applied with week 10 of an earlier version to the new address (no trail or bucket is replaced).
 */
export function buildTrail(ctx: BuildContext<unknown>, cloudTrail: TrailSettings, given: AccountArns | undefined): AuditTrail {
  const scope = new Construct(ctx.scope, "trail-resources");
  const trail = buildTrailIn(scope, ctx, cloudTrail, given);
  const stack = AwsStudyStack.of(ctx.scope);
  for (const child of scope.node.findAll()) {
    if (child instanceof TerraformResource) stack.movedFrom([WEEK_10_SCOPE, child.node.id], child);
  }
  return trail;
}

/** The construct id week 10's module had, under which the trail's resources were built before. */
const WEEK_10_SCOPE = "security";

function buildTrailIn(scope: Construct, ctx: BuildContext<unknown>, cloudTrail: TrailSettings, given: AccountArns | undefined): AuditTrail {
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
    forceDestroy: cloudTrail.forceDestroyBuckets,
  });
  const logs = privateBucket(scope, ctx, "trail-logs", { prefix: "cloudtrail", kmsKeyArn: key.arn, expirationDays: cloudTrail.logExpirationDays, forceDestroy: cloudTrail.forceDestroyBuckets });
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
function privateBucket(scope: Construct, ctx: BuildContext<unknown>, id: string, props: { prefix: string; kmsKeyArn?: string; expirationDays: number; forceDestroy: boolean }): PrivateBucket {
  // bucket_prefix: names are global across all AWS accounts, so Terraform appends a unique suffix.
  const bucket = new S3Bucket(scope, id, { bucketPrefix: `${ctx.name(props.prefix)}-`.slice(0, 37), forceDestroy: props.forceDestroy });
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

