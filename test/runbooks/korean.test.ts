/**
 * The Korean pages in Korean (issue 15): every page of synths that between them switch on every
 * option is read as a Korean learner reads it. No English sentence outside code; the AWS Korean
 * console's terms, never the ones the glossary replaces; no particle glued to code or to a name.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { englishProse, particlesAfterCode, particlesAfterPlaceholders } from "../../lib/runbooks/language-check";
import { OPTION_CONFIGS } from "../support/option-configs";
import { synthConfig } from "../support/synth";
import { synthClass, THREE_LEARNERS } from "../classroom/roster";

const TEMPLATES = join(__dirname, "../../templates/ko");
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

  describe("no particle right after code or a generated name", () => {
    /**
     * Sentences other tests quote verbatim, particle and all (test/runbooks/runbooks.test.ts, the
     * blue/green release; test/weeks-5-6/cluster-replacement.test.ts, the warning's headline): to be
     * rewritten together with those tests ("`{{host}}` 호스트에만", "`eks.clusterCreatorIsAdmin` 값이").
     */

    test.each(Object.keys(OPTION_CONFIGS))("%s: every page", (config) => {
      const glued = pages.filter(([name]) => name === config).flatMap(([, file, text]) => particlesAfterCode(text).map((hit) => `${file}:${hit.line}: ${hit.text}`));
      expect(glued).toEqual([]);
    });

    test("every template and string, with the names still placeholders (text no option config renders too)", () => {
      const files = (dir: string): string[] => readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? files(join(dir, entry)) : [join(dir, entry)]));
      const strings = (value: unknown): string[] => (typeof value === "string" ? [value] : value && typeof value === "object" ? Object.values(value).flatMap(strings) : []);
      const glued = files(TEMPLATES)
        .filter((file) => /\.(hbs|json)$/.test(file))
        .flatMap((file) => {
          const text = file.endsWith(".json") ? strings(JSON.parse(readFileSync(file, "utf8"))).join("\n") : readFileSync(file, "utf8");
          return [...particlesAfterCode(text), ...particlesAfterPlaceholders(text)].map((hit) => `${file.slice(TEMPLATES.length + 1)}: ${hit.text}`);
        });
      expect(glued).toEqual([]);
    });

    test("the checks catch a glued particle and let a noun carry it", () => {
      for (const glued of ["스택 `devops-weeks-dev`을 적용합니다", "`kubectl`이 응답하지 않을 때", "노드가 `Ready`로 보이면", "**로그 그룹 /aws/lambda/devops-weeks-dev-cost-brake가 있는지**", "클러스터 devops-weeks-dev-eks에 연결합니다", "http://localhost:8080을 여세요", "- study.yaml에서 바꾸세요"]) {
        expect(particlesAfterCode(glued), glued).toHaveLength(1);
      }
      for (const carried of ["`devops-weeks-dev` 스택을 적용합니다", "`kubectl` 명령이 응답하지 않을 때", "노드가 `Ready` 상태로 보이면", "**/aws/lambda/devops-weeks-dev-cost-brake 로그 그룹이 있는지**", "Terraform이 만든 t3.micro NAT 인스턴스", "80/443 포트를 허용합니다", "CI/CD를 배웁니다", "```sh\necho `date`를\n```"]) {
        expect(particlesAfterCode(carried), carried).toEqual([]);
      }
      expect(particlesAfterPlaceholders("로그 그룹 {name}가 있는지")).toHaveLength(1);
      expect(particlesAfterPlaceholders("전환하고 나면 대기 색은 {{live}}이므로")).toHaveLength(1);
      expect(particlesAfterPlaceholders("{name} 로그 그룹이 있는지, {{week}}주차, 서브넷 {count}개, {{period}}초, {days}일, {{#each weeks}}{{/each}}리전")).toEqual([]);
      expect(particlesAfterPlaceholders("{{state}}일 때")).toHaveLength(1);
    });
  });
});

describe("a class's Korean pages: each learner's sheet and guides", () => {
  const synth = synthClass(THREE_LEARNERS, { costGuard: { emails: ["teacher@example.com"] } }, { weeks: "1-6" });
  const dir = join(synth.outdir, "runbooks", "ko", "learners");
  const files = readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".md"));

  test("in Korean, with no particle glued to code or a name", () => {
    expect(files.length).toBe(3 * 8);
    const found = files.flatMap((file) => {
      const text = readFileSync(join(dir, file), "utf8");
      return [...englishProse(text), ...particlesAfterCode(text)].map((hit) => `${file}:${hit.line}: ${hit.text}`);
    });
    expect(found).toEqual([]);
  });
});
