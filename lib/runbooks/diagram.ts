/**
 * A Mermaid flowchart of one week, drawn from the resources synth produced: the week's own nodes
 * (NAT, hosts, load balancers, cluster, pipeline, topics...) placed in the subnet, VPC or region they
 * live in, with the VPC, AZs and subnets they sit in drawn as context even when an earlier week
 * created them. Edges come from the references between resources (routes, subscriptions, listeners).
 */
import { argument, compare, literal, prefixed, type Inventory, type StackResource } from "./inventory";
import { isKubernetesLoadBalancer } from "./steps";
import type { Strings } from "./strings";

type Shape = "box" | "round" | "db" | "circle" | "hexagon" | "stadium";

interface NodeKind {
  readonly kind: string;
  readonly shape: Shape;
  /** Extra label line from the resource's arguments. */
  readonly detail?: (resource: StackResource) => string | undefined;
  readonly costly?: boolean;
}

const instanceKind = (r: StackResource) => (r.config["source_dest_check"] === false ? "natInstance" : "ec2");

export const NODE_KINDS: Readonly<Record<string, NodeKind>> = {
  aws_internet_gateway: { kind: "igw", shape: "circle" },
  aws_nat_gateway: { kind: "natGateway", shape: "hexagon", costly: true },
  aws_instance: { kind: "ec2", shape: "box", detail: (r) => literal(r.config["instance_type"]) },
  aws_lb: { kind: "loadBalancer", shape: "hexagon", costly: true, detail: (r) => literal(r.config["load_balancer_type"]) ?? "application" },
  aws_vpc_endpoint: { kind: "vpcEndpoint", shape: "hexagon", detail: (r) => literal(r.config["service_name"]) },
  aws_autoscaling_group: { kind: "autoScalingGroup", shape: "box" },
  aws_ecr_repository: { kind: "ecr", shape: "db" },
  aws_codecommit_repository: { kind: "codeCommit", shape: "db" },
  aws_codestarconnections_connection: { kind: "sourceConnection", shape: "round", detail: (r) => literal(r.config["provider_type"]) },
  aws_codepipeline: { kind: "codePipeline", shape: "stadium" },
  aws_codebuild_project: { kind: "codeBuild", shape: "stadium" },
  aws_codedeploy_app: { kind: "codeDeploy", shape: "stadium" },
  aws_eks_cluster: { kind: "eksCluster", shape: "hexagon", costly: true, detail: (r) => literal(r.config["version"]) },
  aws_eks_node_group: {
    kind: "eksNodeGroup",
    shape: "box",
    detail: (r) => {
      const types = argument(r.config, "instance_types");
      const desired = literal(argument(r.config, "scaling_config", "desired_size"));
      return [Array.isArray(types) ? types.map(literal).filter(Boolean).join(", ") : undefined, desired ? `x${desired}` : undefined].filter(Boolean).join(" ") || undefined;
    },
  },
  aws_eks_fargate_profile: { kind: "fargateProfile", shape: "box" },
  aws_sns_topic: { kind: "snsTopic", shape: "round" },
  aws_sqs_queue: { kind: "sqsQueue", shape: "round" },
  aws_lambda_function: { kind: "lambda", shape: "round", detail: (r) => literal(r.config["runtime"]) },
  aws_cloudwatch_event_rule: { kind: "eventRule", shape: "round" },
  aws_chatbot_slack_channel_configuration: { kind: "chatbot", shape: "round" },
  aws_cloudwatch_log_group: { kind: "logGroup", shape: "db", detail: (r) => retention(r) },
  aws_cloudwatch_metric_alarm: { kind: "alarm", shape: "round" },
  aws_cloudwatch_dashboard: { kind: "dashboard", shape: "box" },
  aws_prometheus_workspace: { kind: "prometheus", shape: "db" },
  aws_grafana_workspace: { kind: "grafana", shape: "box" },
  aws_opensearch_domain: { kind: "openSearch", shape: "db" },
  aws_kinesis_firehose_delivery_stream: { kind: "firehose", shape: "stadium" },
  aws_s3_bucket: { kind: "s3Bucket", shape: "db" },
  aws_kms_key: { kind: "kmsKey", shape: "round" },
  aws_secretsmanager_secret: { kind: "secret", shape: "round" },
  aws_cloudtrail: { kind: "cloudTrail", shape: "round" },
  aws_guardduty_detector: { kind: "guardDuty", shape: "round" },
  aws_inspector2_enabler: { kind: "inspector", shape: "round" },
  aws_budgets_budget: { kind: "budget", shape: "round", detail: (r) => budgetLimit(r) },
  kubernetes_deployment: { kind: "k8sDeployment", shape: "box", detail: (r) => replicas(r) },
  kubernetes_deployment_v1: { kind: "k8sDeployment", shape: "box", detail: (r) => replicas(r) },
  kubernetes_stateful_set_v1: { kind: "k8sStatefulSet", shape: "box" },
  kubernetes_daemon_set_v1: { kind: "k8sDaemonSet", shape: "box" },
  kubernetes_service: { kind: "k8sService", shape: "round", detail: (r) => literal(argument(r.config, "spec", "type")) },
  kubernetes_service_v1: { kind: "k8sService", shape: "round", detail: (r) => literal(argument(r.config, "spec", "type")) },
  kubernetes_ingress_v1: { kind: "k8sIngress", shape: "hexagon" },
  kubernetes_horizontal_pod_autoscaler_v2: { kind: "k8sHpa", shape: "round" },
  kubernetes_config_map_v1: { kind: "k8sConfigMap", shape: "db" },
  kubernetes_manifest: { kind: "k8sManifest", shape: "box", detail: (r) => literal(argument(r.config, "manifest", "kind")) },
  helm_release: { kind: "helmRelease", shape: "stadium", detail: (r) => literal(r.config["chart"]) },
};

const NAMESPACE_TYPES = new Set(["kubernetes_namespace", "kubernetes_namespace_v1"]);
/** Arguments that say where a resource sits (drawn as nesting, not as edges). */
const PLACEMENT_KEYS = ["subnet_id", "subnet_ids", "subnets", "vpc_id", "vpc_config", "subnet_mapping", "vpc_zone_identifier"];
/** Beyond this many nodes of one kind in one place, they are drawn as one node with a count. */
const COLLAPSE_ABOVE = 3;

export interface WeekDiagramInput {
  readonly inventory: Inventory;
  /** The module ids of the week. */
  readonly moduleIds: readonly string[];
  readonly region: string;
  readonly strings: Strings;
}

interface DrawnNode {
  readonly id: string;
  readonly label: string;
  readonly shape: Shape;
  readonly costly: boolean;
  readonly members: readonly StackResource[];
}

/** Mermaid source, or an empty string when the week has nothing to draw. */
export function weekDiagram(input: WeekDiagramInput): string {
  const { inventory, strings } = input;
  const own = inventory.resources.filter((r) => r.moduleId !== undefined && input.moduleIds.includes(r.moduleId));
  const drawable = own.filter((r) => NODE_KINDS[r.type]);
  const namespaces = own.filter((r) => NAMESPACE_TYPES.has(r.type));
  if (drawable.length === 0 && namespaces.length === 0) return "";

  const ids = new Map<string, string>();
  const idOf = (r: StackResource) => {
    const key = `${r.stack}\u0000${r.address}`;
    if (!ids.has(key)) ids.set(key, `n${ids.size + 1}`);
    return ids.get(key)!;
  };
  const find = (stack: string, address: string) => inventory.byAddress(stack, address);

  // Where each drawable sits: a subnet, the VPC (several subnets), a namespace, or the region.
  const subnetOf = (r: StackResource) => {
    const ref = r.references.find((a) => a.startsWith("aws_subnet.") && refersThrough(r.config["subnet_id"], a));
    return ref ? find(r.stack, ref) : undefined;
  };
  const vpcOf = (r: StackResource): StackResource | undefined => {
    if (r.type === "aws_vpc") return r;
    for (const key of PLACEMENT_KEYS) {
      for (const address of r.references.filter((a) => refersThrough(r.config[key], a))) {
        const target = find(r.stack, address);
        if (target?.type === "aws_vpc") return target;
        if (target?.type === "aws_subnet") return vpcOf(target);
        if (target?.type === "aws_security_group") return vpcOf(target);
      }
    }
    return undefined;
  };
  const namespaceOf = (r: StackResource) => {
    const ns = argument(r.config, "metadata", "namespace");
    const ref = r.references.find((a) => NAMESPACE_TYPES.has(a.split(".")[0]) && refersThrough(ns, a));
    if (ref) return literal(argument(find(r.stack, ref)?.config ?? {}, "metadata", "name"));
    return literal(ns) ?? literal(argument(r.config, "manifest", "metadata", "namespace")) ?? literal(r.config["namespace"]);
  };

  // Group drawables by place, collapsing long runs of one kind.
  type Place = { kind: "subnet"; subnet: StackResource } | { kind: "vpc"; vpc: StackResource } | { kind: "k8s"; namespace: string } | { kind: "region" };
  const placeKey = (p: Place) => (p.kind === "subnet" ? `s:${p.subnet.address}` : p.kind === "vpc" ? `v:${p.vpc.address}` : p.kind === "k8s" ? `k:${p.namespace}` : "r");
  const places = new Map<string, { place: Place; byKind: Map<string, StackResource[]> }>();
  const placeOf = (r: StackResource): Place => {
    if (r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) return { kind: "k8s", namespace: namespaceOf(r) ?? "default" };
    const subnet = subnetOf(r);
    if (subnet) return { kind: "subnet", subnet };
    const vpc = vpcOf(r);
    return vpc ? { kind: "vpc", vpc } : { kind: "region" };
  };
  for (const r of drawable) {
    const place = placeOf(r);
    const entry = places.get(placeKey(place)) ?? { place, byKind: new Map() };
    places.set(placeKey(place), entry);
    const kind = r.type === "aws_instance" ? instanceKind(r) : NODE_KINDS[r.type].kind;
    entry.byKind.set(kind, [...(entry.byKind.get(kind) ?? []), r]);
  }
  for (const ns of namespaces) {
    const name = literal(argument(ns.config, "metadata", "name"));
    if (name && !places.has(`k:${name}`)) places.set(`k:${name}`, { place: { kind: "k8s", namespace: name }, byKind: new Map() });
  }

  const drawn = new Map<string, DrawnNode>();
  const nodeFor = new Map<string, string>(); // resource key -> drawn node id
  const nodesIn = (key: string): DrawnNode[] => {
    const entry = places.get(key);
    if (!entry) return [];
    const result: DrawnNode[] = [];
    for (const [kind, members] of [...entry.byKind].sort(([a], [b]) => compare(a, b))) {
      const groups = members.length > COLLAPSE_ABOVE ? [members] : members.map((m) => [m]);
      for (const group of groups) {
        const first = group[0];
        const spec = NODE_KINDS[first.type];
        const id = idOf(first);
        const label =
          group.length > 1
            ? [`${strings.text(`diagram.${kind}`)} ×${group.length}`]
            : [strings.text(`diagram.${kind}`), resourceName(first) ?? fallbackName(first), spec.detail?.(first)].filter((s, i, all): s is string => Boolean(s) && all.indexOf(s) === i);
        const costly = Boolean(spec.costly) || isKubernetesLoadBalancer(first);
        const node: DrawnNode = { id, label: label.join("<br/>"), shape: spec.shape, costly, members: group };
        drawn.set(id, node);
        for (const m of group) nodeFor.set(`${m.stack}\u0000${m.address}`, id);
        result.push(node);
      }
    }
    return result;
  };

  const lines: string[] = ["flowchart TB"];
  const indent = (depth: number) => "  ".repeat(depth);
  const emit = (depth: number, node: DrawnNode) => lines.push(`${indent(depth)}${node.id}${shaped(node.shape, node.label)}`);

  // The VPC skeleton: every VPC something of this week sits in (or that this week creates).
  const vpcs = new Map<string, StackResource>();
  for (const { place } of places.values()) {
    if (place.kind === "subnet") {
      const vpc = vpcOf(place.subnet);
      if (vpc) vpcs.set(vpc.address, vpc);
    }
    if (place.kind === "vpc") vpcs.set(place.vpc.address, place.vpc);
  }
  for (const vpc of own.filter((r) => r.type === "aws_vpc")) vpcs.set(vpc.address, vpc);
  const contextIds: string[] = [];

  const internet = "internet";
  const needsInternet = [...places.values()].some((p) => p.byKind.has("igw") || p.byKind.has("loadBalancer"));
  if (needsInternet) lines.push(`  ${internet}((${quote(strings.text("diagram.internet"))}))`);
  const regionStart = lines.length;
  lines.push(`  subgraph region[${quote(`${strings.text("diagram.region")} ${input.region}`)}]`);
  for (const vpc of [...vpcs.values()].sort((a, b) => compare(a.address, b.address))) {
    const vpcId = idOf(vpc);
    const vpcOwn = input.moduleIds.includes(vpc.moduleId ?? "");
    if (!vpcOwn) contextIds.push(vpcId);
    // Subgraph titles stay on one line: Mermaid clips a second line of a cluster label.
    lines.push(`    subgraph ${vpcId}[${quote([`VPC ${resourceName(vpc) ?? ""}`.trim(), literal(vpc.config["cidr_block"])].filter(Boolean).join(" · "))}]`);
    lines.push("      direction TB");
    const subnets = inventory.resources.filter((r) => r.stack === vpc.stack && r.type === "aws_subnet" && r.references.includes(vpc.address));
    const zones = [...new Set(subnets.map((s) => literal(s.config["availability_zone"]) ?? "?"))].sort(compare);
    for (const zone of zones) {
      const zoneId = `az_${zone.replace(/[^a-z0-9]/gi, "_")}`;
      lines.push(`      subgraph ${zoneId}[${quote(`${strings.text("diagram.az")} ${zone}`)}]`);
      for (const subnet of subnets.filter((s) => (literal(s.config["availability_zone"]) ?? "?") === zone).sort((a, b) => cidrNumber(a) - cidrNumber(b))) {
        const subnetId = idOf(subnet);
        if (!input.moduleIds.includes(subnet.moduleId ?? "")) contextIds.push(subnetId);
        const tier = literal((subnet.config["tags"] as Record<string, unknown> | undefined)?.["Tier"]);
        const kind = strings.text(tier === "public" ? "diagram.publicSubnet" : tier === "private" ? "diagram.privateSubnet" : "diagram.subnet");
        nodeFor.set(`${subnet.stack}\u0000${subnet.address}`, subnetId);
        const inside = nodesIn(`s:${subnet.address}`);
        if (inside.length === 0) {
          lines.push(`        ${subnetId}${shaped("box", `${kind}<br/>${cidrOf(subnet)}`)}`);
        } else {
          lines.push(`        subgraph ${subnetId}[${quote(`${kind} ${cidrOf(subnet)}`)}]`);
          for (const node of inside) emit(5, node);
          lines.push("        end");
        }
      }
      lines.push("      end");
    }
    for (const node of nodesIn(`v:${vpc.address}`)) emit(3, node);
    nodeFor.set(`${vpc.stack}\u0000${vpc.address}`, vpcId);
    lines.push("    end");
  }
  for (const node of nodesIn("r")) emit(2, node);
  if (lines.length === regionStart + 1) lines.pop();
  else lines.push("  end");

  const k8sPlaces = [...places.keys()].filter((k) => k.startsWith("k:")).sort(compare);
  if (k8sPlaces.length > 0) {
    lines.push(`  subgraph k8s[${quote(strings.text("diagram.k8sCluster"))}]`);
    k8sPlaces.forEach((key, i) => {
      const entry = places.get(key)!;
      lines.push(`    subgraph ns${i + 1}[${quote(`${strings.text("diagram.namespace")} ${(entry.place as { namespace: string }).namespace}`)}]`);
      const inside = nodesIn(key);
      if (inside.length === 0) lines.push(`      ns${i + 1}_empty[" "]`);
      for (const node of inside) emit(3, node);
      lines.push("    end");
    });
    lines.push("  end");
  }

  // Edges: routes, links through glue resources, then direct references between drawn nodes.
  const edges = new Set<string>();
  const nodeOf = (stack: string, address: string | undefined) => (address ? nodeFor.get(`${stack}\u0000${address}`) : undefined);
  const addEdge = (from: string | undefined, to: string | undefined, label?: string) => {
    if (!from || !to || from === to) return;
    edges.add(label ? `${from} -->|${quote(label)}| ${to}` : `${from} --> ${to}`);
  };
  const refOf = (r: StackResource, key: string) => r.references.find((a) => refersThrough(argument(r.config, ...key.split(".")), a));
  for (const r of own) {
    if (r.type === "aws_route") {
      const table = refOf(r, "route_table_id");
      const target = refOf(r, "nat_gateway_id") ?? refOf(r, "gateway_id") ?? refOf(r, "network_interface_id");
      const destination = literal(r.config["destination_cidr_block"]) ?? "";
      for (const assoc of inventory.resources.filter((a) => a.stack === r.stack && a.type === "aws_route_table_association" && table && a.references.includes(table))) {
        addEdge(nodeOf(r.stack, refOf(assoc, "subnet_id")), nodeOf(r.stack, target), destination);
      }
    } else if (r.type === "aws_flow_log") {
      addEdge(nodeOf(r.stack, refOf(r, "vpc_id")), nodeOf(r.stack, refOf(r, "log_destination")), strings.text("diagram.flowLogs"));
    } else if (r.type === "aws_sns_topic_subscription") {
      addEdge(nodeOf(r.stack, refOf(r, "topic_arn")), nodeOf(r.stack, refOf(r, "endpoint")));
    } else if (r.type === "aws_cloudwatch_event_target") {
      addEdge(nodeOf(r.stack, refOf(r, "rule")), nodeOf(r.stack, refOf(r, "arn")));
    } else if (r.type === "aws_lb_target_group_attachment") {
      const group = refOf(r, "target_group_arn");
      for (const listener of inventory.resources.filter((l) => l.stack === r.stack && l.type === "aws_lb_listener" && group && l.references.includes(group))) {
        addEdge(nodeOf(r.stack, refOf(listener, "load_balancer_arn")), nodeOf(r.stack, refOf(r, "target_id")));
      }
    } else if (NODE_KINDS[r.type]) {
      const from = nodeOf(r.stack, r.address);
      const placement = new Set(PLACEMENT_KEYS.flatMap((key) => r.references.filter((a) => refersThrough(r.config[key], a))));
      for (const address of r.references) if (!placement.has(address) && drawn.has(nodeOf(r.stack, address) ?? "")) addEdge(from, nodeOf(r.stack, address));
    }
  }
  for (const [id, node] of [...drawn].sort(([a], [b]) => compare(a, b))) {
    if (node.members[0].type === "aws_internet_gateway") addEdge(id, internet);
    if (node.members[0].type === "aws_lb" && node.members[0].config["internal"] !== true) addEdge(internet, id);
  }
  for (const edge of [...edges].sort(compare)) lines.push(`  ${edge}`);

  lines.push("  classDef costly stroke:#d32f2f,stroke-width:3px");
  lines.push("  classDef context fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3,color:#555");
  const costly = [...drawn.values()].filter((n) => n.costly).map((n) => n.id);
  if (costly.length > 0) lines.push(`  class ${costly.join(",")} costly`);
  if (contextIds.length > 0) lines.push(`  class ${contextIds.join(",")} context`);
  return `${lines.join("\n")}\n`;
}

/** Whether an argument value references the address (directly, not through some other argument). */
function refersThrough(value: unknown, address: string): boolean {
  if (value === undefined) return false;
  return JSON.stringify(value).includes(`\${${address}.`);
}

function resourceName(r: StackResource): string | undefined {
  const tags = r.config["tags"] as Record<string, unknown> | undefined;
  return literal(tags?.["Name"]) ?? literal(r.config["name"]) ?? literal(argument(r.config, "metadata", "name")) ?? literal(r.config["cluster_name"]) ?? literal(r.config["node_group_name"]) ?? literal(r.config["function_name"]) ?? literal(r.config["bucket"]) ?? prefixed(r.config["bucket_prefix"]) ?? literal(r.config["alarm_name"]) ?? literal(r.config["dashboard_name"]) ?? literal(r.config["project_name"]);
}

/** The construct's own id (`trail-logs` for `trail-logs` or `bastion` for `bastion/instance`) when the resource has no name. */
function fallbackName(r: StackResource): string | undefined {
  const parts = r.localPath.split("/").filter((p) => !["instance", "resource", "default"].includes(p));
  return parts.length > 0 ? parts[parts.length - 1] : undefined;
}

function cidrOf(subnet: StackResource): string {
  return literal(subnet.config["cidr_block"]) ?? "";
}

/** The subnet's network address as a number, so 10.0.16.0 sorts before 10.0.128.0. */
function cidrNumber(subnet: StackResource): number {
  return cidrOf(subnet)
    .split("/")[0]
    .split(".")
    .reduce((sum, octet) => sum * 256 + Number(octet), 0);
}

function retention(r: StackResource): string | undefined {
  const days = literal(r.config["retention_in_days"]);
  return days ? `${days}d` : undefined;
}

function budgetLimit(r: StackResource): string | undefined {
  const amount = literal(r.config["limit_amount"]);
  return amount ? `${amount} ${literal(r.config["limit_unit"]) ?? ""}`.trim() : undefined;
}

function replicas(r: StackResource): string | undefined {
  const count = literal(argument(r.config, "spec", "replicas"));
  return count ? `replicas ${count}` : undefined;
}

function shaped(shape: Shape, label: string): string {
  const q = quote(label);
  switch (shape) {
    case "round":
      return `(${q})`;
    case "db":
      return `[(${q})]`;
    case "circle":
      return `((${q}))`;
    case "hexagon":
      return `{{${q}}}`;
    case "stadium":
      return `([${q}])`;
    default:
      return `[${q}]`;
  }
}

/** A Mermaid label in quotes; `<br/>` is kept as a line break, other markup is escaped. */
function quote(text: string): string {
  const escaped = text
    .split("<br/>")
    .map((part) => part.replace(/&/g, "#amp;").replace(/"/g, "#quot;").replace(/</g, "#lt;").replace(/>/g, "#gt;").replace(/[\r\n]+/g, " "))
    .join("<br/>");
  return `"${escaped}"`;
}
