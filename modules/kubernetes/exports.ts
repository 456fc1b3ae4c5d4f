/**
 * What week 5's workloads offer the other weeks (`ctx.use(kubernetesModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./index.ts).
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";

export interface KubernetesExports {
  /** The namespace the app runs in (a name). */
  readonly namespace: string;
  readonly namespaces: readonly NamespaceV1[];
  readonly appName: string;
  readonly deployment: DeploymentV1;
  readonly service: ServiceV1;
  readonly configMap: ConfigMapV1;
  /** The plain manifests, by file name under out/manifests/<environment>/. */
  readonly manifests: Readonly<Record<string, string>>;
  /** The AWS Load Balancer Controller release, when week 6 is on and the controller enabled. */
  readonly loadBalancerController?: Release;
}
