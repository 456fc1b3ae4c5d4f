/**
 * Environments stamped from a template. A class's learners have environments that differ in a few values
 * only: the learner's id (in the stack and resource names and the Learner tag) and, in account isolation,
 * their account's id (in the role the providers assume) or, in tag isolation, the octets of their VPC block
 * (`10.7.` of 10.7.0.0/16, which every address in it starts with). cdktf spends about 120 ms of CPU on each
 * environment with every week on, most of it resolving tokens, so a class of 1,000 took 151 s to synthesize.
 * Here, environments of one shape are built by cdktf once, with stand-in values, and each learner's files
 * are that template with the stand-ins replaced by their own values.
 *
 * Proven per shape, not assumed. The first learner of each shape is built by cdktf too, and the template
 * stamped with that learner's values must equal it byte for byte: every file of its stacks' folders, its
 * manifest entries, and its record (generated files, outputs, runbook steps, diagram flows). If anything
 * differs (a module that hashes, shortens or changes the case of a name; a zip that holds one), every
 * learner of that shape is built by cdktf, as without stamping. The learners' guides are stamped and checked
 * the same way, page for page (GuideStamp in lib/runbooks).
 *
 * What makes a shape: the environment with its values taken out, and each value's length and kind of
 * character at each position (a-z, A-Z, 0-9; any other character as itself). Code whose path depends on a
 * length or on which kind of character stands where takes the same path for every learner of a shape. A
 * stand-in differs from the checked learner's value at every position, so a derived form of it (a prefix,
 * a hash, upper case) shows up as a difference. Values with characters other than letters, digits, `.`,
 * `_` and `-` are never stamped: some of the languages the stacks embed (JSON, shell, HCL) would escape
 * them, and a plain replacement would be wrong there.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { addManifestStacks, manifestStacks } from "./cdktf-adapter";
import { environmentRecord, stackNamesOf, type EnvironmentRecord } from "./environment";
import type { StudyEnvironment } from "./module";

/** An environment and the values that make it a learner's own (lib/classroom/plan.ts learnerValues). */
export interface StampCandidate {
  readonly environment: StudyEnvironment;
  readonly values: readonly string[];
}

/** Environments of one shape: the template is built with the stand-ins, and its first member is checked against it. */
export interface StampGroup {
  /** Indices into the candidates, in their order; the first is built by cdktf and checked. */
  readonly members: readonly number[];
  readonly standIns: readonly string[];
  /** The shape's environment with the stand-ins for values. */
  readonly template: StudyEnvironment;
}

/** Fewer learners of a shape than this are built by cdktf: the template and the check cost two builds. */
export const MIN_STAMP_GROUP = 3;

const PLAIN_VALUE = /^[A-Za-z0-9._-]+$/;

const kindAt = (c: string) => (c >= "a" && c <= "z" ? "a" : c >= "A" && c <= "Z" ? "A" : c >= "0" && c <= "9" ? "9" : c);

/**
 * For each position of the checked learner's value, a character of the same kind that differs from it
 * (`offset` picks among them). Digits are 1 or 2, so that a stand-in for octets of an address is one too
 * (at most 222).
 */
function standInFor(value: string, offset: number): string {
  const choices: Record<string, string> = { a: "zqxjvw", A: "ZQXJVW", "9": "21" };
  return [...value]
    .map((c) => {
      const options = choices[kindAt(c)];
      if (!options) return c;
      const usable = [...options].filter((o) => o !== c);
      return usable[offset % usable.length];
    })
    .join("");
}

const PLACEHOLDER = (i: number) => `\u0000${i}\u0000`;

/** The environment as JSON with each value replaced by its placeholder; undefined where values cannot be told apart. */
function shapeOf(candidate: StampCandidate): string | undefined {
  const { values } = candidate;
  if (values.length === 0 || values.some((v) => !PLAIN_VALUE.test(v))) return undefined;
  // No value may hold another, or the placeholders would not say which was where.
  if (values.some((v, i) => values.some((w, j) => i !== j && (v.includes(w) || w.includes(v))))) return undefined;
  const json = JSON.stringify(candidate.environment);
  const shape = replaceAll(json, values, values.map((_, i) => PLACEHOLDER(i)));
  return replaceAll(shape, values.map((_, i) => PLACEHOLDER(i)), values) === json ? shape : undefined;
}

/** Replaces every occurrence of each `from` with its `to` in one pass (longest first), so nothing replaced is read again. */
export function replaceAll(text: string, from: readonly string[], to: readonly string[]): string {
  if (from.length === 0) return text;
  const order = from.map((_, i) => i).sort((a, b) => from[b].length - from[a].length);
  const pattern = new RegExp(order.map((i) => from[i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  const byText = new Map(from.map((f, i) => [f, to[i]]));
  return text.replace(pattern, (found) => byText.get(found)!);
}

/**
 * Groups the candidates by shape. `reserved` are names no template may take (every environment's name), so a
 * template's stacks never meet a learner's; `occurs` says whether a text is in what every stack is built from
 * (the config), where a stand-in would be replaced too: such a stand-in is not taken (the check would refuse it).
 */
export function planStamps(candidates: readonly StampCandidate[], reserved: ReadonlySet<string> = new Set(), occurs: (text: string) => boolean = () => false): StampGroup[] {
  const byShape = new Map<string, number[]>();
  candidates.forEach((candidate, index) => {
    const shape = shapeOf(candidate);
    if (shape === undefined) return;
    const key = `${shape}\u0001${candidate.values.map((v) => [...v].map(kindAt).join("")).join("\u0001")}`;
    const members = byShape.get(key);
    if (members) members.push(index);
    else byShape.set(key, [index]);
  });
  const groups: StampGroup[] = [];
  const taken = new Set(reserved);
  for (const members of byShape.values()) {
    if (members.length < MIN_STAMP_GROUP) continue;
    const checked = candidates[members[0]];
    // The first choice of stand-ins that nothing in the config has, for a template whose name no environment and
    // no other template has (they share the probe's app).
    const choice = [0, 1, 2, 3, 4]
      .map((offset) => {
        const standIns = checked.values.map((v) => standInFor(v, offset));
        return { standIns, template: JSON.parse(replaceAll(JSON.stringify(checked.environment), checked.values, standIns)) as StudyEnvironment };
      })
      .find(({ standIns, template }) => !taken.has(template.name) && standIns.every((s) => !occurs(s)));
    if (!choice) continue;
    const { standIns, template } = choice;
    taken.add(template.name);
    groups.push({ members, standIns, template });
  }
  return groups;
}

// ---- what a stamp is made of -----------------------------------------------------------------------

/** An environment's output: its stacks' folders' files (by path below the output folder), manifest entries, record. */
export interface EnvironmentOutput {
  readonly files: ReadonlyMap<string, Buffer | string>;
  /** The manifest's entries of its stacks, by stack name. */
  readonly manifest: Readonly<Record<string, unknown>>;
  readonly record: EnvironmentRecord;
}

/** Stack files read as text (and stamped); everything else in a stack's folder (the zips) is copied as it is. */
const isText = (path: string) => path.endsWith(".json");

export function readEnvironmentOutput(outdir: string, record: EnvironmentRecord, manifest: Readonly<Record<string, unknown>>): EnvironmentOutput {
  const files = new Map<string, Buffer | string>();
  const stackNames = stackNamesOf(record);
  const visit = (relative: string) => {
    const absolute = join(outdir, ...relative.split("/"));
    if (statSync(absolute).isDirectory()) {
      for (const entry of readdirSync(absolute).sort()) visit(`${relative}/${entry}`);
    } else files.set(relative, isText(relative) ? readFileSync(absolute, "utf8") : readFileSync(absolute));
  };
  for (const stack of stackNames) visit(`stacks/${stack}`);
  return { files, manifest: Object.fromEntries(stackNames.map((name) => [name, manifest[name]])), record: environmentRecord(record) };
}

/** Thrown for a record holding something other than data: its shape is built by cdktf. */
class NotData extends Error {}

/** `value` (data: strings, numbers, arrays, plain objects, Maps) with `replace` applied to every string in it, keys too. */
export function substituteData<T>(value: T, replace: (text: string) => string): T {
  if (typeof value === "string") return replace(value) as T;
  if (value === null || value === undefined || typeof value === "number" || typeof value === "boolean") return value;
  if (value instanceof Map) return new Map([...value].map(([k, v]) => [substituteData(k, replace), substituteData(v, replace)])) as T;
  if (Array.isArray(value)) return value.map((v) => substituteData(v, replace)) as T;
  if (typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [replace(k), substituteData(v, replace)])) as T;
  }
  throw new NotData(`not data: ${typeof value}`);
}

/** The template's output with its stand-ins replaced by `values`: a learner's output, for `environment`. */
export function stampOutput(template: EnvironmentOutput, standIns: readonly string[], values: readonly string[], environment: StudyEnvironment): EnvironmentOutput {
  const replace = (text: string) => replaceAll(text, standIns, values);
  const files = new Map<string, Buffer | string>();
  for (const [path, content] of template.files) files.set(replace(path), typeof content === "string" ? replace(content) : content);
  const manifest = JSON.parse(replace(JSON.stringify(template.manifest))) as Record<string, unknown>;
  const { environment: _template, ...rest } = template.record;
  return { files, manifest, record: { environment, ...substituteData(rest, replace) } };
}

/** One text for the whole output (a Map as its entries, bytes as base64), for the byte-for-byte check. */
function canonical(output: EnvironmentOutput): string {
  const files = [...output.files].map(([path, content]) => [path, typeof content === "string" ? `text:${content}` : `bytes:${content.toString("base64")}`]);
  return JSON.stringify({ files, manifest: output.manifest, record: output.record }, (_key, value: unknown) => (value instanceof Map ? { map: [...value] } : value));
}

/** Whether the template, stamped with the checked learner's values, is exactly what cdktf wrote for that learner. */
export function stampMatches(template: EnvironmentOutput, group: StampGroup, checked: StampCandidate, built: EnvironmentOutput): boolean {
  try {
    return canonical(stampOutput(template, group.standIns, checked.values, checked.environment)) === canonical(built);
  } catch (error) {
    if (error instanceof NotData) return false;
    throw error;
  }
}

/** A shape whose template passed the check: its output, ready to stamp, and what `inspect` read of it. */
export interface ProvenStamp<T = unknown> {
  readonly group: StampGroup;
  readonly template: EnvironmentOutput;
  readonly inspected: T;
}

/**
 * Builds each group's template and its first member with `synthesize` (a cdktf app of their own, written
 * into `probeDir`, which is removed afterwards) and keeps the groups whose template, stamped with that
 * member's values, is what cdktf wrote for it. `inspect` reads what else is needed of a template's stacks
 * before the folder goes (the runbooks' inventory).
 */
export function proveStamps<T>(
  groups: readonly StampGroup[],
  candidates: readonly StampCandidate[],
  probeDir: string,
  synthesize: (outdir: string, environments: readonly StudyEnvironment[]) => readonly EnvironmentRecord[],
  inspect: (outdir: string, template: EnvironmentRecord) => T,
): ProvenStamp<T>[] {
  if (groups.length === 0) return [];
  try {
    let built: readonly EnvironmentRecord[];
    try {
      built = synthesize(probeDir, groups.flatMap((g) => [g.template, candidates[g.members[0]].environment]));
    } catch (error) {
      // A template a module refuses to build (a stand-in it rejects): every learner is built, and an error of
      // their own environments shows there. The machine's errors (a full disk, an interrupt) are not that.
      if ((error as NodeJS.ErrnoException).code !== undefined || (error as Error).name === "SynthInterruptedError") throw error;
      return [];
    }
    const manifest = manifestStacks(probeDir);
    return groups.flatMap((group, i) => {
      const template = readEnvironmentOutput(probeDir, built[2 * i], manifest);
      const checked = readEnvironmentOutput(probeDir, built[2 * i + 1], manifest);
      return stampMatches(template, group, candidates[group.members[0]], checked) ? [{ group, template, inspected: inspect(probeDir, built[2 * i]) }] : [];
    });
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}

/** The members each proven stamp covers (all but the first, which cdktf builds). */
export function stampedMembers(proven: readonly ProvenStamp[]): ReadonlySet<number> {
  return new Set(proven.flatMap((p) => p.group.members.slice(1)));
}

/**
 * Writes every stamped member's stack folders into `outdir` (beside what cdktf wrote there) and adds their
 * stacks to its manifest. Returns their records, by candidate index.
 */
export function writeStamps(outdir: string, proven: readonly ProvenStamp[], candidates: readonly StampCandidate[]): Map<number, EnvironmentRecord> {
  const records = new Map<number, EnvironmentRecord>();
  const manifest: Record<string, unknown> = {};
  for (const { group, template } of proven) {
    for (const index of group.members.slice(1)) {
      const { environment, values } = candidates[index];
      const output = stampOutput(template, group.standIns, values, environment);
      for (const [path, content] of output.files) {
        const target = join(outdir, ...path.split("/"));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, content);
      }
      Object.assign(manifest, output.manifest);
      records.set(index, output.record);
    }
  }
  if (records.size > 0) addManifestStacks(outdir, manifest);
  return records;
}
