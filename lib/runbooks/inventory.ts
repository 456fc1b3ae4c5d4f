/**
 * What synth actually produced, read back from the staged `cdk.tf.json` files: every resource with
 * the module that created it (the second segment of its construct path, e.g.
 * `devops-weeks-dev/network/vpc` -> `network`) and the resources it references. Runbooks are built
 * from this, never from what a module is expected to create, so they stay right as modules change.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface StackResource {
  /** Stack directory name, e.g. `devops-weeks-dev` or `devops-weeks-dev-k8s`. */
  readonly stack: string;
  readonly type: string;
  /** Logical name in the stack JSON (`network_vpc_4E8F0223`). */
  readonly logicalId: string;
  /** `<type>.<logicalId>`, as Terraform references it. */
  readonly address: string;
  /** Module id from the construct path, or undefined for stack-level resources. */
  readonly moduleId?: string;
  /** Construct path below the module, e.g. `bastion/instance`. */
  readonly localPath: string;
  /** The resource's arguments as synthesized (without the `//` metadata). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Addresses of the resources this one references through `${type.name.attr}` expressions. */
  readonly references: readonly string[];
}

export interface StackInventory {
  readonly stack: string;
  readonly resources: readonly StackResource[];
  readonly outputs: Readonly<Record<string, { value: unknown; description?: string }>>;
}

export interface Inventory {
  readonly stacks: readonly StackInventory[];
  readonly resources: readonly StackResource[];
  byAddress(stack: string, address: string): StackResource | undefined;
}

const REFERENCE = /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)[.[}]/g;

export function readInventory(stagingDir: string, stackNames: readonly string[]): Inventory {
  const stacks = stackNames
    .filter((name) => existsSync(stackFile(stagingDir, name)))
    .map((name) => readStack(name, JSON.parse(readFileSync(stackFile(stagingDir, name), "utf8")) as StackJsonLike));
  const index = new Map<string, StackResource>();
  for (const stack of stacks) for (const resource of stack.resources) index.set(`${stack.stack}\u0000${resource.address}`, resource);
  return {
    stacks,
    resources: stacks.flatMap((s) => s.resources),
    byAddress: (stack, address) => index.get(`${stack}\u0000${address}`),
  };
}

function stackFile(stagingDir: string, name: string): string {
  return join(stagingDir, "stacks", name, "cdk.tf.json");
}

interface StackJsonLike {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; description?: string }>;
}

function readStack(stack: string, json: StackJsonLike): StackInventory {
  const resources: StackResource[] = [];
  for (const [type, byName] of Object.entries(json.resource ?? {}).sort(([a], [b]) => compare(a, b))) {
    for (const [logicalId, body] of Object.entries(byName).sort(([a], [b]) => compare(a, b))) {
      const { "//": metadata, ...config } = body as { "//"?: { metadata?: { path?: string } } } & Record<string, unknown>;
      const segments = (metadata?.metadata?.path ?? "").split("/");
      resources.push({
        stack,
        type,
        logicalId,
        address: `${type}.${logicalId}`,
        moduleId: segments.length > 2 ? segments[1] : undefined,
        localPath: segments.slice(2).join("/"),
        config,
        references: referencesIn(config),
      });
    }
  }
  return { stack, resources, outputs: json.output ?? {} };
}

/** Addresses referenced anywhere inside a value (`${aws_subnet.x.id}` -> `aws_subnet.x`). */
export function referencesIn(value: unknown): string[] {
  const found = new Set<string>();
  const visit = (node: unknown) => {
    if (typeof node === "string") {
      for (const match of node.matchAll(REFERENCE)) if (match[1] !== "var" && match[1] !== "local" && match[1] !== "data") found.add(`${match[1]}.${match[2]}`);
    } else if (Array.isArray(node)) node.forEach(visit);
    else if (node && typeof node === "object") Object.values(node).forEach(visit);
  };
  visit(value);
  return [...found].sort(compare);
}

/** A plain string argument, or undefined when it is missing or only known at apply time. */
export function literal(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  return typeof value === "string" && !value.includes("${") ? value : undefined;
}

/** A name AWS completes (`bucket_prefix`), shown with a trailing `*`. */
export function prefixed(value: unknown): string | undefined {
  const prefix = literal(value);
  return prefix ? `${prefix}*` : undefined;
}

/** Reads a nested argument that cdktf may have written as an object or a one-element list. */
export function argument(config: Readonly<Record<string, unknown>>, ...path: string[]): unknown {
  let node: unknown = config;
  for (const key of path) {
    if (Array.isArray(node)) node = node[0];
    node = node && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined;
  }
  return Array.isArray(node) && node.length === 1 && typeof node[0] === "object" ? node[0] : node;
}

export function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
