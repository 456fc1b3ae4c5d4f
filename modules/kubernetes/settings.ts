import { z } from "zod";
import { cidrListSchema } from "../../lib/aws/ec2";
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
  /**
   * The unprivileged build of the official nginx image (listens on 8080, writes only to /tmp), on
   * nginx's stable branch 1.30, pinned by its multi-platform index digest (linux/amd64 and arm64): every
   * node runs the same bytes, and a moved tag changes nothing until this line changes.
   * Source: the digest that public Dockerfiles and manifests pin for nginxinc/nginx-unprivileged:1.30.5-alpine
   * (then also 1.30-alpine, stable-alpine, and the same index on ghcr.io/nginx/nginx-unprivileged), over ten
   * independent files agreeing, the newest refreshed 2026-09-29 with `docker buildx imagetools inspect`.
   * Collected on 2026-12-01 without registry access: check it with the command on `app.image` before you
   * rely on it, and refresh tag and digest together when a newer 1.30 build appears.
   * Not 1.28-alpine: the digest public pins give it (7377697a…, nginx 1.28.2 on Alpine 3.23.3) has fixable
   * critical CVEs (nginx CVE-2026-42945, OpenSSL CVE-2026-31789), and 1.28 is no longer nginx's stable branch.
   */
  image: "docker.io/nginxinc/nginx-unprivileged:1.30.5-alpine@sha256:ed04ec1ff34502c339ee5c3ae3f855442398edc1d05591e2b98981dcbbd20b1e",
  /** aws/eks-charts aws-load-balancer-controller chart 3.5.0 = controller v3.5.0 (lib/kubernetes/compatibility.ts). */
  loadBalancerControllerChart: COMPONENTS.awsLoadBalancerController.default,
} as const;

export const kubernetesSettings = z.strictObject({
  /** Where week 5 runs when week 6 (EKS) is off: a local kind or minikube cluster. */
  kubeconfig: z
    .strictObject({
      /** The kubeconfig file, used when week 6 is off. @default ~/.kube/config */
      path: z.string().min(1).max(4096).regex(NO_CONTROL_CHARACTERS, "a file path on one line, such as ~/.kube/config").default(KUBERNETES_DEFAULTS.kubeconfigPath),
      /** A context in that file: `kind-<name>` for kind (`kind create cluster --name devops-weeks` makes the default), `minikube` for minikube. @default kind-devops-weeks */
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
      /**
       * A container image that serves HTTP on containerPort and runs as any non-root user (the pods run
       * as UID/GID 10101 with a read-only root filesystem and a writable /tmp). Give it with its digest,
       * `name:tag@sha256:…`, and the pods pull it only when a node lacks it (IfNotPresent); with a tag
       * only, at every start (Always). To find a digest: `docker buildx imagetools inspect <image:tag>`
       * (the top-level Digest, the multi-platform index) or `crane digest <image:tag>`; for ECR, the
       * image's "Image URI" with digest in the console, or `aws ecr describe-images`.
       * @default - pinned by digest (KUBERNETES_DEFAULTS.image)
       */
      image: z.string().refine(isImageReference, IMAGE_REFERENCE_EXPECTED).default(KUBERNETES_DEFAULTS.image),
      /** Port the container serves HTTP on: an unprivileged one, since the pods run as a non-root user. @default 8080 */
      containerPort: z.number().int().min(1024).max(65535).default(8080),
      /** Pods of the Deployment; with week 9's HPA on, the HPA sets the count instead. @default 2 */
      replicas: z.number().int().min(0).max(50).default(2),
      /** The text of the page the ConfigMap serves as index.html (HTML-escaped). */
      message: z.string().min(1).max(2000).default("Hello from devops-weeks: nginx on Kubernetes"),
      resources: z
        .strictObject({
          requests: z
            .strictObject({
              /** CPU reserved for each pod, as cores (`0.5`) or millicores (`100m`); at most `limits.cpu`. @default 50m */
              cpu: cpuSchema.default("50m"),
              /** Memory reserved for each pod (`64Mi`, `1Gi`); at most `limits.memory`. @default 32Mi */
              memory: memorySchema.default("32Mi"),
            })
            .prefault({}),
          limits: z
            .strictObject({
              /** CPU each pod may use at most (it is throttled above). @default 200m */
              cpu: cpuSchema.default("200m"),
              /** Memory each pod may use at most (a container above it is killed and restarted). @default 64Mi */
              memory: memorySchema.default("64Mi"),
            })
            .prefault({}),
        })
        .prefault({}),
      rollingUpdate: z
        .strictObject({
          /** Extra pods allowed during a rollout. @default 1 */
          maxSurge: intOrPercent.default(1),
          /** Pods allowed to be missing during a rollout; not both this and maxSurge 0. @default 0 - capacity never drops */
          maxUnavailable: intOrPercent.default(0),
        })
        .prefault({}),
    })
    .prefault({}),
  service: z
    .strictObject({
      /** Port of the Service: the load balancer's port. @default 80 */
      port: z.number().int().min(1).max(65535).default(80),
      /**
       * Who may reach the page through a load balancer: naming any range makes the Service a LoadBalancer
       * (an internet-facing NLB on EKS) that admits only these ranges (loadBalancerSourceRanges), such as
       * your address `[203.0.113.10/32]`. `[0.0.0.0/0]` (anyone) also needs allowPublicAccessFromInternet,
       * and the security gate reports it (DW_K8S_1) until a skip gives the reason.
       * @default [] - no load balancer: the Service is ClusterIP, opened with `kubectl port-forward`
       */
      sourceRanges: cidrListSchema("kubernetes.service.sourceRanges").default([]),
      /**
       * Must be true to list 0.0.0.0/0 in sourceRanges: the page open to the whole internet (the gate's DW_K8S_1
       * still reports it until skipped with a reason). @default false
       */
      allowPublicAccessFromInternet: z.boolean().default(false),
    })
    .prefault({}),
  loadBalancerController: z
    .strictObject({
      /** Install the AWS Load Balancer Controller when week 6 is on (Services get an NLB). @default true */
      enabled: z.boolean().default(true),
      /** Version of the eks-charts aws-load-balancer-controller chart: a 3.x release (lib/kubernetes/compatibility.ts). @default 3.5.0 */
      chartVersion: z.string().regex(/^\d+\.\d+\.\d+$/, "a chart version such as 3.5.0").default(KUBERNETES_DEFAULTS.loadBalancerControllerChart),
    })
    .prefault({}),
});

export type KubernetesSettings = z.output<typeof kubernetesSettings>;
