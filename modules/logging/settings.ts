import { z } from "zod";
import { logRetentionSchema } from "../../lib/aws/ec2";
import { COMPONENTS } from "../../lib/kubernetes/compatibility";

export const LOGGING_DEFAULTS = {
  retentionDays: 30,
  kmsDeletionWindowDays: 7,
  fluentBitChartVersion: COMPONENTS.fluentBitChart.default,
  errorPattern: "?ERROR ?Error ?error ?Exception ?exception ?panic",
  errorThreshold: 5,
  openSearchInstanceType: "t3.small.search",
  openSearchEngineVersion: "OpenSearch_2.19",
  openSearchVolumeGiB: 10,
} as const;

export const loggingSettings = z.strictObject({
  /** Days every log group of this week keeps its events. @default 30 */
  retentionDays: logRetentionSchema.default(LOGGING_DEFAULTS.retentionDays),
  /** Days a destroyed log-encryption KMS key waits before it is deleted (7-30). @default 7 */
  kmsDeletionWindowDays: z.number().int().min(7).max(30).default(LOGGING_DEFAULTS.kmsDeletionWindowDays),
  fluentBit: z
    .strictObject({
      /** Fluent Bit (aws-for-fluent-bit chart) as a DaemonSet in kube-system, shipping container logs. @default true */
      enabled: z.boolean().default(true),
      /** Version of the aws-for-fluent-bit chart: a 0.2.x release (0.1.x runs Fluent Bit on Amazon Linux 2, out of support). @default 0.2.0 */
      chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a chart version such as 0.2.0").default(LOGGING_DEFAULTS.fluentBitChartVersion),
    })
    .prefault({}),
  dockerHost: z
    .strictObject({
      /** The CloudWatch agent on the week-2 Docker host ships its container logs (when week 2 is on). @default true */
      enabled: z.boolean().default(true),
    })
    .prefault({}),
  errorAlarm: z
    .strictObject({
      /** A metric filter counting error lines, and an alarm on it. @default true */
      enabled: z.boolean().default(true),
      /** CloudWatch Logs filter pattern for an error line. @default "?ERROR ?Error ?error ?Exception ?exception ?panic" */
      pattern: z.string().trim().min(1, "a CloudWatch Logs filter pattern such as ?ERROR ?error").max(1024).default(LOGGING_DEFAULTS.errorPattern),
      /** Error lines within 5 minutes that raise the alarm. @default 5 */
      threshold: z.number().int().min(1).max(100000).default(LOGGING_DEFAULTS.errorThreshold),
    })
    .prefault({}),
  openSearch: z
    .strictObject({
      /** An OpenSearch domain (the study's Kibana: OpenSearch Dashboards) in the private subnets. About 35 USD/month per node. @default false */
      enabled: z.boolean().default(false),
      /** Not t2 (no encryption at rest). @default t3.small.search */
      instanceType: z
        .string()
        .regex(/^(?!t2\.)[a-z][a-z0-9]*\.[a-z0-9]+\.search$/, "an OpenSearch instance type such as t3.small.search or m7g.large.search (t2 types cannot encrypt at rest)")
        .default(LOGGING_DEFAULTS.openSearchInstanceType),
      /** Data nodes; more than one spreads them over AZs (a multiple of the zones used). @default 1 */
      instanceCount: z.number().int().min(1).max(10).default(1),
      /** EBS gp3 storage per node, GiB. @default 10 */
      volumeGiB: z.number().int().min(10).max(1024).default(LOGGING_DEFAULTS.openSearchVolumeGiB),
      /** The domain's OpenSearch engine version. @default OpenSearch_2.19 */
      engineVersion: z.string().regex(/^OpenSearch_\d+\.\d+$/, "an engine version such as OpenSearch_2.19").default(LOGGING_DEFAULTS.openSearchEngineVersion),
    })
    .prefault({}),
});

export type LoggingSettings = z.output<typeof loggingSettings>;
