/**
 * Every use of cdktf beyond its public API lives in this file: deep imports (`cdktf/lib/...`), its
 * protected and private members, and the prototypes it patches. Everything else imports the package
 * root (`cdktf`, `constructs`) and the providers' public per-resource paths
 * (`@cdktf/provider-aws/lib/vpc`); test/foundation/cdktf-api.test.ts fails on anything else. Moving
 * to another cdktf (a new release, or the community fork CDK Terrain, `cdktn`, which keeps the API)
 * means checking this file alone: each use says what it relies on, and each degrades to cdktf's own
 * behaviour when what it relies on is not there.
 *
 * What is here:
 * 1. Token stack traces. cdktf records a full stack trace (unlimited depth, formatted through Node's
 *    source-map support when tsx runs the synth) for every token it creates: each attribute reference,
 *    list and map, thousands per environment, only to quote them in a few error messages. That was a
 *    third of a classroom synth's time. cdktf 0.21's `captureStackTrace` (lib/tokens/private/stack-trace.js,
 *    read at each call by the token classes) records nothing while synth runs.
 * 2. The preparing resolve. Before writing any stack, cdktf resolves every element of every stack once,
 *    only so that cross-stack references can add their outputs and remote-state data sources; then it
 *    resolves everything again to write it. This project's stacks take nothing from each other's state
 *    (the `-k8s` stack reads its cluster by name), so the first pass is skipped: a quarter of the synth.
 *    Should a module ever create a cross-stack reference, `fastSynth` sees the reference resolve in a
 *    stack other than its own (through the prototype of lib/tfExpression.js's `Reference`), and synth
 *    runs again the plain way, so the output is still right.
 * 3. `util.isArray` on Node 22+ (see `quietCdktfOnNewNode`).
 * 4. Logical ids of paths that no construct has (`logicalIdAt`), through the stack's protected
 *    `allocateLogicalId`, for `moved` blocks.
 * 5. The manifest (`manifest.json`, which the cdktf CLI reads to find the stacks): stacks stamped from a
 *    template (lib/core/environment-stamps.ts) are added to it in cdktf's own format, through the
 *    `json-stable-stringify` cdktf writes it with. Without that package, nothing is stamped.
 *
 * 1 and 2 are switched off only while synth runs, and DEVOPS_WEEKS_PLAIN_SYNTH=1 keeps cdktf's own
 * behaviour (e.g. to debug a token error). Neither changes a byte of the output.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type App, TerraformStack } from "cdktf";
import type { IConstruct } from "constructs";

interface StackTraceModule {
  captureStackTrace(below?: unknown): string[];
}

function cdktfStackTraceModule(): StackTraceModule | undefined {
  try {
    const loaded = require("cdktf/lib/tokens/private/stack-trace.js") as Partial<StackTraceModule>;
    return typeof loaded.captureStackTrace === "function" ? (loaded as StackTraceModule) : undefined;
  } catch {
    return undefined; // a cdktf without that file: nothing to switch off
  }
}

interface StackInternals {
  ensureBackendExists(): unknown;
}

interface ReferenceInternals {
  originStack?: unknown;
  resolve(context: { scope: IConstruct; preparing?: boolean }): unknown;
}

/** The prototype of cdktf's `Reference` (lib/tfExpression.js), the token of `resource.attr`-style references. */
function cdktfReferencePrototype(): ReferenceInternals | undefined {
  try {
    const { ref } = require("cdktf/lib/tfExpression.js") as { ref?: (identifier: string) => object };
    const prototype = ref ? (Object.getPrototypeOf(ref("x")) as Partial<ReferenceInternals>) : undefined;
    return typeof prototype?.resolve === "function" ? (prototype as ReferenceInternals) : undefined;
  } catch {
    return undefined;
  }
}

/** Runs `fn` (cdktf's usual behaviour) with cdktf's token stack traces off. */
export function withoutTokenStackTraces<T>(fn: () => T): T {
  const stackTraces = process.env.DEVOPS_WEEKS_PLAIN_SYNTH ? undefined : cdktfStackTraceModule();
  if (!stackTraces) return fn();
  const original = stackTraces.captureStackTrace;
  stackTraces.captureStackTrace = () => [];
  try {
    return fn();
  } finally {
    stackTraces.captureStackTrace = original;
  }
}

/**
 * cdktf 0.21 (archived) tests outputs with `util.isArray`, which Node 22.0+ deprecates at run time: each
 * synth on Node 24 printed "DeprecationWarning: The `util.isArray` API is deprecated" to the learner.
 * Node's own replacement is `Array.isArray`, the same function for every value cdktf passes; set here,
 * once, so that cdktf's call reaches it (and still works should a Node release remove `util.isArray`).
 */
function quietCdktfOnNewNode(): void {
  const util = require("node:util") as { isArray?: unknown };
  if (util.isArray !== Array.isArray) util.isArray = Array.isArray;
}

/**
 * Builds and synthesizes an app with savings 1 and 2 on. `build` creates a fresh App, its stacks, and
 * calls `app.synth()`; if the app turns out to use cross-stack references, `reset` clears what was
 * written and `build` runs again with cdktf's preparing resolve.
 */
export function fastSynth<T>(build: () => { app: App; result: T }, reset: () => void): T {
  quietCdktfOnNewNode();
  const reference = process.env.DEVOPS_WEEKS_PLAIN_SYNTH ? undefined : cdktfReferencePrototype();
  if (!reference) return build().result;
  return withoutTokenStackTraces(() => {
    const stackPrototype = TerraformStack.prototype as unknown as { prepareStack(): void };
    const prepareStack = stackPrototype.prepareStack;
    const resolveReference = reference.resolve;
    // cdktf turns a reference into a cross-stack one only in the preparing resolve; without it, the
    // reference would be written as if local. Watch for one, and synthesize again the plain way if seen.
    let crossStack = false;
    stackPrototype.prepareStack = function (this: StackInternals) {
      this.ensureBackendExists();
    };
    reference.resolve = function (this: ReferenceInternals, context) {
      if (this.originStack && this.originStack !== TerraformStack.of(context.scope)) crossStack = true;
      return resolveReference.call(this, context);
    };
    let result: T;
    try {
      result = build().result;
    } finally {
      stackPrototype.prepareStack = prepareStack;
      reference.resolve = resolveReference;
    }
    if (!crossStack) return result;
    reset();
    return build().result;
  });
}

/**
 * The logical id `stack` gives a resource at `path` (construct ids below the stack), whether or not a
 * construct is there now: what a resource had before it moved. Through the stack's own naming scheme,
 * the protected `allocateLogicalId`, which takes a construct node and reads only its `scopes`' ids.
 */
export function logicalIdAt(stack: TerraformStack, path: readonly string[]): string {
  const node = { scopes: [stack, ...path.map((id) => ({ node: { id } }))] } as unknown as IConstruct["node"];
  return (stack as unknown as { allocateLogicalId(node: IConstruct["node"]): string }).allocateLogicalId(node);
}

interface StableStringify {
  (value: unknown, options: { space: number }): string;
}

/** cdktf's own writer of manifest.json (lib/manifest.js: sorted keys, two spaces), or undefined if it cannot be loaded. */
function manifestWriter(): StableStringify | undefined {
  try {
    const cdktfRoot = dirname(require.resolve("cdktf/package.json"));
    const loaded = require(require.resolve("json-stable-stringify", { paths: [cdktfRoot] })) as unknown;
    return typeof loaded === "function" ? (loaded as StableStringify) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether stacks can be added to cdktf's manifest after its synth (else every stack is cdktf's to write). */
export function canAddManifestStacks(): boolean {
  return !process.env.DEVOPS_WEEKS_PLAIN_SYNTH && manifestWriter() !== undefined;
}

/** The manifest's stack entries, by stack name, as cdktf's synth wrote them into `outdir`. */
export function manifestStacks(outdir: string): Record<string, unknown> {
  return (JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> }).stacks;
}

/** Adds stack entries to the manifest in `outdir`, written as cdktf writes it. */
export function addManifestStacks(outdir: string, entries: Readonly<Record<string, unknown>>): void {
  const path = join(outdir, "manifest.json");
  const manifest = JSON.parse(readFileSync(path, "utf8")) as { stacks: Record<string, unknown> };
  Object.assign(manifest.stacks, entries);
  writeFileSync(path, manifestWriter()!(manifest, { space: 2 }));
}
