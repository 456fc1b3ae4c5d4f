/**
 * Week 5's workloads as plain Kubernetes objects: the single source both for the `kubectl apply -f`
 * manifests written to out/ and (mapped field by field in build.ts) for the Terraform resources.
 * They are typed with the Kubernetes API types of kubernetes-models (types only, erased at run time),
 * so a misspelt or misplaced field fails the type check; the tests validate them against the schemas.
 */
import { createHash } from "node:crypto";
import type { IDeployment } from "kubernetes-models/apps/v1/Deployment" with { "resolution-mode": "import" };
import type { IConfigMap } from "kubernetes-models/v1/ConfigMap" with { "resolution-mode": "import" };
import type { INamespace } from "kubernetes-models/v1/Namespace" with { "resolution-mode": "import" };
import type { IService } from "kubernetes-models/v1/Service" with { "resolution-mode": "import" };
import type { IContainer } from "kubernetes-models/v1/Container" with { "resolution-mode": "import" };
import type { IProbe } from "kubernetes-models/v1/Probe" with { "resolution-mode": "import" };
import type { IPodSpec } from "kubernetes-models/v1/PodSpec" with { "resolution-mode": "import" };
import { imagePullPolicyFor } from "../../lib/containers/image-reference";
import { NLB_ANNOTATIONS } from "../../lib/kubernetes/load-balancer-annotations";
import { APP_CONTAINER_SECURITY_CONTEXT, APP_POD_SECURITY_CONTEXT } from "../../lib/kubernetes/security-contexts";
import type { KubernetesSettings } from "./settings";

export type Manifest = INamespace | IConfigMap | IDeployment | IService;

export interface WorkloadOptions {
  /** Annotate the Service for the AWS Load Balancer Controller (an internet-facing NLB to pod IPs). */
  readonly awsLoadBalancerController: boolean;
}

export const CONFIG_HASH_ANNOTATION = "devops-weeks/config-sha256";

/** Pod Security Admission: the namespace admits only pods that meet the "restricted" profile. */
export const POD_SECURITY_LABELS = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
} as const;


export interface Workloads {
  readonly namespaces: INamespace[];
  readonly configMap: IConfigMap & { data: Record<string, string> };
  readonly deployment: IDeployment;
  readonly service: IService;
  /** The pieces of the Deployment, typed without optionals, for the Terraform mapping. */
  readonly pod: IPodSpec & { containers: [IContainer] };
  readonly labels: Record<string, string>;
  readonly selector: Record<string, string>;
  readonly podAnnotations: Record<string, string>;
}

/** Whether the app's Service is a LoadBalancer: only when kubernetes.service.sourceRanges names who may reach it. */
export function hasLoadBalancer(settings: Pick<KubernetesSettings, "service">): boolean {
  return settings.service.sourceRanges.length > 0;
}

export function indexPage(message: string): string {
  const escaped = message.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return `<!doctype html>\n<html lang="ko">\n<head><meta charset="utf-8"><title>devops-weeks</title></head>\n<body><h1>${escaped}</h1></body>\n</html>\n`;
}

export function buildWorkloads(settings: KubernetesSettings, options: WorkloadOptions): Workloads {
  const { app, namespace } = settings;
  const selector = { "app.kubernetes.io/name": app.name, "app.kubernetes.io/instance": app.name };
  const labels = { ...selector, "app.kubernetes.io/part-of": "devops-weeks", "app.kubernetes.io/managed-by": "devops-weeks" };
  const page = indexPage(app.message);

  const namespaces: INamespace[] = [namespace, ...settings.extraNamespaces].map((name) => ({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: { name, labels: { "app.kubernetes.io/part-of": "devops-weeks", ...POD_SECURITY_LABELS } },
  }));

  const configMap: Workloads["configMap"] = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: app.name, namespace, labels },
    data: { "index.html": page },
  };

  const probe = (initialDelaySeconds: number, periodSeconds: number): IProbe => ({
    httpGet: { path: "/", port: "http" },
    initialDelaySeconds,
    periodSeconds,
    timeoutSeconds: 2,
    failureThreshold: 3,
  });

  const container: IContainer = {
    name: "nginx",
    image: app.image,
    imagePullPolicy: imagePullPolicyFor(app.image),
    ports: [{ name: "http", containerPort: app.containerPort, protocol: "TCP" }],
    resources: {
      requests: { cpu: app.resources.requests.cpu, memory: app.resources.requests.memory },
      limits: { cpu: app.resources.limits.cpu, memory: app.resources.limits.memory },
    },
    // Ready = receives traffic from the Service; alive = otherwise restarted.
    readinessProbe: probe(2, 5),
    livenessProbe: probe(10, 10),
    securityContext: { ...APP_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: [...APP_CONTAINER_SECURITY_CONTEXT.capabilities.drop] } },
    volumeMounts: [
      { name: "html", mountPath: "/usr/share/nginx/html", readOnly: true },
      { name: "tmp", mountPath: "/tmp" },
    ],
  };
  const pod: Workloads["pod"] = {
    automountServiceAccountToken: false,
    securityContext: { ...APP_POD_SECURITY_CONTEXT, seccompProfile: { ...APP_POD_SECURITY_CONTEXT.seccompProfile } },
    containers: [container],
    volumes: [
      { name: "html", configMap: { name: app.name } },
      { name: "tmp", emptyDir: {} },
    ],
  };
  // A new page changes the hash, and so the pod template: the Deployment rolls out the new page.
  const podAnnotations = { [CONFIG_HASH_ANNOTATION]: createHash("sha256").update(page).digest("hex") };

  const deployment: IDeployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: app.name, namespace, labels },
    spec: {
      replicas: app.replicas,
      revisionHistoryLimit: 5,
      selector: { matchLabels: selector },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: app.rollingUpdate.maxSurge, maxUnavailable: app.rollingUpdate.maxUnavailable } },
      template: { metadata: { labels, annotations: podAnnotations }, spec: pod },
    },
  };

  // A load balancer only for the ranges the config names: an empty list would admit the whole internet.
  const loadBalancer = hasLoadBalancer(settings);
  const service: IService = {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name: app.name,
      namespace,
      labels,
      ...(loadBalancer && options.awsLoadBalancerController ? { annotations: { ...NLB_ANNOTATIONS } } : {}),
    },
    spec: {
      type: loadBalancer ? "LoadBalancer" : "ClusterIP",
      selector,
      ports: [{ name: "http", port: settings.service.port, targetPort: "http", protocol: "TCP" }],
      ...(loadBalancer ? { loadBalancerSourceRanges: [...settings.service.sourceRanges] } : {}),
    },
  };

  return { namespaces, configMap, deployment, service, pod, labels, selector, podAnnotations };
}
