/**
 * What week 9's deploy optimization offers the other weeks (`ctx.use(deployOptimizationModule)`):
 * types only, so that the registry entry (./module.ts) and other weeks name them without loading the
 * build code (./build.ts).
 */
import type { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import type { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";

export interface DeployOptimizationExports {
  readonly hpa?: HorizontalPodAutoscalerV2;
  readonly spotNodeGroup?: EksNodeGroup;
  readonly canary?: DeploymentV1;
}
