/**
 * One classroom synth in this (fresh) process: prints the time to load the code (modules, providers),
 * the time of the synth itself (wall and CPU), the peak RSS and how many environments were stamped and
 * built, as JSON on the last line.
 * usage: node --import tsx bench/classroom-child.ts <outdir> <study config path>
 */
import { performance } from "node:perf_hooks";

const [outdir, configPath] = process.argv.slice(2);
const started = performance.now();
// require, not import: loading is timed apart from the synth.
const { synthesizeStudy } = require("../lib/core/synth") as typeof import("../lib/core/synth");
const { STUDY_MODULES } = require("../modules") as typeof import("../modules");
const loaded = performance.now();
const cpuBefore = process.cpuUsage();
const result = synthesizeStudy({ configPath, outdir, registry: STUDY_MODULES });
const cpu = process.cpuUsage(cpuBefore);
const done = performance.now();
// CPU time (user + system) of the synth: unlike wall time, it barely moves when other work shares the machine.
const synthCpuMs = (cpu.user + cpu.system) / 1000;
// How many environments were stamped from a template (lib/core/environment-stamps.ts) rather than built by cdktf.
console.log(JSON.stringify({ loadMs: loaded - started, synthMs: done - loaded, synthCpuMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, stamped: result.stamped, stampedGuides: result.stampedGuides, built: result.built.length }));
