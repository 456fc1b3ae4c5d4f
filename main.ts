/**
 * `npx cdktf synth` runs this: read study.yaml -> resolve weeks -> build stacks -> render runbooks.
 * Config problems print one line each and exit non-zero, leaving the previous out/ untouched; so do
 * problems of the machine (out/ not writable, the disk full, out/ a file, the templates folder gone).
 */
// First: how Node loads the rest (lib/core/process-start.ts).
import "./lib/core/process-start";
import { OutputDirectoryError, StudyConfigError } from "./lib/core/errors";
import { SynthInterruptedError } from "./lib/core/out-directory";
import { RunbookTemplateError } from "./lib/runbooks/errors";
import { synthesizeStudy } from "./lib/core/synth";
import { DEFAULT_CONFIG_FILE } from "./lib/core/config";
import { STUDY_MODULES } from "./modules";

try {
  synthesizeStudy({
    configPath: process.env.STUDY_CONFIG ?? DEFAULT_CONFIG_FILE,
    outdir: process.env.CDKTF_OUTDIR ?? "out",
    registry: STUDY_MODULES,
    weeksOverride: process.env.WEEKS,
    learnerOverride: process.env.LEARNER,
    // `npx cdktf synth` runs this app with CDKTF_CONTEXT_JSON set, and removes dropped stacks' directories itself.
    leaveRemovedStackDirectories: process.env.CDKTF_CONTEXT_JSON !== undefined,
    log: (line) => console.log(`devops-weeks: ${line}`),
  });
} catch (error) {
  if (error instanceof StudyConfigError) {
    console.error(`devops-weeks: the study config has ${error.problems.length === 1 ? "a problem" : `${error.problems.length} problems`}; nothing in out/ was changed.`);
    console.error(error.message);
  } else if (error instanceof RunbookTemplateError || error instanceof OutputDirectoryError) {
    console.error(`devops-weeks: ${error.message}`);
  } else if (!(error instanceof SynthInterruptedError)) {
    throw error;
  }
  // Interrupted: out/ is as it was, the signal was raised again, and its handler (tsx's, ...) ends the process.
  process.exitCode = error instanceof SynthInterruptedError ? error.exitCode : 1;
}
