/**
 * What week 7's monitoring offers the other weeks (`ctx.use(monitoringModule)`), and the shapes weeks
 * 8-10 hand to its helpers (./shared.ts): types only, so that the registry entry (./module.ts) and
 * other weeks name them without loading the build code (./index.ts).
 */
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { ITerraformDependable, TerraformResource } from "cdktf";

export interface MonitoringExports {
  /** SNS topics every alarm of weeks 7-10 notifies (week 4's topic, or none). */
  readonly alarmActions: readonly string[];
  /** The course dashboard, when on: later weeks add their sections. */
  readonly dashboard?: CourseDashboardSections;
  /** The alarms this week created, by short name (node-cpu, pod-restarts, ...). */
  readonly alarms: ReadonlyMap<string, CloudwatchMetricAlarm>;
  /** True when metrics-server is installed (the HPA of week 9 needs it). */
  readonly metricsServer: boolean;
}

/** The course dashboard as later weeks see it: each adds its section while it builds. */
export interface CourseDashboardSections {
  addSection(section: DashboardSection): void;
}

export interface DashboardSection {
  readonly title: string;
  readonly graphs: readonly GraphWidget[];
}

export interface GraphWidget {
  readonly title: string;
  /** Metric lines, or a Metrics Insights / metric math expression as `{ expression, label }`. */
  readonly metrics: readonly MetricLine[];
  readonly stat?: "Average" | "Sum" | "Maximum" | "Minimum" | "p90";
  /** Seconds. @default 300 */
  readonly period?: number;
  /** A horizontal line, e.g. an alarm threshold. */
  readonly threshold?: { readonly label: string; readonly value: number };
}

/** One CloudWatch metric line: [namespace, metric, dimension name, value, ..., { options }]. */
export type MetricLine = readonly (string | Record<string, unknown>)[];

/** The week-5 app as weeks 7-10 use it: names, labels and ports as literal values, and its resources. */
export interface AppInfo {
  readonly namespace: string;
  readonly deploymentName: string;
  readonly serviceName: string;
  readonly configMapName?: string;
  /** The pod labels, and the subset the Deployment and Service select on. */
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly image: string;
  readonly containerPort: number;
  readonly servicePort: number;
  /** Week 5's namespace resource of the app (week 10 adds Istio's injection label to it). */
  readonly namespaceResource?: TerraformResource;
  /** Week 5's Deployment resource (week 9 tunes it in place). */
  readonly deployment?: TerraformResource;
  /** What a resource in the app namespace waits for. */
  readonly dependable: ITerraformDependable[];
}
