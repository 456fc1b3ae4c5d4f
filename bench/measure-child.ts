/**
 * Runs one synth in this (child) process and prints its wall time and peak resident memory, so
 * every measurement starts cold and memory figures are not polluted by earlier runs.
 * usage: node --import tsx bench/measure-child.ts <study|bare> <outdir> [study config path]
 */
import { performance } from "node:perf_hooks";

function main(): void {
  const [kind, outdir, configPath] = process.argv.slice(2);
  const started = performance.now();
  if (kind === "bare") {
    // require, not import: only the side being measured is loaded into this process.
    (require("./bare-network-app") as { synthBareNetwork(outdir: string): void }).synthBareNetwork(outdir);
  } else {
    const { synthesizeStudy } = require("../lib/synth") as typeof import("../lib/synth");
    const { STUDY_MODULES } = require("../modules") as typeof import("../modules");
    synthesizeStudy({ configPath, outdir, registry: STUDY_MODULES });
  }
  const synthMs = performance.now() - started;
  console.log(JSON.stringify({ synthMs, maxRssMiB: process.resourceUsage().maxRSS / 1024 }));
}

main();
