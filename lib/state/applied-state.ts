/**
 * What Terraform recorded the last time a stack was applied from this machine: its local state file
 * (lib/state/backend.ts puts it beside out/). Some changes an apply cannot make in place (EKS sets
 * `bootstrap_cluster_creator_admin_permissions` only when it creates a cluster), and synth can
 * refuse them before a plan would replace what they belong to. With the s3 backend the state is in
 * the bucket and synth does not read it: `remote`. Reading never fails a synth: a file that is missing
 * means nothing was applied yet, one that cannot be read or parsed is `unreadable` and Terraform will
 * report it itself at the next plan.
 */
import { readFileSync } from "node:fs";
import { localStateFile, type ResolvedState } from "./backend";

/** One object of a resource in the state: its attributes as the provider last read them. */
export interface StateInstance {
  readonly attributes: Readonly<Record<string, unknown>>;
}

export type AppliedState =
  /** The s3 backend: the state is in the bucket, which synth does not read. */
  | { readonly kind: "remote" }
  /** No state file: nothing of this stack was applied from this machine. */
  | { readonly kind: "none"; readonly file: string }
  /** A file is there but is not a state synth can read (permissions, not JSON, another format version). */
  | { readonly kind: "unreadable"; readonly file: string; readonly reason: string }
  | { readonly kind: "local"; readonly file: string; readonly resources: readonly StateResource[] };

export interface StateResource {
  readonly mode: string;
  readonly type: string;
  readonly name: string;
  readonly instances: readonly StateInstance[];
}

/** The state file of one stack, read from disk: the only function here that touches the file system. */
export function readStateFile(file: string): AppliedState {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "none", file };
    return { kind: "unreadable", file, reason: code ?? (error as Error).message };
  }
  // Terraform reads an empty state file as no state at all.
  if (text.trim() === "") return { kind: "none", file };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: "unreadable", file, reason: "not JSON" };
  }
  const state = parsed as { version?: unknown; resources?: unknown };
  if (typeof state !== "object" || state === null || state.version !== 4 || !Array.isArray(state.resources)) {
    return { kind: "unreadable", file, reason: "not a Terraform state of format version 4" };
  }
  return { kind: "local", file, resources: state.resources.filter(isResource).map(resourceOf) };
}

/**
 * The current objects of a managed resource type: neither a deposed object nor a tainted one, which
 * the next apply replaces whatever the config says.
 */
export function currentInstances(state: AppliedState, type: string): readonly StateInstance[] {
  if (state.kind !== "local") return [];
  return state.resources
    .filter((r) => r.mode === "managed" && r.type === type)
    .flatMap((r) => r.instances)
    .filter((instance) => {
      const raw = instance as StateInstance & { status?: unknown; deposed?: unknown };
      return raw.status !== "tainted" && raw.deposed === undefined;
    });
}

/**
 * For a synth's validation: a stack's applied state by name, each file read at most once; the backend
 * and out/ decide where it is. A file that cannot be read is named once through `notice`.
 */
export function appliedStateReader(state: Pick<ResolvedState, "backend">, outdir: string, notice: (line: string) => void): (stackName: string) => AppliedState {
  const read = new Map<string, AppliedState>();
  return (stackName) => {
    if (state.backend === "s3") return { kind: "remote" };
    let applied = read.get(stackName);
    if (!applied) {
      applied = readStateFile(localStateFile(outdir, stackName));
      read.set(stackName, applied);
      if (applied.kind === "unreadable") {
        notice(`${applied.file} could not be read (${applied.reason}): synth skips its checks against what was applied (such as eks.clusterCreatorIsAdmin); terraform plan will report the file`);
      }
    }
    return applied;
  };
}

function isResource(value: unknown): value is { mode: unknown; type: unknown; name: unknown; instances: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function resourceOf(raw: { mode: unknown; type: unknown; name: unknown; instances: unknown }): StateResource {
  const instances = Array.isArray(raw.instances)
    ? raw.instances.filter((i): i is StateInstance => typeof i === "object" && i !== null && typeof (i as { attributes?: unknown }).attributes === "object" && (i as { attributes?: unknown }).attributes !== null)
    : [];
  return { mode: String(raw.mode), type: String(raw.type), name: String(raw.name), instances };
}
