/**
 * What week 4's notifications offer the other weeks (`ctx.use(notificationsModule)`): types only, so
 * that the registry entry (./module.ts) and other weeks name them without loading the build code
 * (./build.ts).
 */
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";

export interface NotificationsExports {
  /** The topic later weeks' alarms publish to. */
  readonly topic: SnsTopic;
  readonly topicArn: string;
  /** The topic's key: a publisher that is not an AWS service needs kms:GenerateDataKey* on it. */
  readonly key: KmsKey;
  readonly keyArn: string;
  readonly notifier?: LambdaFunction;
}
