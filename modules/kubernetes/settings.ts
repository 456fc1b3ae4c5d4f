import { z } from "zod";
import { cidrListSchema } from "../../lib/ec2";
import { COMPONENTS } from "../../lib/kubernetes/compatibility";
import { IMAGE_REFERENCE_EXPECTED, isImageReference } from "../../lib/containers/image-reference";

/** One line of printable text: no newline, tab or other control character. */
const NO_CONTROL_CHARACTERS = /^[^\u0000-\u001f\u007f]+$/;

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_LABEL_EXPECTED = "a DNS label (RFC 1123): 1-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit";

/** A namespace or object name: a DNS label, and not one of the namespaces Kubernetes reserves. */
export const dnsLabelSchema = z
  .string()
  .regex(DNS_LABEL, DNS_LABEL_EXPECTED)
  .refine((name) => !name.startsWith("kube-"), "a name that does not start with kube- (reserved for Kubernetes' own namespaces)");

/** CPU as cores or millicores (0.5, 250m); memory with a binary or decimal suffix (128Mi, 1Gi, 500M). */
const cpuSchema = z.string().regex(/^(\d+m|\d+(\.\d{1,3})?)$/, "a CPU quantity such as 100m or 0.5");
const memorySchema = z.string().regex(/^\d+(Ki|Mi|Gi|Ti|k|M|G|T)?$/, "a memory quantity such as 64Mi or 1Gi");
/** An absolute count or a percentage, as Kubernetes takes for maxSurge / maxUnavailable. */
const intOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d{1,3}%$/, "a percentage such as 25%")], {
  error: "a whole number of pods (0, 1, ...) or a percentage such as 25%",
});

export const KUBERNETES_DEFAULTS = {
  kubeconfigPath: "~/.kube/config",
  /** What `kind create cluster --name devops-weeks` names its context. */
  kubeconfigContext: "kind-devops-weeks",
  namespace: "devops-weeks",
  /** The unprivileged build of the official nginx image: listens on 8080, runs as a non-root user. */
  image: "docker.io/nginxinc/nginx-unprivileged:1.28-alpine",
  /** aws/eks-charts aws-load-balancer-controller chart 3.5.0 = controller v3.5.0 (lib/kubernetes/compatibility.ts). */
  loadBalancerControllerChart: COMPONENTS.awsLoadBalancerController.default,
} as const;

export const kubernetesSettings = z.strictObject({
  /** Where week 5 runs when week 6 (EKS) is off: a local kind or minikube cluster. */
  kubeconfig: z
    .strictObject({
      /** @default ~/.kube/config */
      path: z.string().min(1).max(4096).regex(NO_CONTROL_CHARACTERS, "a file path on one line, such as ~/.kube/config").default(KUBERNETES_DEFAULTS.kubeconfigPath),
      /** kind-<name> for kind, minikube for minikube. @default kind-devops-weeks */
      context: z.string().min(1).max(253).regex(NO_CONTROL_CHARACTERS, "a kubeconfig context name on one line, such as kind-devops-weeks or minikube").default(KUBERNETES_DEFAULTS.kubeconfigContext),
    })
    .prefault({}),
  /** The namespace the study's app runs in (not `default`: its labels belong to the cluster). @default devops-weeks */
  namespace: dnsLabelSchema.refine((name) => name !== "default", "a namespace of the study's own, not default").default(KUBERNETES_DEFAULTS.namespace),
  /** More empty namespaces to practise with (e.g. [dev, staging]), same security labels. @default [] */
  extraNamespaces: z.array(dnsLabelSchema).default([]),
  app: z
    .strictObject({
      /** Name of the Deployment, Service and ConfigMap. @default web */
      name: dnsLabelSchema.default("web"),
      /** A container image that serves HTTP on containerPort as a non-root user. */
      image: z.string().refine(isImageReference, IMAGE_REFERENCE_EXPECTED).default(KUBERNETES_DEFAULTS.image),
      containerPort: z.number().int().min(1024).max(65535).default(8080),
      /** @default 2 */
      replicas: z.number().int().min(0).max(50).default(2),
      /** The page the ConfigMap serves as index.html. */
      message: z.string().min(1).max(2000).default("Hello from devops-weeks: nginx on Kubernetes"),
      resources: z
        .strictObject({
          requests: z.strictObject({ cpu: cpuSchema.default("50m"), memory: memorySchema.default("32Mi") }).prefault({}),
          limits: z.strictObject({ cpu: cpuSchema.default("200m"), memory: memorySchema.default("64Mi") }).prefault({}),
        })
        .prefault({}),
      rollingUpdate: z
        .strictObject({
          /** Extra pods allowed during a rollout. @default 1 */
          maxSurge: intOrPercent.default(1),
          /** Pods allowed to be missing during a rollout. @default 0 - capacity never drops */
          maxUnavailable: intOrPercent.default(0),
        })
        .prefault({}),
    })
    .prefault({}),
  service: z
    .strictObject({
      /** Port of the LoadBalancer Service. @default 80 */
      port: z.number().int().min(1).max(65535).default(80),
      /** Client ranges the load balancer admits. @default [] - anyone (a public demo page over HTTP) */
      sourceRanges: cidrListSchema("kubernetes.service.sourceRanges").default([]),
    })
    .prefault({}),
  loadBalancerController: z
    .strictObject({
      /** Install the AWS Load Balancer Controller when week 6 is on (Services get an NLB). @default true */
      enabled: z.boolean().default(true),
      chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a chart version such as 3.5.0").default(KUBERNETES_DEFAULTS.loadBalancerControllerChart),
    })
    .prefault({}),
});

export type KubernetesSettings = z.output<typeof kubernetesSettings>;
