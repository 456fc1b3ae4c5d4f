/**
 * One synth in this (child) process, so that every measurement starts cold and memory figures are
 * not polluted by earlier runs. Prints, as JSON on the last line, what happened after the runner
 * (node and tsx) had started: the wall and CPU time of loading the code and synthesizing, the runner's
 * own start-up before that, and the peak resident memory of the whole process.
 * usage: node --import tsx bench/measure-child.ts <study|bare> <outdir> [study config path]
 *
 * Both sides load lib/core/process-start.ts first, as main.ts does: how Node loads code (source maps,
 * compile cache) is the same for both, so the comparison is of what each app does.
 */
const runnerMs = performance.now();
const cpuAtStart = process.cpuUsage();
require("../lib/core/process-start");

function main(): void {
  const [kind, outdir, configPath] = process.argv.slice(2);
  if (kind === "bare") {
    // require, not import: only the side being measured is loaded into this process.
    (require("./bare-network-app") as typeof import("./bare-network-app")).synthBareNetwork(outdir);
  } else {
    const { synthesizeStudy } = require("../lib/core/synth") as typeof import("../lib/core/synth");
    const { STUDY_MODULES } = require("../modules") as typeof import("../modules");
    synthesizeStudy({ configPath, outdir, registry: STUDY_MODULES });
  }
  const cpu = process.cpuUsage(cpuAtStart);
  const synthMs = performance.now() - runnerMs;
  console.log(JSON.stringify({ runnerMs, synthMs, synthCpuMs: (cpu.user + cpu.system) / 1000, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

main();
