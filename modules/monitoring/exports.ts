/**
 * What week 7's monitoring offers the other weeks (`ctx.use(monitoringModule)`): types only, so that
 * the registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";

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
