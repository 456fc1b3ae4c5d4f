/**
 * `<project>-bootstrap`: the S3 bucket that holds every other stack's state, when `state.backend` is
 * s3. It keeps its own state locally (it cannot live in the bucket it creates): apply it first, then
 * the other stacks (README, "Remote state"). The bucket is versioned (an overwritten or deleted
 * state can be restored), encrypted, closed to the public, reachable over TLS only, and protected by
 * `prevent_destroy` so that `terraform destroy` of the bootstrap stack refuses to remove it.
 */
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { stateBucketPolicy, useStateBackend, type ResolvedState } from "./backend";

export function bootstrapStackName(project: string): string {
  return `${project}-bootstrap`;
}

/** Old versions of state objects are kept this long, to roll back a bad apply. */
export const NONCURRENT_STATE_DAYS = 90;

export class BootstrapStack extends TerraformStack {
  readonly bucket: S3Bucket;

  /**
   * `grants`: more statements for the bucket's policy, given the bucket's ARN (with classroom
   * learnersApply, each learner's account reaching its own stacks' state: lib/classroom/learner-state.ts).
   */
  constructor(scope: Construct, project: string, state: ResolvedState, tags: Readonly<Record<string, string>>, grants: (bucketArn: string) => Record<string, unknown>[] = () => []) {
    const name = bootstrapStackName(project);
    super(scope, name);
    useStateBackend(this, name, { forceLocal: true });
    new AwsProvider(this, "aws", { region: state.region, defaultTags: [{ tags: { Project: project, ManagedBy: "devops-weeks", Role: "terraform-state", ...tags } }] });

    const bucket = new S3Bucket(this, "state", { bucket: state.bucket!, lifecycle: { preventDestroy: true } });
    this.bucket = bucket;
    new S3BucketOwnershipControls(this, "state-ownership", { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } });
    const publicAccess = new S3BucketPublicAccessBlock(this, "state-public-access", { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    new S3BucketVersioningA(this, "state-versioning", { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } });
    new S3BucketServerSideEncryptionConfigurationA(this, "state-encryption", {
      bucket: bucket.id,
      rule: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
    });
    new S3BucketLifecycleConfiguration(this, "state-lifecycle", {
      bucket: bucket.id,
      rule: [
        {
          id: "expire-old-state-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: NONCURRENT_STATE_DAYS }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new S3BucketPolicy(this, "state-policy", {
      bucket: bucket.id,
      dependsOn: [publicAccess],
      policy: JSON.stringify(stateBucketPolicy(bucket.arn, grants(bucket.arn))),
    });
    new TerraformOutput(this, "state_bucket", { value: bucket.bucket, description: "The S3 bucket that holds every other stack's Terraform state" });
    new TerraformOutput(this, "state_bucket_arn", { value: bucket.arn, description: "ARN of the state bucket" });
  }
}
