/**
 * `npm run bench`: how long a synth takes, next to a bare cdktf app that declares week 1's resources
 * directly (bench/bare-network-app.ts), each run in a fresh process, several rounds interleaved, medians.
 * Not a test: the numbers vary by machine and by what else runs on it.
 *
 * Three kinds of run:
 * - the app as bench/measure-child.ts runs it (`node --import tsx`): its in-process figures leave out
 *   the runner's start-up (node and tsx), the same on both sides, and are what the 1.2x target judges;
 *   the whole process (runner included on both sides) is printed beside them;
 * - the learner's command, `npx cdktf synth` (the CLI, its terraform calls, then the app), with
 *   CHECKPOINT_DISABLE=1 as `npm run synth` sets it;
 * - `npm run synth:fast` (the app without the CLI), printed for comparison.
 * CPU time is user + system of the process and everything it started (bash's `times`): steadier than
 * wall time when other work shares the machine. Every figure and target is printed; when one is missed
 * the last line names each, by how much, and the exit status is 1. bench/classroom.ts follows (its
 * own targets) unless --no-classroom is given.
 *
 * usage: npm run bench [-- --no-classroom]      BENCH_ROUNDS (default 5) sets the rounds.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { ALL_WEEKS, ALL_WEEKS_CONFIG } from "../test/support/all-weeks";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROOT = join(__dirname, "..");

/** The issue's targets (17, items 1 and 2). */
export const TARGETS = {
  /** The app (in-process, runner start-up excluded) against the bare app: wall and CPU. */
  appOverBare: 1.2,
  /** `npx cdktf synth` of week 1, wall. */
  cliWeek1Ms: 1500,
  /** `npx cdktf synth` of week 1 against the bare app's whole process: wall and CPU. */
  cliOverBare: 2.5,
  /** `npx cdktf synth` of every week, wall. */
  cliAllWeeksMs: 2500,
} as const;

interface Run {
  /** The whole process, from spawn to exit. */
  readonly wallMs: number;
  /** User + system time of the process and its descendants. */
  readonly cpuMs: number;
}

interface ChildFigures {
  /** Time from the process's start to the first line of measure-child.ts (node and tsx starting). */
  readonly runnerMs: number;
  /** Loading the code and synthesizing, after the runner started: wall and CPU. */
  readonly synthMs: number;
  readonly synthCpuMs: number;
  readonly maxRssMiB: number;
}

type AppRun = Run & ChildFigures;

/**
 * A TF_CLI_CONFIG_FILE that names a missing file makes each terraform call print a warning (and a
 * learner's machine would not have it): left out of the measured environment, and said so once.
 */
function measuredEnvironment(): { env: NodeJS.ProcessEnv; notes: string[] } {
  const env: NodeJS.ProcessEnv = { ...process.env, CHECKPOINT_DISABLE: "1" };
  const notes: string[] = [];
  if (env.TF_CLI_CONFIG_FILE && !existsSync(env.TF_CLI_CONFIG_FILE)) {
    notes.push(`TF_CLI_CONFIG_FILE (${env.TF_CLI_CONFIG_FILE}) names a missing file: unset for the measurements`);
    delete env.TF_CLI_CONFIG_FILE;
  }
  return { env, notes };
}

const { env: ENV, notes: NOTES } = measuredEnvironment();

/** Runs `command` through bash, whose `times` reports the CPU time of everything the command started. */
function timed(command: string, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Run & { stdout: string } {
  const started = performance.now();
  const result = spawnSync("bash", ["-c", `${command}\nstatus=$?\ntimes >&3\nexit $status`], {
    cwd: options.cwd ?? ROOT,
    env: { ...ENV, ...options.env },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  const wallMs = performance.now() - started;
  if (result.status !== 0) throw new Error(`bench: \`${command}\` exited with ${result.status}:\n${result.stderr}`);
  // `times` prints the shell's own user and system time, then its children's: "0m1.234s 0m0.321s".
  const children = String(result.output[3]).trim().split("\n").pop()!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wallMs, cpuMs: (seconds[0] + seconds[1]) * 1000, stdout: result.stdout };
}

const scratch = mkdtempSync(join(tmpdir(), "bench-"));
const week1Config = join(scratch, "week1.yaml");
const allWeeksConfig = join(scratch, "all-weeks.yaml");
writeFileSync(week1Config, dump({ weeks: "1" }));
writeFileSync(allWeeksConfig, dump(ALL_WEEKS_CONFIG));
const shellQuote = (value: string) => `'${value.replace(/'/g, `'\\''`)}'`;

function measureApp(kind: "study" | "bare", configPath?: string, keepOutdir?: string): AppRun {
  const outdir = keepOutdir ?? mkdtempSync(join(scratch, `${kind}-`));
  const args = [join(__dirname, "measure-child.ts"), kind, join(outdir, "out"), ...(configPath ? [configPath] : [])];
  const run = timed(`${shellQuote(process.execPath)} --import tsx ${args.map(shellQuote).join(" ")}`);
  if (!keepOutdir) rmSync(outdir, { recursive: true, force: true });
  return { wallMs: run.wallMs, cpuMs: run.cpuMs, ...(JSON.parse(run.stdout.trim().split("\n").pop()!) as ChildFigures) };
}

/** The learner's command, or `npm run synth:fast`, writing to a folder of its own. */
function measureCommand(command: "npx cdktf synth" | "npm run --silent synth:fast", configPath: string): Run {
  const outdir = mkdtempSync(join(scratch, "cli-"));
  const output = join(outdir, "out");
  const run = timed(`${command}${command.startsWith("npx") ? ` --output ${shellQuote(output)}` : ""} >/dev/null`, { env: { STUDY_CONFIG: configPath, CDKTF_OUTDIR: output, CI: "1" } });
  rmSync(outdir, { recursive: true, force: true });
  return { wallMs: run.wallMs, cpuMs: run.cpuMs };
}

/** `resource.<type>` and `data.<type>` with how many of each: what the two apps must have alike. */
function resourceCounts(stackJson: string): Record<string, number> {
  const stack = JSON.parse(readFileSync(stackJson, "utf8")) as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const counts: Record<string, number> = {};
  for (const kind of ["resource", "data"]) for (const [type, instances] of Object.entries(stack[kind] ?? {})) counts[`${kind}.${type}`] = Object.keys(instances).length;
  return counts;
}

/** The JSON of the one stack a synth wrote, found through its manifest. */
function onlyStackJson(outdir: string): string {
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { synthesizedStackPath: string }> };
  const stacks = Object.values(manifest.stacks);
  if (stacks.length !== 1) throw new Error(`bench: expected one stack in ${outdir}, found ${stacks.length}`);
  return join(outdir, stacks[0].synthesizedStackPath);
}

/** The bare app must declare what week 1 builds, or the ratio compares different work. */
function checkSameResources(): void {
  const study = mkdtempSync(join(scratch, "same-study-"));
  const bare = mkdtempSync(join(scratch, "same-bare-"));
  measureApp("study", week1Config, study);
  measureApp("bare", undefined, bare);
  const ours = resourceCounts(onlyStackJson(join(study, "out")));
  const theirs = resourceCounts(onlyStackJson(join(bare, "out")));
  const differences = [...new Set([...Object.keys(ours), ...Object.keys(theirs)])].sort().filter((type) => ours[type] !== theirs[type]);
  const total = Object.values(ours).reduce((a, b) => a + b, 0);
  if (differences.length > 0) {
    console.error(`bench: bench/bare-network-app.ts no longer declares week 1's resources (week 1 / bare): ${differences.map((type) => `${type} ${ours[type] ?? 0}/${theirs[type] ?? 0}`).join(", ")}`);
    process.exit(1);
  }
  console.log(`same resources: week 1 and the bare app each declare ${total} (${Object.keys(ours).length} types, each as many times)`);
}

const median = (values: readonly number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const medianOf = <T>(runs: readonly T[], key: keyof T) => median(runs.map((run) => run[key] as number));
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

interface Target {
  readonly label: string;
  readonly value: number;
  readonly limit: number;
  readonly format: (value: number) => string;
}
const targets: Target[] = [];
const ratio = (value: number) => `${value.toFixed(2)}x`;
function judge(label: string, value: number, limit: number, format: (value: number) => string): string {
  targets.push({ label, value, limit, format });
  return `${format(value)} (target <= ${format(limit)}) ${value <= limit ? "ok" : "MISSED"}`;
}

console.log(`synth benchmark: ${ROUNDS} rounds, interleaved, medians; each run a fresh process; CHECKPOINT_DISABLE=1`);
for (const note of NOTES) console.log(note);
measureApp("bare"); // warm the file cache, tsx's and Node's compile caches once; not counted
checkSameResources();

const runs = { bare: [] as AppRun[], week1: [] as AppRun[], allWeeks: [] as AppRun[], cliWeek1: [] as Run[], cliAllWeeks: [] as Run[], fastWeek1: [] as Run[] };
/**
 * Why the CLI could not run, if it could not (e.g. its native terminal library has no build for this
 * Node's ABI): its figures and targets are then reported as not measured, and counted as missed.
 */
let cliFailure: string | undefined;
function measureCli(configPath: string): Run[] {
  if (cliFailure) return [];
  try {
    return [measureCommand("npx cdktf synth", configPath)];
  } catch (error) {
    const lines = String((error as Error).message).split("\n").map((line) => line.trim());
    cliFailure = lines.find((line) => /^Error:/.test(line)) ?? lines[0];
    return [];
  }
}
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved so that drift on the machine affects every kind alike.
  runs.bare.push(measureApp("bare"));
  runs.week1.push(measureApp("study", week1Config));
  runs.allWeeks.push(measureApp("study", allWeeksConfig));
  runs.cliWeek1.push(...measureCli(week1Config));
  runs.cliAllWeeks.push(...measureCli(allWeeksConfig));
  runs.fastWeek1.push(measureCommand("npm run --silent synth:fast", week1Config));
}

const row = (label: string, run: readonly Run[]) => `${label.padEnd(44)} wall ${seconds(medianOf(run, "wallMs")).padStart(7)}   CPU ${seconds(medianOf(run, "cpuMs")).padStart(7)}`;
const appRow = (label: string, run: readonly AppRun[]) =>
  `${row(label, run)}   | after the runner: wall ${seconds(medianOf(run, "synthMs")).padStart(7)}, CPU ${seconds(medianOf(run, "synthCpuMs")).padStart(7)} | runner ${seconds(medianOf(run, "runnerMs"))}   peak RSS ${medianOf(run, "maxRssMiB").toFixed(0).padStart(4)} MiB`;

console.log("\nthe app, as bench/measure-child.ts runs it (node --import tsx):");
console.log(appRow("bare cdktf app (week-1 resources)", runs.bare));
console.log(appRow("devops-weeks, week 1", runs.week1));
console.log(appRow(`devops-weeks, all weeks (${ALL_WEEKS})`, runs.allWeeks));
console.log("\nthe learner's commands:");
if (cliFailure) console.log(`npx cdktf synth: does not run here (${process.version}): ${cliFailure}`);
else {
  console.log(row("npx cdktf synth, week 1", runs.cliWeek1));
  console.log(row(`npx cdktf synth, all weeks`, runs.cliAllWeeks));
}
console.log(row("npm run synth:fast, week 1 (no CLI)", runs.fastWeek1));
if (!cliFailure) {
  const cliOwnMs = medianOf(runs.cliWeek1, "wallMs") - medianOf(runs.fastWeek1, "wallMs");
  const cliOwnCpuMs = medianOf(runs.cliWeek1, "cpuMs") - medianOf(runs.fastWeek1, "cpuMs");
  console.log(`the CLI's own part (npx cdktf synth - synth:fast, week 1): wall ${seconds(cliOwnMs)}, CPU ${seconds(cliOwnCpuMs)}`);
}

const bareWall = medianOf(runs.bare, "wallMs");
const bareCpu = medianOf(runs.bare, "cpuMs");
console.log("\ntargets:");
console.log(`  app / bare, after the runner's start-up, wall: ${judge("app/bare wall (after the runner)", medianOf(runs.week1, "synthMs") / medianOf(runs.bare, "synthMs"), TARGETS.appOverBare, ratio)}`);
console.log(`  app / bare, after the runner's start-up, CPU:  ${judge("app/bare CPU (after the runner)", medianOf(runs.week1, "synthCpuMs") / medianOf(runs.bare, "synthCpuMs"), TARGETS.appOverBare, ratio)}`);
console.log(`  (whole processes, the runner on both sides: wall ${ratio(medianOf(runs.week1, "wallMs") / bareWall)}, CPU ${ratio(medianOf(runs.week1, "cpuMs") / bareCpu)}, peak RSS ${ratio(medianOf(runs.week1, "maxRssMiB") / medianOf(runs.bare, "maxRssMiB"))}; not judged)`);
if (!cliFailure) {
console.log(`  npx cdktf synth, week 1, wall:                 ${judge("CLI week 1 wall", medianOf(runs.cliWeek1, "wallMs"), TARGETS.cliWeek1Ms, seconds)}`);
console.log(`  npx cdktf synth, week 1 / bare app, wall:      ${judge("CLI week 1 / bare app wall", medianOf(runs.cliWeek1, "wallMs") / bareWall, TARGETS.cliOverBare, ratio)}`);
console.log(`  npx cdktf synth, week 1 / bare app, CPU:       ${judge("CLI week 1 / bare app CPU", medianOf(runs.cliWeek1, "cpuMs") / bareCpu, TARGETS.cliOverBare, ratio)}`);
console.log(`  npx cdktf synth, all weeks, wall:              ${judge("CLI all weeks wall", medianOf(runs.cliAllWeeks, "wallMs"), TARGETS.cliAllWeeksMs, seconds)}`);
} else console.log(`  npx cdktf synth: its four targets not measured (the CLI does not run on ${process.version})`);
rmSync(scratch, { recursive: true, force: true });

const missed = targets.filter((target) => target.value > target.limit).map((target) => `${target.label} ${target.format(target.value)} > ${target.format(target.limit)} (+${((target.value / target.limit - 1) * 100).toFixed(0)} %)`);
if (cliFailure) missed.push(`npx cdktf synth does not run on ${process.version} (${cliFailure})`);
const classroomBench = join(__dirname, "classroom.ts");
if (existsSync(classroomBench) && !process.argv.includes("--no-classroom")) {
  console.log("");
  try {
    execFileSync(process.execPath, ["--import", "tsx", classroomBench], { stdio: "inherit", cwd: ROOT, env: ENV });
  } catch {
    missed.push("classroom scale (bench/classroom.ts, above)");
  }
}
if (missed.length > 0) {
  console.log(`\nbench: ${missed.length} target${missed.length === 1 ? "" : "s"} missed: ${missed.join("; ")}`);
  process.exitCode = 1;
} else {
  console.log("\nbench: every target met");
}
