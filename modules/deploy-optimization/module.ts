/**
 * The deploy-optimization module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { defineModule } from "../../lib/core/module";
import { componentProblems } from "../../lib/kubernetes/compatibility";
import { eksModule } from "../eks/module";
import { kubernetesModule } from "../kubernetes/module";
import { architectureOf } from "../../lib/aws/ec2";
import { deployOptimizationSettings, type DeployOptimizationSettings } from "./settings";
import type { DeployOptimizationExports } from "./exports";

export const deployOptimizationModule = defineModule<DeployOptimizationSettings, DeployOptimizationExports>({
  id: "deployOptimization",
  week: 9,
  title: { ko: "배포 최적화: 오토스케일링과 카나리 배포", en: "Deploy optimization: autoscaling and canary releases" },
  requires: ["kubernetes", "eks"],
  after: ["monitoring"],
  settings: deployOptimizationSettings,
  validate(settings, _study, _environment, selection) {
    const problems: ConfigProblem[] = [
      ...componentProblems(selection.settingsOf(eksModule).kubernetesVersion, [["clusterAutoscalerChart", settings.nodeAutoscaling.chartVersion, settings.nodeAutoscaling.tool === "cluster-autoscaler"]]),
    ];
    const { hpa, podDisruptionBudget: pdb, spotNodeGroup: spot } = settings;
    if (hpa.enabled && hpa.minReplicas > hpa.maxReplicas) {
      problems.push({ field: "deployOptimization.hpa.minReplicas", value: hpa.minReplicas, expected: `at most hpa.maxReplicas (${hpa.maxReplicas})` });
    }
    if (pdb.enabled && hpa.enabled && pdb.minAvailable >= hpa.minReplicas) {
      problems.push({
        field: "deployOptimization.podDisruptionBudget.minAvailable",
        value: pdb.minAvailable,
        expected: `less than hpa.minReplicas (${hpa.minReplicas}): otherwise no pod may ever be evicted and node drains (upgrades, scale-down) hang`,
      });
    }
    const replicas = selection.settingsOf(kubernetesModule).app.replicas;
    if (pdb.enabled && !hpa.enabled && pdb.minAvailable >= replicas) {
      problems.push({
        field: "deployOptimization.podDisruptionBudget.minAvailable",
        value: pdb.minAvailable,
        expected: `less than kubernetes.app.replicas (${replicas}) while the HPA is off: otherwise no pod may ever be evicted and node drains (upgrades, scale-down) hang`,
      });
    }
    if (spot.enabled && (spot.minSize > spot.desiredSize || spot.desiredSize > spot.maxSize)) {
      problems.push({ field: "deployOptimization.spotNodeGroup", value: { minSize: spot.minSize, desiredSize: spot.desiredSize, maxSize: spot.maxSize }, expected: "minSize <= desiredSize <= maxSize" });
    }
    if (spot.enabled && new Set(spot.instanceTypes.map(architectureOf)).size > 1) {
      problems.push({ field: "deployOptimization.spotNodeGroup.instanceTypes", value: spot.instanceTypes, expected: "instance types of one architecture (all x86_64 such as t3.medium, or all Graviton such as t4g.medium)" });
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildDeployOptimization(ctx),
});
