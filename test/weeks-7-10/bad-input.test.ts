/** Bad input in the sections of weeks 7-10: one line per problem naming the field, the value and what is expected. */
import { describe, expect, test } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { synthConfig } from "../support/synth";

const cases: { name: string; config: Record<string, unknown>; message: RegExp }[] = [
  {
    name: "week 7: a CPU threshold above 100 %",
    config: { monitoring: { alarms: { nodeCpuPercent: 150 } } },
    message: /monitoring\.alarms\.nodeCpuPercent = 150 is not valid; expected a number <= 100/,
  },
  {
    name: "week 7: metrics-server installed some third way",
    config: { monitoring: { metricsServer: { install: "manifest" } } },
    message: /monitoring\.metricsServer\.install = "manifest" is not valid; expected one of "addon", "chart"/,
  },
  {
    name: "week 8: a retention CloudWatch Logs does not offer",
    config: { logging: { retentionDays: 10 } },
    message: /logging\.retentionDays = 10 is not valid; expected one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30/,
  },
  {
    name: "week 8: OpenSearch nodes that cannot be spread evenly over the AZs",
    config: { logging: { openSearch: { enabled: true, instanceCount: 3 } } },
    message: /logging\.openSearch\.instanceCount = 3 is not valid; expected a multiple of 2 \(the nodes are spread evenly over 2 AZs\), or 1/,
  },
  {
    name: "week 8: an OpenSearch t2 type, which cannot encrypt at rest",
    config: { logging: { openSearch: { enabled: true, instanceType: "t2.small.search" } } },
    message: /logging\.openSearch\.instanceType = "t2\.small\.search" is not valid; expected an OpenSearch instance type .*t2 types cannot encrypt at rest/,
  },
  {
    name: "week 9: a PodDisruptionBudget that would block every drain",
    config: { deployOptimization: { hpa: { minReplicas: 2 }, podDisruptionBudget: { minAvailable: 2 } } },
    message: /deployOptimization\.podDisruptionBudget\.minAvailable = 2 is not valid; expected less than hpa\.minReplicas \(2\): otherwise no pod may ever be evicted/,
  },
  {
    name: "week 9: an HPA whose minimum is above its maximum",
    config: { deployOptimization: { hpa: { minReplicas: 5, maxReplicas: 3 } } },
    message: /deployOptimization\.hpa\.minReplicas = 5 is not valid; expected at most hpa\.maxReplicas \(3\)/,
  },
  {
    name: "week 9: Karpenter, which the study does not offer",
    config: { deployOptimization: { nodeAutoscaling: { tool: "karpenter" } } },
    message: /deployOptimization\.nodeAutoscaling\.tool = "karpenter" is not valid; expected cluster-autoscaler or none \(Karpenter is not offered/,
  },
  {
    name: "week 10: App Mesh as the mesh",
    config: { serviceMesh: { provider: "app-mesh" } },
    message: /serviceMesh\.provider = "app-mesh" is not valid; expected istio or vpc-lattice \(AWS App Mesh reached end of support on 2026-09-30/,
  },
  {
    name: "week 10: a warning level looser than the enforced one",
    config: { serviceMesh: { podSecurity: { enforce: "restricted", warn: "baseline" } } },
    message: /serviceMesh\.podSecurity\.warn = "baseline" is not valid; expected a level at least as strict as enforce \(restricted\)/,
  },
];

describe("bad input in weeks 7-10 stops synth with one clear line", () => {
  for (const { name, config, message } of cases) {
    test(name, () => {
      let error: Error | undefined;
      try {
        synthConfig({ ...ALL_WEEKS_CONFIG, ...config });
      } catch (caught) {
        error = caught as Error;
      }
      expect(error?.message).toMatch(message);
      expect(error?.message.split("\n")).toHaveLength(1);
    });
  }
});
