/**
 * Every file an all-weeks synth and a classroom synth write, by SHA-256, against the recorded digests
 * in test/fixtures/golden/: a refactor that claims to change nothing (contract v2, template merges,
 * moved files) proves it here, and a change that does alter the output names each file it touched.
 * After an intended change: `npx vitest run test/foundation/golden-output.test.ts -u`, and say in the
 * commit which files changed and why.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { THREE_LEARNERS, synthClass } from "../classroom/roster";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { filesUnder } from "../support/files";
import { synthConfig, type Synthesized } from "../support/synth";

const GOLDEN = join(__dirname, "..", "fixtures", "golden");

function digests(synth: Synthesized): string {
  const files = filesUnder(synth.outdir);
  const lines = [...files].map(([path, bytes]) => `${createHash("sha256").update(bytes).digest("hex")}  ${path.split("\\").join("/")}`);
  return `${lines.join("\n")}\n`;
}

describe("the generated files, byte for byte", () => {
  test("every week on, the defaults", async () => {
    await expect(digests(synthConfig(ALL_WEEKS_CONFIG))).toMatchFileSnapshot(join(GOLDEN, "all-weeks.sha256"));
  });

  test("a class of three learners, every week they can take", async () => {
    const synth = synthClass(THREE_LEARNERS, { costGuard: { emails: ["teacher@example.com"] } }, { weeks: "1-9" });
    await expect(digests(synth)).toMatchFileSnapshot(join(GOLDEN, "classroom.sha256"));
  });
});
