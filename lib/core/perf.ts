/**
 * The fast synth lives in lib/core/cdktf-adapter.ts, with every other use of cdktf's internals; this file
 * keeps the older import path working (test/classroom/scale.test.ts imports it).
 */
export { fastSynth, withoutTokenStackTraces } from "./cdktf-adapter";
