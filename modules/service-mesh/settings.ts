import { z } from "zod";
import { cidrListSchema } from "../../lib/aws/ec2";
import { COMPONENTS } from "../../lib/kubernetes/compatibility";

export const SERVICE_MESH_DEFAULTS = {
  provider: "istio",
  /** Versions from the compatibility table (lib/kubernetes/compatibility.ts), with their sources. */
  istioVersion: COMPONENTS.istio.default,
  gatewayControllerChartVersion: COMPONENTS.gatewayControllerChart.default,
  gatewayApiVersion: COMPONENTS.gatewayApi.default,
} as const;

const PSA_LEVELS = ["privileged", "baseline", "restricted"] as const;

export const serviceMeshSettings = z.strictObject({
  /**
   * istio (Istio by Helm chart, sidecars with STRICT mutual TLS) or vpc-lattice (Amazon VPC Lattice
   * through the AWS Gateway API controller, the AWS-managed option). AWS App Mesh is not offered:
   * it reached end of support on 2026-09-30.
   * @default istio
   */
  provider: z
    .custom<"istio" | "vpc-lattice">((value) => value === "istio" || value === "vpc-lattice", "istio or vpc-lattice (AWS App Mesh reached end of support on 2026-09-30 and is not offered)")
    .default(SERVICE_MESH_DEFAULTS.provider),
  istio: z
    .strictObject({
      /** Version of the base, cni, istiod and gateway charts: a 1.30.x or 1.31.x release that supports eks.kubernetesVersion. @default 1.31.1 */
      version: z.string().regex(/^1\.\d+\.\d+$/, "an Istio release such as 1.31.1").default(SERVICE_MESH_DEFAULTS.istioVersion),
      /** STRICT: pods of the app namespace accept only mutual-TLS traffic. PERMISSIVE (plain text too) is for a migration only. @default STRICT */
      mtlsMode: z.enum(["STRICT", "PERMISSIVE"]).default("STRICT"),
      /** An ingress gateway (the istio-ingressgateway Service in istio-ingress) routing to the app. @default true */
      ingressGateway: z.boolean().default(true),
      /**
       * Who may reach the ingress gateway through a load balancer: naming any range makes its Service a
       * LoadBalancer (an NLB on EKS) admitting only these ranges, like kubernetes.service.sourceRanges for
       * week 5's app. `[0.0.0.0/0]` (anyone) also needs ingressGatewayAllowPublicAccessFromInternet, and the
       * security gate reports it (DW_K8S_1) until a skip gives the reason.
       * @default [] - no load balancer: the gateway's Service is ClusterIP, opened with `kubectl port-forward`
       */
      ingressGatewaySourceRanges: cidrListSchema("serviceMesh.istio.ingressGatewaySourceRanges").default([]),
      /** Must be true to list 0.0.0.0/0 in ingressGatewaySourceRanges: the gateway open to the whole internet. @default false */
      ingressGatewayAllowPublicAccessFromInternet: z.boolean().default(false),
    })
    .prefault({}),
  vpcLattice: z
    .strictObject({
      /** Version of the aws-gateway-controller-chart: a v2.1.x release. @default v2.1.3 */
      chartVersion: z.string().regex(/^v\d+\.\d+\.\d+$/, "a chart version such as v2.1.3").default(SERVICE_MESH_DEFAULTS.gatewayControllerChartVersion),
      /** Kubernetes Gateway API release whose CRDs the runbook installs: a v1.5.x release (controller v2.1 requires it). @default v1.5.1 */
      gatewayApiVersion: z.string().regex(/^v\d+\.\d+\.\d+$/, "a Gateway API release such as v1.5.1").default(SERVICE_MESH_DEFAULTS.gatewayApiVersion),
    })
    .prefault({}),
  networkPolicies: z
    .strictObject({
      /** Default deny (ingress and egress) in the app namespace, then only DNS, the app's port and the mesh are allowed. @default true */
      enabled: z.boolean().default(true),
    })
    .prefault({}),
  podSecurity: z
    .strictObject({
      /** Pod Security Admission level enforced on the namespaces the mesh creates (week 5 enforces restricted on the app's). @default baseline */
      enforce: z.enum(PSA_LEVELS).default("baseline"),
      /** Level that only warns (kubectl) and audits (API server audit log): at least as strict as enforce. @default restricted */
      warn: z.enum(PSA_LEVELS).default("restricted"),
    })
    .prefault({}),
});

export type ServiceMeshSettings = z.output<typeof serviceMeshSettings>;
export type PodSecurityLevel = (typeof PSA_LEVELS)[number];
export const POD_SECURITY_LEVELS = PSA_LEVELS;
