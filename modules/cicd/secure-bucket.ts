/** An S3 bucket the way week 3 keeps them: encrypted, versioned, private, TLS-only, expiring old objects. */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketLoggingA } from "@cdktf/provider-aws/lib/s3-bucket-logging";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { denyInsecureTransport } from "../../lib/constructs/s3-policy";

export interface SecureBucketProps {
  readonly bucketName: string;
  /** A customer-managed key; AES256 (S3-managed keys) when undefined. */
  readonly kmsKeyArn?: string;
  /** Current objects expire after this many days; undefined keeps them (only old versions expire). */
  readonly expireAfterDays?: number;
  /** Noncurrent versions expire after this many days. */
  readonly noncurrentExpireAfterDays: number;
  /** S3 server access logs of every request go to this bucket (one that accepts them: {@link SecureBucket.forAccessLogs}). */
  readonly accessLogsTo?: { readonly bucket: SecureBucket; readonly prefix: string };
  /** A bucket S3's log delivery may write into, for server access logs of `sourceBucketArn`, in `account`. */
  readonly receivesAccessLogsOf?: { readonly sourceBucketArn: string; readonly account: string; readonly prefix: string };
}

export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  /** Depend on it before using the bucket, so nothing lands in it before it is private. */
  readonly publicAccessBlock: S3BucketPublicAccessBlock;

  constructor(scope: Construct, id: string, props: SecureBucketProps) {
    super(scope, id);
    // force_destroy stays false: `terraform destroy` refuses a bucket that still holds artifacts
    // instead of deleting them silently (empty it first; the README says how).
    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: false, tags: { Name: props.bucketName } });
    this.publicAccessBlock = new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, "ownership", { bucket: this.bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    new S3BucketVersioningA(this, "versioning", { bucket: this.bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        props.kmsKeyArn
          ? { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }, bucketKeyEnabled: true }
          : { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-old-objects",
          status: "Enabled",
          filter: [{ prefix: "" }],
          ...(props.expireAfterDays ? { expiration: [{ days: props.expireAfterDays }] } : {}),
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentExpireAfterDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    const logDelivery = props.receivesAccessLogsOf;
    new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          ...(logDelivery
            ? [
                {
                  Sid: "S3ServerAccessLogsDelivery",
                  Effect: "Allow",
                  Principal: { Service: "logging.s3.amazonaws.com" },
                  Action: "s3:PutObject",
                  Resource: `${this.bucket.arn}/${logDelivery.prefix}*`,
                  Condition: { ArnLike: { "aws:SourceArn": logDelivery.sourceBucketArn }, StringEquals: { "aws:SourceAccount": logDelivery.account } },
                },
              ]
            : []),
          denyInsecureTransport(this.bucket),
        ],
      }),
      dependsOn: [this.publicAccessBlock],
    });
    if (props.accessLogsTo) {
      new S3BucketLoggingA(this, "access-logging", { bucket: this.bucket.id, targetBucket: props.accessLogsTo.bucket.bucket.id, targetPrefix: props.accessLogsTo.prefix });
    }
  }
}
