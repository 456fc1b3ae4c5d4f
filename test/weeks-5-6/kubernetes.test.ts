import { readdirSync, readFileSync } from "node:fs";
import { checkComponent, COMPONENTS } from "../../lib/kubernetes/compatibility";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { synthConfig, type Synthesized } from "../support/synth";

const K8S_STACK = "devops-weeks-dev-k8s";
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every manifest of an environment, parsed, by file name. */
function manifests(synth: Synthesized, environment = "devops-weeks-dev"): Record<string, Json[]> {
  const dir = join(synth.outdir, "manifests", environment);
  return Object.fromEntries(readdirSync(dir).sort().map((file) => [file, parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS() as Json)]));
}

/** Validates against the Kubernetes OpenAPI schemas that kubernetes-models ships (no network). */
async function validateAgainstSchemas(documents: Json[]): Promise<string[]> {
  const { Deployment } = await import("kubernetes-models/apps/v1");
  const { ConfigMap, Namespace, Service } = await import("kubernetes-models/v1");
  const models: Record<string, new (data: never) => { validate(): void }> = {
    "apps/v1/Deployment": Deployment,
    "v1/ConfigMap": ConfigMap,
    "v1/Namespace": Namespace,
    "v1/Service": Service,
  };
  return documents.map((doc) => {
    const Model = models[`${doc.apiVersion}/${doc.kind}`];
    expect(Model, `a schema for ${doc.apiVersion} ${doc.kind}`).toBeDefined();
    new Model(doc as never).validate();
    return `${doc.kind}/${doc.metadata.name}`;
  });
}

const onlyResource = (synth: Synthesized, type: string): Json => {
  const found = Object.values(synth.resources(K8S_STACK, type));
  expect(found, `one ${type}`).toHaveLength(1);
  return found[0];
};

describe("week 5 without week 6: a local cluster from the kubeconfig, at no AWS cost", () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthConfig({ weeks: "5", kubernetes: { kubeconfig: { context: "minikube" } } });
  });

  test("the workloads stack's providers use the kubeconfig context the config names, with no AWS provider", () => {
    const stack = synth.stack(K8S_STACK) as Json;
    expect(stack.provider.kubernetes).toEqual([{ config_path: "~/.kube/config", config_context: "minikube" }]);
    expect(stack.provider.helm).toEqual([{ kubernetes: { config_path: "~/.kube/config", config_context: "minikube" } }]);
    expect(stack.provider.aws).toBeUndefined();
    expect(stack.data).toBeUndefined();
    expect(synth.result.environments[0].kubernetesTarget).toEqual({ kind: "kubeconfig", configPath: "~/.kube/config", context: "minikube" });
  });

  test("no load balancer controller, no AWS annotations, and apply does not wait for a load balancer kind cannot give", () => {
    expect(synth.resources(K8S_STACK, "helm_release")).toEqual({});
    const service = onlyResource(synth, "kubernetes_service_v1");
    expect(service.metadata.annotations).toBeUndefined();
    expect(service.wait_for_load_balancer).toBe(false);
    expect(Object.keys((synth.stack(K8S_STACK) as Json).output)).toEqual(["web_port_forward_command"]);
  });

  test("the AWS stack gets nothing from week 5 (only week 1's always-on security alerts and trail)", () => {
    const names = Object.values(synth.stack("devops-weeks-dev").resource ?? {}).flatMap((byName) => Object.keys(byName as object));
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !name.startsWith("securityAlerts_"))).toEqual([]);
  });
});

describe("week 5 with week 6: the EKS cluster, an NLB from the AWS Load Balancer Controller", () => {
  let synth: Synthesized;
  beforeAll(() => {
    // A load balancer only for the ranges named: the default (none) is a ClusterIP Service.
    synth = synthConfig({ weeks: "1,5,6", kubernetes: { service: { sourceRanges: ["203.0.113.10/32"] } } });
  });

  test("the providers reach the cluster by name with a token from aws eks get-token", () => {
    const stack = synth.stack(K8S_STACK) as Json;
    expect(stack.data.aws_eks_cluster["eks-cluster-data"].name).toBe("devops-weeks-dev-eks");
    expect(stack.provider.kubernetes[0].exec[0].args).toEqual(["eks", "get-token", "--cluster-name", "devops-weeks-dev-eks", "--region", "ap-northeast-2"]);
    expect(stack.provider.kubernetes[0].config_context).toBeUndefined();
  });

  test("the controller comes from the eks-charts Helm chart, pinned, with the cluster's name, region and VPC", () => {
    const release = onlyResource(synth, "helm_release");
    expect(release).toMatchObject({
      repository: "https://aws.github.io/eks-charts",
      chart: "aws-load-balancer-controller",
      version: COMPONENTS.awsLoadBalancerController.default,
      namespace: "kube-system",
      atomic: true,
      wait: true,
    });
    expect(release.values[0]).toContain("clusterName: devops-weeks-dev-eks");
    expect(release.values[0]).toContain("region: ap-northeast-2");
    expect(release.set).toEqual([{ name: "vpcId", value: "${data.aws_eks_cluster.eks-cluster-data.vpc_config[0].vpc_id}" }]);
  });

  test("the Service asks the controller for an internet-facing NLB to pod IPs, after the controller is up", () => {
    const service = onlyResource(synth, "kubernetes_service_v1");
    expect(service.metadata.annotations).toEqual({
      "service.beta.kubernetes.io/aws-load-balancer-type": "external",
      "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
      "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
    });
    expect(service.depends_on).toEqual([expect.stringMatching(/^helm_release\./)]);
    expect(service.wait_for_load_balancer).toBe(true);
    const outputs = (synth.stack(K8S_STACK) as Json).output;
    expect(outputs.web_load_balancer_hostname.value).toMatch(/kubernetes_service_v1\.\w+\.status\[0\]\.load_balancer\[0\]\.ingress\[0\]\.hostname/);
  });

  test("the workloads stack depends on the AWS stack, so cdktf deploy applies the AWS stack first", () => {
    const manifest = JSON.parse(readFileSync(join(synth.outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks[K8S_STACK].dependencies).toEqual(["devops-weeks-dev"]);
  });
});

const SHOP_CONFIG = {
  weeks: "1,5,6",
  kubernetes: {
    namespace: "shop",
    extraNamespaces: ["dev", "staging"],
    app: { name: "front", replicas: 3, message: "<b>안녕하세요</b>", rollingUpdate: { maxSurge: "50%", maxUnavailable: 1 } },
    service: { port: 8080, sourceRanges: ["203.0.113.0/24"] },
  },
};

describe("the workloads: Terraform resources and plain manifests say the same", () => {
  let synth: Synthesized;
  let files: Record<string, Json[]>;
  beforeAll(() => {
    synth = synthConfig(SHOP_CONFIG);
    files = manifests(synth);
  });

  test("one file per object kind, numbered in apply order", () => {
    expect(Object.keys(files)).toEqual(["00-namespaces.yaml", "10-front-configmap.yaml", "20-front-deployment.yaml", "30-front-service.yaml"]);
    expect(files["00-namespaces.yaml"].map((n) => n.metadata.name)).toEqual(["shop", "dev", "staging"]);
  });

  test("every manifest is valid against the Kubernetes OpenAPI schemas, on EKS and on kind", async () => {
    const eks = await validateAgainstSchemas(Object.values(files).flat());
    expect(eks).toEqual(["Namespace/shop", "Namespace/dev", "Namespace/staging", "ConfigMap/front", "Deployment/front", "Service/front"]);
    const local = synthConfig({ weeks: "5" });
    expect(await validateAgainstSchemas(Object.values(manifests(local)).flat())).toHaveLength(4);
  });

  test("namespaces enforce the restricted Pod Security profile, in both forms", () => {
    for (const ns of files["00-namespaces.yaml"]) expect(ns.metadata.labels["pod-security.kubernetes.io/enforce"]).toBe("restricted");
    const resources = Object.values(synth.resources(K8S_STACK, "kubernetes_namespace_v1")) as Json[];
    expect(resources.map((r) => [r.metadata.name, r.metadata.labels["pod-security.kubernetes.io/enforce"]]).sort()).toEqual([
      ["dev", "restricted"],
      ["shop", "restricted"],
      ["staging", "restricted"],
    ]);
  });

  test("the Deployment: replicas, rolling update, requests and limits, probes and a non-root, read-only container", () => {
    const [manifest] = files["20-front-deployment.yaml"];
    const resource = onlyResource(synth, "kubernetes_deployment_v1");
    expect(manifest.spec.replicas).toBe(3);
    expect(resource.spec.replicas).toBe("3");
    expect(manifest.spec.strategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxSurge: "50%", maxUnavailable: 1 } });
    expect(resource.spec.strategy).toEqual({ type: "RollingUpdate", rolling_update: { max_surge: "50%", max_unavailable: "1" } });

    const container = manifest.spec.template.spec.containers[0];
    const tfContainer = resource.spec.template.spec.container[0];
    expect(container.resources).toEqual({ requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } });
    expect(tfContainer.resources).toEqual(container.resources);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/", port: "http" });
    expect(tfContainer.readiness_probe.http_get).toEqual({ path: "/", port: "http" });
    expect(tfContainer.liveness_probe.initial_delay_seconds).toBe(container.livenessProbe.initialDelaySeconds);
    expect(container.image).toBe(tfContainer.image);
    expect(container.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(tfContainer.security_context).toEqual({ allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } });
    expect(manifest.spec.template.spec.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10101, runAsGroup: 10101, seccompProfile: { type: "RuntimeDefault" } });
    expect(resource.spec.template.spec.security_context).toEqual({ run_as_non_root: true, run_as_user: "10101", run_as_group: "10101", seccomp_profile: { type: "RuntimeDefault" } });
    expect([container.imagePullPolicy, tfContainer.image_pull_policy]).toEqual(["IfNotPresent", "IfNotPresent"]);
    expect(resource.spec.template.spec.automount_service_account_token).toBe(false);
    expect(manifest.spec.template.metadata.annotations).toEqual(resource.spec.template.metadata.annotations);
  });

  test("the ConfigMap's page is escaped HTML, mounted read-only, and a new page rolls the pods", () => {
    const [configMap] = files["10-front-configmap.yaml"];
    expect(configMap.data["index.html"]).toContain("&lt;b&gt;안녕하세요&lt;/b&gt;");
    expect(onlyResource(synth, "kubernetes_config_map_v1").data).toEqual(configMap.data);
    const [deployment] = files["20-front-deployment.yaml"];
    expect(deployment.spec.template.spec.volumes[0]).toEqual({ name: "html", configMap: { name: "front" } });
    const otherPage = manifests(synthConfig({ weeks: "5", kubernetes: { app: { name: "front", message: "another page" } } }))["20-front-deployment.yaml"][0];
    expect(otherPage.spec.template.metadata.annotations["devops-weeks/config-sha256"]).not.toBe(deployment.spec.template.metadata.annotations["devops-weeks/config-sha256"]);
  });

  test("the LoadBalancer Service selects the pods and admits only the configured sources", () => {
    const [manifest] = files["30-front-service.yaml"];
    const resource = onlyResource(synth, "kubernetes_service_v1");
    expect(manifest.spec).toEqual({
      type: "LoadBalancer",
      selector: { "app.kubernetes.io/name": "front", "app.kubernetes.io/instance": "front" },
      ports: [{ name: "http", port: 8080, targetPort: "http", protocol: "TCP" }],
      loadBalancerSourceRanges: ["203.0.113.0/24"],
    });
    expect(resource.spec.load_balancer_source_ranges).toEqual(["203.0.113.0/24"]);
    expect(resource.spec.selector).toEqual(manifest.spec.selector);
    const [deployment] = files["20-front-deployment.yaml"];
    expect(deployment.spec.selector.matchLabels).toEqual(manifest.spec.selector);
  });

  test("manifests carry no YAML anchors and are the same on every synth", () => {
    const text = readFileSync(join(synth.outdir, "manifests", "devops-weeks-dev", "20-front-deployment.yaml"), "utf8");
    expect(text).not.toMatch(/[&*]a\d/);
    const again = synthConfig(SHOP_CONFIG);
    expect(readFileSync(join(again.outdir, "manifests", "devops-weeks-dev", "20-front-deployment.yaml"), "utf8")).toBe(text);
  });
});

describe("the compatibility table's third rule: a listed, supported release that does not run on the cluster's version", () => {
  // No EKS version the config accepts (1.32-1.36) falls outside a supported line today, so the rule is
  // tested where it lives: the next EKS version Istio's lines stop at, and a Kubernetes older than a line.
  test("Istio 1.31 on Kubernetes 1.37, and metrics-server 3.13 on Kubernetes 1.30, are refused with the range that works", () => {
    expect(checkComponent("istio", "1.31.1", "1.37")).toEqual({
      field: "serviceMesh.istio.version",
      value: "1.31.1",
      expected: expect.stringMatching(/^a release that supports Kubernetes 1\.37 \(eks\.kubernetesVersion\): Kubernetes 1\.32-1\.36 for Istio.* 1\.31\.x per /),
    });
    expect(checkComponent("metricsServerChart", "3.13.1", "1.30")?.expected).toMatch(/^a release that supports Kubernetes 1\.30 \(eks\.kubernetesVersion\): Kubernetes 1\.31 or later for metrics-server chart 3\.13\.x per /);
    expect(checkComponent("metricsServerChart", "3.12.2", "1.30")).toBeUndefined();
  });
});
