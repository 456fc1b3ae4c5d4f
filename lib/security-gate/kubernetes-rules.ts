/**
 * The security gate's Kubernetes rules, over the two forms the study writes its workloads in: the
 * `-k8s` stack's Terraform JSON (cdk.tf.json: that stack cannot be planned without a live cluster)
 * and the plain manifests in out/manifests/<environment>/. Each rule is named after the Checkov check
 * it mirrors (DW_ for the one Checkov lacks) and reads pod specs the way Kubernetes does: a
 * container's securityContext overrides the pod's, a missing field takes Kubernetes' default. As in
 * lib/security-gate/aws-rules.ts, a value the gate cannot prove safe counts as unsafe: a Terraform reference
 * or a dynamic block where a literal should be fails the rule.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseImageReference } from "../containers/image-reference";
import { formatGateReport, judgeFindings, SECURITY_RULE_IDS, type Finding, type GateReport, type GateSkip, type RuleOutcome, type SecurityRuleId } from "./aws-rules";

export const KUBERNETES_RULE_IDS = [
  "CKV_K8S_16",
  "CKV_K8S_17",
  "CKV_K8S_18",
  "CKV_K8S_19",
  "CKV_K8S_27",
  "CKV_K8S_20",
  "CKV_K8S_22",
  "CKV_K8S_23",
  "CKV_K8S_40",
  "CKV_K8S_37",
  "CKV_K8S_31",
  "CKV_K8S_10",
  "CKV_K8S_11",
  "CKV_K8S_12",
  "CKV_K8S_13",
  "CKV_K8S_14",
  "CKV_K8S_15",
  "DW_K8S_1",
] as const;

export type KubernetesRuleId = (typeof KUBERNETES_RULE_IDS)[number];

// ---- the inputs ------------------------------------------------------------------------------

/** A synthesized Terraform JSON stack (cdk.tf.json), the parts the rules read. */
export interface TerraformStackJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  [key: string]: unknown;
}

/** What the gate checks: a `-k8s` stack, or the Kubernetes objects of one manifest file. */
export type KubernetesInput =
  | { readonly kind: "stack"; readonly source: string; readonly stack: TerraformStackJson }
  | { readonly kind: "manifest"; readonly source: string; readonly objects: readonly Record<string, unknown>[] };

/** The objects of a multi-document YAML text (a `kind: List` gives its items); refuses text that is not YAML. */
export function manifestObjects(text: string, source: string): Record<string, unknown>[] {
  const objects: Record<string, unknown>[] = [];
  // Loaded here, not at the top: every synth reads the rule ids (week 10's settings check skips against
  // them), and only the gate parses manifests; the yaml package costs ~55 ms of CPU to load.
  const { parseAllDocuments } = require("yaml") as typeof import("yaml");
  for (const document of parseAllDocuments(text)) {
    // The parser's message ends with a picture of the line; the first line names the place.
    if (document.errors.length > 0) throw new Error(`${source}: not valid YAML (${document.errors[0].message.split("\n")[0].replace(/:$/, "")})`);
    const value = document.toJS({ maxAliasCount: -1 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== "object" || Array.isArray(value)) throw new Error(`${source}: a document that is not a Kubernetes object`);
    const object = value as Record<string, unknown>;
    if (object.kind === "List" && Array.isArray(object.items)) objects.push(...(object.items as Record<string, unknown>[]));
    else objects.push(object);
  }
  return objects;
}

/** A stack's JSON is a Kubernetes stack when it configures the kubernetes or helm provider. */
export function isKubernetesStack(stack: TerraformStackJson): boolean {
  const providers = Object.keys((stack.provider as Record<string, unknown> | undefined) ?? {});
  return providers.includes("kubernetes") || providers.includes("helm");
}

/** Every Kubernetes stack under <outdir>/stacks and every manifest under <outdir>/manifests/<environment>/. */
export function kubernetesInputsOf(outdir: string): KubernetesInput[] {
  const inputs: KubernetesInput[] = [];
  const stacksDir = join(outdir, "stacks");
  for (const name of listDir(stacksDir)) {
    const file = join(stacksDir, name, "cdk.tf.json");
    if (!isFile(file)) continue;
    const stack = JSON.parse(readFileSync(file, "utf8")) as TerraformStackJson;
    if (isKubernetesStack(stack)) inputs.push({ kind: "stack", source: name, stack });
  }
  const manifestsDir = join(outdir, "manifests");
  for (const environment of listDir(manifestsDir)) {
    for (const file of listDir(join(manifestsDir, environment)).filter((f) => /\.ya?ml$/.test(f))) {
      const source = `manifests/${environment}/${file}`;
      inputs.push({ kind: "manifest", source, objects: manifestObjects(readFileSync(join(outdir, source), "utf8"), source) });
    }
  }
  return inputs;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

// ---- reading either form ------------------------------------------------------------------------

/** Marks a value that is not a literal (a Terraform reference or dynamic block): it cannot be proven safe. */
export const NOT_LITERAL: unique symbol = Symbol("not a literal");
type Value = unknown;

/**
 * How to read an object: Kubernetes' own field names (manifests, kubernetes_manifest), or the kubernetes
 * provider's (snake_case, repeated blocks in the singular, nested blocks possibly as lists of one).
 */
interface Shape {
  readonly field: (name: string) => string;
  readonly terraform: boolean;
}

const PROVIDER_NAMES: Record<string, string> = {
  containers: "container",
  initContainers: "init_container",
  volumes: "volume",
  hostPID: "host_pid",
  hostIPC: "host_ipc",
};

const KUBERNETES_SHAPE: Shape = { field: (name) => name, terraform: false };
/** A kubernetes_manifest's `manifest`: Kubernetes' names, but Terraform's references. */
const MANIFEST_ATTRIBUTE_SHAPE: Shape = { field: (name) => name, terraform: true };
const PROVIDER_SHAPE: Shape = { field: (name) => PROVIDER_NAMES[name] ?? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), terraform: true };

function isInterpolation(value: unknown): boolean {
  return typeof value === "string" && /(^|[^$])\$\{/.test(value);
}

/** The value at `path` (Kubernetes field names); undefined when absent, NOT_LITERAL when not knowable. */
function read(node: unknown, path: readonly string[], shape: Shape): Value {
  let current = node;
  for (const name of path) {
    if (shape.terraform && isInterpolation(current)) return NOT_LITERAL;
    if (shape.terraform && Array.isArray(current)) {
      if (current.length === 0) return undefined;
      if (current.length > 1) return NOT_LITERAL;
      current = current[0];
    }
    if (current === null || current === undefined) return undefined;
    if (typeof current !== "object" || Array.isArray(current)) return NOT_LITERAL;
    const field = shape.field(name);
    const dynamic = (current as { dynamic?: Record<string, unknown> }).dynamic;
    if (shape.terraform && dynamic && typeof dynamic === "object" && field in dynamic) return NOT_LITERAL;
    current = (current as Record<string, unknown>)[field];
  }
  if (shape.terraform && (isInterpolation(current) || (Array.isArray(current) && current.some(isInterpolation)))) return NOT_LITERAL;
  return current;
}

/** A list field (containers, volumes): its items, [] when absent, NOT_LITERAL when not knowable. */
function readList(node: unknown, path: readonly string[], shape: Shape): unknown[] | typeof NOT_LITERAL {
  const value = read(node, path, shape);
  if (value === NOT_LITERAL) return NOT_LITERAL;
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  return shape.terraform && typeof value === "object" ? [value] : NOT_LITERAL;
}

const isTrue = (v: Value) => v === true || v === "true";
const isFalse = (v: Value) => v === false || v === "false";

function asNumber(v: Value): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v === "string" && /^\d+$/.test(v)) return Number(v);
  return undefined;
}

function describe(v: Value): string {
  return v === NOT_LITERAL ? "not a literal (a reference or dynamic block)" : v === undefined ? "not set" : JSON.stringify(v);
}

// ---- what the rules see ------------------------------------------------------------------------

interface Container {
  /** `container nginx` or `init container setup`. */
  readonly label: string;
  readonly node: unknown;
}

/** A pod template (or a Pod): where it came from, and how to read it. */
export interface Workload {
  readonly source: string;
  readonly address: string;
  readonly shape: Shape;
  /** The pod spec; NOT_LITERAL when the spec itself is not knowable. */
  readonly pod: unknown;
  readonly containers: readonly Container[] | typeof NOT_LITERAL;
}

/** A Service (or a chart's values that make one). */
export interface ServiceSubject {
  readonly source: string;
  readonly address: string;
  readonly shape: Shape;
  /** The object holding type, loadBalancerSourceRanges and annotations (a Service's spec, or a chart's `service` values). */
  readonly spec: unknown;
  readonly annotations: Value;
  /** The type when the spec sets none (ClusterIP for a Service; the chart's own default for a chart). */
  readonly defaultType: string;
}

/** Where the pod spec sits, by Kubernetes kind. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Pod: ["spec"],
  Deployment: ["spec", "template", "spec"],
  StatefulSet: ["spec", "template", "spec"],
  DaemonSet: ["spec", "template", "spec"],
  ReplicaSet: ["spec", "template", "spec"],
  ReplicationController: ["spec", "template", "spec"],
  Job: ["spec", "template", "spec"],
  CronJob: ["spec", "jobTemplate", "spec", "template", "spec"],
};

/** The kubernetes provider's resource types for those kinds (v1 and the older unversioned names). */
const PROVIDER_KINDS: Record<string, string> = {
  kubernetes_pod_v1: "Pod",
  kubernetes_pod: "Pod",
  kubernetes_deployment_v1: "Deployment",
  kubernetes_deployment: "Deployment",
  kubernetes_stateful_set_v1: "StatefulSet",
  kubernetes_stateful_set: "StatefulSet",
  kubernetes_daemon_set_v1: "DaemonSet",
  kubernetes_daemonset: "DaemonSet",
  kubernetes_replication_controller_v1: "ReplicationController",
  kubernetes_replication_controller: "ReplicationController",
  kubernetes_job_v1: "Job",
  kubernetes_job: "Job",
  kubernetes_cron_job_v1: "CronJob",
  kubernetes_cron_job: "CronJob",
  kubernetes_service_v1: "Service",
  kubernetes_service: "Service",
};

/**
 * Charts whose values make a LoadBalancer Service: Istio's gateway chart (service.type defaults to
 * LoadBalancer). Other charts count when their values set service.type themselves.
 */
const LOAD_BALANCER_CHARTS = [{ chart: "gateway", repository: /istio/, defaultType: "LoadBalancer" }] as const;

function workloadOf(source: string, address: string, object: unknown, kind: string, shape: Shape): Workload {
  const pod = read(object, POD_SPEC_PATHS[kind], shape);
  const containers: Container[] = [];
  for (const [field, label] of [["containers", "container"], ["initContainers", "init container"]] as const) {
    const list = pod === NOT_LITERAL ? NOT_LITERAL : readList(pod, [field], shape);
    if (list === NOT_LITERAL) return { source, address, shape, pod, containers: NOT_LITERAL };
    list.forEach((node, i) => {
      const name = read(node, ["name"], shape);
      containers.push({ label: `${label} ${typeof name === "string" ? name : `#${i}`}`, node });
    });
  }
  return { source, address, shape, pod, containers };
}

function objectAddress(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : "?";
  return typeof metadata.namespace === "string" ? `${object.kind}/${metadata.namespace}/${name}` : `${object.kind}/${name}`;
}

/** The workloads and Services of every input. */
export function subjectsOf(inputs: readonly KubernetesInput[]): { workloads: Workload[]; services: ServiceSubject[] } {
  const workloads: Workload[] = [];
  const services: ServiceSubject[] = [];
  const addObject = (source: string, address: string, object: Record<string, unknown>, shape: Shape) => {
    const kind = object.kind;
    if (typeof kind !== "string") return;
    if (kind in POD_SPEC_PATHS) workloads.push(workloadOf(source, address, object, kind, shape));
    if (kind === "Service") services.push({ source, address, shape, spec: read(object, ["spec"], shape), annotations: read(object, ["metadata", "annotations"], shape), defaultType: "ClusterIP" });
  };
  for (const input of inputs) {
    if (input.kind === "manifest") {
      for (const object of input.objects) addObject(input.source, objectAddress(object), object, KUBERNETES_SHAPE);
      continue;
    }
    for (const [type, byName] of Object.entries(input.stack.resource ?? {})) {
      for (const [name, config] of Object.entries(byName)) {
        const address = `${type}.${name}`;
        const kind = PROVIDER_KINDS[type];
        if (kind === "Service") services.push({ source: input.source, address, shape: PROVIDER_SHAPE, spec: read(config, ["spec"], PROVIDER_SHAPE), annotations: read(config, ["metadata", "annotations"], PROVIDER_SHAPE), defaultType: "ClusterIP" });
        else if (kind) workloads.push(workloadOf(input.source, address, config, kind, PROVIDER_SHAPE));
        else if (type === "kubernetes_manifest") {
          const manifest = config.manifest;
          if (manifest && typeof manifest === "object" && !Array.isArray(manifest)) addObject(input.source, address, manifest as Record<string, unknown>, MANIFEST_ATTRIBUTE_SHAPE);
        } else if (type === "helm_release") {
          const service = chartService(input.source, address, config);
          if (service) services.push(service);
        }
      }
    }
  }
  return { workloads, services };
}

/** The Service a release's values describe, when the chart makes a LoadBalancer by default or the values ask for one. */
function chartService(source: string, address: string, release: Record<string, unknown>): ServiceSubject | undefined {
  const known = LOAD_BALANCER_CHARTS.find((c) => release.chart === c.chart && typeof release.repository === "string" && c.repository.test(release.repository));
  let values: Record<string, unknown> = {};
  let readable = true;
  for (const text of (Array.isArray(release.values) ? release.values : []) as unknown[]) {
    if (typeof text !== "string" || isInterpolation(text)) {
      readable = false;
      continue;
    }
    try {
      values = mergeValues(values, (manifestObjects(text, address)[0] ?? {}) as Record<string, unknown>);
    } catch {
      readable = false;
    }
  }
  // `set` entries override the values, as Helm applies them.
  for (const entry of (Array.isArray(release.set) ? release.set : []) as { name?: unknown; value?: unknown }[]) {
    if (typeof entry?.name !== "string" || !entry.name.startsWith("service.")) continue;
    values = mergeValues(values, entry.name.split(".").reduceRight<unknown>((inner, key) => ({ [key]: inner }), isInterpolation(entry.value) ? NOT_LITERAL : entry.value) as Record<string, unknown>);
  }
  const service = values.service as Record<string, unknown> | undefined;
  const asksForLoadBalancer = service && typeof service === "object" && service.type === "LoadBalancer";
  if (!known && !asksForLoadBalancer) return undefined;
  const spec = readable ? (service ?? {}) : NOT_LITERAL;
  const annotations = spec === NOT_LITERAL ? NOT_LITERAL : (spec as Record<string, unknown>).annotations;
  return { source, address, shape: KUBERNETES_SHAPE, spec, annotations, defaultType: known?.defaultType ?? "ClusterIP" };
}

function mergeValues(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    merged[key] = value && typeof value === "object" && !Array.isArray(value) && current && typeof current === "object" && !Array.isArray(current) ? mergeValues(current as Record<string, unknown>, value as Record<string, unknown>) : value;
  }
  return merged;
}

// ---- the rules -------------------------------------------------------------------------------

export interface KubernetesRule {
  readonly id: KubernetesRuleId;
  /** What the rule requires, in one line. */
  readonly title: string;
  readonly subjects: "workloads" | "services";
  /** Problems found, as [source, address, message]. */
  check(subjects: { workloads: readonly Workload[]; services: readonly ServiceSubject[] }): [string, string, string][];
}

type Problem = string | undefined;

/** A rule over each pod spec. */
function podRule(id: KubernetesRuleId, title: string, test: (w: Workload) => Problem): KubernetesRule {
  return {
    id,
    title,
    subjects: "workloads",
    check: ({ workloads }) =>
      workloads.flatMap((w) => {
        const problem = w.pod === NOT_LITERAL ? "the pod spec is not a literal, so it cannot be checked" : test(w);
        return problem ? [[w.source, w.address, problem] as [string, string, string]] : [];
      }),
  };
}

/** A rule over each container (and init container) of each pod spec. */
function containerRule(id: KubernetesRuleId, title: string, test: (c: Container, w: Workload) => Problem): KubernetesRule {
  return {
    id,
    title,
    subjects: "workloads",
    check: ({ workloads }) =>
      workloads.flatMap((w): [string, string, string][] => {
        if (w.containers === NOT_LITERAL) return [[w.source, w.address, "the containers are not literal (a reference or dynamic block), so they cannot be checked"]];
        return w.containers.flatMap((c) => {
          const problem = test(c, w);
          return problem ? [[w.source, w.address, `${c.label}: ${problem}`] as [string, string, string]] : [];
        });
      }),
  };
}

/** A container's securityContext field, else the pod's: Kubernetes' precedence. */
function effective(c: Container, w: Workload, path: readonly string[]): Value {
  const own = read(c.node, ["securityContext", ...path], w.shape);
  return own !== undefined && own !== null ? own : read(w.pod, ["securityContext", ...path], w.shape);
}

const hostNamespace = (id: KubernetesRuleId, field: "hostPID" | "hostIPC" | "hostNetwork", what: string) =>
  podRule(id, `Pods do not share the host's ${what} (${field} not true)`, (w) => {
    const value = read(w.pod, [field], w.shape);
    if (value === undefined || value === null || isFalse(value)) return undefined;
    return `${field} is ${describe(value)}`;
  });

const privileged = containerRule("CKV_K8S_16", "Containers are not privileged (securityContext.privileged not true)", (c, w) => {
  const value = read(c.node, ["securityContext", "privileged"], w.shape);
  return value === undefined || value === null || isFalse(value) ? undefined : `securityContext.privileged is ${describe(value)}`;
});

const hostPath = podRule(
  "CKV_K8S_27",
  "Pods mount no hostPath volume (Checkov's CKV_K8S_27 looks for the Docker socket; the gate, like Pod Security baseline, refuses every hostPath)",
  (w) => {
    const volumes = readList(w.pod, ["volumes"], w.shape);
    if (volumes === NOT_LITERAL) return "the volumes are not literal, so a hostPath cannot be ruled out";
    const mounted = volumes.filter((v) => read(v, ["hostPath"], w.shape) !== undefined);
    if (mounted.length === 0) return undefined;
    const names = mounted.map((v) => read(v, ["name"], w.shape)).map((n) => (typeof n === "string" ? n : "?"));
    return `volume(s) ${names.join(", ")} mount a hostPath (${mounted.map((v) => describe(read(v, ["hostPath", "path"], w.shape))).join(", ")})`;
  },
);

const noPrivilegeEscalation = containerRule("CKV_K8S_20", "Containers set allowPrivilegeEscalation: false (its default is true)", (c, w) => {
  const value = read(c.node, ["securityContext", "allowPrivilegeEscalation"], w.shape);
  return isFalse(value) ? undefined : `securityContext.allowPrivilegeEscalation is ${describe(value)}, not false`;
});

const readOnlyRoot = containerRule("CKV_K8S_22", "Containers have a read-only root filesystem (writable paths are volumes)", (c, w) => {
  const value = read(c.node, ["securityContext", "readOnlyRootFilesystem"], w.shape);
  return isTrue(value) ? undefined : `securityContext.readOnlyRootFilesystem is ${describe(value)}, not true`;
});

const runAsNonRoot = containerRule(
  "CKV_K8S_23",
  "Containers run with runAsNonRoot: true, the container's value over the pod's (Pod Security restricted requires it; Checkov also accepts a runAsUser above 0)",
  (c, w) => {
    const value = effective(c, w, ["runAsNonRoot"]);
    if (!isTrue(value)) return `runAsNonRoot is ${describe(value)} (container, else pod), not true`;
    const user = effective(c, w, ["runAsUser"]);
    return asNumber(user) === 0 ? "runAsUser is 0 (root)" : undefined;
  },
);

export const HIGH_UID = 10000;

const highUid = containerRule("CKV_K8S_40", `Containers run as a UID of at least ${HIGH_UID} (no user of the node has it), or in their own user namespace`, (c, w) => {
  if (isFalse(read(w.pod, ["hostUsers"], w.shape))) return undefined;
  const user = effective(c, w, ["runAsUser"]);
  const uid = asNumber(user);
  return uid !== undefined && uid >= HIGH_UID ? undefined : `runAsUser is ${describe(user)} (container, else pod), not ${HIGH_UID} or more`;
});

const dropAll = containerRule("CKV_K8S_37", "Containers drop all capabilities (capabilities.drop includes ALL, which covers CKV_K8S_28's NET_RAW)", (c, w) => {
  const drop = readList(c.node, ["securityContext", "capabilities", "drop"], w.shape);
  if (drop === NOT_LITERAL) return "securityContext.capabilities.drop is not a literal";
  return drop.includes("ALL") ? undefined : `securityContext.capabilities.drop is ${JSON.stringify(drop)}, without ALL`;
});

const seccomp = containerRule("CKV_K8S_31", "Containers run with the RuntimeDefault seccomp profile (the container's, else the pod's)", (c, w) => {
  const type = effective(c, w, ["seccompProfile", "type"]);
  return type === "RuntimeDefault" ? undefined : `seccompProfile.type is ${describe(type)} (container, else pod), not RuntimeDefault`;
});

const resource = (id: KubernetesRuleId, kind: "requests" | "limits", name: "cpu" | "memory") =>
  containerRule(id, `Containers set a ${name} ${kind === "requests" ? "request" : "limit"} (resources.${kind}.${name})`, (c, w) => {
    const value = read(c.node, ["resources", kind, name], w.shape);
    const set = (typeof value === "string" && value !== "" && !/^0+(\.0*)?[a-zA-Z]*$/.test(value)) || (typeof value === "number" && value > 0);
    return set ? undefined : `resources.${kind}.${name} is ${describe(value)}`;
  });

function imageOf(c: Container, w: Workload): { text?: string; problem?: string } {
  const image = read(c.node, ["image"], w.shape);
  if (typeof image !== "string" || image === "") return { problem: `image is ${describe(image)}` };
  return { text: image };
}

const fixedTag = containerRule("CKV_K8S_14", "Images name a fixed tag or a digest (no :latest, no missing tag)", (c, w) => {
  const { text, problem } = imageOf(c, w);
  if (!text) return problem;
  const reference = parseImageReference(text);
  if (!reference) return `image ${JSON.stringify(text)} is not an image reference`;
  if (reference.digest) return undefined;
  return reference.tag && reference.tag !== "latest" ? undefined : `image ${JSON.stringify(text)} has ${reference.tag ? "the tag latest" : "no tag (latest)"}`;
});

const pullPolicy = containerRule("CKV_K8S_15", "Images named by a tag are pulled Always (one pinned by digest may use IfNotPresent)", (c, w) => {
  const { text, problem } = imageOf(c, w);
  if (!text) return problem;
  const reference = parseImageReference(text);
  if (reference?.digest) return undefined;
  const policy = read(c.node, ["imagePullPolicy"], w.shape);
  if (policy === "Always") return undefined;
  // Unset, Kubernetes pulls a :latest (or untagged) image Always and any other tag IfNotPresent.
  if (policy === undefined && reference && (!reference.tag || reference.tag === "latest")) return undefined;
  return `imagePullPolicy is ${describe(policy)}${policy === undefined ? " (IfNotPresent for a tag)" : ""} for ${JSON.stringify(text)}, which has no digest`;
});

/** Annotations that make a cloud's load balancer internal (reachable only from its network). */
const INTERNAL_ANNOTATIONS: Record<string, string> = {
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
  "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
  "networking.gke.io/load-balancer-type": "Internal",
  "cloud.google.com/load-balancer-type": "Internal",
  "service.beta.kubernetes.io/azure-load-balancer-internal": "true",
};
const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";
const OPEN_RANGES = ["0.0.0.0/0", "::/0"];

const loadBalancerSources: KubernetesRule = {
  id: "DW_K8S_1",
  title: "Internet-facing LoadBalancer Services admit only named client ranges (loadBalancerSourceRanges set, without 0.0.0.0/0)",
  subjects: "services",
  check({ services }) {
    const found: [string, string, string][] = [];
    for (const s of services) {
      if (s.spec === NOT_LITERAL) {
        found.push([s.source, s.address, "the Service's settings are not literal, so an open load balancer cannot be ruled out"]);
        continue;
      }
      const declared = read(s.spec, ["type"], s.shape);
      const type = declared === undefined ? s.defaultType : declared;
      if (type !== "LoadBalancer") {
        if (type === NOT_LITERAL) found.push([s.source, s.address, "type is not a literal, so it may be an open LoadBalancer"]);
        continue;
      }
      if (s.annotations === NOT_LITERAL) {
        found.push([s.source, s.address, "the annotations are not literal, so the load balancer's scheme is unknown"]);
        continue;
      }
      const annotations = (s.annotations ?? {}) as Record<string, unknown>;
      if (Object.entries(INTERNAL_ANNOTATIONS).some(([key, value]) => String(annotations[key] ?? "").toLowerCase() === value.toLowerCase())) continue;
      let ranges = readList(s.spec, ["loadBalancerSourceRanges"], s.shape);
      if (ranges !== NOT_LITERAL && ranges.length === 0 && typeof annotations[SOURCE_RANGES_ANNOTATION] === "string") {
        ranges = (annotations[SOURCE_RANGES_ANNOTATION] as string).split(",").map((r) => r.trim()).filter((r) => r !== "");
      }
      if (ranges === NOT_LITERAL) found.push([s.source, s.address, "loadBalancerSourceRanges is not a literal, so the load balancer may admit anyone"]);
      else if (ranges.length === 0) found.push([s.source, s.address, "an internet-facing LoadBalancer without loadBalancerSourceRanges admits the whole internet"]);
      else if (ranges.some((r) => OPEN_RANGES.includes(String(r)))) found.push([s.source, s.address, `loadBalancerSourceRanges ${JSON.stringify(ranges)} admit the whole internet (skip DW_K8S_1 with the reason if the page is public on purpose)`]);
    }
    return found;
  },
};

/** The rules, in the order the gate reports them. */
export const KUBERNETES_RULES: readonly KubernetesRule[] = [
  privileged,
  hostNamespace("CKV_K8S_17", "hostPID", "process ID namespace"),
  hostNamespace("CKV_K8S_18", "hostIPC", "IPC namespace"),
  hostNamespace("CKV_K8S_19", "hostNetwork", "network namespace"),
  hostPath,
  noPrivilegeEscalation,
  readOnlyRoot,
  runAsNonRoot,
  highUid,
  dropAll,
  seccomp,
  resource("CKV_K8S_10", "requests", "cpu"),
  resource("CKV_K8S_11", "limits", "cpu"),
  resource("CKV_K8S_12", "requests", "memory"),
  resource("CKV_K8S_13", "limits", "memory"),
  fixedTag,
  pullPolicy,
  loadBalancerSources,
];

// ---- the gate ----------------------------------------------------------------------------------

export type KubernetesGateSkip = GateSkip<KubernetesRuleId>;
/** A finding's `stack` is the stack, or the manifest file under out/; a skip's `resource` a Terraform address (kubernetes_deployment_v1.x) or a manifest object (Deployment/namespace/name). */
export type KubernetesFinding = Finding<KubernetesRuleId>;
export type KubernetesRuleOutcome = RuleOutcome<KubernetesRuleId>;
export type KubernetesGateReport = GateReport<KubernetesRuleId>;

export function isKubernetesRuleId(rule: string): rule is KubernetesRuleId {
  return (KUBERNETES_RULE_IDS as readonly string[]).includes(rule);
}

/** The skips of security.gate.skip, split into the AWS gate's and the Kubernetes gate's (each reports its own). */
export function splitGateSkips(skips: readonly { rule: string; reason: string; resource?: string }[]): { aws: GateSkip[]; kubernetes: KubernetesGateSkip[] } {
  const isAws = (rule: string): rule is SecurityRuleId => (SECURITY_RULE_IDS as readonly string[]).includes(rule);
  return {
    aws: skips.filter((s): s is GateSkip => isAws(s.rule)),
    kubernetes: skips.filter((s): s is KubernetesGateSkip => isKubernetesRuleId(s.rule)),
  };
}

/** Runs every rule over every input; skips are applied and reported, never dropped (judgeFindings, as the AWS gate). */
export function runKubernetesGate(inputs: readonly KubernetesInput[], skips: readonly KubernetesGateSkip[] = [], rules: readonly KubernetesRule[] = KUBERNETES_RULES): KubernetesGateReport {
  const subjects = subjectsOf(inputs);
  const results = rules.map((rule) => ({
    rule,
    findings: rule.check(subjects).map(([stack, address, message]): KubernetesFinding => ({ rule: rule.id, stack, address, message })),
    checked: subjects[rule.subjects].length,
  }));
  // A manifest object or a Terraform address is named exactly (no instance keys here).
  return judgeFindings(results, skips, (address, resource) => address === resource);
}

/**
 * The AWS gate's report and the Kubernetes gate's as one, in the AWS gate's text format: one line per
 * rule, the findings and skips, one verdict.
 */
export function formatCombinedGateReport(aws: GateReport, kubernetes: KubernetesGateReport): string {
  const combined = {
    passed: aws.passed && kubernetes.passed,
    outcomes: [...aws.outcomes, ...kubernetes.outcomes],
    skips: [...aws.skips, ...kubernetes.skips],
  };
  return formatGateReport(combined);
}
