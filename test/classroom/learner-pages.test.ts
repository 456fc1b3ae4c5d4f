/**
 * Classroom pages per learner (issue 15): each learner's guides carry their own stacks and names, in
 * every language; every command a learner's page shows is one their IAM user may run, as the
 * synthesized instructor stack grants it, or the page says the instructor runs it; the sheets are
 * HTML too, linked from the site's index.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { awsActionsOf, policyAllows } from "../../lib/runbooks/learner-commands";
import { synthClass, THREE_LEARNERS } from "./roster";

const LEARNERS = ["kim", "lee", "park"];
const WEEKS = ["01", "02", "03", "04", "05", "06"];

describe("a class of three, weeks 1-6", () => {
  const synth = synthClass(THREE_LEARNERS, { costGuard: { emails: ["teacher@example.com"] } }, { weeks: "1-6" });
  const runbooks = join(synth.outdir, "runbooks");
  const page = (lang: string, id: string, file: string) => readFileSync(join(runbooks, lang, "learners", id, file), "utf8");

  /** The learner's IAM policies as the instructor stack will apply them (their user's and the group's). */
  const policiesOf = (id: string) => {
    const stack = synth.stack("devops-weeks-instructor");
    const documents = [...Object.values(stack.resource?.aws_iam_user_policy ?? {}), ...Object.values(stack.resource?.aws_iam_group_policy ?? {})]
      .filter((p) => (p as { name?: string; user?: string }).user === undefined || String((p as { user?: string }).user).includes(id) || String((p as { name?: string }).name).includes(id))
      .map((p) => JSON.parse(String((p as { policy: string }).policy).replace(/\$\$\{/g, "${")) as { Statement: { Effect: string; Action?: string | string[] }[] });
    expect(documents.length).toBeGreaterThan(0);
    return documents;
  };

  test.each(LEARNERS)("%s's guides: every week in both languages, with their stacks and nobody else's", (id) => {
    const others = LEARNERS.filter((other) => other !== id);
    for (const lang of ["ko", "en"]) {
      for (const file of ["index.md", "index.html", ...WEEKS.flatMap((w) => [`week-${w}.md`, `week-${w}.html`])]) {
        const text = page(lang, id, file);
        if (file.startsWith("week-")) expect(text, `${lang}/${id}/${file}`).toContain(`devops-weeks-${id}`);
        for (const other of others) expect(text, `${lang}/${id}/${file} names ${other}`).not.toMatch(new RegExp(`devops-weeks-${other}\\b`));
      }
    }
  });

  test.each(LEARNERS)("%s's command blocks: theirs to run, or marked as the instructor's", (id) => {
    const policies = policiesOf(id);
    let marked = 0;
    let theirs = 0;
    for (const lang of ["ko", "en"]) {
      const note = lang === "ko" ? "**강사가 실행합니다.**" : "**The instructor runs this.**";
      for (const w of WEEKS) {
        const lines = page(lang, id, `week-${w}.md`).split("\n");
        lines.forEach((line, i) => {
          if (!/^\s*```(sh|bash)\s*$/.test(line)) return;
          const end = lines.findIndex((l, j) => j > i && l.trim() === "```");
          const body = lines.slice(i + 1, end).join("\n");
          // The note sits before the block (a blank line between them).
          const isMarked = lines[i - 2]?.trim().startsWith(`> ${note}`) ?? false;
          if (isMarked) return void marked++;
          theirs++;
          expect(body, `${lang}/week-${w}: a learner cannot run Terraform`).not.toMatch(/(^|\s)terraform\s/);
          expect(body, `${lang}/week-${w}: no kubectl against the instructor's EKS cluster`).not.toMatch(/(^|\s)(kubectl|helm)\s/);
          for (const action of awsActionsOf(body)) expect(policies.some((p) => policyAllows(p, action)), `${lang}/week-${w}: ${action} in\n${body}`).toBe(true);
        });
      }
    }
    expect(marked).toBeGreaterThan(10);
    // Something is the learner's own: a synth on their machine, a shell through SSM...
    expect(theirs).toBeGreaterThan(0);
  });

  test("the sheets are HTML too, and the site's index links each learner's sheet and guides", () => {
    const index = readFileSync(join(runbooks, "index.html"), "utf8");
    for (const id of LEARNERS) {
      for (const lang of ["ko", "en"]) {
        expect(index).toContain(`href="${lang}/learners/${id}.html"`);
        expect(index).toContain(`href="${lang}/learners/${id}/index.html"`);
        const sheet = readFileSync(join(runbooks, lang, "learners", `${id}.html`), "utf8");
        expect(sheet).toContain(`href="./${id}/index.html"`);
        expect(sheet).toContain('href="../../assets/style.css"');
      }
    }
    // The roster's name "Lee, Junho" as text.
    expect(index).toContain("Lee, Junho (<code>lee</code>)");
    const courseIndex = readFileSync(join(runbooks, "ko", "index.md"), "utf8");
    expect(courseIndex).toContain("## 수강생별 안내");
    expect(courseIndex).toContain("[가이드](learners/park/index.md)");
  });

  test("a learner's pages link back to the site and across languages from their depth", () => {
    const week = page("ko", "kim", "week-01.html");
    expect(week).toContain('href="../../../index.html"');
    expect(week).toContain('href="../../../en/learners/kim/week-01.html"');
    expect(week).toContain('src="../../../assets/mermaid.min.js"');
    expect(readdirSync(join(runbooks, "ko", "learners", "kim")).filter((f) => f.endsWith(".md")).sort()).toEqual(["index.md", ...WEEKS.map((w) => `week-${w}.md`)]);
  });
});

describe("classroom.learnerGuides: false (a very large class)", () => {
  const synth = synthClass(THREE_LEARNERS, { classroom: { learnerGuides: false } }, { weeks: "1" });
  const runbooks = join(synth.outdir, "runbooks");

  test("only the sheets: no guides per learner, and no link to any", () => {
    expect(readdirSync(join(runbooks, "ko", "learners")).sort()).toEqual(LEARNERS.flatMap((id) => [`${id}.html`, `${id}.md`]).sort());
    const index = readFileSync(join(runbooks, "index.html"), "utf8");
    expect(index).toContain('href="ko/learners/kim.html"');
    expect(index).not.toContain("learners/kim/index.html");
    expect(readFileSync(join(runbooks, "ko", "learners", "kim.md"), "utf8")).not.toContain("./kim/index.md");
    expect(readFileSync(join(runbooks, "ko", "index.md"), "utf8")).toContain("| Kim Minji (`kim`) | [안내서](learners/kim.md) | — |");
  });
});
