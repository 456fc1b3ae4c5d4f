/** Writes roster files for tests and synthesizes classroom configs. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { synthConfig, type Synthesized } from "../support/synth";

export function writeRoster(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), "devops-weeks-roster-")), "roster.csv");
  writeFileSync(path, text);
  return path;
}

export const THREE_LEARNERS = "id,name,email\nkim,Kim Minji,minji@example.com\nlee,\"Lee, Junho\",junho@example.com\npark,Park Seoyeon,seoyeon@example.com\n";

export function synthClass(roster: string, config: Record<string, unknown> = {}, options: { weeks?: string; outdir?: string } = {}): Synthesized {
  const { classroom, ...rest } = config as { classroom?: Record<string, unknown> };
  return synthConfig({ ...rest, classroom: { roster: writeRoster(roster), ...classroom } }, { weeks: options.weeks ?? "1", outdir: options.outdir });
}
