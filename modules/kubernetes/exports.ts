/**
 * What week 5's workloads offer the other weeks (`ctx.use(kubernetesModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
import type { Release } from "@cdktf/provider-helm/lib/release";
import type { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import type { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import type { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import type { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import type { ITerraformDependable } from "cdktf";

/**
 * The app as later weeks build around it (week 9's autoscaler and canary, week 10's mesh and network
 * policies): names, labels and ports as literal values, read from the same plain objects the manifests
 * and the Terraform resources are made from, so they can go into names, selectors and policies.
 */
export interface KubernetesApp {
  readonly namespace: string;
  readonly deploymentName: string;
  readonly serviceName: string;
  /** The ConfigMap holding the app's page (mounted at nginx's html folder). */
  readonly configMapName: string;
  /** The labels of the app's objects and pods. */
  readonly labels: Readonly<Record<string, string>>;
  /** The subset of the labels the Deployment and the Service select on. */
  readonly selector: Readonly<Record<string, string>>;
  readonly image: string;
  readonly containerPort: number;
  readonly servicePort: number;
  /** What a resource in the app namespace waits for: the Deployment and the Service. */
  readonly dependable: readonly ITerraformDependable[];
}

/** One rule spreading the app's pods over a topology (the app's selector picks the pods counted). */
export interface TopologySpread {
  /** A node label, e.g. `topology.kubernetes.io/zone`. */
  readonly topologyKey: string;
  readonly maxSkew: number;
  readonly whenUnsatisfiable: "ScheduleAnyway" | "DoNotSchedule";
}

/** How a later week tunes week 5's Deployment (week 9: rollouts, spreading, the HPA's replicas). */
export interface DeploymentTuning {
  /** Seconds a new pod must be ready before it counts as available. */
  readonly minReadySeconds: number;
  /** Seconds a rollout may go without progress before Kubernetes reports it failed. */
  readonly progressDeadlineSeconds: number;
  /** Spread rules, in the order the scheduler weighs them. @default - none: the scheduler's defaults */
  readonly topologySpread?: readonly TopologySpread[];
  /**
   * A HorizontalPodAutoscaler owns the replica count: Terraform ignores changes to it, or every apply
   * would scale the app back to `kubernetes.app.replicas`.
   * @default false
   */
  readonly replicasFromAutoscaler?: boolean;
}

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
  /** The app's names, labels and ports. */
  readonly app: KubernetesApp;
  /**
   * Adds a label to the app's namespace resource (week 10: Istio's `istio-injection`), so one resource
   * owns the namespace's labels and no apply takes another's label away. The key may hold no `.`.
   */
  labelNamespace(key: string, value: string): void;
  /** Tunes the app's Deployment in place (see DeploymentTuning); call it once. */
  tuneDeployment(tuning: DeploymentTuning): void;
}
