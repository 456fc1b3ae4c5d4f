/**
 * read config -> resolve weeks -> build stacks into a staging directory -> render runbooks ->
 * swap the staging directory into out/. Nothing in out/ changes unless every step succeeded.
 * A class's learners whose environments have one shape are built once and stamped, stacks and guides
 * alike, each shape checked against a learner cdktf built (lib/core/environment-stamps.ts).
 * The staging directory, the lock and the one-step swap are lib/core/out-directory.ts's.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { App } from "cdktf";
import { loadConfigFile, type StudyConfig } from "./config";
import { resolveState, setStateSettings } from "../state/backend";
import { appliedStateReader } from "../state/applied-state";
import { forOneLearner, learnerValues, planClassroom, studyEnvironments, type ClassroomPlan } from "../classroom/plan";
import { canAddManifestStacks, fastSynth } from "./cdktf-adapter";
import { planStamps, proveStamps, replaceAll, stampedMembers, substituteData, writeStamps, type ProvenStamp, type StampCandidate } from "./environment-stamps";
import { releaseArchiveCache } from "../aws/assets";
import { StudyConfigError, type ConfigProblem } from "./errors";
import { buildEnvironment, environmentRecord, stackNamesOf, type BuiltEnvironment, type EnvironmentRecord } from "./environment";
import type { AnyStudyModule, SelectionView, StudyEnvironment, StudyModule } from "./module";
import { selectModules, type ModuleSelection } from "./weeks";
import { DEFAULT_TEMPLATES_DIR, renderRunbooks, type CostSummary, type GuideStamp, type LearnerPages } from "../runbooks";
import { nameLimitProblems, tagCountProblems } from "../aws/name-limits";
import { readInventory, type Inventory } from "../runbooks/inventory";
import { requireFolder, writeOutDirectory } from "./out-directory";

export interface SynthOptions {
  readonly configPath: string;
  readonly outdir: string;
  readonly registry: readonly AnyStudyModule[];
  readonly weeksOverride?: string;
  /**
   * The LEARNER variable: in classroom mode, synthesize that learner's stacks, sheet and guides only (a
   * learner applying their own stacks needs no one else's, nor the instructor's shared stacks).
   */
  readonly learnerOverride?: string;
  readonly log?: (line: string) => void;
  /** Where the runbook templates live. @default - the repository's templates/ */
  readonly runbookTemplates?: string;
  /**
   * Leave the (emptied) directory of a stack this synth no longer produces for the caller to remove.
   * The cdktf CLI lists out/stacks/ before it runs the app and removes what the app did not produce
   * afterwards; a directory already gone makes `npx cdktf synth` fail with ENOENT. @default false
   */
  readonly leaveRemovedStackDirectories?: boolean;
  /**
   * Stamp a class's learners of one shape from a template (lib/core/environment-stamps.ts); false builds every
   * environment with cdktf, for a comparison. @default true (DEVOPS_WEEKS_PLAIN_SYNTH=1 turns it off too)
   */
  readonly stampEnvironments?: boolean;
}

export interface SynthResult {
  readonly config: StudyConfig;
  readonly selection: ModuleSelection;
  /** Every environment, in the order of the config (a class's: the roster's). */
  readonly environments: readonly EnvironmentRecord[];
  /** The environments cdktf built (all of them, unless a class's were stamped from templates: lib/core/environment-stamps.ts). */
  readonly built: readonly BuiltEnvironment[];
  /** How many environments were stamped from a template rather than built. */
  readonly stamped: number;
  /** How many learners' guides were stamped from a template learner's rather than rendered. */
  readonly stampedGuides: number;
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
  const byWeek = [...selection.modules].sort((a, b) => a.week - b.week || options.registry.indexOf(a) - options.registry.indexOf(b));
  log(`weeks enabled: ${[...new Set(byWeek.map((m) => m.week))].join(", ")} (modules: ${byWeek.map((m) => m.id).join(", ")})`);

  const state = resolveState(config.core.state, config.core);
  const classroom = forOneLearner(planClassroom(config, state), options.learnerOverride, config.source);
  for (const notice of classroom?.notices ?? []) log(notice);
  const environments = studyEnvironments(config, classroom);
  validateModules(config, selection, environments, appliedStateReader(state, options.outdir, log));
  for (const module of byWeek) for (const notice of module.notices?.(config.settings[module.id], config.core) ?? []) log(notice);

  const templatesDir = options.runbookTemplates ?? DEFAULT_TEMPLATES_DIR;
  requireFolder(templatesDir, "the runbook templates folder", `restore it (git restore ${basename(templatesDir)}) and run synth again; nothing in out/ was changed`);
  const writeOptions = { log, leaveRemovedStackDirectories: options.leaveRemovedStackDirectories };
  const values = learnerValues(classroom);
  const candidates: StampCandidate[] = environments.map((environment, i) => ({ environment, values: values[i] ?? [] }));
  // Only a class has learners to stamp: a single environment's synth skips the manifest writer's lookup and the config's text.
  const stampGroups = classroom && options.stampEnvironments !== false && canAddManifestStacks() ? planStamps(candidates, new Set(environments.map((e) => e.name)), configHolds(config)) : [];
  return writeOutDirectory(options.outdir, writeOptions, (staging) => {
    const newApp = (outdir: string) => {
      const app = new App({ outdir, skipBackendValidation: false });
      setStateSettings(app, state);
      return app;
    };
    const synthesizeStacks = () =>
      fastSynth(
        () => {
          // Each shape's template and its first learner, in an app of their own, beside the stacks (removed after).
          const proven = proveStamps(
            stampGroups,
            candidates,
            join(staging, ".stamp-templates"),
            (outdir, templates) => {
              const probe = newApp(outdir);
              const records = templates.map((environment) => environmentRecord(buildEnvironment(probe, config, environment, selection.modules)));
              probe.synth();
              return records;
            },
            // What the runbooks read of the template's stacks, for its learners' guides.
            (outdir, template) => readInventory(outdir, stackNamesOf(template)),
          );
          const stamped = stampedMembers(proven);
          const app = newApp(staging);
          const built = environments.flatMap((environment, i) => (stamped.has(i) ? [] : [{ index: i, built: buildEnvironment(app, config, environment, selection.modules) }]));
          // The state bucket and the instructor stack load their provider classes only when they exist.
          if (!classroom?.onlyLearner && (state.backend === "s3" || classroom?.instructorStack || classroom?.accounts)) {
            (require("../classroom/stacks") as typeof import("../classroom/stacks")).buildSharedStacks(app, config, state, classroom);
          }
          app.synth();
          const stamps = writeStamps(staging, proven, candidates);
          const byIndex = new Map<number, EnvironmentRecord>([...built.map((b): [number, EnvironmentRecord] => [b.index, b.built]), ...stamps]);
          return { app, result: { records: environments.map((_, i) => byIndex.get(i)!), built: built.map((b) => b.built), stamped: stamps.size, proven } };
        },
        () => {
          rmSync(staging, { recursive: true, force: true });
          mkdirSync(staging, { recursive: true });
        },
      );
    let synthesized: ReturnType<typeof synthesizeStacks>;
    try {
      synthesized = synthesizeStacks();
    } finally {
      // The stacks hold their copies of the zips now: the cache goes before anything is printed.
      releaseArchiveCache();
    }
    const built = synthesized.records;
    // Every stack written is read back once: AWS's name limits are checked on all of them, with the
    // names as synth derived them, and the first environment's are what the runbooks describe.
    const inventories = built.map((environment) => readInventory(staging, stackNamesOf(environment)));
    const fieldHolding = configFieldHolding(config);
    const nameProblems = inventories.flatMap((inventory, i) => [
      ...nameLimitProblems(inventory.resources, config.core, fieldHolding),
      ...tagCountProblems(inventory.resources, built[i].environment.tags, config.core.tags),
    ]);
    if (nameProblems.length > 0) throw new StudyConfigError(config.source, dedupe(nameProblems));
    writeGeneratedFiles(staging, built);
    if (classroom?.codeBuild) writeClassFiles(staging, (require("../classroom/codebuild") as typeof import("../classroom/codebuild")).codeBuildFiles(classroom.codeBuild));
    if (classroom?.gitHubActions) writeClassFiles(staging, (require("../classroom/github-actions") as typeof import("../classroom/github-actions")).gitHubActionsFiles(classroom.gitHubActions));
    const sheets = classroom ? (require("../classroom/sheets") as typeof import("../classroom/sheets")) : undefined;
    const learners = classroom && sheets ? sheets.learnerPages({ config, classroom, environments: built }, inventories) : undefined;
    // No environment at all only in classroom account isolation, before the organization stack gave any
    // learner an account: the course's runbooks describe an environment, so they wait for the first one.
    const guideStamps = learners ? guideStampsOf(synthesized.proven, candidates, learners) : undefined;
    const costs = built.length > 0 ? renderRunbooks({ config, modules: selection.modules, environments: built, inventory: inventories[0], stagingDir: staging, outName: basename(options.outdir), templatesDir: options.runbookTemplates, learners, guideStamps }) : undefined;
    if (classroom && sheets) sheets.renderLearnerSheets({ config, classroom, environments: built, stagingDir: staging, outName: basename(options.outdir), templatesDir: options.runbookTemplates });
    if (costs) logCosts(log, costs, classroom !== undefined);
    return { config, selection, environments: built, built: synthesized.built, stamped: synthesized.stamped, stampedGuides: costs?.stampedGuides ?? 0, classroom };
  });
}

/**
 * The learners whose guides can be stamped: each proven shape's, with the template learner's pages (the
 * stand-in id, the template environment and what its stacks hold). What the template learner's IAM user may
 * run (their abilities: policies that name them) is the first learner's with the stand-ins for their values;
 * a shape is stamped only where that, stamped with each learner's values, is exactly theirs. Not where the
 * learner's id is not one of the stamped values.
 */
function guideStampsOf(proven: readonly ProvenStamp<Inventory>[], candidates: readonly StampCandidate[], learners: readonly LearnerPages[]): GuideStamp[] {
  const byEnvironment = new Map(learners.map((l) => [l.environment.environment.name, l]));
  return proven.flatMap(({ group, template, inspected }) => {
    const members = group.members.map((i) => ({ learner: byEnvironment.get(candidates[i].environment.name), values: candidates[i].values }));
    const [first] = members;
    if (!first.learner?.guides || members.some((m) => !m.learner)) return [];
    const idAt = first.values.indexOf(first.learner.id);
    if (idAt < 0) return [];
    const abilities = substituteData(first.learner.abilities, (text) => replaceAll(text, first.values, group.standIns));
    const abilitiesOf = (values: readonly string[]) => JSON.stringify(substituteData(abilities, (text) => replaceAll(text, group.standIns, values)));
    if (members.some((m) => abilitiesOf(m.values) !== JSON.stringify(m.learner!.abilities))) return [];
    const id = group.standIns[idAt];
    return [{ template: { ...first.learner, id, markdownName: id, htmlName: id, environment: template.record, inventory: inspected, abilities }, standIns: group.standIns, members: members.map((m) => ({ id: m.learner!.id, values: m.values })) }];
  });
}

/** Whether the config's text (every setting) holds a text: a stand-in must not, or stamping would replace it there too. */
function configHolds(config: StudyConfig): (text: string) => boolean {
  let configText: string | undefined;
  return (text) => (configText ??= JSON.stringify([config.core, config.settings])).includes(text);
}

/** One short block: what the stacks cost if applied and left running, before anyone applies them. */
function logCosts(log: (line: string) => void, costs: CostSummary, classroom: boolean): void {
  const width = Math.max(...costs.stacks.map((s) => s.stack.length), "total".length);
  const line = (name: string, hourly: number, monthly: number) => `  ${name.padEnd(width)}  ${hourly.toFixed(4).padStart(8)} USD/h  ${monthly.toFixed(2).padStart(8)} USD/month`;
  log(`cost if applied and left running${classroom ? " (the first learner's stacks)" : ""}, on-demand prices of ${costs.date}, usage-priced items not included (each week's runbook lists them):`);
  for (const stack of costs.stacks) log(line(stack.stack, stack.hourly, stack.monthly));
  if (costs.stacks.length > 1) log(line("total", costs.hourly, costs.monthly));
}

function validateModules(config: StudyConfig, selection: ModuleSelection, environments: readonly StudyEnvironment[], appliedState: SelectionView["appliedState"]): void {
  const problems: ConfigProblem[] = [];
  const enabled = new Set(selection.modules.map((m) => m.id));
  const view: SelectionView = { has: (id) => enabled.has(id), settingsOf: <S>(module: StudyModule<S, unknown>) => config.settings[module.id] as S, environments: environments.length, appliedState };
  for (const module of selection.modules) {
    if (!module.validate) continue;
    for (const environment of environments) problems.push(...module.validate(config.settings[module.id], config.core, environment, view));
  }
  if (problems.length > 0) throw new StudyConfigError(config.source, dedupe(problems));
}

/** The dotted config field (`cicd.artifacts.bucketName`) whose value is exactly `value`, for a message about a name AWS refuses. */
function configFieldHolding(config: StudyConfig): (value: string) => string | undefined {
  const fields = new Map<string, string>();
  const visit = (node: unknown, path: string) => {
    if (typeof node === "string") {
      if (!fields.has(node)) fields.set(node, path);
    } else if (node && typeof node === "object" && !Array.isArray(node)) {
      for (const [key, child] of Object.entries(node)) visit(child, path ? `${path}.${key}` : key);
    }
  };
  visit(config.settings, "");
  return (value) => fields.get(value);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.field}\u0000${p.expected}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** The class-wide runners' files, beside the stacks: CodeBuild's buildspec and script (lib/classroom/codebuild.ts), GitHub Actions' workflow and script (lib/classroom/github-actions.ts). */
function writeClassFiles(staging: string, files: readonly { path: string; content: string; executable: boolean }[]): void {
  for (const file of files) {
    const target = join(staging, ...file.path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
  }
}

/** Files modules asked for with ctx.writeFile, in sorted order so the output does not depend on build order. */
function writeGeneratedFiles(staging: string, built: readonly EnvironmentRecord[]): void {
  const all = built.flatMap((environment) => [...environment.files]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [relativePath, file] of all) {
    const target = join(staging, ...relativePath.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.executable ? 0o755 : 0o644 });
  }
}
