import { z } from "zod";
import { instanceTypeSchema } from "../../lib/aws/ec2";
import { COMPONENTS } from "../../lib/kubernetes/compatibility";
import { IMAGE_REFERENCE_EXPECTED, isImageReference } from "../../lib/containers/image-reference";

export const DEPLOY_OPTIMIZATION_DEFAULTS = {
  minReplicas: 2,
  maxReplicas: 6,
  cpuUtilizationPercent: 60,
  scaleDownStabilizationSeconds: 300,
  minAvailable: 1,
  clusterAutoscalerChartVersion: COMPONENTS.clusterAutoscalerChart.default,
  scaleDownUnneededMinutes: 10,
  spotInstanceTypes: ["t3.medium", "t3a.medium"],
} as const;

export const deployOptimizationSettings = z.strictObject({
  hpa: z
    .strictObject({
      /** A HorizontalPodAutoscaler (autoscaling/v2) on the week-5 app, on CPU use. Needs metrics-server (week 7). @default true */
      enabled: z.boolean().default(true),
      /** Fewest pods the HPA keeps; at most maxReplicas. @default 2 */
      minReplicas: z.number().int().min(1).max(100).default(DEPLOY_OPTIMIZATION_DEFAULTS.minReplicas),
      /** Most pods the HPA runs. @default 6 */
      maxReplicas: z.number().int().min(1).max(100).default(DEPLOY_OPTIMIZATION_DEFAULTS.maxReplicas),
      /** Average CPU use, as a percentage of the pods' CPU request, that the HPA keeps. @default 60 */
      cpuUtilizationPercent: z.number().int().min(10).max(100).default(DEPLOY_OPTIMIZATION_DEFAULTS.cpuUtilizationPercent),
      /** Seconds of lower load before pods are removed (no flapping). @default 300 */
      scaleDownStabilizationSeconds: z.number().int().min(0).max(3600).default(DEPLOY_OPTIMIZATION_DEFAULTS.scaleDownStabilizationSeconds),
    })
    .prefault({}),
  podDisruptionBudget: z
    .strictObject({
      /** A PodDisruptionBudget: node drains (upgrades, scale-down) keep this many app pods running. @default true */
      enabled: z.boolean().default(true),
      /**
       * App pods a drain must leave running: below hpa.minReplicas (or kubernetes.app.replicas with the HPA off),
       * or no pod could ever be evicted and drains would hang. @default 1
       */
      minAvailable: z.number().int().min(1).max(100).default(DEPLOY_OPTIMIZATION_DEFAULTS.minAvailable),
    })
    .prefault({}),
  topologySpread: z
    .strictObject({
      /** Spread the app's pods over AZs and nodes (topologySpreadConstraints on week 5's Deployment). @default true */
      enabled: z.boolean().default(true),
      /** Largest allowed difference in pod count between two AZs (or nodes). @default 1 */
      maxSkew: z.number().int().min(1).max(10).default(1),
    })
    .prefault({}),
  rollout: z
    .strictObject({
      /** A new pod counts as available only after being ready this long. @default 10 */
      minReadySeconds: z.number().int().min(0).max(600).default(10),
      /** A rollout that makes no progress for this long is reported failed. @default 300 */
      progressDeadlineSeconds: z.number().int().min(60).max(3600).default(300),
    })
    .prefault({}),
  nodeAutoscaling: z
    .strictObject({
      /** cluster-autoscaler (chart, scales the managed node groups) or none. @default cluster-autoscaler */
      tool: z
        .custom<"cluster-autoscaler" | "none">((value) => value === "cluster-autoscaler" || value === "none", "cluster-autoscaler or none (Karpenter is not offered: see the README, week 9)")
        .default("cluster-autoscaler"),
      /** Version of the cluster-autoscaler chart. Its own autoscaler is 1.35.0, matching the default cluster; the image tag follows the cluster's minor anyway. @default 9.59.0 */
      chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a chart version such as 9.59.0").default(DEPLOY_OPTIMIZATION_DEFAULTS.clusterAutoscalerChartVersion),
      /** Minutes a node must be unneeded before it is removed. @default 10 */
      scaleDownUnneededMinutes: z.number().int().min(1).max(120).default(DEPLOY_OPTIMIZATION_DEFAULTS.scaleDownUnneededMinutes),
    })
    .prefault({}),
  spotNodeGroup: z
    .strictObject({
      /** A second managed node group on Spot capacity (about 60-70 % cheaper, reclaimable at 2 minutes' notice). @default false */
      enabled: z.boolean().default(false),
      /** Several types of one architecture help Spot find capacity. @default [t3.medium, t3a.medium] */
      instanceTypes: z.array(instanceTypeSchema).min(1).default([...DEPLOY_OPTIMIZATION_DEFAULTS.spotInstanceTypes]),
      /** Fewest Spot nodes; minSize <= desiredSize <= maxSize. @default 0 */
      minSize: z.number().int().min(0).max(100).default(0),
      /** Spot nodes to start with. @default 0 */
      desiredSize: z.number().int().min(0).max(100).default(0),
      /** Most Spot nodes. @default 3 */
      maxSize: z.number().int().min(1).max(100).default(3),
    })
    .prefault({}),
  canary: z
    .strictObject({
      /** A canary Deployment beside week 5's, behind the same Service: traffic splits by replica count. @default false */
      enabled: z.boolean().default(false),
      /** The new version's image; with a digest (`name:tag@sha256:…`) pulled only when missing, with a tag only at every start. @default - week 5's image */
      image: z.string().refine(isImageReference, IMAGE_REFERENCE_EXPECTED).optional(),
      /** Canary pods; with 2 stable pods, 1 canary pod takes about a third of the requests. @default 1 */
      replicas: z.number().int().min(1).max(50).default(1),
    })
    .prefault({}),
});

export type DeployOptimizationSettings = z.output<typeof deployOptimizationSettings>;
