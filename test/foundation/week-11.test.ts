/**
 * A new week plugs in with its module folder, one registry line and its two prose templates, and
 * nothing else: test/fixtures/week-11 is a throw-away week 11 (AWS Backup) that no file of lib/ or of
 * the other weeks knows. It is selected, validated, built, planned, rendered in both languages, priced,
 * and week 12 does not exist.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { declaredCostsOf, unpricedTypes } from "../../lib/runbooks/costs";
import { englishProse } from "../../lib/runbooks/language-check";
import { synthesizeStudy } from "../../lib/core/synth";
import { STUDY_MODULES } from "../../modules";
import { backupModule } from "../fixtures/week-11/module";
import { bashSyntaxErrors, codeBlocks } from "../support/markdown";
import { planStackOffline } from "../support/terraform";

const FIXTURE = join(__dirname, "..", "fixtures", "week-11");
/** The one registry line. */
const REGISTRY = [...STUDY_MODULES, backupModule];
const STACK = "devops-weeks-dev";

let root: string;
let templates: string;

/** Synthesizes `config` with week 11 registered and its templates beside the others; returns the log or the error. */
function synth(config: string, weeks: string): { outdir: string; log: string[] } {
  const dir = mkdtempSync(join(root, "synth-"));
  writeFileSync(join(dir, "study.yaml"), config);
  const log: string[] = [];
  const outdir = join(dir, "out");
  synthesizeStudy({ configPath: join(dir, "study.yaml"), outdir, registry: REGISTRY, weeksOverride: weeks, runbookTemplates: templates, log: (line) => log.push(line) });
  return { outdir, log };
}

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "devops-weeks-week-11-"));
  templates = join(root, "templates");
  cpSync(join(__dirname, "..", "..", "templates"), templates, { recursive: true });
  for (const lang of ["ko", "en"]) cpSync(join(FIXTURE, "templates", lang, "week-11.md.hbs"), join(templates, lang, "week-11.md.hbs"));
});

describe("a throw-away week 11", () => {
  let outdir: string;
  let log: string[];
  beforeAll(() => ({ outdir, log } = synth("backup:\n  retentionDays: 14\ncostGuard:\n  emails: [learner@example.com]\n", "11")));

  test("is selected with the week it requires, and its settings reach the build", () => {
    expect(log.join("\n")).toMatch(/weeks enabled: 1, 11 \(modules: network, .*backup\)/);
    const stack = JSON.parse(readFileSync(join(outdir, "stacks", STACK, "cdk.tf.json"), "utf8"));
    const plans = Object.values(stack.resource.aws_backup_plan) as { rule: { lifecycle: { delete_after: number } }[] }[];
    expect(plans.map((plan) => plan.rule[0].lifecycle.delete_after)).toEqual([14]);
    expect(stack.output.backup_vault_name).toBeDefined();
  });

  test("its page renders in both languages, with its cost rows, and the index and navigation list it", () => {
    const en = readFileSync(join(outdir, "runbooks", "en", "week-11.md"), "utf8");
    const ko = readFileSync(join(outdir, "runbooks", "ko", "week-11.md"), "utf8");
    expect(en).toMatch(/^# Week 11: Backups with AWS Backup/m);
    expect(ko).toMatch(/^# 11주차: AWS Backup으로 백업/m);
    expect(en).toContain("Backup storage");
    expect(en).toContain("billed per GB-month of recovery points");
    expect(ko).toContain("백업 저장소");
    // Its output's words come from the week itself, not from templates/<lang>/outputs.json.
    expect(ko).toMatch(/\| `backup_vault_name` \| `devops-weeks-dev` \| 백업 저장소\(vault\) 이름 \|/);
    expect(en).toMatch(/\| `backup_vault_name` \| `devops-weeks-dev` \| the backup vault \|/);
    expect(en).toContain("backup_vault_name");
    // Its own check, from its module's runbook hook, with a command bash accepts.
    expect(en).toContain("**The backup vault exists**");
    expect(ko).toContain("**백업 저장소가 만들어졌는지**");
    expect(en).toContain("aws backup describe-backup-vault --region ap-northeast-2 --backup-vault-name devops-weeks-dev-backup");
    expect(bashSyntaxErrors(codeBlocks(en))).toEqual([]);
    expect(existsSync(join(outdir, "runbooks", "en", "week-11.html"))).toBe(true);
    expect(readFileSync(join(outdir, "runbooks", "en", "index.md"), "utf8")).toContain("week-11.md");
    expect(readFileSync(join(outdir, "runbooks", "en", "week-01.md"), "utf8")).toContain("week-11.md");
  });

  test("its Korean page has no English prose, as test/runbooks/korean.test.ts asks of every week", () => {
    const ko = readFileSync(join(outdir, "runbooks", "ko", "week-11.md"), "utf8");
    expect(englishProse(ko)).toEqual([]);
  });

  test("every type it creates is priced or declared by the week itself", () => {
    const stack = JSON.parse(readFileSync(join(outdir, "stacks", STACK, "cdk.tf.json"), "utf8"));
    const types = Object.keys(stack.resource);
    expect(types).toEqual(expect.arrayContaining(["aws_backup_vault", "aws_backup_plan", "aws_kms_key"]));
    expect(unpricedTypes(types)).toEqual(["aws_backup_plan", "aws_backup_vault"]);
    expect(unpricedTypes(types, declaredCostsOf(REGISTRY))).toEqual([]);
  });

  test("its stack plans offline with the real provider", () => {
    const plan = planStackOffline(join(outdir, "stacks", STACK), declaredCostsOf(REGISTRY));
    expect(plan.resources.filter((r) => r.type.startsWith("aws_backup_")).map((r) => r.type).sort()).toEqual(["aws_backup_plan", "aws_backup_vault"]);
  }, 240_000);

  test("its validation refuses like any week's, and week 12 does not exist", () => {
    expect(() => synth("backup:\n  retentionDays: 31\n", "11")).toThrow(/backup\.retentionDays = 31 .*at most 30 in this course/);
    expect(() => synth("backup:\n  retentionDay: 3\n", "11")).toThrow(/backup\.retentionDay/);
    expect(() => synth("", "12")).toThrow(/week 12 does not exist \(the study has weeks 1-11\)/);
  });
});
