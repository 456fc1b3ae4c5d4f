/**
 * Learners' environments stamped from a template (lib/core/environment-stamps.ts): a class writes, with
 * stamping, every file byte for byte as a synth that builds every learner with cdktf writes it (which
 * test/classroom/scale.test.ts compares with cdktf's plain synth); a shape
 * whose template does not match what cdktf builds for its first learner is built by cdktf; and the
 * grouping only ever puts together values of the same length and kinds of characters.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { planStamps, replaceAll, type StampCandidate } from "../../lib/core/environment-stamps";
import { defineModule, type AnyStudyModule, type StudyEnvironment } from "../../lib/core/module";
import { synthesizeStudy, type SynthResult } from "../../lib/core/synth";
import { stampGuides, type GuideStamp, type LearnerPages } from "../../lib/runbooks";
import { STUDY_MODULES } from "../../modules";
import { ALL_WEEKS, ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { filesUnder, treeDifferences } from "../support/files";
import { planStackOffline } from "../support/terraform";

// Three ids of three letters, three of four, one with a hyphen, two of five: shapes of 3, 3, 1 and 2 learners.
const IDS = ["kim", "lee", "cho", "park", "choi", "jung", "a-1", "seo12", "han34"];
const ROSTER = `id,name,email,accountId\n${IDS.map((id, i) => `${id},Learner ${id},${id}@example.com,${String(210987654321 + i * 1111)}`).join("\n")}\n`;
const TAG_ROSTER = `id,name,email\n${IDS.map((id) => `${id},Learner ${id},${id}@example.com`).join("\n")}\n`;

const ACCOUNT_CLASS = { roster: "roster.csv", isolation: "account", accounts: { parentId: "r-ab12" } };
/** In tag isolation (one account), week 10's account-wide services are refused. */
const ONE_ACCOUNT = { roster: TAG_ROSTER, security: { guardDuty: { enabled: false }, inspector: { enabled: false }, cloudTrail: { enabled: false } } };

/** `unstamped`: every learner built by cdktf, the reference the stamped synth must equal. */
function synthAccountClass(weeks: string, registry: readonly AnyStudyModule[] = STUDY_MODULES, unstamped = false, classroom: Record<string, unknown> = ACCOUNT_CLASS, tag?: typeof ONE_ACCOUNT): { outdir: string; result: SynthResult } {
  const root = mkdtempSync(join(tmpdir(), "devops-weeks-stamps-"));
  writeFileSync(join(root, "roster.csv"), tag?.roster ?? ROSTER);
  const config = { ...ALL_WEEKS_CONFIG, ...(tag ? { security: tag.security } : {}), state: { backend: "s3", bucket: "devops-weeks-tfstate-example" }, classroom };
  writeFileSync(join(root, "study.yaml"), dump(config));
  const outdir = join(root, "out");
  return { outdir, result: synthesizeStudy({ configPath: join(root, "study.yaml"), outdir, registry, weeksOverride: weeks, stampEnvironments: !unstamped }) };
}

describe("stamped learner environments", () => {
  test("a class in account isolation with every week on: every file as cdktf writes it for each learner", () => {
    const stamped = synthAccountClass(ALL_WEEKS);
    // kim/lee/cho and park/choi/jung: the first of each is built and checked, the other two stamped.
    expect(stamped.result.stamped).toBe(4);
    // Their guides too: rendered for each shape's template learner and its first learner, stamped for the others.
    expect(stamped.result.stampedGuides).toBe(4);
    expect(stamped.result.built.map((e) => e.environment.name)).toEqual(["kim", "park", "a-1", "seo12", "han34"].map((id) => `devops-weeks-${id}`));
    expect(stamped.result.environments.map((e) => e.environment.name)).toEqual(IDS.map((id) => `devops-weeks-${id}`));
    const unstamped = synthAccountClass(ALL_WEEKS, STUDY_MODULES, true);
    expect(unstamped.result.stamped).toBe(0);
    expect(unstamped.result.stampedGuides).toBe(0);
    expect(treeDifferences(stamped.outdir, unstamped.outdir)).toEqual([]);
    // The zips in the stacks' folders are there, and the probe's folder is not.
    expect([...filesUnder(stamped.outdir).keys()].some((path) => path.startsWith(join("stacks", "devops-weeks-lee", "assets")) && path.endsWith("archive.zip"))).toBe(true);
    expect(readdirSync(stamped.outdir)).not.toContain(".stamp-templates");
    // The manifest the cdktf CLI reads lists every learner's stacks.
    const manifest = JSON.parse(readFileSync(join(stamped.outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
    for (const id of IDS) expect(Object.keys(manifest.stacks)).toEqual(expect.arrayContaining([`devops-weeks-${id}`, `devops-weeks-${id}-k8s`]));
    // A stamped learner's stack, every week on, plans with the real provider.
    const plan = planStackOffline(join(stamped.outdir, "stacks", "devops-weeks-jung"));
    expect(plan.resources.length).toBeGreaterThan(100);
    expect(plan.byType("aws_vpc").map((vpc) => (vpc.values.tags_all as Record<string, string>).Learner)).toEqual(["jung"]);
  }, 240_000);

  test("learners applying their own stacks, signed in through Identity Center, with the class-wide runners and a lease: the same", () => {
    const classroom = {
      ...ACCOUNT_CLASS,
      accounts: { ...ACCOUNT_CLASS.accounts, identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef", identityStoreId: "d-0123456789" }, learnersApply: true },
      applyOnCodeBuild: { enabled: true },
      applyOnGitHubActions: { enabled: true, repository: "teacher/devops-class" },
      lease: { endsOn: "2027-01-15", timeZone: "Asia/Seoul" },
    };
    const stamped = synthAccountClass("1,6,10", STUDY_MODULES, false, classroom);
    expect(stamped.result.stamped).toBe(4);
    expect(stamped.result.stampedGuides).toBe(4);
    expect(treeDifferences(stamped.outdir, synthAccountClass("1,6,10", STUDY_MODULES, true, classroom).outdir)).toEqual([]);
  });

  // Weeks 1, 3 and 6: the network's addresses, generated files per learner, and the -k8s stack.
  test("a class in tag isolation (a VPC block each, IAM users): the same, its learners' address octets stamped too", () => {
    const tagClass = { roster: "roster.csv" };
    const stamped = synthAccountClass("1,3,6", STUDY_MODULES, false, tagClass, ONE_ACCOUNT);
    expect(stamped.result.stamped).toBe(4);
    expect(stamped.result.stampedGuides).toBe(4);
    const lee = JSON.parse(readFileSync(join(stamped.outdir, "stacks", "devops-weeks-lee", "cdk.tf.json"), "utf8")) as { resource: { aws_vpc: Record<string, { cidr_block: string }> } };
    expect(Object.values(lee.resource.aws_vpc).map((vpc) => vpc.cidr_block)).toEqual(["10.1.0.0/16"]);
    expect(treeDifferences(stamped.outdir, synthAccountClass("1,3,6", STUDY_MODULES, true, tagClass, ONE_ACCOUNT).outdir)).toEqual([]);
  });

  // A module that writes a name in a form a replacement cannot reach (upper case, a hash): the check sees it.
  const planted = (derive: (name: string) => string) =>
    defineModule({
      id: "planted",
      week: 1,
      title: { en: "Planted", ko: "심은 모듈" },
      settings: z.object({}).strict().default({}),
      build: (ctx) => {
        ctx.output("derived_name", derive(ctx.environment.name), { en: "A derived name", ko: "이름에서 만든 값" });
      },
    });

  test.each([
    ["upper case", (name: string) => name.toUpperCase()],
    ["a hash", (name: string) => createHash("sha256").update(name).digest("hex").slice(0, 12)],
    ["a prefix", (name: string) => name.slice(0, "devops-weeks-".length + 1)],
  ])("a shape whose template does not stamp into what cdktf builds (%s) is built by cdktf, learner by learner", (_kind, derive) => {
    const registry = [...STUDY_MODULES, planted(derive)];
    const synth = synthAccountClass("1", registry);
    expect(synth.result.stamped).toBe(0);
    expect(synth.result.built).toHaveLength(IDS.length);
    const stack = JSON.parse(readFileSync(join(synth.outdir, "stacks", "devops-weeks-lee", "cdk.tf.json"), "utf8")) as { output: Record<string, { value: string }> };
    expect(stack.output.derived_name.value).toBe(derive("devops-weeks-lee"));
    expect(treeDifferences(synth.outdir, synthAccountClass("1", registry, true).outdir)).toEqual([]);
  });
});

describe("stamp groups", () => {
  const environment = (id: string, account: string): StampCandidate => ({
    environment: { name: `devops-weeks-${id}`, tags: { Project: "devops-weeks", Learner: id }, vpcCidr: "10.0.0.0/16", assumeRoleArn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole` } satisfies StudyEnvironment,
    values: [id, account],
  });

  test("groups values of one length and kind of character at each position; stand-ins differ from the checked learner everywhere", () => {
    const candidates = ["kim", "lee", "cho", "park", "k1m", "l2e", "m3x", "choi", "jung"].map((id, i) => environment(id, String(100000000000 + i)));
    const groups = planStamps(candidates, new Set(candidates.map((c) => c.environment.name)));
    expect(groups.map((g) => g.members)).toEqual([[0, 1, 2], [3, 7, 8], [4, 5, 6]]);
    for (const group of groups) {
      const checked = candidates[group.members[0]].values;
      group.standIns.forEach((standIn, v) => {
        expect(standIn).toHaveLength(checked[v].length);
        for (let i = 0; i < standIn.length; i++) {
          expect(standIn[i]).not.toBe(checked[v][i]);
          expect(/[a-z]/.test(standIn[i])).toBe(/[a-z]/.test(checked[v][i]));
        }
      });
      expect(group.template.name).toBe(`devops-weeks-${group.standIns[0]}`);
      expect(group.template.tags.Learner).toBe(group.standIns[0]);
      expect(group.template.assumeRoleArn).toBe(`arn:aws:iam::${group.standIns[1]}:role/OrganizationAccountAccessRole`);
    }
  });

  test("leaves out values that need escaping somewhere, values inside one another, and shapes of fewer than three", () => {
    const odd = (id: string, account: string, vpcCidr: string): StampCandidate => ({ ...environment(id, account), environment: { ...environment(id, account).environment, vpcCidr } });
    expect(planStamps(["k'm", "l'e", "c'o"].map((id, i) => environment(id, String(100000000000 + i))))).toEqual([]);
    expect(planStamps(["kim", "lee", "cho"].map((id) => ({ ...environment(id, "100000000000"), values: [id, `${id}1`] })))).toEqual([]);
    // One address block each (tag isolation): every environment a shape of its own.
    expect(planStamps(["kim", "lee", "cho"].map((id, i) => odd(id, String(100000000000 + i), `10.${i}.0.0/16`)))).toEqual([]);
    expect(planStamps(["kim", "lee"].map((id, i) => environment(id, String(100000000000 + i))))).toEqual([]);
  });

  test("takes no stand-in that the config holds (it would be replaced there too), and none that is a learner's name", () => {
    const candidates = ["kim", "lee", "cho"].map((id, i) => environment(id, String(100000000000 + i)));
    const [free] = planStamps(candidates);
    const [avoiding] = planStamps(candidates, new Set([`devops-weeks-${free.standIns[0]}`]), (text) => text === free.standIns[1]);
    expect(avoiding.standIns[0]).not.toBe(free.standIns[0]);
    expect(avoiding.standIns[1]).not.toBe(free.standIns[1]);
    expect(avoiding.standIns.map((s) => s.length)).toEqual(free.standIns.map((s) => s.length));
  });

  test("replaces in one pass, longest first: nothing it put in is replaced again", () => {
    expect(replaceAll("ab-ba", ["a", "b"], ["b", "a"])).toBe("ba-ab");
    expect(replaceAll("zq-zqx", ["zq", "zqx"], ["kim", "leeX"])).toBe("kim-leeX");
    expect(replaceAll("a.b", ["."], ["x"])).toBe("axb");
  });
});

describe("stamped guides", () => {
  const learner = (id: string) => ({ id, guides: true }) as unknown as LearnerPages;
  const stamp: GuideStamp = { template: learner("zqx"), standIns: ["zqx", "777"], members: ["kim", "lee", "cho"].map((id, i) => ({ id, values: [id, `${i}${i}${i}`] })) };
  const learners = new Map(["kim", "lee", "cho"].map((id) => [id, learner(id)]));
  const pages = (id: string, account: string) => [[`en/learners/${id}/index.md`, `# ${id} in ${account}\n`]] as const;
  const accountOf = (id: string) => stamp.members.find((m) => m.id === id)?.values[1] ?? "777";

  function run(renderTemplate: (sink: (path: string, content: string) => void) => void) {
    const written = new Map<string, string>();
    const rendered: string[] = [];
    const count = stampGuides(
      stamp,
      learners,
      (l, sink = (path, content) => written.set(path, content)) => {
        rendered.push(l.id);
        for (const [path, content] of pages(l.id, accountOf(l.id))) sink(path, content);
      },
      (_stamp, sink) => renderTemplate(sink),
      (path, content) => written.set(path, content),
    );
    return { count, written, rendered };
  }

  test("renders the first learner, checks the template against it, and stamps the others", () => {
    const { count, written, rendered } = run((sink) => {
      for (const [path, content] of pages("zqx", "777")) sink(path, content);
    });
    expect(rendered).toEqual(["kim"]);
    expect(count).toBe(2);
    expect(Object.fromEntries(written)).toEqual({ "en/learners/kim/index.md": "# kim in 000\n", "en/learners/lee/index.md": "# lee in 111\n", "en/learners/cho/index.md": "# cho in 222\n" });
  });

  test("renders every learner when the template's pages, stamped, are not the first learner's", () => {
    const { count, written, rendered } = run((sink) => sink("en/learners/zqx/index.md", "# ZQX in 777\n"));
    expect(rendered).toEqual(["kim", "lee", "cho"]);
    expect(count).toBe(0);
    expect(written.get("en/learners/lee/index.md")).toBe("# lee in 111\n");
  });
});
