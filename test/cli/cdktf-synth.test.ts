/**
 * `npx cdktf synth`, the README's command, run as the learner runs it: through the cdktf CLI in a copy
 * of the repository, after earlier synths that produced other stacks. The CLI lists out/stacks/ before
 * it runs the app and removes the stacks the app dropped; the app must leave it something to remove.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";

const REPO = join(__dirname, "..", "..");
let project: string;

function cdktfSynth(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync("npx", ["cdktf", "synth"], { cwd: project, env: { ...process.env, CHECKPOINT_DISABLE: "1", CI: "1", ...env }, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

/** `npm run synth:fast`: the same app without the CLI, as the README offers it. */
function fastSynth(env: Record<string, string>): { status: number | null; output: string } {
  const result = spawnSync("npm", ["run", "--silent", "synth:fast"], { cwd: project, env: { ...process.env, CI: "1", ...env }, encoding: "utf8", timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const stacks = () => readdirSync(join(project, "out", "stacks")).sort();

/** Every file under out/ (Terraform's working files aside): its path, mode and content hash. */
function outTree(dir = join(project, "out"), prefix = ""): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      const stat = lstatSync(path);
      if (stat.isDirectory()) return [`${prefix}${entry}/ ${(stat.mode & 0o777).toString(8)}`, ...outTree(path, `${prefix}${entry}/`)];
      return [`${prefix}${entry} ${(stat.mode & 0o777).toString(8)} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`];
    });
}

function copyProject(): void {
  // The tracked files, as a fresh clone has them, with this checkout's node_modules.
  project = mkdtempSync(join(tmpdir(), "devops-weeks-cli-"));
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: REPO, encoding: "utf8" }).split("\0").filter(Boolean);
  execFileSync("tar", ["-cf", join(project, "files.tar"), "--null", "-T", "-"], { cwd: REPO, input: files.join("\0") });
  execFileSync("tar", ["-xf", "files.tar"], { cwd: project });
  symlinkSync(join(REPO, "node_modules"), join(project, "node_modules"));
  writeFileSync(join(project, "all-weeks.yaml"), "costGuard:\n  emails: [learner@example.com]\n");
  writeFileSync(join(project, "roster.csv"), "id,name,email\nkim,Kim Minji,minji@example.com\nlee,Lee Junho,junho@example.com\n");
  writeFileSync(join(project, "roster-one.csv"), "id,name,email\nkim,Kim Minji,minji@example.com\n");
  writeFileSync(join(project, "class.yaml"), "classroom:\n  roster: roster.csv\n");
  writeFileSync(join(project, "class-one.yaml"), "classroom:\n  roster: roster-one.csv\n");
}

describe("npx cdktf synth after a synth that had other stacks", () => {
  beforeAll(copyProject, 120_000);

  test("all ten weeks, then the default week 1: exit 0, and only the AWS stack is left", () => {
    const all = cdktfSynth({ STUDY_CONFIG: "all-weeks.yaml", WEEKS: "1-10" });
    expect(all.status, all.output).toBe(0);
    expect(stacks()).toEqual(["devops-weeks-dev", "devops-weeks-dev-k8s"]);
    const week1 = cdktfSynth({});
    expect(week1.status, week1.output).toBe(0);
    expect(week1.output).not.toMatch(/ENOENT/);
    expect(stacks()).toEqual(["devops-weeks-dev"]);
  });

  test("classroom mode on, a learner removed, classroom mode off: exit 0 each time", () => {
    const twoLearners = cdktfSynth({ STUDY_CONFIG: "class.yaml" });
    expect(twoLearners.status, twoLearners.output).toBe(0);
    expect(stacks()).toEqual(expect.arrayContaining(["devops-weeks-kim", "devops-weeks-lee"]));
    const oneLearner = cdktfSynth({ STUDY_CONFIG: "class-one.yaml" });
    expect(oneLearner.status, oneLearner.output).toBe(0);
    expect(stacks()).not.toContain("devops-weeks-lee");
    const alone = cdktfSynth({});
    expect(alone.status, alone.output).toBe(0);
    expect(stacks()).toEqual(["devops-weeks-dev"]);
    expect(existsSync(join(project, "out", "runbooks", "ko", "week-01.md"))).toBe(true);
  });

  test("cdktf.json starts the app with node itself, the command `npm run synth:fast` runs", () => {
    // `npx tsx main.ts` started npx and tsx's own process before the app's: about 0.4 s of each synth.
    const app = (JSON.parse(readFileSync(join(REPO, "cdktf.json"), "utf8")) as { app: string }).app;
    expect(app).toBe("node --import tsx main.ts");
    const scripts = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts["synth:fast"]).toBe(app);
  });

  test("`npx cdktf synth` and `npm run synth:fast` write the same out/, byte for byte, each after the other's synth", () => {
    const configs: Record<string, string>[] = [{ STUDY_CONFIG: "all-weeks.yaml", WEEKS: "1-10" }, {}];
    for (const env of configs) {
      const cli = cdktfSynth(env);
      expect(cli.status, cli.output).toBe(0);
      const throughCli = outTree();
      const fast = fastSynth(env);
      expect(fast.status, fast.output).toBe(0);
      expect(outTree()).toEqual(throughCli);
    }
    // Without the CLI the app removes the directories of the stacks it dropped itself.
    expect(stacks()).toEqual(["devops-weeks-dev"]);
  });

  test("the README's example: `WEEKS=6 npx cdktf synth` in a fresh clone prints the lines the README shows", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const example = /for example `WEEKS=6 npx cdktf synth` prints:\n+```text\n([\s\S]*?)\n```/.exec(readme);
    expect(example, "the README's WEEKS=6 example block").not.toBeNull();
    const run = cdktfSynth({ WEEKS: "6" });
    expect(run.status, run.output).toBe(0);
    // The CLI redraws its progress lines with terminal escapes; the text between them is the app's.
    const printed = run.output
      .replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
      .split("\n")
      .filter((line) => line.startsWith("devops-weeks:"));
    expect(printed).toEqual(example![1].split("\n"));
  });
});
