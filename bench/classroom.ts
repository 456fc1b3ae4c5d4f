/**
 * Classroom scale: synth of 1, 10 and 100 learners with every registered week on (and S3 state, so
 * the bootstrap and instructor stacks are in), each size in a fresh node process (bench/classroom-child.ts)
 * for clean memory figures. Prints, per size: wall time of the whole process (start, loading the
 * code, synth), the synth's own wall and CPU time, time per environment (synth CPU time / learners,
 * and the marginal cost of each added learner) and peak RSS; then checks the targets: time per
 * environment flat (within 20 %) from 10 to 100 learners, and 100 environments in under 15 s and
 * 1.5 GB. CPU time is the steadier figure when other work shares the machine.
 *
 * usage: npx tsx bench/classroom.ts [sizes, default 1,10,100]   (bench/run.ts calls it)
 * BENCH_CLASSROOM_ROUNDS (default 1) repeats each size and keeps the median.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump } from "js-yaml";
import { ALL_WEEKS, ALL_WEEKS_CONFIG } from "../test/support/all-weeks";

export interface ClassroomSample {
  readonly learners: number;
  /** The whole child process: node and tsx start, loading modules and providers, synth. */
  readonly wallMs: number;
  readonly loadMs: number;
  readonly synthMs: number;
  readonly synthCpuMs: number;
  /** synthCpuMs / learners. */
  readonly perEnvironmentMs: number;
  readonly maxRssMiB: number;
}

const TARGETS = { flatness: 0.2, maxWallMs100: 15_000, maxRssMiB100: 1536 };

function rosterOf(size: number): string {
  const rows = Array.from({ length: size }, (_, i) => `l${String(i).padStart(3, "0")},Learner ${i},l${i}@example.com`);
  return `id,name,email\n${rows.join("\n")}\n`;
}

function measureOnce(size: number): ClassroomSample {
  const root = mkdtempSync(join(tmpdir(), `bench-classroom-${size}-`));
  writeFileSync(join(root, "roster.csv"), rosterOf(size));
  const configPath = join(root, "study.yaml");
  // Week 10's account-wide services (GuardDuty, Inspector) and its own budget are refused in classroom
  // mode (classroom.budget gives each learner one), so they are off here.
  // Account-wide services are refused in classroom mode (one account, many learners): the class runs without them.
  const security = { ...(ALL_WEEKS_CONFIG.security as object), guardDuty: { enabled: false }, inspector: { enabled: false }, cloudTrail: { enabled: false } };
  writeFileSync(configPath, dump({ ...ALL_WEEKS_CONFIG, security, state: { backend: "s3", bucket: "devops-weeks-bench-state" }, classroom: { roster: "roster.csv" } }));
  const started = performance.now();
  const stdout = execFileSync(process.execPath, ["--import", "tsx", join(__dirname, "classroom-child.ts"), join(root, "out"), configPath], {
    cwd: join(__dirname, ".."),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallMs = performance.now() - started;
  rmSync(root, { recursive: true, force: true });
  const { loadMs, synthMs, synthCpuMs, maxRssMiB } = JSON.parse(stdout.trim().split("\n").pop()!) as Omit<ClassroomSample, "learners" | "wallMs" | "perEnvironmentMs">;
  return { learners: size, wallMs, loadMs, synthMs, synthCpuMs, perEnvironmentMs: synthCpuMs / size, maxRssMiB };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

export function runClassroomBench(sizes: readonly number[] = [1, 10, 100], rounds = Number(process.env.BENCH_CLASSROOM_ROUNDS ?? 1)): { samples: ClassroomSample[]; ok: boolean } {
  const samples: ClassroomSample[] = [];
  console.log(`classroom synth benchmark: weeks ${ALL_WEEKS}, S3 state, one fresh process per size${rounds > 1 ? `, median of ${rounds}` : ""}\n`);
  for (const size of sizes) {
    const runs = Array.from({ length: rounds }, () => measureOnce(size));
    const sample: ClassroomSample = {
      learners: size,
      wallMs: median(runs.map((r) => r.wallMs)),
      loadMs: median(runs.map((r) => r.loadMs)),
      synthMs: median(runs.map((r) => r.synthMs)),
      synthCpuMs: median(runs.map((r) => r.synthCpuMs)),
      perEnvironmentMs: median(runs.map((r) => r.perEnvironmentMs)),
      maxRssMiB: median(runs.map((r) => r.maxRssMiB)),
    };
    samples.push(sample);
    console.log(
      `${String(size).padStart(4)} learners   process wall ${sample.wallMs.toFixed(0).padStart(6)} ms (load ${sample.loadMs.toFixed(0).padStart(5)})   ` +
        `synth wall ${sample.synthMs.toFixed(0).padStart(6)} ms, CPU ${sample.synthCpuMs.toFixed(0).padStart(6)} ms   ` +
        `per environment ${sample.perEnvironmentMs.toFixed(0).padStart(5)} ms CPU   peak RSS ${sample.maxRssMiB.toFixed(0).padStart(5)} MiB`,
    );
  }
  let ok = true;
  const one = samples.find((s) => s.learners === 1);
  const ten = samples.find((s) => s.learners === 10);
  const hundred = samples.find((s) => s.learners === 100);
  if (one && ten && hundred) {
    // The cost of one more learner, without the fixed part of a synth (config, zipping assets once, JIT warm-up).
    const marginal10 = (ten.synthCpuMs - one.synthCpuMs) / 9;
    const marginal100 = (hundred.synthCpuMs - ten.synthCpuMs) / 90;
    console.log(`
each added learner (synth CPU): ${marginal10.toFixed(0)} ms from 1 to 10 learners, ${marginal100.toFixed(0)} ms from 10 to 100`);
  }
  if (ten && hundred) {
    const drift = hundred.perEnvironmentMs / ten.perEnvironmentMs - 1;
    // Linear scaling: an environment must not cost more in a bigger class. It may cost less (the fixed
    // part of a synth is shared by more environments), which the ±20 % band reports but does not fail.
    const flat = Math.abs(drift) <= TARGETS.flatness;
    const notGrowing = drift <= TARGETS.flatness;
    const fast = hundred.wallMs < TARGETS.maxWallMs100;
    const small = hundred.maxRssMiB < TARGETS.maxRssMiB100;
    ok = notGrowing && fast && small;
    console.log(
      `\ntime per environment (synth CPU) 10 -> 100 learners: ${drift >= 0 ? "+" : ""}${(drift * 100).toFixed(0)} % ` +
        `(target within ±${TARGETS.flatness * 100} %) ${flat ? "ok" : notGrowing ? "outside the band, but falling: fixed costs spread over more environments" : "MISSED: grows faster than linearly"}` +
        `\n100 learners: ${(hundred.wallMs / 1000).toFixed(1)} s process wall (target < 15 s) ${fast ? "ok" : "MISSED"}, ` +
        `${(hundred.synthCpuMs / 1000).toFixed(1)} s synth CPU, ${hundred.maxRssMiB.toFixed(0)} MiB peak (target < 1536 MiB) ${small ? "ok" : "MISSED"}`,
    );
  }
  return { samples, ok };
}

if (require.main === module) {
  const sizes = process.argv[2] ? process.argv[2].split(",").map(Number) : undefined;
  if (!runClassroomBench(sizes).ok) process.exitCode = 1;
}
