/**
 * What week 1's security alerts offer the other weeks (`ctx.use(securityAlertsModule)`), the account's
 * trail among them: types only, so that the registry entry (./module.ts) and other weeks name them
 * without loading the build code (./build.ts, ./trail.ts).
 */
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";

export interface SecurityAlertsExports {
  readonly topicArn?: string;
  /** The account's trail: built with the alerts, or for week 10 alone (security.cloudTrail). */
  readonly trail?: AuditTrail;
}

/** The account trail, as other weeks may use it. */
export interface AuditTrail {
  readonly trailArn: string;
  /** The trail's key; other weeks may reuse it only through its own key policy. */
  readonly key: KmsKey;
  readonly bucketName: string;
  /** The partition and account, read at apply time from the key's ARN unless the config gave the account. */
  readonly arns: AccountArns;
}

export interface AccountArns {
  readonly partition: string;
  readonly account: string;
}
