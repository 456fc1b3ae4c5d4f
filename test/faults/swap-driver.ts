/**
 * The swap of a synth without the synth: `writeOutDirectory` (what synthesizeStudy calls) with a build
 * that copies a finished tree into the staging folder, so a fault run costs a Node start (~0.4 s)
 * rather than a synth (~2 s). The copy's writes are inside the staging folder, which fault-fs.cjs does
 * not count: the counted calls are the same as main.ts's (out-swap.test.ts checks that).
 *   node --require test/faults/fault-fs.cjs --import tsx test/faults/swap-driver.ts <outdir> <tree to copy>
 */
import { cpSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { OutputDirectoryError } from "../../lib/core/errors";
import { writeOutDirectory } from "../../lib/core/out-directory";

const [outdir, tree] = process.argv.slice(2);
try {
  writeOutDirectory(outdir, { log: (line) => console.log(`devops-weeks: ${line}`), leaveRemovedStackDirectories: process.env.CDKTF_CONTEXT_JSON !== undefined }, (staging) => {
    for (const entry of readdirSync(tree)) cpSync(join(tree, entry), join(staging, entry), { recursive: true });
  });
} catch (error) {
  if (!(error instanceof OutputDirectoryError)) throw error;
  console.error(`devops-weeks: ${error.message}`);
  process.exitCode = 1;
}
