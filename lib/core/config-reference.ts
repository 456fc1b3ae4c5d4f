/**
 * The README's config reference, generated from the settings schemas (`npm run docs`), so it cannot drift
 * from them: one table per section (the common fields, `state`, `classroom`, each module), one row per
 * field, with its default and what it accepts read from the schema, and its description from the JSDoc
 * comment above it in the settings file. The README holds each table between markers; everything
 * around them stays hand-written.
 */
import { stringify as yamlText, parse as parseYaml } from "yaml";
import { z } from "zod";
import { stateSchema } from "../state/backend";
import { classroomSchema } from "../classroom/settings";
import { coreSchema } from "./config";
import type { AnyStudyModule } from "./module";
import { commentText, schemaLiterals, type SchemaLiteral } from "./schema-comments";

export interface ReferenceSection {
  /** The block's name in the README's markers: a module's id, or common, state, classroom. */
  readonly id: string;
  /** Where the section sits in study.yaml (`network`), empty for the top level. */
  readonly prefix: string;
  readonly schema: z.ZodType;
  /** The file whose comments describe the fields, relative to the repository root. */
  readonly source: string;
  /** Keys of the top level that another section documents. */
  readonly omit?: readonly string[];
}

export interface ReferenceRow {
  /** The dotted path in study.yaml; `[]` marks the items of a list. */
  readonly field: string;
  /** Markdown. */
  readonly defaultValue: string;
  /** Markdown. */
  readonly accepts: string;
  /** Markdown. */
  readonly description: string;
}

export interface SectionReference {
  readonly rows: readonly ReferenceRow[];
  /** What keeps the table from being complete and true: a field without a description, a stale `@default`. */
  readonly problems: readonly string[];
}

/** Each module's settings file, by the convention modules/<id in kebab case>/settings.ts. */
export function moduleSettingsFile(moduleId: string): string {
  return `modules/${moduleId.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}/settings.ts`;
}

/** The sections of this study's config: the common fields, state, classroom, then each registered module. */
export function referenceSections(registry: readonly AnyStudyModule[]): ReferenceSection[] {
  return [
    { id: "common", prefix: "", schema: coreSchema, source: "lib/core/core-settings.ts", omit: ["state", "classroom"] },
    { id: "state", prefix: "state", schema: stateSchema, source: "lib/state/backend.ts" },
    { id: "classroom", prefix: "classroom", schema: classroomSchema, source: "lib/classroom/settings.ts" },
    ...registry.map((module) => ({ id: module.id, prefix: module.id, schema: module.settings as z.ZodType, source: moduleSettingsFile(module.id) })),
  ];
}

// ---- rows --------------------------------------------------------------------------------------

/** The section's rows, in schema order, reading the field comments from `sourceText` (the section's `source`). */
export function sectionReference(section: ReferenceSection, sourceText: string): SectionReference {
  const literals = schemaLiterals(sourceText);
  const rows: ReferenceRow[] = [];
  const problems: string[] = [];

  const visitObject = (object: z.ZodObject, path: string, owner: string | undefined, omit: readonly string[] = []) => {
    const comments = commentsOf(object, literals, owner);
    if (typeof comments === "string") problems.push(`${path || section.id}: ${comments} in ${section.source}`);
    for (const [key, child] of Object.entries(object.shape)) {
      if (omit.includes(key)) continue;
      const comment = typeof comments === "string" ? undefined : comments.get(key);
      visitField(child as z.ZodType, path ? `${path}.${key}` : key, key, comment);
    }
  };

  const visitField = (schema: z.ZodType, field: string, key: string, comment: string | undefined) => {
    const layers = unwrap(schema);
    const { description, defaultComment } = describedBy(comment, layers.all);
    const base = layers.base;
    if (base.def.type === "object") {
      visitObject(base as z.ZodObject, field, key);
      return;
    }
    const { text: defaultValue, problem } = defaultCell(layers, defaultComment);
    if (problem) problems.push(`${field}: ${problem} (${section.source})`);
    if (!description) problems.push(`${field}: no description; write one in a /** ... */ comment above it in ${section.source}`);
    const items = base.def.type === "array" ? unwrap((base as z.ZodArray).element as z.ZodType).base : undefined;
    const accepts = items?.def.type === "object" ? listOfObjects(base as z.ZodArray, items as z.ZodObject) : acceptsOf(base, field);
    rows.push({ field, defaultValue, accepts, description: description ?? "" });
    if (items?.def.type === "object") visitObject(items as z.ZodObject, `${field}[]`, key);
  };

  const top = unwrap(section.schema).base;
  if (top.def.type !== "object") throw new Error(`${section.id}: the settings schema is not an object`);
  visitObject(top as z.ZodObject, section.prefix, section.prefix || undefined, section.omit);
  return { rows, problems };
}

/** The comments above each key of the literal that wrote this object, matched by its keys (and, if two share them, by the key holding it). */
function commentsOf(object: z.ZodObject, literals: readonly SchemaLiteral[], owner: string | undefined): Map<string, string | undefined> | string {
  const keys = Object.keys(object.shape);
  const sameKeys = literals.filter((literal) => !literal.spreads && literal.keys.length === keys.length && literal.keys.every((k, i) => k.name === keys[i]));
  const candidates = sameKeys.length > 1 ? sameKeys.filter((literal) => literal.owner === owner) : sameKeys;
  if (candidates.length !== 1) {
    return `${candidates.length === 0 ? "no" : "more than one"} z.strictObject({...}) with the keys ${keys.join(", ")}`;
  }
  return new Map(candidates[0].keys.map((k) => [k.name, k.comment]));
}

function describedBy(comment: string | undefined, layers: readonly z.ZodType[]): { description?: string; defaultComment?: string } {
  const text = comment ? commentText(comment) : "";
  // A tag runs to the next tag; an `@` inside a value (`image@sha256:…`) is not one.
  const tag = /(?:^|\s)@default\b\s*(.*?)(?=\s@[A-Za-z]+\b|$)/.exec(text);
  const prose = (tag ? text.slice(0, tag.index) : text).trim();
  // .describe() / .meta({ description }) on any layer, for a field without a comment.
  const registered = layers.map((layer) => layer.description).find((d) => d);
  return { description: prose || registered || undefined, defaultComment: tag ? (tag[1] ?? "").trim() : undefined };
}

interface Layers {
  readonly base: z.ZodType;
  readonly all: readonly z.ZodType[];
  readonly optional: boolean;
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
}

/** Peels optional, default, prefault and pipes (the input side) off a field's schema. */
function unwrap(schema: z.ZodType): Layers {
  const all: z.ZodType[] = [];
  let node = schema;
  let optional = false;
  let found: { value: unknown } | undefined;
  for (;;) {
    all.push(node);
    const def = node.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; defaultValue?: unknown };
    if (def.type === "optional" || def.type === "nullable" || def.type === "readonly" || def.type === "nonoptional" || def.type === "catch") {
      optional ||= def.type === "optional";
      node = def.innerType!;
    } else if (def.type === "default" || def.type === "prefault") {
      found ??= { value: def.defaultValue };
      node = def.innerType!;
    } else if (def.type === "pipe") {
      // z.preprocess(fn, schema) reads its input with `schema`; schema.transform(fn) with the schema itself.
      node = def.in!.def.type === "transform" ? def.out! : def.in!;
    } else {
      return { base: node, all, optional, hasDefault: found !== undefined, defaultValue: found?.value };
    }
  }
}

// ---- defaults ----------------------------------------------------------------------------------

/** A value as it is written in study.yaml: `true`, `10.0.0.0/16`, `[80, 100]`, `"1.35"`. */
export function yamlValue(value: unknown): string {
  return yamlText(value, { collectionStyle: "flow", flowCollectionPadding: false, lineWidth: 0 }).trim();
}

/**
 * The default cell: the schema's default in YAML, with what the comment's `@default` adds after it
 * (`@default [] - no SSH; use SSM`). Without a default the comment says what happens (`@default - the
 * study's region`), or the cell says `none` (optional) or `required`. A comment whose value differs
 * from the schema's is a problem: the comment went stale.
 */
function defaultCell(layers: Layers, comment: string | undefined): { text: string; problem?: string } {
  const note = comment?.replace(/^-\s*/, "");
  if (!layers.hasDefault) {
    if (note) return { text: note };
    return { text: layers.optional ? "none" : "required" };
  }
  const value = codeSpan(yamlValue(layers.defaultValue));
  if (comment === undefined || comment === "" || comment.startsWith("-")) return { text: note ? `${value} (${note})` : value };
  // The comment's value is what comes before an explanation in parentheses or after " - ".
  for (const split of [comment.length, ...[...comment.matchAll(/ \(| - /g)].map((m) => m.index)]) {
    if (!sameValue(comment.slice(0, split).trim(), layers.defaultValue)) continue;
    const rest = comment.slice(split).trim().replace(/^- /, "").replace(/^\((.*)\)$/, "$1");
    return { text: rest ? `${value} (${rest})` : value };
  }
  return { text: value, problem: `the comment says @default ${comment}, but the schema's default is ${yamlValue(layers.defaultValue)}` };
}

function sameValue(written: string, value: unknown): boolean {
  if (written === String(value)) return true;
  try {
    return JSON.stringify(parseYaml(written)) === JSON.stringify(value);
  } catch {
    return false;
  }
}

// ---- what a field accepts ----------------------------------------------------------------------

type Check = { _zod: { def: { check: string; format?: string; pattern?: RegExp; minimum?: number; maximum?: number; value?: number; inclusive?: boolean; error?: () => unknown } } };

function messageOf(source: { error?: (issue?: unknown) => unknown } | undefined): string | undefined {
  const message = source?.error?.({});
  return typeof message === "string" ? message : undefined;
}

/** What a field accepts, in words: enum values, ranges, lengths, the messages its refinements give. */
export function acceptsOf(schema: z.ZodType, field: string): string {
  const base = unwrap(schema).base;
  const def = base.def as z.core.$ZodTypeDef & Record<string, unknown>;
  const checks = ((def.checks as Check[] | undefined) ?? []).map((check) => check._zod.def);
  // Messages that name the field (`network.bastion.sshIngressCidrs: IPv4 CIDR blocks ...`) read without it here.
  const messages = (kinds: readonly string[]) =>
    checks.filter((check) => kinds.includes(check.check) && messageOf(check)).map((check) => messageOf(check)!.replace(`${field}: `, "").replace(/^[^\s:]+\.[^\s:]+: /, ""));
  const unique = (phrases: (string | undefined)[]) => [...new Set(phrases.filter((p): p is string => Boolean(p)))].join("; ");

  switch (def.type) {
    case "boolean":
      return "`true` or `false`";
    case "enum":
      return oneOf(Object.values(def.entries as Record<string, string>));
    case "literal":
      return oneOf(def.values as unknown[]);
    case "string": {
      const format = def.format as string | undefined;
      const formatPhrase = format && format !== "regex" ? (messageOf(def as never) ?? (format === "email" ? "an email address" : `a value in ${format} format`)) : undefined;
      const patterns = checks.filter((c) => c.check === "string_format" && c.format === "regex" && !messageOf(c)).map((c) => `text matching ${codeSpan(c.pattern!.source)}`);
      const length = lengthPhrase(checks, "character");
      const own = unique([formatPhrase, ...messages(["string_format", "min_length", "max_length", "length_equals", "custom"]), ...patterns]);
      if (!own) return length ? `text of ${length}` : "text";
      return length ? `${own}; ${length}` : own;
    }
    case "number": {
      const whole = checks.some((c) => c.check === "number_format") ? "a whole number" : "a number";
      const range = rangePhrase(checks);
      // A bound with a message of its own (`positive("a positive amount in USD")`) says what the number is: it leads.
      const bounds = messages(["greater_than", "less_than", "multiple_of"]);
      const refined = messages(["custom"]);
      const lead = bounds.length > 0 ? [...bounds, range] : [range ? `${whole} ${range}` : refined.length > 0 ? undefined : whole];
      return unique([...lead, ...refined]);
    }
    case "array": {
      const items = lengthPhrase(checks, "item");
      return unique([`a list${items ? ` of ${items}` : ""}, each ${acceptsOf(def.element as z.ZodType, field)}`, ...messages(["min_length", "max_length", "custom"])]);
    }
    case "record":
      return unique([`a mapping: keys ${acceptsOf(def.keyType as z.ZodType, field)}; values ${acceptsOf(def.valueType as z.ZodType, field)}`, ...messages(["custom"])]);
    case "union": {
      const options = (def.options as z.ZodType[]).map((option) => unwrap(option).base.def as { type: string; values?: unknown[]; entries?: Record<string, unknown> });
      // z.union([z.literal(1), z.literal(2)]) reads as one list of values.
      if (options.every((option) => option.type === "literal" || option.type === "enum")) {
        return messageOf(def as never) ?? oneOf(options.flatMap((option) => option.values ?? Object.values(option.entries ?? {})));
      }
      return messageOf(def as never) ?? (def.options as z.ZodType[]).map((option) => acceptsOf(option, field)).join(", or ");
    }
    case "custom":
      return messageOf(def as never) ?? "a value the module checks";
    default:
      return `a ${def.type}`;
  }
}

function listOfObjects(list: z.ZodArray, items: z.ZodObject): string {
  const checks = ((list.def.checks as unknown as Check[] | undefined) ?? []).map((check) => check._zod.def);
  const count = lengthPhrase(checks, "item");
  const entries = Object.entries(items.shape).map(([key, schema]) => ({ key: codeSpan(key), optional: unwrap(schema as z.ZodType).optional }));
  const required = entries.filter((entry) => !entry.optional).map((entry) => entry.key);
  const optional = entries.filter((entry) => entry.optional).map((entry) => entry.key);
  return `a list${count ? ` of ${count}` : ""}, each a mapping with ${joinWords(required)}${optional.length ? `, optionally ${joinWords(optional)}` : ""} (rows below)`;
}

function oneOf(values: readonly unknown[]): string {
  return `one of ${values.map((value) => codeSpan(yamlValue(value))).join(", ")}`;
}

function joinWords(words: readonly string[]): string {
  return words.length <= 1 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** `1-24 characters`, `at least 1 item`, `at most 10 items`, from min/max checks without a message of their own. */
function lengthPhrase(checks: readonly Check["_zod"]["def"][], unit: string): string | undefined {
  const plural = (n: number) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  const plain = checks.filter((check) => !messageOf(check));
  const exact = plain.find((c) => c.check === "length_equals")?.value;
  if (exact !== undefined) return `exactly ${plural(exact)}`;
  const min = plain.find((c) => c.check === "min_length")?.minimum;
  const max = plain.find((c) => c.check === "max_length")?.maximum;
  if (min !== undefined && max !== undefined) return `${min}-${max} ${unit}s`;
  if (min !== undefined) return `at least ${plural(min)}`;
  if (max !== undefined) return `at most ${plural(max)}`;
  return undefined;
}

/** `from 1 to 6`, `above 0`, `up to 100000`, from bound checks without a message of their own. */
function rangePhrase(checks: readonly Check["_zod"]["def"][]): string | undefined {
  const plain = checks.filter((check) => !messageOf(check));
  const low = plain.find((c) => c.check === "greater_than");
  const high = plain.find((c) => c.check === "less_than");
  if (low && high && low.inclusive && high.inclusive) return `from ${low.value} to ${high.value}`;
  const parts = [low && (low.inclusive ? `at least ${low.value}` : `above ${low.value}`), high && (high.inclusive ? `up to ${high.value}` : `below ${high.value}`)];
  return parts.filter(Boolean).join(" and ") || undefined;
}

// ---- the table and the README ------------------------------------------------------------------

/** Code in Markdown; text holding a backtick (a pattern) is fenced with two. */
export function codeSpan(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A table cell: one line, pipes escaped, and `<`, `*` outside code shown as written rather than read as HTML or emphasis. */
export function markdownCell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, " ")
    .split(/(`` [\s\S]*? ``|`[^`]*`)/)
    .map((part) => (part.startsWith("`") ? part : part.replace(/</g, "&lt;").replace(/\*/g, "\\*")))
    .join("")
    .replace(/\|/g, "\\|");
}

export function referenceTable(rows: readonly ReferenceRow[]): string {
  const lines = ["| field | default | accepts | description |", "| --- | --- | --- | --- |"];
  for (const row of rows) lines.push(`| ${codeSpan(row.field)} | ${markdownCell(row.defaultValue)} | ${markdownCell(row.accepts)} | ${markdownCell(row.description)} |`);
  return lines.join("\n");
}

export function beginMarker(section: Pick<ReferenceSection, "id" | "source">): string {
  return `<!-- config-reference:${section.id} begin (generated by npm run docs from ${section.source}; do not edit) -->`;
}

export function endMarker(section: Pick<ReferenceSection, "id">): string {
  return `<!-- config-reference:${section.id} end -->`;
}

const BLOCK = /<!-- config-reference:([\w-]+) begin[^\n]*?-->[\s\S]*?<!-- config-reference:\1 end -->/g;

export interface ReadmeUpdate {
  readonly text: string;
  /** Section ids whose block the README lacks. */
  readonly missing: readonly string[];
  /** Blocks the README has for no section, or twice. */
  readonly unknown: readonly string[];
  readonly fields: number;
  readonly problems: readonly string[];
}

/** The README with every generated block rewritten in place; nothing outside the markers changes. */
export function updateReadme(readme: string, sections: readonly ReferenceSection[], readSource: (path: string) => string): ReadmeUpdate {
  const byId = new Map(sections.map((section) => [section.id, section]));
  const seen = new Set<string>();
  const unknown: string[] = [];
  const problems: string[] = [];
  let fields = 0;
  const text = readme.replace(BLOCK, (block, id: string) => {
    const section = byId.get(id);
    if (!section || seen.has(id)) {
      unknown.push(id);
      return block;
    }
    seen.add(id);
    const reference = sectionReference(section, readSource(section.source));
    fields += reference.rows.length;
    problems.push(...reference.problems);
    return `${beginMarker(section)}\n\n${referenceTable(reference.rows)}\n\n${endMarker(section)}`;
  });
  const missing = sections.filter((section) => !seen.has(section.id)).map((section) => section.id);
  return { text, missing, unknown, fields, problems };
}

/** The generated blocks of a README, by section id, for telling which are stale. */
export function readmeBlocks(readme: string): Map<string, string> {
  return new Map([...readme.matchAll(BLOCK)].map((match) => [match[1], match[0]]));
}
