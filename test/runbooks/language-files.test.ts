/**
 * The language files say the same things: templates/ko and templates/en each have a strings.json and a
 * doctor.json with the same key paths, and each phrase the same `{placeholder}` names (in any order:
 * Korean puts them elsewhere in the sentence). A key in one language only is a label the other renders as an error (lib/runbooks/strings.ts),
 * or, for the doctor, a line it prints with `{name}` left in (lib/core/doctor.ts).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

const TEMPLATES = join(__dirname, "../../templates");
const LANGUAGES = ["ko", "en"] as const;

/** Every phrase of a language file by its dotted key path, as the sorted names of its placeholders. */
function phrasesOf(table: unknown, prefix = ""): Map<string, string[]> {
  const phrases = new Map<string, string[]>();
  const walk = (node: unknown, path: string) => {
    if (typeof node === "string") phrases.set(path, [...new Set([...node.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort());
    else if (node !== null && typeof node === "object" && !Array.isArray(node)) for (const [key, child] of Object.entries(node)) walk(child, path ? `${path}.${key}` : key);
    else phrases.set(path, [`<not a phrase: ${JSON.stringify(node)}>`]);
  };
  walk(table, prefix);
  return phrases;
}

/** What differs between two languages' files: keys only one has, and placeholders that differ per key. */
function languageDifferences(files: Readonly<Record<string, unknown>>): string[] {
  const [[firstLang, first], [secondLang, second]] = Object.entries(files).map(([lang, table]) => [lang, phrasesOf(table)] as const);
  const differences: string[] = [];
  for (const key of first.keys()) if (!second.has(key)) differences.push(`${key}: only in ${firstLang}`);
  for (const key of second.keys()) if (!first.has(key)) differences.push(`${key}: only in ${secondLang}`);
  for (const [key, names] of first) {
    const other = second.get(key);
    if (other && names.join(",") !== other.join(",")) differences.push(`${key}: ${firstLang} {${names.join("}, {")}} but ${secondLang} {${other.join("}, {")}}`);
  }
  return differences;
}

const read = (lang: string, file: string): unknown => JSON.parse(readFileSync(join(TEMPLATES, lang, file), "utf8"));

describe("the language files", () => {
  for (const file of ["strings.json", "doctor.json"]) {
    test(`templates/ko/${file} and templates/en/${file} have the same keys, each with the same placeholders`, () => {
      const tables = Object.fromEntries(LANGUAGES.map((lang) => [lang, read(lang, file)]));
      expect(phrasesOf(tables.en).size).toBeGreaterThan(10);
      expect(languageDifferences(tables)).toEqual([]);
    });
  }

  test("the comparison names a missing key, a phrase that is a section in the other language, and a renamed placeholder", () => {
    const ko = { nav: { week: "{week}주차", site: "전체" }, steps: { apply: "{stack} 적용" }, extra: "하나 더" };
    const en = { nav: { week: "Week {week}", site: { all: "All" } }, steps: { apply: "Apply {name}" } };
    expect(languageDifferences({ ko, en })).toEqual([
      "nav.site: only in ko",
      "extra: only in ko",
      "nav.site.all: only in en",
      "steps.apply: ko {stack} but en {name}",
    ]);
  });
});
