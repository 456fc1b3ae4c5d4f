/**
 * `npm run bench`: synth time and peak memory of the study (week 1, the same resources as the bare
 * app, and every registered week) next to a bare cdktf app that declares the week-1 resources
 * directly, each in a fresh process, several rounds, medians. Not a test: numbers vary by machine.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { ALL_WEEKS, ALL_WEEKS_CONFIG } from "../test/support/all-weeks";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TARGET_RATIO = 1.2;

interface Sample {
  wallMs: number;
  synthMs: number;
  maxRssMiB: number;
}

const configDir = mkdtempSync(join(tmpdir(), "bench-config-"));
const week1Config = join(configDir, "week1.yaml");
const allWeeksConfig = join(configDir, "all-weeks.yaml");
writeFileSync(week1Config, dump({ weeks: "1" }));
writeFileSync(allWeeksConfig, dump(ALL_WEEKS_CONFIG));

function measure(kind: "study" | "bare", configPath?: string): Sample {
  const outdir = mkdtempSync(join(tmpdir(), `bench-${kind}-`));
  const started = performance.now();
  const stdout = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "measure-child.ts"), kind, join(outdir, "out"), configPath ?? ""].filter(Boolean), {
    cwd: join(__dirname, ".."),
    encoding: "utf8",
  });
  const wallMs = performance.now() - started;
  rmSync(outdir, { recursive: true, force: true });
  return { wallMs, ...(JSON.parse(stdout.trim().split("\n").pop()!) as Omit<Sample, "wallMs">) };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function summarize(label: string, samples: Sample[]) {
  const row = {
    label,
    wallMs: median(samples.map((s) => s.wallMs)),
    synthMs: median(samples.map((s) => s.synthMs)),
    maxRssMiB: median(samples.map((s) => s.maxRssMiB)),
  };
  console.log(`${label.padEnd(34)} wall ${row.wallMs.toFixed(0).padStart(6)} ms   synth ${row.synthMs.toFixed(0).padStart(6)} ms   peak RSS ${row.maxRssMiB.toFixed(0).padStart(5)} MiB`);
  return row;
}

const bare: Sample[] = [];
const week1: Sample[] = [];
const full: Sample[] = [];
measure("bare"); // warm the filesystem cache once; not counted
for (let round = 0; round < ROUNDS; round++) {
  // Interleaved so drift on the machine affects both sides alike.
  bare.push(measure("bare"));
  week1.push(measure("study", week1Config));
  full.push(measure("study", allWeeksConfig));
}

console.log(`\nsynth benchmark, ${ROUNDS} rounds, medians (each run is a fresh node process with tsx)\n`);
const bareRow = summarize("bare cdktf app (week-1 resources)", bare);
const week1Row = summarize("devops-weeks, WEEKS=1", week1);
summarize(`devops-weeks, all weeks (${ALL_WEEKS})`, full);
const ratio = week1Row.wallMs / bareRow.wallMs;
const memoryRatio = week1Row.maxRssMiB / bareRow.maxRssMiB;
console.log(`\nratio devops-weeks / bare (same resources): wall ${ratio.toFixed(2)}x, peak memory ${memoryRatio.toFixed(2)}x (target <= ${TARGET_RATIO}x)`);

const classroomBench = join(__dirname, "classroom.ts");
if (existsSync(classroomBench) && !process.argv.includes("--no-classroom")) {
  console.log("");
  execFileSync(process.execPath, ["--import", "tsx", classroomBench], { stdio: "inherit", cwd: join(__dirname, "..") });
}
if (ratio > TARGET_RATIO) process.exitCode = 1;
