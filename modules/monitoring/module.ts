/**
 * The monitoring module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import { defineModule } from "../../lib/core/module";
import { componentProblems } from "../../lib/kubernetes/compatibility";
import { eksModule } from "../eks/module";
import { monitoringSettings, type MonitoringSettings } from "./settings";
import type { MonitoringExports } from "./exports";

export const monitoringModule = defineModule<MonitoringSettings, MonitoringExports>({
  id: "monitoring",
  week: 7,
  title: { ko: "모니터링: CloudWatch Container Insights와 경보", en: "Monitoring: CloudWatch Container Insights and alarms" },
  requires: ["eks"],
  after: ["notifications", "dockerHost", "cicd", "kubernetes"],
  settings: monitoringSettings,
  validate(settings, _study, _environment, selection) {
    return componentProblems(selection.settingsOf(eksModule).kubernetesVersion, [
      ["metricsServerChart", settings.metricsServer.chartVersion, settings.metricsServer.enabled && settings.metricsServer.install === "chart"],
      ["kubePrometheusStackChart", settings.prometheus.chartVersion, settings.prometheus.kubePrometheusStack],
    ]);
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildMonitoring(ctx),
});
