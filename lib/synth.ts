/**
 * read config -> resolve weeks -> build stacks into a staging directory -> render runbooks ->
 * swap the staging directory into out/. Nothing in out/ changes unless every step succeeded.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { App } from "cdktf";
import { loadConfigFile, type StudyConfig } from "./config";
import { resolveState, setStateSettings } from "./backend";
import { planClassroom, studyEnvironments, type ClassroomPlan } from "./classroom";
import { fastSynth } from "./perf";
import { StudyConfigError, type ConfigProblem } from "./errors";
import { buildEnvironment, type BuiltEnvironment } from "./environment";
import type { AnyStudyModule, SelectionView, StudyEnvironment, StudyModule } from "./module";
import { selectModules, type ModuleSelection } from "./weeks";
import { renderRunbooks } from "./runbooks";

export interface SynthOptions {
  readonly configPath: string;
  readonly outdir: string;
  readonly registry: readonly AnyStudyModule[];
  readonly weeksOverride?: string;
  readonly log?: (line: string) => void;
  /** Where the runbook templates live. @default - the repository's templates/ */
  readonly runbookTemplates?: string;
  /**
   * Leave the (emptied) directory of a stack this synth no longer produces for the caller to remove.
   * The cdktf CLI lists out/stacks/ before it runs the app and removes what the app did not produce
   * afterwards; a directory already gone makes `npx cdktf synth` fail with ENOENT. @default false
   */
  readonly leaveRemovedStackDirectories?: boolean;
}

export interface SynthResult {
  readonly config: StudyConfig;
  readonly selection: ModuleSelection;
  readonly environments: readonly BuiltEnvironment[];
  /** The class (learners, their stacks and budgets) in classroom mode. */
  readonly classroom?: ClassroomPlan;
}

export function synthesizeStudy(options: SynthOptions): SynthResult {
  const log = options.log ?? (() => {});
  const config = loadConfigFile(options.configPath, options.registry, { weeksOverride: options.weeksOverride });
  const selection = selectModules(config.weeks, options.registry);
  if (selection.modules.length === 0) {
    const registered = [...new Set(options.registry.map((m) => m.week))].sort((a, b) => a - b).join(", ");
    throw new StudyConfigError(config.source, [{ field: options.weeksOverride !== undefined ? "WEEKS (environment variable)" : "weeks", value: config.weeks.join(","), expected: `weeks that have modules (${registered})` }]);
  }
  for (const { module, neededBy } of selection.added) {
    log(`week ${module.week} (${module.id}) added: week ${neededBy.week} (${neededBy.id}) requires it`);
  }
  log(`weeks enabled: ${[...new Set(selection.modules.map((m) => m.week))].sort((a, b) => a - b).join(", ")} (modules: ${selection.modules.map((m) => m.id).join(", ")})`);

  const state = resolveState(config.core.state, config.core);
  const classroom = planClassroom(config, state);
  const environments = studyEnvironments(config, classroom);
  validateModules(config, selection, environments);

  const staging = stagingDirectory(options.outdir);
  try {
    const built = fastSynth(
      () => {
        const app = new App({ outdir: staging, skipBackendValidation: false });
        setStateSettings(app, state);
        const environmentsBuilt = environments.map((environment) => buildEnvironment(app, config, environment, selection.modules));
        // The state bucket and the instructor stack load their provider classes only when they exist.
        if (state.backend === "s3" || classroom?.instructorStack) {
          (require("./classroom-stacks") as typeof import("./classroom-stacks")).buildSharedStacks(app, config, state, classroom);
        }
        app.synth();
        return { app, result: environmentsBuilt };
      },
      () => {
        rmSync(staging, { recursive: true, force: true });
        mkdirSync(staging, { recursive: true });
      },
    );
    writeGeneratedFiles(staging, built);
    renderRunbooks({ config, modules: selection.modules, environments: built, stagingDir: staging, outName: basename(options.outdir), templatesDir: options.runbookTemplates });
    if (classroom) (require("./classroom-sheets") as typeof import("./classroom-sheets")).renderLearnerSheets({ config, classroom, environments: built, stagingDir: staging, outName: basename(options.outdir), templatesDir: options.runbookTemplates });
    commitStaging(staging, options.outdir, { leaveRemovedStackDirectories: options.leaveRemovedStackDirectories });
    return { config, selection, environments: built, classroom };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}

function validateModules(config: StudyConfig, selection: ModuleSelection, environments: readonly StudyEnvironment[]): void {
  const problems: ConfigProblem[] = [];
  const enabled = new Set(selection.modules.map((m) => m.id));
  const view: SelectionView = { has: (id) => enabled.has(id), settingsOf: <S>(module: StudyModule<S, unknown>) => config.settings[module.id] as S };
  for (const module of selection.modules) {
    if (!module.validate) continue;
    for (const environment of environments) problems.push(...module.validate(config.settings[module.id], config.core, environment, view));
  }
  if (problems.length > 0) throw new StudyConfigError(config.source, dedupe(problems));
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.expected}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Files modules asked for with ctx.writeFile, in sorted order so the output does not depend on build order. */
function writeGeneratedFiles(staging: string, built: readonly BuiltEnvironment[]): void {
  const all = built.flatMap((environment) => [...environment.files]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [relativePath, file] of all) {
    const target = join(staging, ...relativePath.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
  }
}

function stagingDirectory(outdir: string): string {
  const staging = join(dirname(outdir), `.${basename(outdir)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  return staging;
}

/**
 * Moves the staged synth into outdir. Inside each stack directory, Terraform's own working files
 * (`.terraform/`, `.terraform.lock.hcl`) are kept so a learner does not have to re-run init after
 * every synth; everything we generate is replaced, and stacks that are no longer produced go away.
 */
export function commitStaging(staging: string, outdir: string, options: { leaveRemovedStackDirectories?: boolean } = {}): void {
  if (!existsSync(outdir)) {
    mkdirSync(dirname(outdir), { recursive: true });
    renameSync(staging, outdir);
    return;
  }
  for (const entry of readdirSync(outdir)) {
    if (entry !== "stacks" && !existsSync(join(staging, entry))) rmSync(join(outdir, entry), { recursive: true, force: true });
  }
  for (const entry of readdirSync(staging)) {
    if (entry === "stacks") continue;
    rmSync(join(outdir, entry), { recursive: true, force: true });
    renameSync(join(staging, entry), join(outdir, entry));
  }
  const stagedStacks = join(staging, "stacks");
  const outStacks = join(outdir, "stacks");
  const produced = existsSync(stagedStacks) ? readdirSync(stagedStacks) : [];
  mkdirSync(outStacks, { recursive: true });
  for (const stack of readdirSync(outStacks)) {
    if (produced.includes(stack)) continue;
    if (!options.leaveRemovedStackDirectories) rmSync(join(outStacks, stack), { recursive: true, force: true });
    else for (const entry of readdirSync(join(outStacks, stack))) rmSync(join(outStacks, stack, entry), { recursive: true, force: true });
  }
  for (const stack of produced) {
    const target = join(outStacks, stack);
    mkdirSync(target, { recursive: true });
    for (const entry of readdirSync(target)) {
      if (!isTerraformWorkingFile(entry)) rmSync(join(target, entry), { recursive: true, force: true });
    }
    for (const entry of readdirSync(join(stagedStacks, stack))) renameSync(join(stagedStacks, stack, entry), join(target, entry));
  }
  rmSync(staging, { recursive: true, force: true });
}

function isTerraformWorkingFile(name: string): boolean {
  return name === ".terraform" || name === ".terraform.lock.hcl";
}
