/**
 * The course dashboard: sections that each week adds while it builds (week 7 the cluster, week 8 the
 * log errors, ...), laid out only at synth, two graphs per row. The body is plain JSON with no
 * timestamps or random ids, so the same config gives the same dashboard byte for byte.
 */
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { Lazy } from "cdktf";
import type { Construct } from "constructs";
import type { CourseDashboardSections, DashboardSection, GraphWidget } from "./exports";

export class CourseDashboard implements CourseDashboardSections {
  private readonly sections: DashboardSection[] = [];

  constructor(scope: Construct, id: string, readonly name: string, private readonly region: string) {
    new CloudwatchDashboard(scope, id, {
      dashboardName: name,
      dashboardBody: Lazy.stringValue({ produce: () => this.render() }),
    });
  }

  addSection(section: DashboardSection): void {
    if (section.graphs.length > 0) this.sections.push(section);
  }

  /** The dashboard body as CloudWatch reads it. */
  render(): string {
    const widgets: Record<string, unknown>[] = [];
    let y = 0;
    for (const section of this.sections) {
      widgets.push({ type: "text", x: 0, y, width: 24, height: 1, properties: { markdown: `## ${section.title}` } });
      y += 1;
      section.graphs.forEach((graph, i) => {
        widgets.push({ type: "metric", x: (i % 2) * 12, y: y + Math.floor(i / 2) * 6, width: 12, height: 6, properties: this.graphProperties(graph) });
      });
      y += Math.ceil(section.graphs.length / 2) * 6;
    }
    return JSON.stringify({ widgets });
  }

  private graphProperties(graph: GraphWidget): Record<string, unknown> {
    return {
      title: graph.title,
      region: this.region,
      view: "timeSeries",
      stacked: false,
      stat: graph.stat ?? "Average",
      period: graph.period ?? 300,
      metrics: graph.metrics,
      ...(graph.threshold ? { annotations: { horizontal: [{ label: graph.threshold.label, value: graph.threshold.value }] } } : {}),
    };
  }
}
