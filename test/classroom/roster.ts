/** Writes roster files for tests and synthesizes classroom configs. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StudyConfigError } from "../../lib/core/errors";
import { synthConfig, type Synthesized } from "../support/synth";

export function writeRoster(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "devops-weeks-roster-")), "roster.csv");
  writeFileSync(path, text);
  return path;
}

export const THREE_LEARNERS = "id,name,email\nkim,Kim Minji,minji@example.com\nlee,\"Lee, Junho\",junho@example.com\npark,Park Seoyeon,seoyeon@example.com\n";

export function synthClass(roster: string, config: Record<string, unknown> = {}, options: { weeks?: string; outdir?: string; learner?: string } = {}): Synthesized {
  const { classroom, ...rest } = config as { classroom?: Record<string, unknown> };
  return synthConfig({ ...rest, classroom: { roster: writeRoster(roster), ...classroom } }, { weeks: options.weeks ?? "1", outdir: options.outdir, learner: options.learner });
}

/**
 * A class synth that must be refused, over an out/ that an earlier synth left: the refusal's one-line
 * problems, and whether that out/ is exactly as it was (its one stack, nothing added beside it).
 */
export function refusedClassSynth(roster: string, config: Record<string, unknown>, options: { learner?: string } = {}): { lines: string[]; untouched: boolean } {
  const outdir = join(mkdtempSync(join(tmpdir(), "devops-weeks-prev-")), "out");
  mkdirSync(join(outdir, "stacks", "devops-weeks-dev"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "devops-weeks-dev", "cdk.tf.json"), "{}");
  try {
    synthClass(roster, config, { outdir, learner: options.learner });
  } catch (error) {
    if (!(error instanceof StudyConfigError)) throw error;
    const untouched =
      readdirSync(outdir).join() === "stacks" && readdirSync(join(outdir, "stacks")).join() === "devops-weeks-dev" && readFileSync(join(outdir, "stacks", "devops-weeks-dev", "cdk.tf.json"), "utf8") === "{}";
    return { lines: error.message.split("\n"), untouched };
  }
  throw new Error("expected the synth to fail");
}
