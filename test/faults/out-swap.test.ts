/**
 * out/ is swapped in one step, under a lock (lib/core/out-directory.ts): whatever stops a synth (a kill or
 * an I/O error at any file system call of the swap, a second synth, SIGINT, a full disk, a read-only
 * folder), out/ is afterwards exactly the old tree or exactly the new one, with Terraform's working
 * files where they belong, and nothing is left beside it.
 *
 * The old tree is weeks 1-5 (two stacks, each with fake Terraform working files), the new one week 1
 * (one stack: the other is dropped, the first keeps its working files). Synths run as children of
 * this test (`node --require fault-fs.cjs --import tsx main.ts`, about 2 s each, two at a time); the
 * recovery a next synth does first runs here, in process (recoverOutDirectory).
 *
 * The tests run as root, where chmod does not make a folder read-only: EACCES is injected (fault-fs.cjs,
 * FAULT_EACCES_DIR) as well as set with chmod, so that the same tests hold for a non-root user.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { OutputDirectoryError } from "../../lib/core/errors";
import { recoverOutDirectory } from "../../lib/core/out-directory";
import { synthesizeStudy } from "../../lib/core/synth";
import { STUDY_MODULES } from "../../modules";
import { oneLine, readTree, runSwap, runSynth, until, type FaultReport, type Tree } from "./harness";

const OLD_WEEKS = "1-5";
const NEW_WEEKS = "1";
const DEV = "stacks/devops-weeks-dev";
const K8S = "stacks/devops-weeks-dev-k8s";
/** Fake Terraform working files put into the old tree; those of the dev stack must survive a synth of either config. */
const TERRAFORM_FILES: Record<string, string> = {
  [`${DEV}/.terraform/providers/registry.terraform.io/hashicorp/aws/6.0.0/linux_amd64/terraform-provider-aws`]: "a provider binary\n",
  [`${DEV}/.terraform/terraform.tfstate`]: '{"backend":"local"}\n',
  [`${DEV}/.terraform.lock.hcl`]: 'provider "registry.terraform.io/hashicorp/aws" {}\n',
  [`${K8S}/.terraform/modules/modules.json`]: '{"Modules":[]}\n',
};
const terraformOf = (...stacks: string[]) => Object.fromEntries(Object.entries(TERRAFORM_FILES).filter(([path]) => stacks.some((stack) => path.startsWith(`${stack}/`))));

let base: string;
let study: string;
let oldTree: Tree;
let newTree: Tree;
let calibration: FaultReport;
/** 1-based index of the commit point (staging -> out) among the swap's counted calls. */
let commitCall: number;
let roots = 0;

/** A checkout's folder with the old tree as out/ (and its Terraform working files), nothing else. */
function oldRoot(): string {
  const root = join(base, `root-${++roots}`);
  mkdirSync(root);
  cpSync(join(base, "old", "out"), join(root, "out"), { recursive: true });
  for (const [path, content] of Object.entries(TERRAFORM_FILES)) {
    mkdirSync(join(root, "out", path, ".."), { recursive: true });
    writeFileSync(join(root, "out", path), content);
  }
  return root;
}

const report = (name: string) => join(base, "reports", `${name}.json`);

/** out/ is the old or the new tree exactly, with the working files of that tree's stacks; returns which. */
function oldOrNew(root: string, { leftoversAllowed = false } = {}): "old" | "new" {
  if (!leftoversAllowed) expect(readdirSync(root), `beside ${root}/out`).toEqual(["out"]);
  const tree = readTree(join(root, "out"));
  if (tree.digest === oldTree.digest) {
    expect(tree.terraform).toEqual(terraformOf(DEV, K8S));
    return "old";
  }
  expect(tree.entries).toEqual(newTree.entries);
  expect(tree.terraform).toEqual(terraformOf(DEV));
  return "new";
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), "devops-weeks-faults-"));
  mkdirSync(join(base, "reports"));
  study = join(base, "study.yaml");
  writeFileSync(study, "costGuard:\n  emails: [learner@example.com]\n");
  for (const name of ["old", "new"]) mkdirSync(join(base, name));
  const [old, fresh] = await Promise.all([runSynth(join(base, "old"), study, OLD_WEEKS), runSynth(join(base, "new"), study, NEW_WEEKS)]);
  expect(old.status, old.stderr).toBe(0);
  expect(fresh.status, fresh.stderr).toBe(0);
  oldTree = readTree(join(base, "old", "out"));
  newTree = readTree(join(base, "new", "out"));
  expect(oldTree.entries).toContainEqual(`d ${K8S}`);
  expect(newTree.entries).not.toContainEqual(`d ${K8S}`);

  // A synth without a fault: counts the swap's calls, and is the new tree with the dev stack's working files.
  const root = oldRoot();
  const run = await runSynth(root, study, NEW_WEEKS, { env: { FAULT_ROOT: root }, report: report("calibration") });
  expect(run.status, run.stderr).toBe(0);
  expect(oldOrNew(root)).toBe("new");
  calibration = run.report!;
  commitCall = calibration.calls.findIndex((call) => /^renameSync \.out\.staging-\d+ -> out$/.test(call)) + 1;
  expect(commitCall, calibration.calls.join("\n")).toBeGreaterThan(1);

  // The swap alone (swap-driver.ts) makes the very same calls, so the fault runs can use it.
  const swapRoot = oldRoot();
  const swap = await runSwap(swapRoot, join(base, "new", "out"), { env: { FAULT_ROOT: swapRoot }, report: report("calibration-swap") });
  expect(swap.status, swap.stderr).toBe(0);
  expect(oldOrNew(swapRoot)).toBe("new");
  const normalized = (calls: readonly string[], pid: number) => calls.map((call) => call.replaceAll(`-${pid}`, "-<pid>"));
  expect(normalized(swap.report!.calls, swap.pid)).toEqual(normalized(calibration.calls, run.pid));
}, 60_000);

afterAll(() => {
  if (base) rmSync(base, { recursive: true, force: true });
});

describe.concurrent("out/ is swapped in one step, under a lock", () => {
  test("a SIGKILL or an I/O error at any file system call of the swap: out/ is the old tree or the new one", async () => {
    const points = Array.from({ length: calibration.count }, (_, i) => i + 1);
    const jobs = points.flatMap((at) => (["SIGKILL", "EIO"] as const).map((kind) => ({ at, kind })));
    const outcomes = await Promise.all(
      jobs.map(async ({ at, kind }) => {
        const root = oldRoot();
        const name = `${kind}-${at}`;
        const run = await runSwap(root, join(base, "new", "out"), { env: { FAULT_ROOT: root, FAULT_AT: String(at), FAULT_KIND: kind }, report: report(name) });
        const call = calibration.calls[at - 1];
        const where = `${name} (${call})`;
        let right = "absent";
        if (kind === "SIGKILL") {
          expect(run.signal, where).toBe("SIGKILL");
          // Killed: out/ is one tree or the other (its Terraform files may be in the staging tree), or, between the two renames, absent.
          if (existsSync(join(root, "out"))) {
            const tree = readTree(join(root, "out"));
            right = tree.digest === oldTree.digest ? "old" : "new";
            if (right === "new") expect(tree.entries, where).toEqual(newTree.entries);
          } else expect(at, where).toBe(commitCall);
        } else {
          expect(run.report?.fired, where).toBe(true);
          if (at <= commitCall) {
            // Before the commit point the error is undone in process: the old tree, nothing beside it, one line.
            expect(run.status, where).toBe(1);
            expect(oneLine(run.stderr), where).toMatch(/input\/output error \(EIO, \w+\).*; out\/ was not changed$/);
            right = oldOrNew(root);
            expect(right, where).toBe("old");
          } else {
            // After it, only the journal, the previous tree and the lock are left to delete: a warning at most.
            expect(run.status, `${where}\n${run.stderr}`).toBe(0);
            right = oldOrNew(root, { leftoversAllowed: true });
            expect(right, where).toBe("new");
          }
        }
        // What the next synth does first.
        recoverOutDirectory(join(root, "out"));
        const after = oldOrNew(root);
        expect(after, where).toBe(at <= commitCall ? "old" : "new");
        rmSync(root, { recursive: true, force: true });
        return { name, right, after, ms: run.ms };
      }),
    );
    const slowest = Math.max(...outcomes.map((o) => o.ms));
    console.log(`out-swap: ${calibration.count} fault points x 2 kinds = ${outcomes.length} runs (commit at call ${commitCall}); right after the fault: ${count(outcomes.map((o) => o.right))}; after recovery: ${count(outcomes.map((o) => o.after))}; slowest run ${slowest} ms`);
  });

  test("killed between the two renames: the next synth restores the old tree, then builds on it", async () => {
    const root = oldRoot();
    const killed = await runSwap(root, join(base, "new", "out"), { env: { FAULT_ROOT: root, FAULT_AT: String(commitCall), FAULT_KIND: "SIGKILL" } });
    expect(killed.signal).toBe("SIGKILL");
    expect(existsSync(join(root, "out"))).toBe(false);
    expect(readdirSync(root).sort()).toEqual([".out.lock", `.out.previous-${killed.pid}`, `.out.staging-${killed.pid}`, ".out.swap.json"].sort());
    const next = await runSynth(root, study, OLD_WEEKS);
    expect(next.status, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/took over .*\.out\.lock/);
    expect(next.stdout).toMatch(/stopped while it swapped out\/: the previous out\/ is restored/);
    expect(oldOrNew(root)).toBe("old");
  });

  test("two synths at once: both succeed, one after the other, and out/ is one config's tree", async () => {
    const root = oldRoot();
    const [first, second] = await Promise.all([runSynth(root, study, NEW_WEEKS, { unqueued: true }), runSynth(root, study, OLD_WEEKS, { unqueued: true })]);
    expect(first.status, first.stderr).toBe(0);
    expect(second.status, second.stderr).toBe(0);
    expect(readdirSync(root)).toEqual(["out"]);
    const tree = readTree(join(root, "out"));
    expect([oldTree.digest, newTree.digest]).toContain(tree.digest);
    // Week 1 drops the k8s stack (and its working files); if weeks 1-5 ran last, the stack is back without them.
    expect(tree.terraform).toMatchObject(terraformOf(DEV));
  });

  test("a synth waits for the lock of a running one, and says so", async () => {
    const root = oldRoot();
    // This test's own process holds the lock: it is running, so the lock is not stale.
    writeFileSync(join(root, ".out.lock"), `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`);
    let stdout = "";
    let started!: () => void;
    const spawned = new Promise<void>((resolve) => (started = resolve));
    const running = runSynth(root, study, NEW_WEEKS, { started: (child) => (child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString())), started()) });
    await spawned;
    await until(() => /is writing out\/: waiting for it to finish/.test(stdout), 20_000, "the synth to wait");
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(oldOrNew(root, { leftoversAllowed: true })).toBe("old");
    rmSync(join(root, ".out.lock"));
    const run = await running;
    expect(run.status, run.stderr).toBe(0);
    expect(oldOrNew(root)).toBe("new");
  });

  test("a stale lock of a dead pid is taken over; staging and previous folders of dead pids are removed", async () => {
    const root = oldRoot();
    const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
    writeFileSync(join(root, ".out.lock"), `${JSON.stringify({ pid: dead, host: hostname(), since: "2020-01-01T00:00:00.000Z" })}\n`);
    for (const leftover of [`.out.staging-${dead}/stacks/x`, `.out.previous-${dead}/stacks/y`]) {
      mkdirSync(join(root, leftover), { recursive: true });
      writeFileSync(join(root, leftover, "cdk.tf.json"), "{}");
    }
    writeFileSync(join(root, `.out.swap.json.tmp-${dead}`), "{");
    const run = await runSynth(root, study, NEW_WEEKS);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`took over ${join(root, ".out.lock")}: its synth (pid ${dead}) is no longer running`);
    expect(run.stdout).toContain(`removed .out.staging-${dead}, left by a synth that is no longer running`);
    expect(oldOrNew(root)).toBe("new");
  });

  test("under the cdktf CLI (CDKTF_CONTEXT_JSON), a dropped stack is left as an empty directory", async () => {
    const root = oldRoot();
    const run = await runSynth(root, study, NEW_WEEKS, { env: { CDKTF_CONTEXT_JSON: "{}" } });
    expect(run.status, run.stderr).toBe(0);
    expect(readdirSync(join(root, "out", K8S))).toEqual([]);
    const tree = readTree(join(root, "out"));
    expect(tree.entries.filter((entry) => entry !== `d ${K8S}`)).toEqual(newTree.entries);
    expect(tree.terraform).toEqual(terraformOf(DEV));
  });

  /** Starts a weeks 1-5 synth over the old tree and sends `signal` once the staging build and the zip cache exist. */
  async function interruptDuringStaging(signal: NodeJS.Signals) {
    const root = oldRoot();
    const temp = mkdtempSync(join(base, "tmp-"));
    let pid = 0;
    const assets = () => readdirSync(temp).filter((entry) => entry.startsWith("devops-weeks-assets-"));
    let started!: () => void;
    const spawned = new Promise<void>((resolve) => (started = resolve));
    // Weeks 1-5: week 3's notifier is zipped into the cache (synth of the old config over the old tree: the old tree again).
    const running = runSynth(root, study, OLD_WEEKS, { env: { TMPDIR: temp }, started: (child) => ((pid = child.pid!), started()) });
    await spawned;
    await until(() => pid > 0 && existsSync(join(root, `.out.staging-${pid}`)) && assets().length > 0, 20_000, "the staging build");
    process.kill(pid, signal);
    const run = await running;
    expect(run.signal, run.stdout + run.stderr).toBe(signal);
    expect(assets()).toEqual([]);
    expect(oldOrNew(root)).toBe("old");
    return run;
  }

  test("SIGINT during the synth: staging and the zip cache are removed, out/ is the old tree, the exit is SIGINT's", async () => {
    await interruptDuringStaging("SIGINT");
  });

  test("SIGINT right after the zip cache's folder appeared, before the synth had its name: the folder is removed too", async () => {
    const root = oldRoot();
    const temp = mkdtempSync(join(base, "tmp-"));
    const run = await runSynth(root, study, OLD_WEEKS, { env: { TMPDIR: temp, FAULT_SIGINT_AFTER_MKDIR: "devops-weeks-assets-" } });
    expect(run.signal, run.stdout + run.stderr).toBe("SIGINT");
    expect(readdirSync(temp).filter((entry) => entry.startsWith("devops-weeks-assets-"))).toEqual([]);
    expect(oldOrNew(root)).toBe("old");
  });

  test("SIGTERM during the synth waits for it to end, then removes what it made and exits as SIGTERM", async () => {
    const run = await interruptDuringStaging("SIGTERM");
    expect(run.stdout).toMatch(/weeks enabled: 1, 2, 3, 4, 5/);
  });
});

describe.concurrent("errors of the machine: one line naming the path, exit 1, out/ unchanged", () => {
  test("a read-only folder inside out/ (chmod 0555, a file 0444; EACCES injected for root)", async () => {
    const root = oldRoot();
    const dir = join(root, "out", DEV);
    chmodSync(join(dir, "cdk.tf.json"), 0o444);
    chmodSync(dir, 0o555);
    const before = readTree(join(root, "out"));
    try {
      const run = await runSynth(root, study, NEW_WEEKS, { env: { FAULT_ROOT: root, FAULT_EACCES_DIR: dir } });
      expect(run.status).toBe(1);
      expect(oneLine(run.stderr)).toBe(`devops-weeks: ${dir}: is not writable (EACCES); synth replaces everything in out/ but Terraform's working files: make it writable (chmod -R u+w ${join(root, "out")}) or delete ${join(root, "out")}; out/ was not changed`);
    } finally {
      chmodSync(dir, 0o755);
      chmodSync(join(dir, "cdk.tf.json"), 0o644);
    }
    expect(readTree(join(root, "out"))).toEqual(before);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  test("out/'s parent folder is not writable (EACCES injected, and chmod 0555)", async () => {
    const root = oldRoot();
    const before = readTree(join(root, "out"));
    chmodSync(root, 0o555);
    try {
      const run = await runSynth(root, study, NEW_WEEKS, { env: { FAULT_ROOT: root, FAULT_EACCES_DIR: root } });
      expect(run.status).toBe(1);
      expect(oneLine(run.stderr)).toMatch(new RegExp(`^devops-weeks: ${escape(join(root, ".out."))}\\S+: permission denied \\(EACCES, \\w+\\); make ${escape(root)} writable for your user .*; out/ was not changed$`));
    } finally {
      chmodSync(root, 0o755);
    }
    expect(readTree(join(root, "out"))).toEqual(before);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  test("out is a file", async () => {
    const root = join(base, `root-${++roots}`);
    mkdirSync(root);
    writeFileSync(join(root, "out"), "not a folder\n");
    const run = await runSynth(root, study, NEW_WEEKS);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toBe(`devops-weeks: ${join(root, "out")}: is a file, not a folder; synth writes a folder there: move the file away or delete it, or set CDKTF_OUTDIR to another folder; nothing was changed`);
    expect(readFileSync(join(root, "out"), "utf8")).toBe("not a folder\n");
    expect(readdirSync(root)).toEqual(["out"]);
  });

  test("the disk is full at the first write (ENOSPC injected)", async () => {
    const root = oldRoot();
    const before = readTree(join(root, "out"));
    const run = await runSynth(root, study, NEW_WEEKS, { env: { FAULT_ROOT: root, FAULT_SCOPE: "staging", FAULT_AT: "1", FAULT_KIND: "ENOSPC" }, report: report("enospc") });
    expect(run.report?.fired).toBe(true);
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^devops-weeks: ${escape(join(root, ".out.staging-"))}\\d+/\\S+: no space left on the disk \\(ENOSPC, \\w+\\); free some space on the disk that holds ${escape(root)} and run synth again; out/ was not changed$`));
    expect(readTree(join(root, "out"))).toEqual(before);
    expect(readdirSync(root)).toEqual(["out"]);
  });

  test("the templates folder is missing", async () => {
    const root = oldRoot();
    const before = readTree(join(root, "out"));
    const templates = join(root, "templates");
    let error: unknown;
    try {
      synthesizeStudy({ configPath: study, outdir: join(root, "out"), registry: STUDY_MODULES, weeksOverride: NEW_WEEKS, runbookTemplates: templates });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(OutputDirectoryError);
    expect((error as Error).message).toBe(`${templates}: the runbook templates folder does not exist; restore it (git restore templates) and run synth again; nothing in out/ was changed`);
    expect(readTree(join(root, "out"))).toEqual(before);
    expect(readdirSync(root)).toEqual(["out"]);
  });
});

function count(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, n]) => `${n} ${value}`).join(", ");
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
