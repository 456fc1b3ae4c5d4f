/**
 * Runs `main.ts` in a child process (as `npx tsx main.ts` does, with test/faults/fault-fs.cjs loaded
 * first), at most two at a time (the machine has two cores), and reads out/ as a comparable tree.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join, relative } from "node:path";

export const REPO = join(__dirname, "..", "..");
const PRELOAD = join(__dirname, "fault-fs.cjs");

export interface FaultReport {
  readonly count: number;
  readonly fired: boolean;
  readonly calls: readonly string[];
}

export interface RunResult {
  readonly pid: number;
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
  readonly report?: FaultReport;
}

export interface RunOptions {
  /** Environment for the child on top of ours (FAULT_*, CDKTF_CONTEXT_JSON, TMPDIR, ...). */
  readonly env?: Record<string, string>;
  /** Where fault-fs.cjs writes its report. */
  readonly report?: string;
  /** Called once the child is spawned (to signal it). */
  readonly started?: (child: ChildProcess) => void;
  /** Run now, not after the children already queued (for two synths that must overlap). */
  readonly unqueued?: boolean;
}

let running = 0;
const queue: (() => void)[] = [];
const slot = async (): Promise<() => void> => {
  if (running >= 2) await new Promise<void>((resolve) => queue.push(resolve));
  running += 1;
  return () => {
    running -= 1;
    queue.shift()?.();
  };
};

/** `node --require fault-fs.cjs --import tsx main.ts` from the repository, out/ at `<root>/out`. */
export function runSynth(root: string, studyConfig: string, weeks: string, options: RunOptions = {}): Promise<RunResult> {
  return runNode(["main.ts"], { STUDY_CONFIG: studyConfig, CDKTF_OUTDIR: join(root, "out"), WEEKS: weeks }, options);
}

/** Only the swap (swap-driver.ts): `<root>/out` becomes a copy of `tree`. */
export function runSwap(root: string, tree: string, options: RunOptions = {}): Promise<RunResult> {
  return runNode([join(__dirname, "swap-driver.ts"), join(root, "out"), tree], {}, options);
}

async function runNode(args: readonly string[], appEnv: Record<string, string>, options: RunOptions): Promise<RunResult> {
  const release = options.unqueued ? () => {} : await slot();
  try {
    const env: Record<string, string | undefined> = { ...process.env, CHECKPOINT_DISABLE: "1" };
    for (const key of Object.keys(env)) if (key.startsWith("FAULT_") || key === "CDKTF_CONTEXT_JSON") delete env[key];
    Object.assign(env, appEnv, options.env ?? {});
    if (options.report) env.FAULT_REPORT = options.report;
    const started = Date.now();
    const child = spawn(process.execPath, ["--require", PRELOAD, "--import", "tsx", ...args], { cwd: REPO, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    options.started?.(child);
    const [status, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.on("close", (code, sig) => resolve([code, sig])));
    const report = options.report && existsSync(options.report) ? (JSON.parse(readFileSync(options.report, "utf8")) as FaultReport) : undefined;
    return { pid: child.pid!, status, signal, stdout, stderr, ms: Date.now() - started, report };
  } finally {
    release();
  }
}

export async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export interface Tree {
  /** Digest of every entry but Terraform's working files: folders by path, files by path and bytes, links by target. */
  readonly digest: string;
  readonly entries: readonly string[];
  /** Files inside `.terraform/` and `.terraform.lock.hcl`, by path, with their contents. */
  readonly terraform: Readonly<Record<string, string>>;
}

export function readTree(root: string): Tree {
  const entries: string[] = [];
  const terraform: Record<string, string> = {};
  const walk = (dir: string, inTerraform: boolean) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const rel = relative(root, path).split("\\").join("/");
      const stat = lstatSync(path);
      const terraformHere = inTerraform || name === ".terraform" || name === ".terraform.lock.hcl";
      if (stat.isDirectory()) {
        if (!terraformHere) entries.push(`d ${rel}`);
        walk(path, terraformHere);
      } else if (stat.isSymbolicLink()) {
        if (terraformHere) terraform[rel] = `-> ${readlinkSync(path)}`;
        else entries.push(`l ${rel} ${readlinkSync(path)}`);
      } else if (terraformHere) terraform[rel] = readFileSync(path, "utf8");
      else entries.push(`f ${rel} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`);
    }
  };
  walk(root, false);
  return { digest: createHash("sha256").update(entries.join("\n")).digest("hex"), entries, terraform };
}

/** stderr of a failed run: exactly one line, the app's, naming `path`, and no stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.split("\n").filter((line) => line.trim() !== "");
  if (lines.length !== 1 || !lines[0].startsWith("devops-weeks: ")) throw new Error(`expected one line from the app on stderr, got:\n${stderr}`);
  return lines[0];
}
