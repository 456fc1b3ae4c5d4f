/**
 * The Korean pages in Korean (issue 15): every page of synths that between them switch on every
 * option is read as a Korean learner reads it. No English sentence outside code; the AWS Korean
 * console's terms, never the ones the glossary replaces.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { englishProse } from "../../lib/runbooks/language-check";
import { OPTION_CONFIGS } from "../support/option-configs";
import { synthConfig } from "../support/synth";

const GLOSSARY = JSON.parse(readFileSync(join(__dirname, "../../templates/ko/glossary.json"), "utf8")) as { terms: { term: string; en: string; replaces: string[] }[] };

/** Every Korean Markdown page of each config: [config, page, text]. */
const pages: [string, string, string][] = Object.entries(OPTION_CONFIGS).flatMap(([name, config]) => {
  const dir = join(synthConfig(config).outdir, "runbooks", "ko");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".md"))
    .map((file): [string, string, string] => [name, file, readFileSync(join(dir, file), "utf8")]);
});

describe("the Korean pages", () => {
  test("cover every week of every config", () => {
    expect(new Set(pages.map(([, file]) => file)).size).toBeGreaterThanOrEqual(11);
  });

  test.each(Object.keys(OPTION_CONFIGS))("%s: no English sentence outside code, commands and names", (config) => {
    const english = pages.filter(([name]) => name === config).flatMap(([, file, text]) => englishProse(text).map((hit) => `${file}:${hit.line}: ${hit.text}`));
    expect(english).toEqual([]);
  });

  test("the check finds English: the English pages are full of it, and a Korean line with an English clause is caught", () => {
    const dir = join(synthConfig(OPTION_CONFIGS["every week, the defaults"]).outdir, "runbooks", "en");
    expect(englishProse(readFileSync(join(dir, "week-01.md"), "utf8")).length).toBeGreaterThan(20);
    expect(englishProse("| `vpc_id` | `dev` | ID of the study VPC |")).toHaveLength(1);
    expect(englishProse("배스천에서 실행하세요, or where the API is reachable")).toHaveLength(1);
    // Names, commands in code, quoted messages and identifiers are not prose.
    expect(englishProse("Horizontal Pod Autoscaler와 `kubectl get pods -n app`, \"provider not installed\", devops-weeks-dev-nat-ap-northeast-2a")).toEqual([]);
  });

  test.each(GLOSSARY.terms.map((t) => [t.term, t.replaces] as const))("the glossary's %s, never %j", (term, replaced) => {
    const offending = pages.flatMap(([config, file, text]) => replaced.filter((word) => text.includes(word)).map((word) => `${config} ${file}: ${word}`));
    expect(offending).toEqual([]);
    expect(term.length).toBeGreaterThan(0);
  });

  test("the pages speak the glossary: most of its terms are in use", () => {
    const used = GLOSSARY.terms.filter(({ term }) => pages.some(([, , text]) => text.includes(term)));
    expect(used.length).toBeGreaterThanOrEqual(GLOSSARY.terms.length - 3);
  });
});
