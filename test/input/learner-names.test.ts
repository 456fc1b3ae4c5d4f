/**
 * Learner names from the roster go into each learner's Markdown sheet (issue 12): escaped, a name is
 * shown exactly as written and cannot start emphasis, code, a link, a table cell, raw HTML or a new
 * line, in either language.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Marked, type Token } from "marked";
import { describe, expect, test } from "vitest";
import { planClassroom } from "../../lib/classroom/plan";
import { escapeMarkdownText, renderLearnerSheets } from "../../lib/classroom/sheets";
import { loadConfigFile } from "../../lib/core/config";
import { STUDY_MODULES } from "../../modules";

/** A renderer as permissive as a Markdown preview: raw HTML passes through. */
const markdown = new Marked({ gfm: true });

/** Every token under `tokens`, depth first. */
function allTokens(tokens: readonly Token[]): Token[] {
  return tokens.flatMap((token) => [token, ...allTokens(((token as { tokens?: Token[] }).tokens ?? []) as Token[])]);
}

/** The text a reader sees in rendered inline Markdown: HTML tags removed, entities decoded. */
function visibleText(html: string): string {
  return html
    .replace(/<[^>]*>/g, "")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");
}

/** Inline tokens that only markup (not text) would produce. */
const MARKUP = new Set(["html", "codespan", "strong", "em", "del", "link", "image", "br", "table", "code"]);
const markupIn = (tokens: Token[]) => allTokens(tokens).filter((t) => MARKUP.has(t.type)).map((t) => t.type);
/** The HTML elements of a page, in order: what a name may not add to. */
const elementsOf = (html: string) => [...html.matchAll(/<([a-z][a-z0-9]*)\b/g)].map((m) => m[1]);
/** Rendered HTML a name must never produce. */
const HOSTILE_HTML = /<(img|script|strong|em|del|a)\b/;

const HOSTILE: string[] = [
  "<img src=x onerror=alert(1)>",
  "`rm -rf`",
  "a|b",
  "**x**",
  "_x_",
  "__init__",
  "~~gone~~",
  "[click](https://evil.example)",
  "![x](https://evil.example/x.png)",
  "back\\slash\\*",
  "x<script>alert(1)</script>",
  "&lt;b&gt; and &amp;",
  "Kim <kim@example.com>",
  "<https://evil.example>",
  "https://evil.example/login",
  "www.evil.example",
  "Lee | Junho | x",
  "${name} {{name}}",
  "김민지 *강사*",
];

describe("escapeMarkdownText", () => {
  const cases: [string, string, string][] = [
    ["plain text", "Kim Minji", "Kim Minji"],
    ["Korean", "김민지", "김민지"],
    ["a comma and parentheses", "Lee, Junho (TA)", "Lee, Junho (TA)"],
    ["emphasis", "**x**", "\\*\\*x\\*\\*"],
    ["underscores", "_x_", "\\_x\\_"],
    ["backticks", "`rm -rf`", "\\`rm -rf\\`"],
    ["a table pipe", "a|b", "a\\|b"],
    ["brackets", "[a](b)", "\\[a\\](b)"],
    ["a bare URL", "https://x.example", "https\\://x.example"],
    ["a www address", "WWW.x.example", "WWW\\.x.example"],
    ["an email address", "kim@example.com", "kim\\@example.com"],
    ["a backslash", "a\\b", "a\\\\b"],
    ["strikethrough", "~~x~~", "\\~\\~x\\~\\~"],
    ["HTML", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"],
    ["an entity as written", "&lt;", "&amp;lt;"],
    ["a newline", "kim\n# injected heading", "kim # injected heading"],
    ["CRLF and tabs", "a\r\nb\tc", "a b c"],
    ["line and paragraph separators", "a\u2028b\u2029c", "a b c"],
    ["other control characters", "a\u0000b\u007fc", "a b c"],
  ];
  test.each(cases)("%s", (_name, text, escaped) => {
    expect(escapeMarkdownText(text)).toBe(escaped);
  });

  test.each(HOSTILE)("renders %j as itself, as plain text, in a sentence, a heading and a table cell", (name) => {
    const escaped = escapeMarkdownText(name);
    for (const [source, pick] of [
      [`Hello ${escaped} there`, (t: Token[]) => t[0]],
      [`# ${escaped} (kim)`, (t: Token[]) => t[0]],
    ] as const) {
      const tokens = markdown.lexer(source);
      expect(tokens).toHaveLength(1);
      expect(markupIn([pick(tokens)])).toEqual([]);
      const html = markdown.parse(source, { async: false }) as string;
      expect(html).not.toMatch(HOSTILE_HTML);
      expect(html).not.toContain("<code");
      expect(visibleText(html).trim()).toBe(source.startsWith("#") ? `${name} (kim)` : `Hello ${name} there`);
    }
    const table = `| Name | Id |\n| --- | --- |\n| ${escaped} | kim |\n`;
    const [tableToken] = markdown.lexer(table) as unknown as [Token & { rows: { text: string }[][] }];
    expect(tableToken.type).toBe("table");
    expect(tableToken.rows[0]).toHaveLength(2);
    expect(tableToken.rows[0][1].text).toBe("kim");
  });
});

describe("learner sheets with hostile names", () => {
  const names = HOSTILE.filter((name) => !name.includes('"'));
  const dir = mkdtempSync(join(tmpdir(), "devops-weeks-names-"));
  const csvCell = (text: string) => (/[",]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const roster = ["id,name,email", "ctl,Kim Minji,ctl@example.com", ...names.map((name, i) => `l${i},${csvCell(name)},l${i}@example.com`)].join("\n");
  writeFileSync(join(dir, "roster.csv"), `${roster}\n`);
  writeFileSync(join(dir, "study.yaml"), "runbooks:\n  languages: [ko, en]\nclassroom:\n  roster: roster.csv\n  budget:\n    enabled: true\n    instructorEmails: [t_e_a_c_h@example.com]\n");
  const config = loadConfigFile(join(dir, "study.yaml"), STUDY_MODULES);
  const classroom = planClassroom(config)!;
  const staging = join(dir, "staging");
  renderLearnerSheets({ config, classroom, environments: [], stagingDir: staging, outName: "out" });

  const cases = names.flatMap((name, i) => (["en", "ko"] as const).map((lang): [string, string, string, string] => [lang, name, `l${i}`, lang]));
  test.each(cases)("%s sheet of %j", (_lang, name, id, lang) => {
    const sheet = readFileSync(join(staging, "runbooks", lang, "learners", `${id}.md`), "utf8");
    const tokens = markdown.lexer(sheet);
    const heading = tokens.find((t) => t.type === "heading")!;
    expect(markupIn([heading])).toEqual([]);
    const headingHtml = markdown.parser([heading]);
    expect(visibleText(headingHtml).trim()).toBe(lang === "en" ? `${name} (${id}): your environment` : `${name} (${id}) 님의 실습 환경`);
    // nothing from the name becomes HTML, code, emphasis or a link anywhere in the sheet: the page has
    // the very elements of a sheet for "Kim Minji"
    const html = markdown.parse(sheet, { async: false }) as string;
    const control = markdown.parse(readFileSync(join(staging, "runbooks", lang, "learners", "ctl.md"), "utf8"), { async: false }) as string;
    expect(elementsOf(html)).toEqual(elementsOf(control));
    // (The sheet's own link, to the learner's guides, is the template's: the control sheet has it too.)
    expect(html.replace(/<em>[^<]*<\/em>/g, "").replace(/<a href="\.\/[a-z0-9-]+\/index\.md">[^<]*<\/a>/g, "")).not.toMatch(HOSTILE_HTML);
    expect(html).not.toContain("onerror=alert(1)>");
    if (lang === "ko") expect(visibleText(html)).toContain(`이 수업에서 ${name} 님의 환경은`);
    // the budget's mail line names the addresses as written
    expect(visibleText(html)).toContain(`${id}@example.com, t_e_a_c_h@example.com`);
  });

  test("the sheets keep their stacks table and code spans", () => {
    const sheet = readFileSync(join(staging, "runbooks", "en", "learners", "l0.md"), "utf8");
    expect(sheet).toContain("| devops-weeks-l0 | `out/stacks/devops-weeks-l0` |");
    expect(sheet).toContain("tagged `Learner=l0`");
    expect(sheet).toContain("# &lt;img src=x onerror=alert(1)&gt; (l0): your environment");
  });
});
