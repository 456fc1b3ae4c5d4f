/**
 * {{t "key" name=value}}: one partial serves both languages by taking its words from
 * templates/<lang>/strings.json. The helper is as strict as the templates: a missing key, a placeholder
 * without a value or a value that is not there fails naming the template, the phrase file and the key.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadTemplates } from "../../lib/runbooks/render";

/** A templates folder with one shared partial `probe` and a page `<lang>/page.md.hbs` that includes it. */
function templatesWith(partial: string, phrases: Record<string, Record<string, unknown>>): string {
  const dir = join(mkdtempSync(join(tmpdir(), "devops-weeks-phrases-")), "templates");
  mkdirSync(join(dir, "shared", "partials"), { recursive: true });
  writeFileSync(join(dir, "shared", "partials", "probe.md.hbs"), partial);
  for (const [lang, table] of Object.entries(phrases)) {
    mkdirSync(join(dir, lang), { recursive: true });
    writeFileSync(join(dir, lang, "strings.json"), JSON.stringify(table));
    writeFileSync(join(dir, lang, "page.md.hbs"), "{{> probe}}");
  }
  return dir;
}

const PHRASES = {
  en: { sections: { heading: "Cost", pricing: "Prices for {region}, monthly = hourly × {hours} hours" } },
  ko: { sections: { heading: "비용", pricing: "{region} 리전 가격, 월 요금 = 시간당 요금 × {hours}시간" } },
};

describe("{{t}} in a shared partial", () => {
  it("prints each language's phrase, with the placeholders filled from name=value pairs", () => {
    const dir = templatesWith('## {{t "sections.heading"}}\n\n{{t "sections.pricing" region=costs.region hours=costs.hours}}\n', PHRASES);
    const data = { costs: { region: "ap-northeast-2", hours: 730 } };
    expect(loadTemplates(dir, "en").render("en/page.md.hbs", data)).toBe("## Cost\n\nPrices for ap-northeast-2, monthly = hourly × 730 hours\n");
    expect(loadTemplates(dir, "ko").render("ko/page.md.hbs", data)).toBe("## 비용\n\nap-northeast-2 리전 가격, 월 요금 = 시간당 요금 × 730시간\n");
  });

  it("a key the language file lacks names the partial, the phrase file and the key", () => {
    const dir = templatesWith('{{t "sections.nothing"}}', PHRASES);
    expect(() => loadTemplates(dir, "ko").render("ko/page.md.hbs", {})).toThrow(/templates\/shared\/partials\/probe\.md\.hbs: .*templates\/ko\/strings\.json: "sections\.nothing" not defined/);
  });

  it("a placeholder without a value names the partial, the placeholder and the key", () => {
    const dir = templatesWith('{{t "sections.pricing" region="x"}}', PHRASES);
    expect(() => loadTemplates(dir, "en").render("en/page.md.hbs", {})).toThrow(/templates\/shared\/partials\/probe\.md\.hbs: .*templates\/en\/strings\.json: placeholder \{hours\} of "sections\.pricing" has no value/);
  });

  it("a value that is not a string or a number fails, never prints as `undefined` or `[object Object]`", () => {
    // Handlebars' strict mode does not check name=value pairs: the helper does.
    for (const [value, problem] of [["costs.missing", "undefined"], ["costs", "a value of type object"]]) {
      const dir = templatesWith(`{{t "sections.pricing" region=${value} hours=1}}`, PHRASES);
      expect(() => loadTemplates(dir, "en").render("en/page.md.hbs", { costs: {} }), value).toThrow(
        `runbook template templates/shared/partials/probe.md.hbs: {{t "sections.pricing"}}: region= is ${problem}, not a string or a number`,
      );
    }
  });

  it("a page of a language without strings.json names the file it looked for", () => {
    const dir = templatesWith('{{t "sections.heading"}}', PHRASES);
    mkdirSync(join(dir, "fr"));
    writeFileSync(join(dir, "fr", "page.md.hbs"), "{{> probe}}");
    expect(() => loadTemplates(dir, "fr").render("fr/page.md.hbs", {})).toThrow(/templates\/shared\/partials\/probe\.md\.hbs: .*templates\/fr\/strings\.json does not exist/);
  });
});
