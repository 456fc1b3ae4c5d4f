/**
 * A Terraform state as if a plan had been applied, built offline from `terraform show -json` of that plan.
 *
 * The journey test plans each cumulative synth against the state the previous one would have left, so
 * that the real provider decides what a new week forces to be replaced. Values the plan knew go into
 * the state as planned. Values only AWS would have known (ids, ARNs, addresses) get stand-ins:
 *  - where the configuration sets the attribute to a plain reference (`${aws_vpc.x.id}`) or a string
 *    made of such references, the stand-in is computed from the referenced resource's own stand-ins,
 *    so the next plan sees exactly the value it evaluates again ("exact");
 *  - anything else (a computed-only attribute, a function call) gets a deterministic placeholder of the
 *    right type ("approximate"). A replacement is blamed on the new synth only if one of the paths that
 *    force it was exact, or its configuration changed; see `isRealReplacement`.
 */
import { createHash } from "node:crypto";

/** `terraform show -json <plan>` as far as this file reads it. */
export interface PlanJson {
  readonly terraform_version: string;
  readonly planned_values?: { root_module?: { resources?: PlannedValue[] } };
  readonly resource_changes?: ResourceChange[];
}

interface PlannedValue {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly provider_name: string;
  readonly values?: Record<string, unknown>;
}

export interface ResourceChange {
  readonly address: string;
  readonly mode: string;
  readonly type: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly after_unknown?: unknown;
    readonly before?: unknown;
    readonly after?: unknown;
    readonly replace_paths?: readonly (readonly (string | number)[])[];
  };
  readonly action_reason?: string;
}

/** `terraform providers schema -json`, for the resource types' attribute types and schema versions. */
export interface ProviderSchemas {
  readonly provider_schemas: Record<string, { resource_schemas: Record<string, ResourceSchema> }>;
}

interface ResourceSchema {
  readonly version: number;
  readonly block: SchemaBlock;
}

interface SchemaBlock {
  readonly attributes?: Record<string, { type?: unknown; nested_type?: unknown; optional?: boolean; computed?: boolean }>;
  readonly block_types?: Record<string, { nesting_mode: string; block: SchemaBlock }>;
}

/** The synthesized stack JSON (cdk.tf.json), for the configuration of each resource. */
export interface StackConfig {
  readonly resource?: Record<string, Record<string, Record<string, unknown>>>;
}

type Path = readonly (string | number)[];

export interface SimulatedState {
  /** A version-4 state file, as `terraform.tfstate` holds it. */
  readonly state: Record<string, unknown>;
  /** Per resource address, the paths (joined with "/") that got an approximate stand-in. */
  readonly approximate: ReadonlyMap<string, ReadonlySet<string>>;
  /** Per resource address, the configuration it was applied with (to tell a changed one from an artifact). */
  readonly configuration: ReadonlyMap<string, Readonly<Record<string, unknown>>>;
}

const SIMULATED_ACCOUNT = "123456789012";
const TRAVERSAL = /^([a-z0-9_]+)\.([A-Za-z0-9_-]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)$/;
const EMBEDDED = /\$\{([^{}]*)\}/g;

/** Applies a plan in imagination: the state it would leave, with stand-ins for what AWS would have decided. */
export function simulateApply(plan: PlanJson, schemas: ProviderSchemas, stack: StackConfig, region: string, previous?: SimulatedState): SimulatedState {
  const changes = new Map((plan.resource_changes ?? []).map((c) => [c.address, c]));
  const planned = (plan.planned_values?.root_module?.resources ?? []).filter((r) => r.mode === "managed");
  const byAddress = new Map(planned.map((r) => [r.address, r]));
  const values = new Map<string, Record<string, unknown>>();
  const approximate = new Map<string, Set<string>>();
  const configuration = new Map<string, Record<string, unknown>>();
  const resourceSchema = (type: string, provider: string) => schemas.provider_schemas[provider]?.resource_schemas[type];

  // Attributes some configuration reads (`aws_budgets_budget.x.account_id`): an optional one AWS fills
  // in must get a stand-in, or the next plan would find null where AWS puts a value.
  const referenced = new Set<string>();
  for (const match of JSON.stringify(stack.resource ?? {}).matchAll(/\$\{[^}]*?\b([a-z0-9_]+\.[A-Za-z0-9_-]+\.[a-z0-9_]+)/g)) referenced.add(match[1]);
  const visiting = new Set<string>();
  const settle = (address: string): Record<string, unknown> | undefined => {
    const known = values.get(address);
    if (known) return known;
    const resource = byAddress.get(address);
    if (!resource || visiting.has(address)) return undefined;
    visiting.add(address);
    const config = configOf(stack, resource.type, resource.name);
    configuration.set(address, config);
    const schema = resourceSchema(resource.type, resource.provider_name);
    const unknown = changes.get(address)?.change.after_unknown;
    const filled = structuredClone(resource.values ?? {}) as Record<string, unknown>;
    const approximated = new Set<string>();
    const unchanged = (changes.get(address)?.change.actions ?? []).every((a) => a === "no-op" || a === "read");
    // A resource the plan left alone keeps the stand-ins it had, and their standing.
    if (unchanged) for (const path of previous?.approximate.get(address) ?? []) approximated.add(path);
    forEachUnknown(unknown, [], (path) => {
      const fromConfig = standInFromConfig(valueAtConfig(config, path), (reference) => resolveTraversal(reference, settle));
      if (fromConfig !== undefined) {
        assign(filled, path, fromConfig);
        return;
      }
      const attribute = attributeAt(schema?.block, path);
      // An optional attribute the configuration leaves out is AWS's default: none is as good a guess as
      // any, and it passes the provider's checks (ids are the exception: every resource has one).
      const leftToAws = attribute.optional && attribute.computed && path[path.length - 1] !== "id" && !Array.isArray(attribute.type) && !referenced.has(`${address}.${path[0]}`);
      assign(filled, path, leftToAws ? null : placeholder(attribute.type, address, path, region));
      approximated.add(path.join("/"));
    });
    values.set(address, filled);
    if (approximated.size > 0) approximate.set(address, approximated);
    visiting.delete(address);
    return filled;
  };
  for (const resource of planned) settle(resource.address);

  const state = {
    version: 4,
    terraform_version: plan.terraform_version,
    serial: 1,
    lineage: "00000000-0000-4000-8000-000000000000",
    outputs: {},
    resources: planned.map((r) => ({
      mode: "managed",
      type: r.type,
      name: r.name,
      provider: `provider["${r.provider_name}"]`,
      instances: [{ schema_version: resourceSchema(r.type, r.provider_name)?.version ?? 0, attributes: values.get(r.address), sensitive_attributes: [], dependencies: [] }],
    })),
  };
  return { state, approximate, configuration };
}

/**
 * Whether a planned replacement or deletion is the new synth's doing. A deletion always is. A
 * replacement is, unless every path that forces it held an approximate stand-in and the resource's
 * configuration is the same as when it was applied: then only the simulation's guess differs.
 */
export function isRealReplacement(change: ResourceChange, previous: SimulatedState, stack: StackConfig): boolean {
  const { actions } = change.change;
  if (!actions.includes("delete")) return false;
  if (!actions.includes("create")) return true;
  const paths = change.change.replace_paths ?? [];
  const approximated = previous.approximate.get(change.address) ?? new Set<string>();
  const before = previous.configuration.get(change.address);
  const [type, name] = [change.type, change.address.slice(change.type.length + 1)];
  const after = configOf(stack, type, name);
  const sameConfig = (path: Path) => JSON.stringify(valueAtConfig(before ?? {}, path)) === JSON.stringify(valueAtConfig(after, path));
  if (paths.length === 0) return true;
  return paths.some((path) => !approximated.has(path.join("/")) || !sameConfig(path));
}

/** Replacements and deletions a plan makes of resources that exist, with the paths that force them. */
export function destructiveChanges(plan: PlanJson): ResourceChange[] {
  return (plan.resource_changes ?? []).filter((c) => c.mode === "managed" && c.change.actions.includes("delete"));
}

function configOf(stack: StackConfig, type: string, name: string): Record<string, unknown> {
  const { "//": _metadata, ...config } = (stack.resource?.[type]?.[name] ?? {}) as Record<string, unknown>;
  return config;
}

function forEachUnknown(unknown: unknown, path: (string | number)[], visit: (path: Path) => void): void {
  if (unknown === true) visit(path);
  else if (Array.isArray(unknown)) unknown.forEach((item, i) => forEachUnknown(item, [...path, i], visit));
  else if (unknown && typeof unknown === "object") for (const [key, item] of Object.entries(unknown)) forEachUnknown(item, [...path, key], visit);
}

/** The configuration value at a state path; cdktf writes a single nested block as an object, the state as a list. */
function valueAtConfig(config: unknown, path: Path): unknown {
  let node = config;
  for (const key of path) {
    if (typeof key === "number") {
      if (Array.isArray(node)) node = node[key];
      else if (key !== 0) return undefined;
    } else {
      if (Array.isArray(node)) node = node.length === 1 ? node[0] : undefined;
      node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
    }
  }
  return node;
}

/**
 * The value Terraform would compute for a configuration value from the stand-ins of what it references,
 * when that needs no function call: a reference, a string of references, or a list of those.
 */
function standInFromConfig(config: unknown, resolve: (traversal: string) => unknown): unknown {
  if (Array.isArray(config)) {
    const items = config.map((item) => standInFromConfig(item, resolve));
    return items.every((item) => item !== undefined) ? items : undefined;
  }
  if (typeof config !== "string" || !config.includes("${")) return undefined;
  const whole = /^\$\{([^{}]*)\}$/.exec(config);
  if (whole) return TRAVERSAL.test(whole[1]) ? resolve(whole[1]) : undefined;
  let failed = false;
  const text = config.replace(EMBEDDED, (_match, inner: string) => {
    const value = TRAVERSAL.test(inner) ? resolve(inner) : undefined;
    if (typeof value !== "string" && typeof value !== "number") failed = true;
    return String(value);
  });
  return failed || text.includes("${") ? undefined : text;
}

function resolveTraversal(traversal: string, settle: (address: string) => Record<string, unknown> | undefined): unknown {
  const match = TRAVERSAL.exec(traversal);
  if (!match || ["var", "local", "data", "module"].includes(match[1])) return undefined;
  let node: unknown = settle(`${match[1]}.${match[2]}`);
  for (const step of match[3].match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    if (node === undefined || node === null) return undefined;
    node = step.startsWith("[") ? (node as unknown[])[Number(step.slice(1, -1))] : (node as Record<string, unknown>)[step.slice(1)];
  }
  return node;
}

function assign(target: Record<string, unknown>, path: Path, value: unknown): void {
  let node: Record<string | number, unknown> = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    if (node[key] === undefined || node[key] === null) node[key] = typeof path[i + 1] === "number" ? [] : {};
    node = node[key] as Record<string | number, unknown>;
  });
}

/** The cty type of the value at a state path, and the flags of the attribute holding it, from the resource's schema. */
function attributeAt(block: SchemaBlock | undefined, path: Path): { type: unknown; optional?: boolean; computed?: boolean } {
  let current: SchemaBlock | undefined = block;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (typeof key === "number") continue;
    const attribute = current?.attributes?.[key];
    if (attribute) return { type: descend(attribute.type, path.slice(i + 1)), optional: attribute.optional && i === path.length - 1, computed: attribute.computed };
    const nested = current?.block_types?.[key];
    if (!nested) return { type: undefined };
    current = nested.block;
    if (i === path.length - 1) return { type: ["list", ["object", objectOf(current)]] };
    if (i === path.length - 2 && typeof path[i + 1] === "number") return { type: ["object", objectOf(current)] };
  }
  return { type: undefined };
}

function objectOf(block: SchemaBlock): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(block.attributes ?? {})) fields[name] = attribute.type ?? "dynamic";
  for (const [name, nested] of Object.entries(block.block_types ?? {})) fields[name] = ["list", ["object", objectOf(nested.block)]];
  return fields;
}

/** The element type below a cty type, following a path of list indexes, map keys and object fields. */
function descend(type: unknown, path: Path): unknown {
  let current = type;
  for (const key of path) {
    if (!Array.isArray(current)) return undefined;
    const [kind, inner] = current as [string, unknown];
    if (kind === "object") current = (inner as Record<string, unknown>)[String(key)];
    else current = inner;
  }
  return current;
}

/** A stand-in of the right type: one element in collections, so that `[0]` and `element(x, 0)` still evaluate. */
function placeholder(type: unknown, address: string, path: Path, region: string): unknown {
  const name = String([...path].reverse().find((p) => typeof p === "string") ?? "value");
  if (type === "string" || type === undefined) return standInString(name, address, path, region);
  if (type === "number") return 1;
  if (type === "bool") return false;
  if (!Array.isArray(type)) return null;
  const [kind, inner] = type as [string, unknown];
  if (kind === "list" || kind === "set") return [placeholder(inner, address, [...path, 0], region)];
  if (kind === "map") return {};
  if (kind === "object") {
    return Object.fromEntries(Object.entries(inner as Record<string, unknown>).map(([field, fieldType]) => [field, placeholder(fieldType, address, [...path, field], region)]));
  }
  return null;
}

/** EC2-style id prefixes the provider checks ids against, by resource type (for `id`) and by attribute name. */
const ID_PREFIX_BY_TYPE: Record<string, string> = {
  aws_vpc: "vpc",
  aws_subnet: "subnet",
  aws_security_group: "sg",
  aws_default_security_group: "sg",
  aws_internet_gateway: "igw",
  aws_nat_gateway: "nat",
  aws_eip: "eipalloc",
  aws_route_table: "rtb",
  aws_route_table_association: "rtbassoc",
  aws_instance: "i",
  aws_launch_template: "lt",
  aws_network_interface: "eni",
  aws_vpc_endpoint: "vpce",
  aws_flow_log: "fl",
  aws_vpc_security_group_ingress_rule: "sgr",
  aws_vpc_security_group_egress_rule: "sgr",
};
const ID_PREFIX_BY_ATTRIBUTE: Record<string, string> = {
  vpc_id: "vpc",
  subnet_id: "subnet",
  security_group_id: "sg",
  cluster_security_group_id: "sg",
  default_security_group_id: "sg",
  network_interface_id: "eni",
  primary_network_interface_id: "eni",
  allocation_id: "eipalloc",
  association_id: "eipassoc",
  route_table_id: "rtb",
  main_route_table_id: "rtb",
  default_route_table_id: "rtb",
  default_network_acl_id: "acl",
  instance: "i",
  launch_template_id: "lt",
  security_group_rule_id: "sgr",
};

function standInString(name: string, address: string, path: Path, region: string): string {
  const digest = createHash("sha256").update(`${address}/${path.join("/")}`).digest("hex");
  const type = address.split(".")[0];
  if (name === "arn" || name.endsWith("_arn")) return `arn:aws:${type.replace(/^aws_/, "").split("_")[0]}:${region}:${SIMULATED_ACCOUNT}:${type}/sim-${digest.slice(0, 12)}`;
  if (name === "owner_id" || name === "account_id") return SIMULATED_ACCOUNT;
  if (name.endsWith("_date") || name.endsWith("_at") || name === "create_date") return "2026-01-01T00:00:00Z";
  if (["issuer", "endpoint", "url"].some((word) => name === word || name.endsWith(`_${word}`))) return `https://sim-${digest.slice(0, 12)}.example.com/`;
  const prefix = name === "id" ? ID_PREFIX_BY_TYPE[type] : ID_PREFIX_BY_ATTRIBUTE[name];
  if (prefix) return `${prefix}-${digest.slice(0, 17)}`;
  if (name === "key_id" || (name === "id" && type === "aws_kms_key")) return `${digest.slice(0, 8)}-${digest.slice(8, 12)}-4${digest.slice(13, 16)}-8${digest.slice(17, 20)}-${digest.slice(20, 32)}`;
  return `sim-${digest.slice(0, 12)}`;
}
