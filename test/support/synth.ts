/** Synthesizes a study config in-process into a fresh temporary out/, for assertions and offline plans. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dump as stringify } from "js-yaml";
import { synthesizeStudy, type SynthResult } from "../../lib/core/synth";
import { STUDY_MODULES } from "../../modules";
import type { StackJson } from "./terraform";

export interface Synthesized {
  readonly outdir: string;
  readonly result: SynthResult;
  readonly log: readonly string[];
  stackDir(name: string): string;
  stack(name: string): StackJson;
  /** Resources of one type in a stack's cdk.tf.json, by logical name. */
  resources(stackName: string, type: string): Record<string, Record<string, unknown>>;
}

/** Writes `config` (an object, serialized as YAML) and synthesizes it; `weeks` plays the WEEKS variable. */
export function synthConfig(config: Record<string, unknown>, options: { weeks?: string; outdir?: string; learner?: string } = {}): Synthesized {
  const root = mkdtempSync(join(tmpdir(), "devops-weeks-synth-"));
  const configPath = join(root, "study.yaml");
  writeFileSync(configPath, stringify(config));
  const outdir = options.outdir ?? join(root, "out");
  const log: string[] = [];
  const result = synthesizeStudy({ configPath, outdir, registry: STUDY_MODULES, weeksOverride: options.weeks, learnerOverride: options.learner, log: (line) => log.push(line) });
  const stackDir = (name: string) => join(outdir, "stacks", name);
  const stack = (name: string) => JSON.parse(readFileSync(join(stackDir(name), "cdk.tf.json"), "utf8")) as StackJson;
  return {
    outdir,
    result,
    log,
    stackDir,
    stack,
    resources: (stackName, type) => (stack(stackName).resource?.[type] ?? {}) as Record<string, Record<string, unknown>>,
  };
}

/** The StudyConfigError a config is refused with (the test fails when the config is accepted, or fails otherwise). */
export function refusalOf(config: Record<string, unknown>, options: { weeks?: string } = {}): Error {
  try {
    synthConfig(config, options);
  } catch (caught) {
    if ((caught as Error).name === "StudyConfigError") return caught as Error;
    throw caught;
  }
  throw new Error(`the config was accepted: ${JSON.stringify(config)}`);
}
