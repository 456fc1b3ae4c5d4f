/**
 * The README's config reference is generated from the settings schemas (`npm run docs`): these tests fail
 * when a table in README.md is not what the generator writes, when a settings schema has no table, and
 * when a field has no description or a comment's `@default` no longer matches the schema.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { markdownCell, readmeBlocks, referenceSections, referenceTable, sectionReference, updateReadme, type ReferenceSection } from "../../lib/core/config-reference";
import { STUDY_MODULES } from "../../modules";
import { exampleSettings } from "../fixtures/config-reference/settings";

const ROOT = join(__dirname, "..", "..");
const readSource = (path: string) => readFileSync(join(ROOT, path), "utf8");
const sections = referenceSections(STUDY_MODULES);

describe("README.md's config reference", () => {
  const readme = readSource("README.md");
  const update = updateReadme(readme, sections, readSource);

  test("is what npm run docs writes", () => {
    const written = readmeBlocks(update.text);
    const stale = [...readmeBlocks(readme)].filter(([id, block]) => written.get(id) !== block).map(([id]) => id);
    expect(stale, `README.md's config reference is stale (${stale.join(", ")}): run \`npm run docs\``).toEqual([]);
    expect(update.text === readme, "README.md's config reference is stale: run `npm run docs`").toBe(true);
  });

  test("has a block for the common fields, state, classroom and every module's settings, and no other", () => {
    expect(update.missing, "sections without a block in README.md: add <!-- config-reference:<id> begin --> / end markers where the table belongs, then run `npm run docs`").toEqual([]);
    expect(update.unknown, "blocks in README.md that no settings schema has, or that appear twice").toEqual([]);
    expect(sections.map((section) => section.id)).toEqual(["common", "state", "classroom", ...STUDY_MODULES.map((module) => module.id)]);
  });

  test("describes every field, with comments whose @default matches the schema", () => {
    expect(update.problems).toEqual([]);
    expect(update.fields).toBeGreaterThan(200);
  });

  test("notices a hand-edited table and a missing block", () => {
    const edited = readme.replace("| `network.vpcCidr` | `10.0.0.0/16` |", "| `network.vpcCidr` | `10.1.0.0/16` |");
    expect(edited).not.toBe(readme);
    expect(updateReadme(edited, sections, readSource).text).toBe(update.text);

    const withoutNetwork = readme.replace(/<!-- config-reference:network begin[\s\S]*?<!-- config-reference:network end -->/, "");
    expect(updateReadme(withoutNetwork, sections, readSource).missing).toEqual(["network"]);
  });
});

describe("the rows of a made-up schema", () => {
  const section: ReferenceSection = { id: "example", prefix: "example", schema: exampleSettings, source: "test/fixtures/config-reference/settings.ts" };
  const reference = sectionReference(section, readSource(section.source));
  const row = (field: string) => reference.rows.find((r) => r.field === `example.${field}`);

  test("list every leaf in schema order, the items of a list of objects after the list", () => {
    expect(reference.rows.map((r) => r.field.replace("example.", ""))).toEqual([
      "enabled", "size", "port", "share", "version", "hops", "labels", "retries", "described",
      "nested.emails", "nested.undocumented", "requests.cpu", "limits.cpu", "items", "items[].name", "items[].label",
    ]);
  });

  test("give defaults as YAML, with what the comment adds", () => {
    expect(row("enabled")?.defaultValue).toBe("`true`");
    expect(row("size")?.defaultValue).toBe("`medium` (the middle one)");
    expect(row("version")?.defaultValue).toBe('`"1.10"`');
    expect(row("labels")?.defaultValue).toBe("`{}`");
    expect(row("nested.emails")?.defaultValue).toBe("`[]` (nobody)");
    expect(row("nested.undocumented")?.defaultValue).toBe('`"x{"`');
    expect(row("share")?.defaultValue).toBe("none");
    expect(row("items[].name")?.defaultValue).toBe("required");
    expect(row("items[].label")?.defaultValue).toBe("the name");
  });

  test("say what each field accepts: enums, ranges, patterns, lengths, lists", () => {
    expect(row("enabled")?.accepts).toBe("`true` or `false`");
    expect(row("size")?.accepts).toBe("one of `small`, `medium`, `large`");
    expect(row("port")?.accepts).toBe("a whole number from 1024 to 65535");
    expect(row("share")?.accepts).toBe("a number above 0 and up to 1");
    expect(row("version")?.accepts).toBe("a version such as 1.10");
    expect(row("hops")?.accepts).toBe("one of `1`, `2`");
    expect(row("labels")?.accepts).toBe("a mapping: keys text; values text of at most 10 characters");
    expect(row("nested.emails")?.accepts).toBe("a list of at most 3 items, each an email address");
    expect(row("nested.undocumented")?.accepts).toBe("text matching `` ^[a-z{}\"'`]+$ ``");
    expect(row("items")?.accepts).toBe("a list, each a mapping with `name`, optionally `label` (rows below)");
    expect(row("items[].name")?.accepts).toBe("text of 1-20 characters");
  });

  test("take descriptions from the comment above each key, or from zod's describe()", () => {
    expect(row("enabled")?.description).toBe("Whether the thing is on.");
    expect(row("requests.cpu")?.description).toBe("CPU reserved.");
    expect(row("limits.cpu")?.description).toBe("CPU allowed at most.");
    expect(row("items[].name")?.description).toBe("The item's name.");
    expect(row("described")?.description).toBe("Described with zod's describe().");
  });

  test("make one table row per field, with Markdown's special characters shown as written", () => {
    const table = referenceTable(reference.rows).split("\n");
    expect(table[0]).toBe("| field | default | accepts | description |");
    expect(table).toHaveLength(reference.rows.length + 2);
    expect(table).toContain("| `example.port` | `8080` | a whole number from 1024 to 65535 | The port it listens on. |");
    expect(markdownCell("the <project> name | `a|b` and *x*\nnext line")).toBe("the &lt;project> name \\| `a\\|b` and \\*x\\* next line");
  });

  test("report a field without a description and a comment's stale @default", () => {
    expect(reference.problems).toEqual([
      "example.retries: the comment says @default 5, but the schema's default is 3 (test/fixtures/config-reference/settings.ts)",
      "example.nested.undocumented: no description; write one in a /** ... */ comment above it in test/fixtures/config-reference/settings.ts",
    ]);
  });
});
