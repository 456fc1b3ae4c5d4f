/**
 * The logging module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { azCountOf } from "../../lib/core/config";
import { defineModule } from "../../lib/core/module";
import { componentProblems } from "../../lib/kubernetes/compatibility";
import { eksModule } from "../eks/module";
import { loggingSettings, type LoggingSettings } from "./settings";
import type { LoggingExports } from "./exports";

export const loggingModule = defineModule<LoggingSettings, LoggingExports>({
  id: "logging",
  week: 8,
  title: { ko: "로그 수집: Fluent Bit와 CloudWatch Logs", en: "Log collection: Fluent Bit and CloudWatch Logs" },
  requires: ["eks"],
  after: ["dockerHost", "notifications", "monitoring"],
  settings: loggingSettings,
  validate(settings, study, _environment, selection) {
    const problems: ConfigProblem[] = [...componentProblems(selection.settingsOf(eksModule).kubernetesVersion, [["fluentBitChart", settings.fluentBit.chartVersion, settings.fluentBit.enabled]])];
    const { openSearch } = settings;
    if (openSearch.enabled && openSearch.instanceCount > 1) {
      const azCount = azCountOf(study);
      const zones = openSearchZones(openSearch.instanceCount, azCount);
      if (openSearch.instanceCount % zones !== 0) {
        problems.push({
          field: "logging.openSearch.instanceCount",
          value: openSearch.instanceCount,
          expected: `a multiple of ${zones} (the nodes are spread evenly over ${zones} AZs), or 1`,
        });
      }
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildLogging(ctx),
});

export function openSearchZones(instanceCount: number, azCount: number): number {
  return Math.max(1, Math.min(instanceCount, azCount, 3));
}
