/**
 * `npm run doctor` (WEEKS and STUDY_CONFIG as for synth): checks this machine for what the enabled
 * weeks need, in the runbooks' first language. Exit 0 when everything required is there, 1 when
 * something is missing, 2 when the study config itself is wrong.
 */
import { spawnSync } from "node:child_process";
import { DEFAULT_CONFIG_FILE, loadConfigFile } from "../lib/core/config";
import { examine, formatFindings, loadDoctorWords, type Runner } from "../lib/core/doctor";
import { StudyConfigError } from "../lib/core/errors";
import { DEFAULT_TEMPLATES_DIR } from "../lib/runbooks";
import { selectModules } from "../lib/core/weeks";
import { STUDY_MODULES } from "../modules";

const run: Runner = (command, args) => {
  const result = spawnSync(command, [...args], { encoding: "utf8", timeout: 30_000 });
  const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
  return { status: result.status, stdout: result.stdout ?? "", stderr: result.stderr ?? "", missing };
};

try {
  const config = loadConfigFile(process.env.STUDY_CONFIG ?? DEFAULT_CONFIG_FILE, STUDY_MODULES, { weeksOverride: process.env.WEEKS });
  const selection = selectModules(config.weeks, STUDY_MODULES);
  const text = loadDoctorWords(DEFAULT_TEMPLATES_DIR, config.core.runbooks.languages[0]);
  const { report, exitCode } = formatFindings(examine({ config, selection, run, text }), text, config.weeks);
  process.stdout.write(report);
  process.exitCode = exitCode;
} catch (error) {
  if (!(error instanceof StudyConfigError)) throw error;
  console.error(`devops-weeks doctor: ${error.message}`);
  process.exitCode = 2;
}
