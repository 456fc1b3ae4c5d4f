/**
 * The security gate's Kubernetes rules: a baseline (a -k8s stack's JSON and a manifest file) that passes
 * every rule, one broken case per rule in each form that fails exactly that rule, how Kubernetes reads
 * pod specs (container over pod, defaults, references), skips, and the real all-weeks synth.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { stringify } from "yaml";
import {
  formatCombinedGateReport,
  KUBERNETES_RULE_IDS,
  KUBERNETES_RULES,
  kubernetesInputsOf,
  manifestObjects,
  runKubernetesGate,
  splitGateSkips,
  type KubernetesGateReport,
  type KubernetesInput,
  type KubernetesRuleId,
  type TerraformStackJson,
} from "../../lib/security-gate/kubernetes-rules";
import { runSecurityGate } from "../../lib/security-gate/aws-rules";
import { synthConfig } from "../support/synth";
import { fullSecurityConfig } from "./plans";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const PINNED = `docker.io/nginxinc/nginx-unprivileged:1.30.5-alpine@sha256:${"ab".repeat(32)}`;

// ---- the baseline: the -k8s stack as cdk.tf.json writes it ----------------------------------------

const providerContainer = (name: string): Json => ({
  name,
  image: PINNED,
  image_pull_policy: "IfNotPresent",
  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
  security_context: { allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } },
  volume_mount: [{ name: "tmp", mount_path: "/tmp" }],
});

const providerPod = (): Json => ({
  automount_service_account_token: false,
  security_context: { run_as_non_root: true, run_as_user: "10101", run_as_group: "10101", seccomp_profile: { type: "RuntimeDefault" } },
  container: [providerContainer("nginx")],
  volume: [{ name: "tmp", empty_dir: {} }],
});

function baselineStack(): TerraformStackJson {
  return {
    provider: { kubernetes: [{}], helm: [{}] },
    resource: {
      kubernetes_deployment_v1: {
        web: { metadata: { name: "web", namespace: "${kubernetes_namespace_v1.app.metadata[0].name}" }, spec: { replicas: "2", template: { metadata: {}, spec: providerPod() } } },
      },
      kubernetes_cron_job_v1: {
        report: { metadata: { name: "report" }, spec: { schedule: "0 * * * *", job_template: { metadata: {}, spec: { template: { metadata: {}, spec: providerPod() } } } } },
      },
      kubernetes_service_v1: {
        web: {
          metadata: { name: "web", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } },
          spec: { type: "LoadBalancer", selector: { app: "web" }, port: [{ port: 80, target_port: "http" }], load_balancer_source_ranges: ["203.0.113.10/32"] },
        },
        internal: { metadata: { name: "internal" }, spec: { type: "ClusterIP", port: [{ port: 80 }] } },
      },
      helm_release: {
        gateway: {
          name: "istio-ingressgateway",
          repository: "https://blob.istio.io/istio-release/charts",
          chart: "gateway",
          values: ["service:\n  type: LoadBalancer\n  loadBalancerSourceRanges:\n    - 203.0.113.10/32\n"],
        },
        unrelated: { name: "metrics", chart: "metrics-server", repository: "https://kubernetes-sigs.github.io/metrics-server/", values: ["args: []\n"] },
      },
    },
  };
}

// ---- the baseline: manifests as out/manifests/<environment>/ holds them ------------------------------

const manifestContainer = (name: string): Json => ({
  name,
  image: PINNED,
  imagePullPolicy: "IfNotPresent",
  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
});

const manifestPod = (): Json => ({
  securityContext: { runAsNonRoot: true, runAsUser: 10101, runAsGroup: 10101, seccompProfile: { type: "RuntimeDefault" } },
  initContainers: [manifestContainer("setup")],
  containers: [manifestContainer("nginx")],
  volumes: [{ name: "tmp", emptyDir: {} }],
});

function baselineObjects(): Json[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "shop" } },
    { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "shop" }, spec: { template: { spec: manifestPod() } } },
    { apiVersion: "batch/v1", kind: "CronJob", metadata: { name: "report", namespace: "shop" }, spec: { schedule: "0 * * * *", jobTemplate: { spec: { template: { spec: manifestPod() } } } } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "debug", namespace: "shop" }, spec: manifestPod() },
    { apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: "shop" }, spec: { type: "LoadBalancer", ports: [{ port: 80 }], loadBalancerSourceRanges: ["198.51.100.0/24"] } },
  ];
}

/** The manifests as a file: multi-document YAML, parsed the way the gate reads out/manifests/. */
function manifestInput(objects: Json[]): KubernetesInput {
  const text = objects.map((o) => stringify(o)).join("---\n");
  return { kind: "manifest", source: "manifests/dev/app.yaml", objects: manifestObjects(text, "manifests/dev/app.yaml") };
}

function inputs(edit: { stack?: (stack: Json) => void; objects?: (objects: Json[]) => void } = {}): KubernetesInput[] {
  const stack = baselineStack() as Json;
  const objects = baselineObjects();
  edit.stack?.(stack);
  edit.objects?.(objects);
  return [{ kind: "stack", source: "dev-k8s", stack }, manifestInput(objects)];
}

const failedRules = (report: KubernetesGateReport): KubernetesRuleId[] => report.outcomes.filter((o) => o.status === "failed").map((o) => o.rule);

const tfPod = (s: Json): Json => s.resource.kubernetes_deployment_v1.web.spec.template.spec;
const tfContainer = (s: Json): Json => tfPod(s).container[0];
const deployment = (o: Json[]): Json => o.find((x) => x.kind === "Deployment")!;
const mPod = (o: Json[]): Json => deployment(o).spec.template.spec;
const mContainer = (o: Json[]): Json => mPod(o).containers[0];
const cronPod = (o: Json[]): Json => o.find((x) => x.kind === "CronJob")!.spec.jobTemplate.spec.template.spec;
const service = (o: Json[]): Json => o.find((x) => x.kind === "Service")!;

/** Each rule, broken in the -k8s stack and in the manifests, one change each. */
const brokenCases: [KubernetesRuleId, string, Parameters<typeof inputs>[0]][] = [
  ["CKV_K8S_16", "stack: a privileged container", { stack: (s) => (tfContainer(s).security_context.privileged = true) }],
  ["CKV_K8S_16", "manifest: a privileged init container", { objects: (o) => (mPod(o).initContainers[0].securityContext.privileged = true) }],
  ["CKV_K8S_17", "stack: hostPID", { stack: (s) => (tfPod(s).host_pid = true) }],
  ["CKV_K8S_17", "manifest: a CronJob's pods share the host's PIDs", { objects: (o) => (cronPod(o).hostPID = true) }],
  ["CKV_K8S_18", "stack: hostIPC", { stack: (s) => (tfPod(s).host_ipc = true) }],
  ["CKV_K8S_18", "manifest: hostIPC", { objects: (o) => (mPod(o).hostIPC = true) }],
  ["CKV_K8S_19", "stack: hostNetwork", { stack: (s) => (tfPod(s).host_network = true) }],
  ["CKV_K8S_19", "manifest: hostNetwork", { objects: (o) => (mPod(o).hostNetwork = true) }],
  ["CKV_K8S_27", "stack: the Docker socket from the host", { stack: (s) => tfPod(s).volume.push({ name: "docker", host_path: { path: "/var/run/docker.sock" } }) }],
  ["CKV_K8S_27", "manifest: any hostPath", { objects: (o) => mPod(o).volumes.push({ name: "logs", hostPath: { path: "/var/log" } }) }],
  ["CKV_K8S_20", "stack: allowPrivilegeEscalation left to its default (true)", { stack: (s) => delete tfContainer(s).security_context.allow_privilege_escalation }],
  ["CKV_K8S_20", "manifest: allowPrivilegeEscalation true", { objects: (o) => (mContainer(o).securityContext.allowPrivilegeEscalation = true) }],
  ["CKV_K8S_22", "stack: a writable root filesystem", { stack: (s) => (tfContainer(s).security_context.read_only_root_filesystem = false) }],
  ["CKV_K8S_22", "manifest: readOnlyRootFilesystem not set", { objects: (o) => delete mContainer(o).securityContext.readOnlyRootFilesystem }],
  ["CKV_K8S_23", "stack: the pod's runAsNonRoot false (its high runAsUser kept)", { stack: (s) => (tfPod(s).security_context.run_as_non_root = false) }],
  ["CKV_K8S_23", "manifest: a container's runAsNonRoot false overrides the pod's true", { objects: (o) => (mContainer(o).securityContext.runAsNonRoot = false) }],
  ["CKV_K8S_40", "stack: the pod runs as UID 101", { stack: (s) => (tfPod(s).security_context.run_as_user = "101") }],
  ["CKV_K8S_40", "manifest: a container's runAsUser 1000 overrides the pod's 10101", { objects: (o) => (mContainer(o).securityContext.runAsUser = 1000) }],
  ["CKV_K8S_37", "stack: only NET_RAW dropped", { stack: (s) => (tfContainer(s).security_context.capabilities.drop = ["NET_RAW"]) }],
  ["CKV_K8S_37", "manifest: no capabilities dropped", { objects: (o) => delete mContainer(o).securityContext.capabilities }],
  ["CKV_K8S_31", "stack: an Unconfined pod", { stack: (s) => (tfPod(s).security_context.seccomp_profile.type = "Unconfined") }],
  ["CKV_K8S_31", "manifest: a container's Unconfined overrides the pod's RuntimeDefault", { objects: (o) => (mContainer(o).securityContext.seccompProfile = { type: "Unconfined" }) }],
  ["CKV_K8S_10", "stack: no CPU request", { stack: (s) => delete tfContainer(s).resources.requests.cpu }],
  ["CKV_K8S_10", "manifest: a CPU request of 0", { objects: (o) => (mContainer(o).resources.requests.cpu = "0") }],
  ["CKV_K8S_11", "stack: no CPU limit", { stack: (s) => delete tfContainer(s).resources.limits.cpu }],
  ["CKV_K8S_11", "manifest: no CPU limit", { objects: (o) => delete mContainer(o).resources.limits.cpu }],
  ["CKV_K8S_12", "stack: no memory request", { stack: (s) => delete tfContainer(s).resources.requests.memory }],
  ["CKV_K8S_12", "manifest: no memory request", { objects: (o) => delete mContainer(o).resources.requests.memory }],
  ["CKV_K8S_13", "stack: no memory limit", { stack: (s) => delete tfContainer(s).resources.limits.memory }],
  ["CKV_K8S_13", "manifest: an init container without a memory limit", { objects: (o) => (mPod(o).initContainers[0].resources = { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m" } }) }],
  ["CKV_K8S_14", "stack: the latest tag (pulled Always)", { stack: (s) => Object.assign(tfContainer(s), { image: "nginx:latest", image_pull_policy: "Always" }) }],
  ["CKV_K8S_14", "manifest: no tag at all (Kubernetes pulls it Always)", { objects: (o) => Object.assign(mContainer(o), { image: "docker.io/nginxinc/nginx-unprivileged", imagePullPolicy: undefined }) }],
  ["CKV_K8S_15", "stack: a tag without a digest, pulled IfNotPresent", { stack: (s) => (tfContainer(s).image = "docker.io/nginxinc/nginx-unprivileged:1.30.5-alpine") }],
  ["CKV_K8S_15", "manifest: a tag without a digest and no pull policy (IfNotPresent)", { objects: (o) => Object.assign(mContainer(o), { image: "nginx:1.30", imagePullPolicy: undefined }) }],
  ["DW_K8S_1", "stack: an internet-facing LoadBalancer without source ranges", { stack: (s) => delete s.resource.kubernetes_service_v1.web.spec.load_balancer_source_ranges }],
  ["DW_K8S_1", "stack: Istio's gateway chart with its default LoadBalancer and no ranges", { stack: (s) => (s.resource.helm_release.gateway.values = ["service:\n  annotations: {}\n"]) }],
  ["DW_K8S_1", "manifest: a LoadBalancer open to 0.0.0.0/0", { objects: (o) => (service(o).spec.loadBalancerSourceRanges = ["0.0.0.0/0"]) }],
  ["DW_K8S_1", "manifest: a LoadBalancer without source ranges", { objects: (o) => delete service(o).spec.loadBalancerSourceRanges }],
];

describe("the Kubernetes rules", () => {
  test("one rule per id the gate promises, each with a title", () => {
    expect(KUBERNETES_RULES.map((r) => r.id)).toEqual([...KUBERNETES_RULE_IDS]);
    for (const rule of KUBERNETES_RULES) expect(rule.title.length).toBeGreaterThan(20);
  });

  test("the baseline stack and manifests pass every rule, and every rule looked at something in each", () => {
    for (const input of inputs()) {
      const report = runKubernetesGate([input]);
      expect(report.outcomes.filter((o) => o.status !== "passed"), input.source).toEqual([]);
      for (const outcome of report.outcomes) expect(outcome.checked, `${outcome.rule} in ${input.source}`).toBeGreaterThan(0);
    }
  });

  test("every rule has a broken case in the stack and one in the manifests", () => {
    for (const form of ["stack", "manifest"]) {
      expect(new Set(brokenCases.filter(([, what]) => what.startsWith(form)).map(([rule]) => rule)), form).toEqual(new Set(KUBERNETES_RULE_IDS));
    }
  });

  test.each(brokenCases)("%s fires on %s, and only it", (rule, what, edit) => {
    const report = runKubernetesGate(inputs(edit));
    expect(failedRules(report)).toEqual([rule]);
    const outcome = report.outcomes.find((o) => o.rule === rule)!;
    expect(outcome.findings.map((f) => f.stack)).toEqual(outcome.findings.map(() => (what.startsWith("stack") ? "dev-k8s" : "manifests/dev/app.yaml")));
  });
});

describe("reading pod specs as Kubernetes does, strictly", () => {
  test("pod-level settings cover every container, a container's own value overrides them", () => {
    const seccompOnContainers = inputs({
      objects: (o) => {
        delete mPod(o).securityContext.seccompProfile;
        for (const c of [...mPod(o).containers, ...mPod(o).initContainers]) c.securityContext.seccompProfile = { type: "RuntimeDefault" };
      },
    });
    expect(failedRules(runKubernetesGate(seccompOnContainers))).toEqual([]);
    const oneContainerLeft = inputs({
      objects: (o) => {
        delete mPod(o).securityContext.seccompProfile;
        mPod(o).containers[0].securityContext.seccompProfile = { type: "RuntimeDefault" };
      },
    });
    const outcome = runKubernetesGate(oneContainerLeft).outcomes.find((o) => o.rule === "CKV_K8S_31")!;
    expect(outcome.findings.map((f) => f.message)).toEqual(["init container setup: seccompProfile.type is not set (container, else pod), not RuntimeDefault"]);
  });

  test("a Terraform reference or a dynamic block where a literal belongs cannot be proven safe", () => {
    const referenced = runKubernetesGate(inputs({ stack: (s) => (tfContainer(s).security_context.privileged = "${var.debug}") }));
    expect(failedRules(referenced)).toEqual(["CKV_K8S_16"]);
    expect(referenced.outcomes.find((o) => o.rule === "CKV_K8S_16")!.findings[0].message).toBe("container nginx: securityContext.privileged is not a literal (a reference or dynamic block)");
    const dynamic = runKubernetesGate(
      inputs({
        stack: (s) => {
          tfPod(s).dynamic = { container: { for_each: "${var.containers}", content: {} } };
          delete tfPod(s).container;
        },
      }),
    );
    expect(failedRules(dynamic)).toEqual(KUBERNETES_RULES.filter((r) => r.subjects === "workloads" && !["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19", "CKV_K8S_27"].includes(r.id)).map((r) => r.id));
    const rangesFromAVariable = runKubernetesGate(inputs({ stack: (s) => (s.resource.kubernetes_service_v1.web.spec.load_balancer_source_ranges = "${var.ranges}") }));
    expect(failedRules(rangesFromAVariable)).toEqual(["DW_K8S_1"]);
  });

  test("blocks written as lists of one (the plan's form) read the same as objects", () => {
    const listed = inputs({
      stack: (s) => {
        const pod = tfPod(s);
        pod.security_context = [{ ...pod.security_context, seccomp_profile: [pod.security_context.seccomp_profile] }];
        pod.container[0].security_context = [{ ...pod.container[0].security_context, capabilities: [pod.container[0].security_context.capabilities] }];
      },
    });
    expect(failedRules(runKubernetesGate(listed))).toEqual([]);
  });

  test("an internal or ClusterIP Service needs no source ranges; a chart counts only when it makes a LoadBalancer", () => {
    const internal = inputs({
      objects: (o) => {
        delete service(o).spec.loadBalancerSourceRanges;
        service(o).metadata.annotations = { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" };
      },
      stack: (s) => (s.resource.helm_release.gateway.values = ["service:\n  type: ClusterIP\n"]),
    });
    expect(failedRules(runKubernetesGate(internal))).toEqual([]);
    const set = runKubernetesGate(inputs({ stack: (s) => (s.resource.helm_release.unrelated.set = [{ name: "service.type", value: "LoadBalancer" }]) }));
    expect(set.outcomes.find((o) => o.rule === "DW_K8S_1")!.findings.map((f) => f.address)).toEqual(["helm_release.unrelated"]);
  });

  test("a manifest file that is not YAML is refused, naming the file", () => {
    expect(() => manifestObjects("kind: Pod\n  spec: [", "manifests/dev/broken.yaml")).toThrow(/^manifests\/dev\/broken\.yaml: not valid YAML/);
  });
});

describe("skipping a Kubernetes rule", () => {
  const broken = inputs({ objects: (o) => (mContainer(o).securityContext.readOnlyRootFilesystem = false) });

  test("a skip for one manifest object hides only its finding and is reported with its reason", () => {
    const report = runKubernetesGate(broken, [{ rule: "CKV_K8S_22", reason: "the lab shows what a writable root allows", resource: "Deployment/shop/web" }]);
    expect(report.passed).toBe(true);
    const outcome = report.outcomes.find((o) => o.rule === "CKV_K8S_22")!;
    expect(outcome.skippedFindings.map((f) => [f.address, f.reason])).toEqual([["Deployment/shop/web", "the lab shows what a writable root allows"]]);
    expect(report.skips[0].suppressed).toBe(1);
  });

  test("security.gate.skip takes Kubernetes ids; the two gates get their own skips and print one report", () => {
    const synth = synthConfig({ weeks: "1", security: { gate: { skip: [{ rule: "DW_K8S_1", reason: "the demo page is public on purpose" }, { rule: "CKV_AWS_24", reason: "SSH lab, torn down the same day" }] } } });
    const skips = splitGateSkips((synth.result.config.settings.security as { gate: { skip: { rule: string; reason: string }[] } }).gate.skip);
    expect(skips.aws.map((s) => s.rule)).toEqual(["CKV_AWS_24"]);
    expect(skips.kubernetes.map((s) => s.rule)).toEqual(["DW_K8S_1"]);
    const text = formatCombinedGateReport(runSecurityGate([], skips.aws), runKubernetesGate(broken, skips.kubernetes));
    expect(text).toMatch(/^SKIP CKV_AWS_24 /m);
    expect(text).toMatch(/^SKIP DW_K8S_1 .*\n\s+skipped by config: the demo page is public on purpose$/m);
    expect(text).toMatch(/^FAIL CKV_K8S_22 .*\n\s+manifests\/dev\/app\.yaml: Deployment\/shop\/web: container nginx: securityContext\.readOnlyRootFilesystem is false, not true$/m);
    expect(text.trim().split("\n").at(-1)).toBe("security gate: FAILED, 1 rule(s) broken");
  });

  test("an unknown rule id is refused with the ids it may be", () => {
    expect(() => synthConfig({ weeks: "1", security: { gate: { skip: [{ rule: "CKV_K8S_999", reason: "no such rule at all" }] } } })).toThrow(/security\.gate\.skip\[0\]\.rule = "CKV_K8S_999" is not valid; expected one of .*"DW_K8S_1"/);
  });
});

describe("the real all-weeks synth passes every Kubernetes rule, in its -k8s stack and its manifests", () => {
  const WITH_EVERY_WORKLOAD = {
    ...fullSecurityConfig(),
    deployOptimization: { canary: { enabled: true } },
  };
  const WITH_LOAD_BALANCERS = {
    ...WITH_EVERY_WORKLOAD,
    kubernetes: { service: { sourceRanges: ["203.0.113.10/32"] } },
    serviceMesh: { istio: { ingressGatewaySourceRanges: ["203.0.113.10/32"] } },
  };
  const reports: Record<string, { report: KubernetesGateReport; inputs: KubernetesInput[] }> = {};
  beforeAll(() => {
    for (const [name, config] of Object.entries({ defaults: WITH_EVERY_WORKLOAD, "load balancers": WITH_LOAD_BALANCERS })) {
      const found = kubernetesInputsOf(synthConfig(config).outdir);
      reports[name] = { report: runKubernetesGate(found), inputs: found };
    }
  });

  test.each(["defaults", "load balancers"])("with %s: every rule passes on both inputs, and none passes vacuously", (name) => {
    const { report, inputs: found } = reports[name];
    expect(found.filter((i) => i.kind === "stack").map((i) => i.source)).toEqual(["devops-weeks-dev-k8s"]);
    expect(found.filter((i) => i.kind === "manifest").map((i) => i.source)).toContain("manifests/devops-weeks-dev/20-web-deployment.yaml");
    expect(report.outcomes.filter((o) => o.status !== "passed").map((o) => [o.rule, o.findings])).toEqual([]);
    for (const input of found.filter((i) => i.kind === "stack" || i.source.endsWith("deployment.yaml") || i.source.endsWith("week9.yaml"))) {
      const workloads = runKubernetesGate([input]).outcomes.find((o) => o.rule === "CKV_K8S_22")!;
      expect(workloads.checked, input.source).toBeGreaterThan(0);
    }
  });

  test("with load balancers: the app's Service and Istio's gateway are the LoadBalancers the rule checked", () => {
    const { report } = reports["load balancers"];
    const stack = reports["load balancers"].inputs.find((i) => i.kind === "stack")!;
    const services = runKubernetesGate([stack]).outcomes.find((o) => o.rule === "DW_K8S_1")!;
    expect(services.checked).toBe(2);
    expect(report.outcomes.find((o) => o.rule === "DW_K8S_1")!.checked).toBe(3);
    // The canary and the app, in both forms: four pod specs.
    expect(report.outcomes.find((o) => o.rule === "CKV_K8S_40")!.checked).toBe(4);
  });

  test("the same synth with the app opened to 0.0.0.0/0 (allowed in the config) fails DW_K8S_1 in both forms", () => {
    const open = kubernetesInputsOf(synthConfig({ ...WITH_LOAD_BALANCERS, kubernetes: { service: { sourceRanges: ["0.0.0.0/0"], allowPublicAccessFromInternet: true } } }).outdir);
    const outcome = runKubernetesGate(open).outcomes.find((o) => o.rule === "DW_K8S_1")!;
    expect(outcome.status).toBe("failed");
    expect(outcome.findings.map((f) => f.stack).sort()).toEqual(["devops-weeks-dev-k8s", "manifests/devops-weeks-dev/30-web-service.yaml"]);
  });
});
