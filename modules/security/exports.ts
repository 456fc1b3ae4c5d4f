/**
 * What week 10's account security offers the other weeks (`ctx.use(securityModule)`): types only, so
 * that the registry entry (./module.ts) and other weeks name them without loading the build code
 * (./build.ts).
 */
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";

export interface SecurityExports {
  readonly guardDutyDetectorId?: string;
  readonly trailArn?: string;
  /** The CloudTrail key; other weeks may reuse it only through its own key policy. */
  readonly trailKey?: KmsKey;
  readonly trailBucketName?: string;
  readonly learnerGroupName?: string;
}
