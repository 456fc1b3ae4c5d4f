/**
 * A Mermaid flowchart of one week, drawn from the resources synth produced: the week's own nodes
 * (NAT, hosts, load balancers, cluster, pipeline, topics...) placed in the subnet, VPC or region they
 * live in, with the VPC, AZs and subnets they sit in drawn as context even when an earlier week
 * created them. Edges come from the references between resources (routes, subscriptions, listeners),
 * and, drawn thick, from the flows the week's modules declare (ctx.diagramFlow): the learner's access
 * path, a pipeline's steps, the traffic through a mesh. A flow's end that another week built is drawn
 * grey-dashed as context; the learner and the internet are actors outside the region.
 */
import type { ConstructRef, FlowEnd, RecordedFlow } from "../core/environment";
import { argument, compare, literal, prefixed, type Inventory, type StackResource } from "./inventory";
import { isKubernetesLoadBalancer } from "./kubernetes-load-balancers";
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
  aws_vpclattice_service_network: { kind: "latticeServiceNetwork", shape: "hexagon" },
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
/**
 * Arguments that put a resource in subnets of its own (a node group, a load balancer, an interface
 * endpoint, an Auto Scaling group). An EKS control plane's `vpc_config.subnet_ids` are not among them:
 * the control plane runs in a VPC of AWS's and only puts its endpoint's interfaces in ours, so it is
 * drawn once, in the VPC.
 */
const SUBNET_KEYS = ["subnet_id", "subnet_ids", "subnets", "subnet_mapping", "vpc_zone_identifier"];
/** Beyond this many nodes of one kind in one place, they are drawn as one node with a count. */
const COLLAPSE_ABOVE = 3;

export interface WeekDiagramInput {
  readonly inventory: Inventory;
  /** The module ids of the week. */
  readonly moduleIds: readonly string[];
  readonly region: string;
  readonly strings: Strings;
  /** The flows the week's modules declared (ctx.diagramFlow), in the order declared. @default - none */
  readonly flows?: readonly RecordedFlow[];
}

interface DrawnNode {
  readonly id: string;
  readonly label: string;
  readonly shape: Shape;
  readonly costly: boolean;
  readonly members: readonly StackResource[];
}

type Place = { kind: "subnet"; subnet: StackResource } | { kind: "vpc"; vpc: StackResource } | { kind: "k8s"; namespace: string } | { kind: "region" } | { kind: "outside" };

interface PlaceEntry {
  readonly place: Place;
  /** The week's own resources there, by node kind. */
  readonly byKind: Map<string, StackResource[]>;
  /** Resources of other weeks that a flow ends at, drawn as context. */
  readonly context: StackResource[];
  /** Label keys of the external nodes drawn there. */
  readonly externals: string[];
}

/** A flow's end, found in the inventory. */
type End = { kind: "resource"; resource: StackResource } | { kind: "actor"; actor: "learner" | "internet" } | { kind: "external"; key: string };

const ACTOR_SHAPES = { learner: "stadium", internet: "circle" } as const satisfies Record<string, Shape>;
const ACTOR_LABELS = { learner: "diagram.learner", internet: "diagram.internet" } as const;

/** Mermaid source, or an empty string when the week has nothing to draw. */
export function weekDiagram(input: WeekDiagramInput): string {
  const { inventory, strings } = input;
  const isOwn = (r: StackResource) => r.moduleId !== undefined && input.moduleIds.includes(r.moduleId);
  const own = inventory.resources.filter(isOwn);
  const drawable = own.filter((r) => NODE_KINDS[r.type]);
  const namespaces = own.filter((r) => NAMESPACE_TYPES.has(r.type));
  const flows = input.flows ?? [];
  if (drawable.length === 0 && namespaces.length === 0 && flows.length === 0) return "";

  const keyOf = (r: StackResource) => `${r.stack}\u0000${r.address}`;
  const ids = new Map<string, string>();
  const idOf = (r: StackResource) => {
    const key = keyOf(r);
    if (!ids.has(key)) ids.set(key, `n${ids.size + 1}`);
    return ids.get(key)!;
  };
  const find = (stack: string, address: string) => inventory.byAddress(stack, address);

  // Where each drawable sits: its subnet or subnets, the VPC, a namespace, or the region.
  const subnetCache = new Map<string, StackResource[]>();
  const subnetsOf = (r: StackResource): StackResource[] => {
    const key = keyOf(r);
    if (!subnetCache.has(key)) {
      const addresses = r.references.filter((a) => a.startsWith("aws_subnet.") && SUBNET_KEYS.some((k) => refersThrough(r.config[k], a)));
      subnetCache.set(key, addresses.map((a) => find(r.stack, a)).filter((s): s is StackResource => s !== undefined).sort(subnetOrder));
    }
    return subnetCache.get(key)!;
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
  // A resource in several subnets (a node group, a load balancer, an interface endpoint) is drawn once
  // in each: Mermaid nests a node in one subgraph only, so no box can span two AZs, and one node per
  // subnet is how AWS's own architecture diagrams show nodes spread over AZs.
  const placesOf = (r: StackResource): Place[] => {
    if (r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) return [{ kind: "k8s", namespace: namespaceOf(r) ?? "default" }];
    const subnets = subnetsOf(r);
    if (subnets.length > 0) return subnets.map((subnet) => ({ kind: "subnet", subnet }));
    const vpc = vpcOf(r);
    return [vpc ? { kind: "vpc", vpc } : { kind: "region" }];
  };
  const placeKey = (p: Place) =>
    p.kind === "subnet" ? `s:${p.subnet.address}` : p.kind === "vpc" ? `v:${p.vpc.address}` : p.kind === "k8s" ? `k:${p.namespace}` : p.kind === "outside" ? "o" : "r";

  // The flows' ends: a construct is the first resource at or below its path that the diagram draws.
  const pathOf = (r: StackResource) => `${r.stack}/${r.moduleId ?? ""}/${r.localPath}`;
  const resourcesAt = (ref: ConstructRef) =>
    inventory.resources
      .filter((r) => r.stack === ref.stack && (pathOf(r) === ref.path || pathOf(r).startsWith(`${ref.path}/`)))
      .sort((a, b) => pathOf(a).split("/").length - pathOf(b).split("/").length);
  const externalsWithin = new Map<string, ConstructRef | "region" | "outside">();
  const endOf = (end: FlowEnd): End => {
    if (end.kind === "actor") return end;
    if (end.kind === "external") {
      if (!externalsWithin.has(end.key)) externalsWithin.set(end.key, end.within);
      return { kind: "external", key: end.key };
    }
    const resource = resourcesAt(end).find((r) => NODE_KINDS[r.type]);
    if (!resource) throw new Error(`a diagram flow ends at ${end.path}, where the diagram draws no resource: give a construct holding a resource of a type in NODE_KINDS (lib/runbooks/diagram.ts)`);
    return { kind: "resource", resource };
  };
  const declared = flows.map((f) => ({ from: endOf(f.from), to: endOf(f.to), label: f.label ? strings.text(f.label, f.params) : undefined }));
  const contextResources = new Map<string, StackResource>();
  for (const end of declared.flatMap((f) => [f.from, f.to])) if (end.kind === "resource" && !isOwn(end.resource)) contextResources.set(keyOf(end.resource), end.resource);
  const placeWithin = (within: ConstructRef | "region" | "outside"): Place => {
    if (within === "region" || within === "outside") return { kind: within };
    const at = resourcesAt(within)[0];
    if (!at) throw new Error(`a diagram flow's external node is placed within ${within.path}, which holds no resource`);
    if (at.type === "aws_subnet") return { kind: "subnet", subnet: at };
    if (at.type === "aws_vpc") return { kind: "vpc", vpc: at };
    if (NAMESPACE_TYPES.has(at.type)) return { kind: "k8s", namespace: literal(argument(at.config, "metadata", "name")) ?? "default" };
    return placesOf(at)[0];
  };

  // Group drawables by place, collapsing long runs of one kind.
  const places = new Map<string, PlaceEntry>();
  const entryAt = (place: Place): PlaceEntry => {
    const key = placeKey(place);
    if (!places.has(key)) places.set(key, { place, byKind: new Map(), context: [], externals: [] });
    return places.get(key)!;
  };
  const kindOf = (r: StackResource) => (r.type === "aws_instance" ? instanceKind(r) : NODE_KINDS[r.type].kind);
  for (const r of drawable) {
    for (const place of placesOf(r)) {
      const entry = entryAt(place);
      entry.byKind.set(kindOf(r), [...(entry.byKind.get(kindOf(r)) ?? []), r]);
    }
  }
  for (const r of contextResources.values()) for (const place of placesOf(r)) entryAt(place).context.push(r);
  for (const [key, within] of externalsWithin) entryAt(placeWithin(within)).externals.push(key);
  for (const ns of namespaces) {
    const name = literal(argument(ns.config, "metadata", "name"));
    if (name) entryAt({ kind: "k8s", namespace: name });
  }

  const drawn = new Map<string, DrawnNode>();
  const nodeFor = new Map<string, string[]>(); // resource key -> the ids of the nodes that draw it
  const drawnAs = (r: StackResource, id: string) => nodeFor.set(keyOf(r), [...(nodeFor.get(keyOf(r)) ?? []), id]);
  const contextIds: string[] = [];
  const externalIds: string[] = [];
  // The copy of a resource in its second, third... subnet gets the id of the first with a suffix.
  const nodeId = (r: StackResource, place: Place) => {
    const copy = place.kind === "subnet" ? subnetsOf(r).findIndex((s) => s.address === place.subnet.address) : 0;
    return copy > 0 ? `${idOf(r)}_${copy + 1}` : idOf(r);
  };
  const labelOf = (group: readonly StackResource[], kind: string) => {
    const first = group[0];
    if (group.length > 1) return `${strings.text(`diagram.${kind}`)} ×${group.length}`;
    const spread = subnetsOf(first).length > 1 ? strings.text("diagram.spansSubnets", { count: subnetsOf(first).length }) : undefined;
    const lines = [strings.text(`diagram.${kind}`), resourceName(first) ?? fallbackName(first), NODE_KINDS[first.type].detail?.(first), spread];
    return lines.filter((s, i, all): s is string => Boolean(s) && all.indexOf(s) === i).join("<br/>");
  };
  const nodesIn = (key: string): DrawnNode[] => {
    const entry = places.get(key);
    if (!entry) return [];
    const result: DrawnNode[] = [];
    for (const [kind, members] of [...entry.byKind].sort(([a], [b]) => compare(a, b))) {
      const groups = members.length > COLLAPSE_ABOVE ? [members] : members.map((m) => [m]);
      for (const group of groups) {
        const first = group[0];
        const id = nodeId(first, entry.place);
        const costly = Boolean(NODE_KINDS[first.type].costly) || isKubernetesLoadBalancer(first);
        const node: DrawnNode = { id, label: labelOf(group, kind), shape: NODE_KINDS[first.type].shape, costly, members: group };
        drawn.set(id, node);
        for (const m of group) drawnAs(m, id);
        result.push(node);
      }
    }
    for (const r of entry.context) {
      const id = nodeId(r, entry.place);
      const node: DrawnNode = { id, label: labelOf([r], kindOf(r)), shape: NODE_KINDS[r.type].shape, costly: false, members: [r] };
      drawn.set(id, node);
      drawnAs(r, id);
      contextIds.push(id);
      result.push(node);
    }
    for (const external of entry.externals) {
      const node: DrawnNode = { id: externalId(external), label: strings.text(external), shape: "round", costly: false, members: [] };
      drawn.set(node.id, node);
      externalIds.push(node.id);
      result.push(node);
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

  // Actors and what is outside AWS, above the region.
  const ends = declared.flatMap((f) => [f.from, f.to]);
  const actors = (["learner", "internet"] as const).filter(
    (actor) => ends.some((e) => e.kind === "actor" && e.actor === actor) || (actor === "internet" && [...places.values()].some((p) => p.byKind.has("igw") || p.byKind.has("loadBalancer"))),
  );
  for (const actor of actors) lines.push(`  ${actor}${shaped(ACTOR_SHAPES[actor], strings.text(ACTOR_LABELS[actor]))}`);
  for (const node of nodesIn("o")) emit(1, node);

  const regionStart = lines.length;
  lines.push(`  subgraph region[${quote(`${strings.text("diagram.region")} ${input.region}`)}]`);
  for (const vpc of [...vpcs.values()].sort((a, b) => compare(a.address, b.address))) {
    const vpcId = idOf(vpc);
    if (!isOwn(vpc)) contextIds.push(vpcId);
    // Subgraph titles stay on one line: Mermaid clips a second line of a cluster label.
    lines.push(`    subgraph ${vpcId}[${quote([`VPC ${resourceName(vpc) ?? ""}`.trim(), literal(vpc.config["cidr_block"])].filter(Boolean).join(" · "))}]`);
    lines.push("      direction TB");
    const subnets = inventory.resources.filter((r) => r.stack === vpc.stack && r.type === "aws_subnet" && r.references.includes(vpc.address)).sort(subnetOrder);
    const zones = [...new Set(subnets.map(zoneOf))];
    for (const zone of zones) {
      const zoneId = `az_${zone.replace(/[^a-z0-9]/gi, "_")}`;
      lines.push(`      subgraph ${zoneId}[${quote(`${strings.text("diagram.az")} ${zone}`)}]`);
      for (const subnet of subnets.filter((s) => zoneOf(s) === zone)) {
        const subnetId = idOf(subnet);
        if (!isOwn(subnet)) contextIds.push(subnetId);
        const tier = literal((subnet.config["tags"] as Record<string, unknown> | undefined)?.["Tier"]);
        const kind = strings.text(tier === "public" ? "diagram.publicSubnet" : tier === "private" ? "diagram.privateSubnet" : "diagram.subnet");
        drawnAs(subnet, subnetId);
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
    drawnAs(vpc, vpcId);
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
  const edges = new Map<string, { from: string; to: string }>();
  const nodeOf = (stack: string, address: string | undefined) => (address ? nodeFor.get(`${stack}\u0000${address}`) : undefined);
  const addEdge = (from: readonly string[] | string | undefined, to: readonly string[] | string | undefined, label?: string) => {
    for (const a of typeof from === "string" ? [from] : (from ?? [])) {
      for (const b of typeof to === "string" ? [to] : (to ?? [])) {
        if (a !== b) edges.set(label ? `${a} -->|${quote(label)}| ${b}` : `${a} --> ${b}`, { from: a, to: b });
      }
    }
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
      for (const address of r.references) {
        const to = nodeOf(r.stack, address);
        if (!placement.has(address) && to?.some((id) => drawn.has(id))) addEdge(from, to);
      }
    }
  }
  for (const [id, node] of [...drawn].sort(([a], [b]) => compare(a, b))) {
    const first = node.members[0];
    if (!first || contextIds.includes(id)) continue;
    if (first.type === "aws_internet_gateway") addEdge(id, "internet");
    if (first.type === "aws_lb" && first.config["internal"] !== true) addEdge("internet", id);
  }

  // Declared flows, thick and in the order declared; a flow between two nodes replaces their reference edge.
  const idsOf = (end: End): readonly string[] => (end.kind === "resource" ? (nodeFor.get(keyOf(end.resource)) ?? []) : end.kind === "actor" ? [end.actor] : [externalId(end.key)]);
  const flowLines: string[] = [];
  const flowPairs = new Set<string>();
  for (const flow of declared) {
    for (const from of idsOf(flow.from)) {
      for (const to of idsOf(flow.to)) {
        if (from === to) continue;
        const line = `${from} ==>${flow.label ? `|${quote(flow.label)}|` : ""} ${to}`;
        if (!flowLines.includes(line)) flowLines.push(line);
        flowPairs.add(`${from}\u0000${to}`).add(`${to}\u0000${from}`);
      }
    }
  }
  const referenceLines = [...edges].filter(([, e]) => !flowPairs.has(`${e.from}\u0000${e.to}`)).map(([line]) => line).sort(compare);
  for (const edge of [...referenceLines, ...flowLines]) lines.push(`  ${edge}`);

  lines.push("  classDef costly stroke:#d32f2f,stroke-width:3px");
  lines.push("  classDef context fill:#f4f4f4,stroke:#999,stroke-dasharray:4 3,color:#555");
  lines.push("  classDef actor fill:#ddf4ff,stroke:#0969da,stroke-width:2px,color:#0a3069");
  lines.push("  classDef external fill:#fff,stroke:#57606a,stroke-dasharray:2 2,color:#24292f");
  const costly = [...drawn.values()].filter((n) => n.costly).map((n) => n.id);
  if (costly.length > 0) lines.push(`  class ${costly.join(",")} costly`);
  if (contextIds.length > 0) lines.push(`  class ${contextIds.join(",")} context`);
  if (actors.length > 0) lines.push(`  class ${actors.join(",")} actor`);
  if (externalIds.length > 0) lines.push(`  class ${externalIds.join(",")} external`);
  if (flowLines.length > 0) {
    const first = referenceLines.length;
    lines.push(`  linkStyle ${flowLines.map((_, i) => first + i).join(",")} stroke:#0969da,stroke-width:3px`);
  }
  return `${lines.join("\n")}\n`;
}

/** The node id of an external node: its label key without `diagram.`, e.g. `x_ssmSessionManager`. */
function externalId(key: string): string {
  return `x_${key.replace(/^diagram\./, "").replace(/[^A-Za-z0-9]/g, "_")}`;
}

function zoneOf(subnet: StackResource): string {
  return literal(subnet.config["availability_zone"]) ?? "?";
}

/** Subnets in the order the diagram draws them: by AZ, then by address. */
function subnetOrder(a: StackResource, b: StackResource): number {
  return compare(zoneOf(a), zoneOf(b)) || cidrNumber(a) - cidrNumber(b);
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
