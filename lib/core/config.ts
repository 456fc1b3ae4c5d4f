/**
 * The study config: one YAML file at the repo root (`study.yaml`), validated once, here, with messages
 * that name the field, the bad value and what is expected. Module sections are validated by the
 * schemas the modules register, so a new week never touches this file.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { type ConfigProblem, StudyConfigError } from "./errors";
import { parseStudyYaml } from "./config-text";
import { validateState } from "../state/backend";
// The core fields' schema lives in ./core-settings, which the module contract can import without a circle.
import { coreSchema, type CoreConfig } from "./core-settings";
import type { AnyStudyModule, StudyEnvironment } from "./module";
import { knownZones } from "../aws/regions";
import { FIRST_WEEK, lastWeekOf, parseWeekSelection } from "./weeks";

export { coreSchema, type CoreConfig } from "./core-settings";

export const DEFAULT_CONFIG_FILE = "study.yaml";

export interface StudyConfig {
  readonly core: CoreConfig;
  /** Validated settings of every registered module, keyed by module id. */
  readonly settings: Readonly<Record<string, unknown>>;
  readonly weeks: readonly number[];
  readonly availabilityZones: readonly string[];
  /** Where the config came from, for messages. */
  readonly source: string;
}

export interface LoadOptions {
  /** Overrides `weeks` for one run, from the WEEKS environment variable. */
  readonly weeksOverride?: string;
}

export function loadConfigFile(path: string, registry: readonly AnyStudyModule[], options: LoadOptions = {}): StudyConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StudyConfigError(path, [{ field: "", value: path, expected: "a readable study config file (copy study.yaml from the repository)" }]);
  }
  // YAML with aliases bounded and loops refused; an empty or comments-only file means all defaults (lib/core/config-text.ts).
  const raw = parseStudyYaml(text, path);
  return parseConfig(raw, path, registry, options);
}

export function parseConfig(raw: unknown, source: string, registry: readonly AnyStudyModule[], options: LoadOptions = {}): StudyConfig {
  const schema = z.strictObject({
    ...coreSchema.shape,
    ...Object.fromEntries(registry.map((m) => [m.id, (m.settings as z.ZodType).prefault({})])),
  });
  // A key written with no value (`vpcLattice:` followed only by comments) is YAML's null: it means
  // "not set", so the defaults apply, as they do for a key left out.
  raw = withoutNullValues(raw);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new StudyConfigError(source, parsed.error.issues.flatMap((issue) => describeIssue(issue, raw, schema)));

  const { project, environment, region, availabilityZones, tags, weeks, runbooks, state, classroom, ...settings } = parsed.data as Record<string, unknown>;
  const core = { project, environment, region, availabilityZones, tags, weeks, runbooks, state, classroom } as CoreConfig;
  const problems: ConfigProblem[] = [...validateState(core.state)];

  const weekSource = options.weeksOverride !== undefined ? "WEEKS (environment variable)" : "weeks";
  const selection = parseWeekSelection(options.weeksOverride ?? core.weeks, registry);
  if (typeof selection === "string") problems.push({ field: weekSource, value: options.weeksOverride ?? core.weeks, expected: weekExpectation(selection, registry) });

  const zones = resolveZones(core, problems);
  if (problems.length > 0) throw new StudyConfigError(source, problems);
  return { core, settings, weeks: selection as number[], availabilityZones: zones, source };
}

function withoutNullValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullValues);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== null).map(([key, item]) => [key, withoutNullValues(item)]));
}

function weekExpectation(reason: string, registry: readonly AnyStudyModule[]): string {
  return reason === "at least one week" ? 'at least one week, such as "1" or "1-3,6"' : `weeks ${FIRST_WEEK}-${lastWeekOf(registry)} as a list or ranges such as "1-3,6" (${reason})`;
}

function resolveZones(core: CoreConfig, problems: ConfigProblem[]): string[] {
  const known = knownZones(core.region);
  if (typeof core.availabilityZones === "number") {
    if (!known) {
      problems.push({ field: "availabilityZones", value: core.availabilityZones, expected: `a list of AZ names: region ${core.region} is not in the built-in AZ table, so AZs cannot be picked for it` });
      return [];
    }
    if (core.availabilityZones > known.length) {
      problems.push({ field: "availabilityZones", value: core.availabilityZones, expected: `at most ${known.length} (the AZs of ${core.region}: ${known.join(", ")})` });
      return [];
    }
    return known.slice(0, core.availabilityZones);
  }
  core.availabilityZones.forEach((zone, index) => {
    const inRegion = known ? known.includes(zone) : new RegExp(`^${core.region}[a-z]$`).test(zone);
    if (!inRegion) {
      problems.push({ field: `availabilityZones[${index}]`, value: zone, expected: `an AZ of ${core.region}${known ? ` (${known.join(", ")})` : ` such as ${core.region}a`}` });
    }
  });
  if (new Set(core.availabilityZones).size !== core.availabilityZones.length) {
    problems.push({ field: "availabilityZones", value: core.availabilityZones, expected: "each AZ named once" });
  }
  return [...core.availabilityZones];
}

/** How many AZs the config asks for, whether it gives a count or a list. */
export function azCountOf(core: Pick<CoreConfig, "availabilityZones">): number {
  return typeof core.availabilityZones === "number" ? core.availabilityZones : core.availabilityZones.length;
}

/** The single environment of a non-classroom synth. */
export function defaultEnvironment(config: StudyConfig): StudyEnvironment {
  const name = `${config.core.project}-${config.core.environment}`;
  const network = config.settings["network"] as { vpcCidr?: string } | undefined;
  return {
    name,
    vpcCidr: network?.vpcCidr ?? "10.0.0.0/16",
    tags: { Project: config.core.project, Environment: config.core.environment, ManagedBy: "devops-weeks", ...config.core.tags },
  };
}

// ---- turning zod issues into learner-facing problems -------------------------------------------

type Issue = z.core.$ZodIssue;

function describeIssue(issue: Issue, raw: unknown, schema: z.ZodType): ConfigProblem[] {
  const field = formatPath(issue.path);
  const value = valueAt(raw, issue.path);
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map((key) => {
        const known = knownKeysAt(schema, issue.path);
        const suggestion = closest(key, known);
        return {
          field: formatPath([...issue.path, key]),
          value: valueAt(raw, [...issue.path, key]),
          expected: `no key "${key}" here${suggestion ? ` (did you mean "${suggestion}"?)` : ""}; known keys: ${known.join(", ")}`,
        };
      });
    case "invalid_type":
      return [{ field, value, expected: value === undefined ? `a value (${issue.expected})` : articleFor(issue.expected) }];
    case "invalid_value":
      return [{ field, value, expected: `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}` }];
    case "too_small":
      return [{ field, value, expected: issue.origin === "array" ? `at least ${issue.minimum} item(s)` : issue.origin === "string" ? `at least ${issue.minimum} character(s)` : `a number ${issue.inclusive === false ? ">" : ">="} ${issue.minimum}` }];
    case "too_big":
      return [{ field, value, expected: issue.origin === "array" ? `at most ${issue.maximum} item(s)` : issue.origin === "string" ? `at most ${issue.maximum} character(s)` : `a number ${issue.inclusive === false ? "<" : "<="} ${issue.maximum}` }];
    default:
      return [{ field, value, expected: issue.message }];
  }
}

function articleFor(type: string): string {
  if (type === "int") return "a whole number";
  if (type === "array") return "a list";
  if (type === "object" || type === "record") return "a mapping of keys to values";
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === "number" ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), "");
}

function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === "object" ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
}

/** Keys the schema accepts at a path, for "did you mean" suggestions on typos. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  for (const key of path) {
    node = unwrap(node);
    if (typeof key === "number") node = (node as z.ZodArray)?.element;
    else node = (node as z.ZodObject | undefined)?.shape?.[String(key)];
  }
  node = unwrap(node);
  return Object.keys((node as z.ZodObject | undefined)?.shape ?? {});
}

function unwrap(node: unknown): unknown {
  let current = node as { def?: { innerType?: unknown; in?: unknown } } | undefined;
  while (current?.def && (current.def.innerType || current.def.in)) current = (current.def.innerType ?? current.def.in) as typeof current;
  return current;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
