/**
 * What week 8's logging offers the other weeks (`ctx.use(loggingModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";

export interface LoggingExports {
  readonly key: KmsKey;
  /** Log groups by purpose: containers (Fluent Bit), docker-host (CloudWatch agent). */
  readonly logGroups: ReadonlyMap<string, CloudwatchLogGroup>;
  readonly openSearch?: OpensearchDomain;
}
