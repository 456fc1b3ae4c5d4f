/** An S3 bucket the way week 3 keeps them: encrypted, versioned, private, TLS-only, expiring old objects. */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
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
    new S3BucketPolicy(this, "tls-only", {
      bucket: this.bucket.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [denyInsecureTransport(this.bucket)],
      }),
      dependsOn: [this.publicAccessBlock],
    });
  }
}
