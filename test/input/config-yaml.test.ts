/**
 * study.yaml as text (issue 12): YAML that would crash the config's messages (alias bombs, an alias
 * inside its own anchor) is refused with one message naming the limit; values are shown as written
 * (`.inf`, invisible characters named); an empty or comments-only file means every default.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { loadConfigFile, type StudyConfig } from "../../lib/core/config";
import { MAX_ALIAS_USES, parseStudyYaml } from "../../lib/core/config-text";
import { StudyConfigError } from "../../lib/core/errors";
import { STUDY_MODULES } from "../../modules";

const root = mkdtempSync(join(tmpdir(), "devops-weeks-yaml-"));
let files = 0;

function load(text: string): StudyConfig {
  const path = join(root, `study-${files++}.yaml`);
  writeFileSync(path, text);
  return loadConfigFile(path, STUDY_MODULES);
}

function problemsOf(text: string): string[] {
  try {
    load(text);
  } catch (error) {
    if (error instanceof StudyConfigError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected the config to be refused");
}

/** `name: &name [x, x, ...]` then each level a list of `width` aliases to the previous one. */
function aliasBomb(levels: number, width = 9): string {
  const names = "abcdefghijklmnopqrstuvwxyz";
  const lines = [`a: &a [${Array(width).fill("lol").join(", ")}]`];
  for (let i = 1; i < levels; i++) lines.push(`${names[i]}: &${names[i]} [${Array(width).fill(`*${names[i - 1]}`).join(", ")}]`);
  return `${lines.join("\n")}\n`;
}

/** `project: &p study` and a tags mapping with `count` aliases to it. */
/** `count` uses of one alias, in a list the schema takes at any length (the node group's instance types). */
function tagAliases(count: number): string {
  return `network:\n  bastion:\n    instanceType: &p t3.micro\neks:\n  nodeGroup:\n    instanceTypes:\n${Array.from({ length: count }, () => `      - *p\n`).join("")}`;
}

describe("an empty study.yaml means every default", () => {
  const defaults = load("{}\n");
  const cases: [string, string][] = [
    ["an empty file", ""],
    ["only comments", "# study.yaml\n# everything default for now\n"],
    ["blank lines and spaces", "\n   \n\t\n"],
    ["comments with CRLF line ends", "# one\r\n# two\r\n"],
    ["a byte-order mark only", "\uFEFF"],
    ["a byte-order mark and a comment", "\uFEFF# comment\n"],
    ["an explicit empty document", "---\n"],
    ["an empty document with a comment and an end marker", "--- # nothing yet\n...\n"],
    ["a null document", "~\n"],
    ["keys with no values (YAML null)", "network:\nnotifications:\n"],
  ];
  test.each(cases)("%s", (_name, text) => {
    const config = load(text);
    expect(config.core).toEqual(defaults.core);
    expect(config.weeks).toEqual([1]);
    expect(config.settings).toEqual(defaults.settings);
  });
});

describe("aliases are bounded: refused with one message naming the limit, never a crash", () => {
  const limit = new RegExp(`expected at most ${MAX_ALIAS_USES} alias uses in the file, counting the aliases inside what an alias repeats`);
  const cases: [string, string, RegExp][] = [
    ["the billion laughs (9 levels of 9)", aliasBomb(9), /d\[0\] = "\*c" is not valid; .*\(\*c brings it past 100: a YAML alias bomb\?\)/],
    ["a deeper, wider bomb (20 levels of 20)", aliasBomb(20, 20), /c\[3\] = "\*b" is not valid/],
    ["a small bomb that stays under 100 written aliases", aliasBomb(4), /d\[0\] = "\*c" is not valid/],
    ["an alias bomb inside a known section", `network: &n {vpcCidr: 10.0.0.0/16}\ntags: {${Array.from({ length: 101 }, (_, i) => `k${i}: *n`).join(", ")}}\n`, /tags\.k100 = "\*n" is not valid/],
    ["101 plain alias uses", tagAliases(MAX_ALIAS_USES + 1), /eks\.nodeGroup\.instanceTypes\[100\] = "\*p" is not valid/],
    ["a thousand plain alias uses", tagAliases(1000), /eks\.nodeGroup\.instanceTypes\[100\] = "\*p" is not valid/],
    ["an alias used as a key", `a: &a x\nb: {${Array.from({ length: 101 }, (_, i) => `*a : ${i}`).join(", ")}}\n`, /b\.\*a = "\*a" is not valid/],
  ];
  test.each(cases)("%s", (_name, text, where) => {
    const started = Date.now();
    const lines = problemsOf(text);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(limit);
    expect(lines[0]).toMatch(where);
    expect(lines[0].length).toBeLessThan(1000);
  });

  test("exactly the limit is accepted, and the aliases repeat their values", () => {
    const config = load(tagAliases(MAX_ALIAS_USES));
    const types = (config.settings.eks as { nodeGroup: { instanceTypes: string[] } }).nodeGroup.instanceTypes;
    expect(types).toHaveLength(MAX_ALIAS_USES);
    expect(new Set(types)).toEqual(new Set(["t3.micro"]));
  });

  test("ordinary anchors and aliases still work", () => {
    const config = load("notifications:\n  emails: &mails [kim@example.com, lee@example.com]\nsecurity:\n  budget:\n    emails: *mails\ntags: &tags {Owner: kim}\n");
    expect((config.settings.notifications as { emails: string[] }).emails).toEqual(["kim@example.com", "lee@example.com"]);
    expect(config.core.tags).toEqual({ Owner: "kim" });
  });
});

describe("an alias inside the collection its anchor marks is refused, naming it", () => {
  const cases: [string, string, RegExp][] = [
    ["a list that holds itself", "a: &a [*a]\n", /a\[0\] = "\*a" is not valid; expected an alias to a value defined before it: \*a is inside the &a it repeats/],
    ["a mapping that holds itself", "network: &n\n  nat: *n\n", /network\.nat = "\*n" is not valid; .*\*n is inside the &n/],
    ["a loop two levels down", "tags: &t\n  a:\n    b: [1, *t]\n", /tags\.a\.b\[1\] = "\*t" is not valid/],
    ["the whole document", "&doc\nproject: *doc\n", /project = "\*doc" is not valid/],
  ];
  test.each(cases)("%s", (_name, text, message) => {
    const lines = problemsOf(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    expect(lines[0]).not.toMatch(/circular|Converting/);
  });
});

describe("YAML mistakes are one message each", () => {
  const cases: [string, string, RegExp][] = [
    ["two documents", "weeks: 1\n---\nweeks: 2\n", /\(top level\) = "2 documents" is not valid; expected a single YAML document/],
    ["an alias to no anchor", "weeks: *nowhere\n", /\(top level\) = nothing is not valid; expected valid YAML \(unidentified alias "nowhere"/],
    ["a tab for indentation", "network:\n\tvpcCidr: 10.0.0.0/16\n", /expected valid YAML \(/],
    ["an unclosed flow list", "weeks: [1, 2\n", /expected valid YAML \(/],
    ["nesting deeper than 100", `weeks: ${"[".repeat(200)}${"]".repeat(200)}\n`, /expected valid YAML \(/],
    ["a duplicate key", "weeks: 1\nweeks: 2\n", /expected valid YAML \(.*duplic/i],
  ];
  test.each(cases)("%s", (_name, text, message) => {
    const lines = problemsOf(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  test("parseStudyYaml names the source it is given", () => {
    expect(() => parseStudyYaml("a: &a [*a]\n", "my-study.yaml")).toThrow(/^my-study\.yaml: a\[0\] = "\*a"/);
    expect(parseStudyYaml("# nothing\n", "my-study.yaml")).toEqual({});
  });
});

describe("values are shown as written", () => {
  const cases: [string, string, string][] = [
    ["positive infinity", "availabilityZones: .inf\n", "availabilityZones = .inf is not valid"],
    ["infinity written with a capital", "availabilityZones: .Inf\n", "availabilityZones = .inf is not valid"],
    ["negative infinity", "weeks: -.inf\n", "weeks = -.inf is not valid"],
    ["not a number", "availabilityZones: .nan\n", "availabilityZones = .nan is not valid"],
    ["a non-finite number in a list", "network:\n  vpcCidr: [1, .nan, -.inf]\n", "network.vpcCidr = [1,.nan,-.inf] is not valid"],
    ["a zero-width space", 'project: "kim\\u200b"\n', 'project = "kim<U+200B>" (contains an invisible character U+200B ZERO WIDTH SPACE) is not valid'],
    ["a zero-width space typed raw", "project: kim\u200b\n", 'project = "kim<U+200B>" (contains an invisible character U+200B ZERO WIDTH SPACE) is not valid'],
    ["a no-break space", "environment: dev\u00a0\n", 'environment = "dev<U+00A0>" (contains an invisible character U+00A0 NO-BREAK SPACE) is not valid'],
    ["a byte-order mark inside a value", 'region: "\\ufeffap-northeast-2"\n', 'region = "<U+FEFF>ap-northeast-2" (contains an invisible character U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)) is not valid'],
    ["a right-to-left override", "environment: \u202eved\n", 'environment = "<U+202E>ved" (contains an invisible character U+202E RIGHT-TO-LEFT OVERRIDE) is not valid'],
    ["a Hangul filler", "environment: \u3164\n", 'environment = "<U+3164>" (contains an invisible character U+3164 HANGUL FILLER) is not valid'],
    ["two kinds at once, named once each", "project: \"a\\u200bb\\u200bc\\u00a0\"\n", 'project = "a<U+200B>b<U+200B>c<U+00A0>" (contains invisible characters U+200B ZERO WIDTH SPACE, U+00A0 NO-BREAK SPACE) is not valid'],
    ["an invisible character in a key", "weeks\u200b: 1\n", 'weeks<U+200B> = 1 (contains an invisible character U+200B ZERO WIDTH SPACE) is not valid; expected no key "weeks<U+200B>" here (did you mean "weeks"?)'],
    ["an ordinary value, unchanged", "region: seoul\n", 'region = "seoul" is not valid; expected an AWS region code'],
  ];
  test.each(cases)("%s", (_name, text, shown) => {
    const lines = problemsOf(text);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(shown);
    expect(lines[0]).not.toMatch(/[\u200b\u00a0\ufeff\u202e\u3164]/);
  });
});
