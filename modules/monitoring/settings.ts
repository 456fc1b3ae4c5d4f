import { z } from "zod";
import { COMPONENTS } from "../../lib/kubernetes/compatibility";
import { logRetentionSchema } from "../../lib/aws/ec2";

export const MONITORING_DEFAULTS = {
  nodeCpuPercent: 80,
  nodeMemoryPercent: 85,
  podRestarts: 3,
  loadBalancer5xx: 10,
  metricsServerChartVersion: COMPONENTS.metricsServerChart.default,
  kubePrometheusStackChartVersion: COMPONENTS.kubePrometheusStackChart.default,
  scrapeIntervalSeconds: 30,
} as const;

const chartVersion = z.string().regex(/^v?\d+\.\d+\.\d+([-+][\w.-]+)?$/, "a chart version such as 3.12.2");

export const monitoringSettings = z.strictObject({
  containerInsights: z
    .strictObject({
      /** The amazon-cloudwatch-observability EKS add-on: Container Insights metrics (CloudWatch agent). @default true */
      enabled: z.boolean().default(true),
      /** Add-on version, e.g. v4.4.0-eksbuild.1. @default - the version EKS picks for the cluster */
      addonVersion: z.string().regex(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/, "an add-on version such as v4.4.0-eksbuild.1").optional(),
      /** Retention of the /aws/containerinsights/<cluster>/... log groups, which we create before the agent does. @default 7 */
      logRetentionDays: logRetentionSchema.default(7),
    })
    .prefault({}),
  metricsServer: z
    .strictObject({
      /** metrics-server, which `kubectl top` and the HPA (week 9) read. @default true */
      enabled: z.boolean().default(true),
      /** addon (the EKS community add-on, in the AWS stack) | chart (the upstream Helm chart, in the -k8s stack). @default addon */
      install: z.enum(["addon", "chart"]).default("addon"),
      /** Version of the metrics-server chart, for `install: chart`: a 3.12.x or 3.13.x release (3.13 needs Kubernetes 1.31 or later). @default 3.13.1 */
      chartVersion: chartVersion.default(MONITORING_DEFAULTS.metricsServerChartVersion),
    })
    .prefault({}),
  alarms: z
    .strictObject({
      /** CloudWatch alarms, sent to week 4's SNS topic when week 4 is on. @default true */
      enabled: z.boolean().default(true),
      /** Average node CPU (Container Insights) above this percentage for 10 minutes. @default 80 */
      nodeCpuPercent: z.number().min(1).max(100).default(MONITORING_DEFAULTS.nodeCpuPercent),
      /** Average node memory above this percentage for 10 minutes. @default 85 */
      nodeMemoryPercent: z.number().min(1).max(100).default(MONITORING_DEFAULTS.nodeMemoryPercent),
      /** Container restarts in the app namespace within 5 minutes. @default 3 */
      podRestarts: z.number().int().min(1).max(1000).default(MONITORING_DEFAULTS.podRestarts),
      /** 5xx responses (load balancer + targets) of the week-2 load balancer within 5 minutes. @default 10 */
      loadBalancer5xx: z.number().int().min(1).max(100000).default(MONITORING_DEFAULTS.loadBalancer5xx),
      /** EC2 status check alarms on the bastion, NAT instances and the Docker host; system failures recover the instance. @default true */
      statusChecks: z.boolean().default(true),
      /** An alarm when a week-3 pipeline execution fails (EventBridge rule, its own metric). @default true */
      pipelineFailures: z.boolean().default(true),
    })
    .prefault({}),
  dashboard: z
    .strictObject({
      /** A CloudWatch dashboard `<project>-<environment>` with the course's resources. @default true */
      enabled: z.boolean().default(true),
    })
    .prefault({}),
  prometheus: z
    .strictObject({
      /** Amazon Managed Service for Prometheus: a workspace and an agentless managed scraper for the cluster. @default false */
      managed: z.boolean().default(false),
      /** Scrape interval of the managed scraper, in seconds. @default 30 */
      scrapeIntervalSeconds: z.number().int().min(10).max(300).default(MONITORING_DEFAULTS.scrapeIntervalSeconds),
      /** Prometheus, Alertmanager and Grafana in the cluster (kube-prometheus-stack chart): the open-source path. @default false */
      kubePrometheusStack: z.boolean().default(false),
      /** Version of the kube-prometheus-stack chart: an 88.x release. @default 88.5.3 */
      chartVersion: chartVersion.default(MONITORING_DEFAULTS.kubePrometheusStackChartVersion),
    })
    .prefault({}),
});

export type MonitoringSettings = z.output<typeof monitoringSettings>;
