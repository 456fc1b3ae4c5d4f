import { z } from "zod";
import { cidrListSchema, instanceTypeSchema, logRetentionSchema, uniqueList } from "../../lib/aws/ec2";
import { DEFAULT_KUBERNETES_VERSION, EKS_RELEASES, EXTENDED_VERSIONS, STANDARD_VERSIONS } from "../../lib/kubernetes/compatibility";

/** The EKS calendar lives in the compatibility table, with every other version this project pins. */
export { EXTENDED_VERSIONS, STANDARD_VERSIONS, EKS_RELEASES as EKS_VERSIONS, supportOf, type KubernetesVersion as EksVersion } from "../../lib/kubernetes/compatibility";

export const EKS_DEFAULTS = {
  /** In standard support until 2027-03-27 (lib/kubernetes/compatibility.ts). */
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
  logRetentionDays: 30,
  instanceType: "t3.medium",
  diskSizeGiB: 20,
  tunnelLocalPort: 8443,
} as const;

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

const versionSchema = z.preprocess(
  // YAML reads an unquoted 1.35 as a number; 1.30 would become 1.3, which the check below refuses.
  (value) => (typeof value === "number" ? String(value) : value),
  z
    .string()
    .refine((v) => v in EKS_RELEASES, `a Kubernetes version EKS offers, as a quoted string: ${STANDARD_VERSIONS.join(", ")} (or ${EXTENDED_VERSIONS.join(", ")} with eks.allowExtendedSupport: true)`),
);

const principalArnSchema = z
  .string()
  .regex(/^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, "an IAM role or user ARN such as arn:aws:iam::123456789012:role/Admin");

export const eksSettings = z.strictObject({
  /** Kubernetes minor version of the control plane and nodes, quoted: YAML reads 1.30 as 1.3. @default "1.35" */
  kubernetesVersion: versionSchema.default(EKS_DEFAULTS.kubernetesVersion),
  /** Allow versions past standard support (billed 0.60 USD/h instead of 0.10: 6x the control-plane price). @default false */
  allowExtendedSupport: z.boolean().default(false),
  endpoint: z
    .strictObject({
      /**
       * Source ranges allowed to reach the public API endpoint. Empty turns the public endpoint off:
       * the API is then private to the VPC, reached from the bastion. Your own address, e.g. `[203.0.113.10/32]`,
       * needs no tunnel. @default [] - public endpoint off
       */
      publicAccessCidrs: cidrListSchema("eks.endpoint.publicAccessCidrs").default([]),
      /** Must be true to list 0.0.0.0/0 above: the API endpoint open to the whole internet. @default false */
      allowPublicAccessFromInternet: z.boolean().default(false),
      /**
       * With a private endpoint: the port on your machine where the SSM port forward through the bastion
       * listens (kubectl and the -k8s stack connect to `https://127.0.0.1:<port>`). @default 8443
       */
      tunnelLocalPort: z.number().int().min(1024).max(65535).default(EKS_DEFAULTS.tunnelLocalPort),
    })
    .prefault({}),
  /** IAM roles or users (besides the bastion's role) given cluster admin through access entries. @default [] */
  adminPrincipalArns: uniqueList(z.array(principalArnSchema), "ARN").default([]),
  /**
   * The identity that runs terraform apply gets cluster admin (needed to apply the -k8s stack from it).
   * EKS takes it only when it creates the cluster: changing it later forces a new cluster (the
   * provider replaces `aws_eks_cluster` for `access_config.bootstrap_cluster_creator_admin_permissions`),
   * so synth refuses a value that differs from the local state's unless acceptClusterReplacement is true;
   * with S3 state the week-6 page shows how to spot the replacement in the plan.
   * @default true
   */
  clusterCreatorIsAdmin: z.boolean().default(true),
  /**
   * Accept that the next apply destroys and recreates the cluster, and everything on it, because
   * clusterCreatorIsAdmin differs from the value the cluster was created with (destroy the -k8s stack
   * first). Set it back to false after that apply: while it is true, synth lets such a change through. @default false
   */
  acceptClusterReplacement: z.boolean().default(false),
  logs: z
    .strictObject({
      /**
       * Control-plane log types sent to CloudWatch Logs. All five by default, as the security gate's
       * CKV_AWS_37 expects; a small study cluster's scheduler and controller logs cost cents a month.
       * @default [api, audit, authenticator, controllerManager, scheduler]
       */
      types: z.array(z.enum(CONTROL_PLANE_LOG_TYPES)).default([...CONTROL_PLANE_LOG_TYPES]),
      /** Days the control-plane log group keeps its events. @default 30 */
      retentionDays: logRetentionSchema.default(EKS_DEFAULTS.logRetentionDays),
    })
    .prefault({}),
  nodeGroup: z
    .strictObject({
      /** One or more instance types of one architecture (several help SPOT find capacity). @default [t3.medium] */
      instanceTypes: z.array(instanceTypeSchema).min(1).default([EKS_DEFAULTS.instanceType]),
      /** ON_DEMAND, or SPOT (about 60-70 % cheaper, can be reclaimed with two minutes' notice). @default ON_DEMAND */
      capacityType: z.enum(["ON_DEMAND", "SPOT"]).default("ON_DEMAND"),
      /** Fewest nodes; minSize <= desiredSize <= maxSize. @default 1 */
      minSize: z.number().int().min(0).max(100).default(1),
      /** Nodes to start with. @default 2 */
      desiredSize: z.number().int().min(0).max(100).default(2),
      /** Most nodes (week 9's Cluster Autoscaler scales up to it). @default 3 */
      maxSize: z.number().int().min(1).max(100).default(3),
      /** Root volume (gp3, encrypted). @default 20 */
      diskSizeGiB: z.number().int().min(20).max(1000).default(EKS_DEFAULTS.diskSizeGiB),
      /**
       * IMDS hop limit. 1 keeps pods (which are one network hop further) away from the node role's
       * credentials; add-ons and the load balancer controller get theirs from pod identity instead.
       * @default 1
       */
      metadataHopLimit: z.union([z.literal(1), z.literal(2)]).default(1),
    })
    .prefault({}),
});

export type EksSettings = z.output<typeof eksSettings>;
