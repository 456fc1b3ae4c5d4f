/**
 * Classroom mode: a roster of learners turns one study config into one environment per learner
 * (`<project>-<learnerId>`: its own stacks, state keys, VPC range and `Learner` tag), plus one
 * `<project>-instructor` stack with what is shared: the learners' IAM group and users, and a budget
 * per learner. Without a `classroom` section the study has its single default environment.
 *
 * Roster format (CSV, UTF-8, first row a header naming the columns, in any order):
 *
 *     id,name,email,slot
 *     kim,Kim Minji,minji@example.com,
 *     lee,"Lee, Junho",junho@example.com,7
 *
 * - `id`: 1-20 lowercase letters, digits and hyphens, starting with a letter, not ending with a hyphen;
 *   it becomes part of stack and resource names and the `Learner` tag. Not `bootstrap`, `instructor`,
 *   nor ending in `-k8s` (those names belong to other stacks).
 * - `name`: for runbooks; `email`: budget alerts go there.
 * - `slot` (optional column, optional value): which /vpcPrefixLength block of the pool the learner's
 *   VPC takes. Rows without one take the lowest free slot in row order. Give slots when learners may
 *   leave mid-course, so removing a row never renumbers (and so replaces) the others' VPCs.
 * - `accountId` (optional column, `classroom.isolation: account` only): the learner's 12-digit AWS account
 *   id, from the organization stack's `account_ids` output once it is applied; a learner without one has
 *   no environment stacks yet (lib/classroom/accounts.ts). Tag isolation ignores the column.
 * - Empty lines and lines starting with `#` are skipped; other columns (named in the header) are ignored.
 * - Cells with a comma are quoted (`"Lee, Junho"`), a quote inside one doubled (`""`); a quoted cell
 *   ends on its own line, and a stray quote is refused with its row and column (see `parseCsv`).
 *
 * This file plans (pure, loaded on every synth); the stacks beside the environments are built by
 * `classroom-stacks.ts`, loaded only when there is one to build.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { stateKey, type ResolvedState } from "../state/backend";
import { formatCidr, parseCidr, subnetAt } from "../aws/cidr";
import { isolationProblems, learnerAccount, planAccounts, rosterAccountProblems, waitingNotice, type AccountsPlan, type LearnerAccount } from "./accounts";
import { learnerStateProblems, type LearnerStateAccess } from "./learner-state";
import { buildRolePolicyProblems, codeBuildProblems, planCodeBuild, type CodeBuildPlan } from "./codebuild";
import { gitHubActionsProblems, gitHubRolePolicyProblems, planGitHubActions, type GitHubActionsPlan } from "./github-actions";
import { isCalendarDate, LEASE_DATE_EXPECTED, pastLeaseNotice, planLeases } from "./lease";
import { CLASSROOM_DEFAULTS, type ClassroomSettings } from "./settings";
import { defaultEnvironment, type StudyConfig } from "../core/config";
import { StudyConfigError, type ConfigProblem } from "../core/errors";
import type { StudyEnvironment } from "../core/module";

export const LEARNER_ID_PATTERN = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
const LEARNER_ID_EXPECTED = "1-20 lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, such as kim or lee-2";
const EMAIL_PATTERN = /^[^\s@,;<>"()[\]]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$/;
const RESERVED_IDS = new Set(["bootstrap", "instructor"]);

export interface Learner {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  /** Row of the roster file (1 = the header), for messages. */
  readonly row: number;
  /** The `accountId` cell (isolation account only; empty until the organization stack is applied). */
  readonly accountId?: string;
  /** The optional `leaseEndsOn` cell: this learner's lease end, instead of `classroom.lease.endsOn`. */
  readonly leaseEndsOn?: string;
}

/** Everything a per-learner sheet needs, from the config alone (no synth required). */
export interface LearnerPlan extends Learner {
  /** Index of the learner's VPC block in the pool. */
  readonly slot: number;
  readonly environment: StudyEnvironment;
  /** The learner's AWS stack (`<project>-<id>`); a `<project>-<id>-k8s` stack joins it when a week deploys workloads. */
  readonly awsStack: string;
  /** S3 key of the AWS stack's state, with backend s3. */
  readonly stateKey?: string;
  /** The learner's IAM user, when `classroom.iamUsers` is on. */
  readonly iamUserName?: string;
  /** The learner's own AWS account (isolation account). */
  readonly account?: LearnerAccount;
  /** The learner's monthly budget, when `classroom.budget.enabled` is on. */
  readonly budget?: { readonly name: string; readonly monthlyUsd: number; readonly alertThresholds: readonly number[]; readonly emails: readonly string[] };
}

/** The classroom settings with the defaults that depend on the isolation resolved. */
export type ResolvedClassroomSettings = ClassroomSettings & { readonly iamUsers: boolean; readonly vpcCidrPool: string; readonly vpcPrefixLength: number };

export interface ClassroomPlan {
  readonly rosterPath: string;
  readonly settings: ResolvedClassroomSettings;
  readonly learners: readonly LearnerPlan[];
  /** How many learner VPCs the pool holds (no limit with isolation account). */
  readonly capacity: number;
  readonly instructorStack?: string;
  readonly learnersGroup?: string;
  /** A synth of one learner (LEARNER=<id>, lib/core/synth.ts): their environment only, none of the shared stacks. */
  readonly onlyLearner?: string;
  /** With `accounts.learnersApply`: the learners' accounts the state bucket lets reach their own stacks' state. */
  readonly learnerState?: readonly LearnerStateAccess[];
  /** Isolation account: the organization stack, the OU, the guardrails, who has no account id yet. */
  readonly accounts?: AccountsPlan;
  /** With `classroom.applyOnCodeBuild.enabled`: the class-wide CodeBuild batch (lib/classroom/codebuild.ts). */
  readonly codeBuild?: CodeBuildPlan;
  /** With `classroom.applyOnGitHubActions.enabled`: the class-wide GitHub Actions matrix (lib/classroom/github-actions.ts). */
  readonly gitHubActions?: GitHubActionsPlan;
  /** What synth prints about the class (a learner still without an account id). */
  readonly notices: readonly string[];
}

/** The environments to build: one per learner in classroom mode, otherwise the single default one. */
export function studyEnvironments(config: StudyConfig, classroom = planClassroom(config)): StudyEnvironment[] {
  return classroom ? learnersWithEnvironments(classroom).map((l) => l.environment) : [defaultEnvironment(config)];
}

/**
 * What makes each of studyEnvironments' environments a learner's own, in the same order: their id; in
 * account isolation, their account's id; in tag isolation, the octets their VPC block fixes (`10.7.` of
 * 10.7.0.0/16: every address in the VPC starts so), when the block ends on an octet. lib/core/environment-stamps.ts
 * builds one environment per shape and stamps these in. None outside classroom mode.
 */
export function learnerValues(classroom: ClassroomPlan | undefined): (readonly string[])[] {
  if (!classroom) return [];
  const prefix = classroom.settings.vpcPrefixLength;
  const vpcOctets = (cidr: string) => `${cidr.split(".").slice(0, prefix / 8).join(".")}.`;
  const byOctet = classroom.settings.isolation !== "account" && prefix % 8 === 0 && prefix >= 8 && prefix <= 24;
  return learnersWithEnvironments(classroom).map((l) => [l.id, ...(l.account?.id ? [l.account.id] : []), ...(byOctet ? [vpcOctets(l.environment.vpcCidr)] : [])]);
}

// In account isolation, a learner whose account id is not known yet has no environment to build.
const learnersWithEnvironments = (classroom: ClassroomPlan) => classroom.learners.filter((l) => !l.account || l.account.roleArn);

export function instructorStackName(project: string): string {
  return `${project}-instructor`;
}

/** Reads the roster and places every learner (VPC block, names); undefined without a `classroom` section. */
export function planClassroom(config: StudyConfig, state?: ResolvedState): ClassroomPlan | undefined {
  const given = config.core.classroom;
  if (!given) return undefined;
  const project = config.core.project;
  const byAccount = given.isolation === "account";
  const settings: ResolvedClassroomSettings = {
    ...given,
    iamUsers: given.iamUsers ?? !byAccount,
    vpcCidrPool: given.vpcCidrPool ?? CLASSROOM_DEFAULTS.vpcCidrPool,
    vpcPrefixLength: given.vpcPrefixLength ?? CLASSROOM_DEFAULTS.vpcPrefixLength,
  };
  const rosterPath = isAbsolute(settings.roster) ? settings.roster : join(dirname(config.source), settings.roster);
  const learners = readRoster(rosterPath, { accountColumn: byAccount });
  if (byAccount && learners.explicitSlots.size > 0) {
    const [index] = learners.explicitSlots.keys();
    throw new StudyConfigError(rosterPath, [
      { field: `row ${learners.rows[index].row} slot`, value: learners.explicitSlots.get(index), expected: "no slot with classroom.isolation account: each learner's account has its own address space, and every learner's VPC is network.vpcCidr (leave the column empty or remove it)" },
    ]);
  }
  if (byAccount) {
    const rosterProblems = rosterAccountProblems(learners.rows);
    if (rosterProblems.length > 0) throw new StudyConfigError(rosterPath, rosterProblems);
  }
  const settingsProblems = [...isolationProblems(config, given), ...codeBuildProblems(config, given), ...gitHubActionsProblems(config, given)];
  const leased = learners.rows.find((r) => r.leaseEndsOn);
  if ((given.lease.endsOn || leased) && !given.applyOnCodeBuild.enabled) {
    settingsProblems.push({
      field: given.lease.endsOn ? "classroom.lease.endsOn" : `row ${leased!.row} leaseEndsOn`,
      value: given.lease.endsOn ?? leased!.leaseEndsOn,
      expected: "a lease only with classroom.applyOnCodeBuild.enabled: true (the lease's schedule starts the class-wide CodeBuild batch to destroy the stacks)",
    });
  }
  if (settingsProblems.length > 0) throw new StudyConfigError(config.source, settingsProblems);

  const pool = parseCidr(settings.vpcCidrPool)!;
  if (!byAccount && settings.vpcPrefixLength < pool.prefix) {
    throw new StudyConfigError(config.source, [{ field: "classroom.vpcPrefixLength", value: settings.vpcPrefixLength, expected: `a prefix length of at least /${pool.prefix}, so learner VPCs fit inside classroom.vpcCidrPool ${settings.vpcCidrPool}` }]);
  }
  // Account isolation: one account each, so no pool to share and no limit from it; every VPC is the config's own.
  const capacity = byAccount ? Number.POSITIVE_INFINITY : 2 ** (settings.vpcPrefixLength - pool.prefix);
  const slots = byAccount ? learners.rows.map(() => 0) : assignSlots(learners.rows, learners.explicitSlots, capacity, rosterPath, config.source, settings);

  // In account isolation the budgets live in the organization stack, beside the accounts they watch.
  // So do the class-wide CodeBuild project and GitHub Actions role (in the organization stack, the management account's).
  const classWideRunner = settings.applyOnCodeBuild.enabled || settings.applyOnGitHubActions.enabled;
  const shared = settings.iamUsers || (settings.budget.enabled && !byAccount) || (classWideRunner && !byAccount);
  const plans = learners.rows.map((learner, index): LearnerPlan => {
    const base = defaultEnvironment(config);
    const account = byAccount ? learnerAccount(project, learner) : undefined;
    const environment: StudyEnvironment = {
      name: `${project}-${learner.id}`,
      vpcCidr: byAccount ? base.vpcCidr : formatCidr(subnetAt(pool, settings.vpcPrefixLength, slots[index])),
      tags: { ...base.tags, Learner: learner.id },
      ...(account?.roleArn ? { assumeRoleArn: account.roleArn, ...(settings.accounts.learnersApply ? { assumeRoleOnRequest: true } : {}) } : {}),
    };
    return {
      ...learner,
      slot: slots[index],
      environment,
      awsStack: environment.name,
      stateKey: state?.backend === "s3" ? stateKey(state, environment.name) : undefined,
      iamUserName: settings.iamUsers ? `${project}-${learner.id}` : undefined,
      ...(account ? { account } : {}),
      budget: settings.budget.enabled
        ? { name: `${project}-${learner.id}-monthly`, monthlyUsd: settings.budget.monthlyUsd, alertThresholds: settings.budget.alertThresholds, emails: [learner.email, ...settings.budget.instructorEmails] }
        : undefined,
    };
  });
  const accounts = byAccount ? planAccounts(config, settings, learners.rows) : undefined;
  const waiting = accounts ? waitingNotice(accounts, plans.length) : undefined;
  const withStacks = plans.filter((l) => !l.account || l.account.roleArn).map((l) => l.id);
  const lease = settings.applyOnCodeBuild.enabled
    ? planLeases(plans.filter((l) => withStacks.includes(l.id)), settings.lease.endsOn, { timeZone: settings.lease.timeZone, project, unitName: accounts?.unitName })
    : undefined;
  const runnerStack = accounts ? accounts.stack : instructorStackName(project);
  const codeBuild = settings.applyOnCodeBuild.enabled ? { ...planCodeBuild(config, settings, withStacks, runnerStack), ...(lease ? { lease } : {}) } : undefined;
  const gitHubActions = settings.applyOnGitHubActions.enabled ? planGitHubActions(config, settings, withStacks, runnerStack) : undefined;
  const learnerState = settings.accounts.learnersApply && state?.backend === "s3" ? plans.flatMap((l) => (l.account?.id ? [{ learnerId: l.id, accountId: l.account.id, stack: l.awsStack }] : [])) : undefined;
  const sizeProblems = [
    ...(codeBuild ? buildRolePolicyProblems(codeBuild, { accountIsolation: byAccount, region: config.core.region }) : []),
    ...(gitHubActions ? gitHubRolePolicyProblems(gitHubActions, { accountIsolation: byAccount }) : []),
    ...(learnerState ? learnerStateProblems(state!.bucket!, state!, learnerState) : []),
  ];
  if (sizeProblems.length > 0) throw new StudyConfigError(config.source, sizeProblems);
  // Only the log depends on the day synth runs: the output is the same.
  const pastLease = pastLeaseNotice(lease, new Date());
  return {
    rosterPath,
    settings,
    learners: plans,
    capacity,
    instructorStack: shared ? instructorStackName(project) : undefined,
    learnersGroup: settings.iamUsers ? `${project}-learners` : undefined,
    ...(learnerState ? { learnerState } : {}),
    ...(accounts ? { accounts } : {}),
    ...(codeBuild ? { codeBuild } : {}),
    ...(gitHubActions ? { gitHubActions } : {}),
    notices: [waiting, pastLease].filter((n): n is string => n !== undefined),
  };
}

/**
 * The class as one learner's synth sees it (LEARNER=<id>): their environment only, and none of the shared
 * stacks or class-wide files (the bootstrap, instructor and organization stacks, the CodeBuild and GitHub
 * Actions files), which are the instructor's to apply. Refused outside classroom mode, or for an id the
 * roster does not have.
 */
export function forOneLearner(classroom: ClassroomPlan | undefined, learnerId: string | undefined, configPath: string): ClassroomPlan | undefined {
  if (learnerId === undefined || learnerId === "") return classroom;
  const field = "LEARNER (environment variable)";
  if (!classroom) throw new StudyConfigError(configPath, [{ field, value: learnerId, expected: "no value without a classroom section (LEARNER picks one learner of a class)" }]);
  const learner = classroom.learners.find((l) => l.id === learnerId);
  if (!learner) {
    const ids = classroom.learners.map((l) => l.id);
    throw new StudyConfigError(configPath, [{ field, value: learnerId, expected: `a learner id of the roster (${ids.slice(0, 5).join(", ")}${ids.length > 5 ? `, ... ${ids.length} in all` : ""})` }]);
  }
  return { ...classroom, learners: [learner], instructorStack: undefined, learnersGroup: undefined, codeBuild: undefined, gitHubActions: undefined, learnerState: undefined, onlyLearner: learner.id, notices: [] };
}

// ---- the roster file -------------------------------------------------------------------------------

interface RosterRows {
  rows: Learner[];
  /** Slot given in the roster for a row index, if any. */
  explicitSlots: Map<number, number>;
}

/** `accountColumn`: read the optional `accountId` column (isolation account; other modes ignore it, like any other column). */
function readRoster(path: string, options: { accountColumn: boolean }): RosterRows {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StudyConfigError(path, [{ field: "classroom.roster", value: path, expected: "a readable roster CSV file with the header id,name,email (see the README's classroom section)" }]);
  }
  if (text.includes("\uFFFD")) {
    const lines = text.split(/\r\n|\n|\r/);
    const row = lines.findIndex((l) => l.includes("\uFFFD"));
    throw new StudyConfigError(path, [{ field: `row ${row + 1} column ${lines[row].indexOf("\uFFFD") + 1}`, value: lines[row], expected: "a roster saved as UTF-8 (this file has bytes that are not UTF-8: in Excel, save as \"CSV UTF-8\")" }]);
  }
  // Blank and comment lines are skipped; a malformed row (a stray quote) is refused with its row and column.
  const records = parseCsv(text, { source: path, comments: true }).filter((r) => !r.cells[0]?.trim().startsWith("#"));
  const problems: ConfigProblem[] = [];
  if (records.length === 0) throw new StudyConfigError(path, [{ field: "header", value: undefined, expected: "a header row id,name,email followed by one row per learner" }]);

  const header = records[0].cells.map((c) => c.trim().toLowerCase());
  const column = (name: string) => header.indexOf(name);
  const missing = ["id", "name", "email"].filter((name) => column(name) < 0);
  if (missing.length > 0) {
    throw new StudyConfigError(path, [{ field: `row ${records[0].line} (header)`, value: records[0].cells.join(","), expected: `a header naming the columns id, name and email (missing: ${missing.join(", ")})` }]);
  }
  const rows: Learner[] = [];
  const explicitSlots = new Map<number, number>();
  const seen = new Map<string, number>();
  for (const record of records.slice(1)) {
    const cell = (name: string) => (column(name) >= 0 ? (record.cells[column(name)] ?? "").trim() : "");
    // More cells than the header names: most often a comma in an unquoted name, which shifts the columns after it.
    const extra = record.cells.slice(header.length);
    if (extra.some((c) => c.trim() !== "")) {
      problems.push({ field: `row ${record.line}`, value: record.cells.join(","), expected: `at most ${header.length} cells, one per header column (${header.join(",")}): a comma inside a cell needs the cell in quotes, such as "Lee, Junho"` });
      continue;
    }
    const at = (name: string) => `row ${record.line} ${name}`;
    const id = cell("id");
    const name = cell("name");
    const email = cell("email");
    const slot = cell("slot");
    const leaseEndsOn = cell("leaseendson");
    let valid = true;
    const problem = (p: ConfigProblem) => {
      problems.push(p);
      valid = false;
    };
    if (!LEARNER_ID_PATTERN.test(id)) problem({ field: at("id"), value: id, expected: LEARNER_ID_EXPECTED });
    else if (RESERVED_IDS.has(id) || id.endsWith("-k8s")) problem({ field: at("id"), value: id, expected: `an id other than bootstrap, instructor or one ending in -k8s (those names belong to other stacks)` });
    else if (seen.has(id)) problem({ field: at("id"), value: id, expected: `an id used by one learner only (row ${seen.get(id)} has it already)` });
    if (name === "" || name.length > 64) problem({ field: at("name"), value: name, expected: "the learner's name, 1-64 characters" });
    if (!EMAIL_PATTERN.test(email)) problem({ field: at("email"), value: email, expected: "an email address such as minji@example.com (budget alerts go there)" });
    if (leaseEndsOn !== "" && !isCalendarDate(leaseEndsOn)) problem({ field: at("leaseEndsOn"), value: leaseEndsOn, expected: `${LEASE_DATE_EXPECTED}, or empty (the class's classroom.lease.endsOn)` });
    if (slot !== "" && !/^\d{1,6}$/.test(slot)) problem({ field: at("slot"), value: slot, expected: "a whole number >= 0 (the learner's VPC block in classroom.vpcCidrPool), or empty" });
    if (!seen.has(id)) seen.set(id, record.line);
    if (!valid) continue;
    if (slot !== "") explicitSlots.set(rows.length, Number(slot));
    rows.push({ id, name, email, row: record.line, ...(options.accountColumn ? { accountId: cell("accountid") } : {}), ...(leaseEndsOn ? { leaseEndsOn } : {}) });
  }
  if (problems.length > 0) throw new StudyConfigError(path, problems);
  if (rows.length === 0) throw new StudyConfigError(path, [{ field: "rows", value: 0, expected: "at least one learner row after the header" }]);
  return { rows, explicitSlots };
}

function assignSlots(rows: readonly Learner[], explicit: ReadonlyMap<number, number>, capacity: number, rosterPath: string, configPath: string, settings: ClassroomSettings): number[] {
  const pool = `classroom.vpcCidrPool ${settings.vpcCidrPool} holds ${capacity} VPCs of /${settings.vpcPrefixLength}`;
  if (rows.length > capacity) {
    throw new StudyConfigError(configPath, [{ field: "classroom.roster", value: `${rows.length} learners`, expected: `at most ${capacity} learners: ${pool} (use a larger pool or a longer classroom.vpcPrefixLength)` }]);
  }
  const problems: ConfigProblem[] = [];
  const taken = new Map<number, number>();
  for (const [index, slot] of explicit) {
    const field = `row ${rows[index].row} slot`;
    if (slot >= capacity) problems.push({ field, value: slot, expected: `a slot from 0 to ${capacity - 1}: ${pool}` });
    else if (taken.has(slot)) problems.push({ field, value: slot, expected: `a slot used by one learner only (row ${rows[taken.get(slot)!].row} has it already)` });
    else taken.set(slot, index);
  }
  if (problems.length > 0) throw new StudyConfigError(rosterPath, problems);
  const used = new Set(taken.keys());
  let next = 0;
  return rows.map((_, index) => {
    const given = explicit.get(index);
    if (given !== undefined) return given;
    while (used.has(next)) next++;
    used.add(next);
    return next;
  });
}

export interface CsvRecord {
  /** Line of the file the record is on (1 = the first line). */
  line: number;
  cells: string[];
}

export interface CsvOptions {
  /** Named in the StudyConfigError for a malformed row (the roster file). */
  readonly source?: string;
  /** Skip lines whose first non-blank character is `#`. */
  readonly comments?: boolean;
}

/**
 * RFC 4180 CSV: cells separated by commas, records by CRLF, LF or CR; a cell may be wrapped in
 * double quotes (then it may hold commas, and `""` is one quote); a byte-order mark is dropped;
 * blank lines (no text, or only commas and spaces) are skipped. Spaces around a quoted cell are
 * allowed. A quote inside an unquoted cell, or text after a closing quote, is refused (RFC 4180
 * forbids both); so is a quoted cell running on to the next line, which RFC 4180 allows but which in
 * a roster is always a mistake (names, ids and emails have no line breaks: a quote left open
 * swallows the next learner, and that learner's budget mail goes to the wrong person). A malformed row
 * throws a StudyConfigError naming `source`, the row and column, and what is expected; every
 * malformed row is reported, not only the first.
 */
export function parseCsv(text: string, options: CsvOptions = {}): CsvRecord[] {
  const source = options.source ?? "CSV";
  const lines = splitLines(text.replace(/^\uFEFF/, ""));
  const records: CsvRecord[] = [];
  const problems: ConfigProblem[] = [];
  lines.forEach((content, index) => {
    const line = index + 1;
    if (options.comments && content.trimStart().startsWith("#")) return;
    const parsed = parseCsvLine(content);
    if ("expected" in parsed) {
      problems.push({ field: `row ${line} column ${parsed.column}`, value: content, expected: parsed.expected });
      return;
    }
    if (parsed.cells.every((cell) => cell.trim() === "")) return;
    records.push({ line, cells: parsed.cells });
  });
  if (problems.length > 0) throw new StudyConfigError(source, problems);
  return records;
}

/** The lines of a text, split at CRLF, LF or a lone CR; a final line end does not start an empty line. */
function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** The cells of one line, or the (1-based) column of the first mistake in it and what is expected there. */
function parseCsvLine(line: string): { cells: string[] } | { column: number; expected: string } {
  const cells: string[] = [];
  let i = 0;
  const fail = (column: number, expected: string) => ({ column, expected });
  for (;;) {
    // One cell starts at i.
    let j = i;
    while (line[j] === " " || line[j] === "\t") j++;
    if (line[j] === '"') {
      const open = j;
      let cell = "";
      j++;
      for (;;) {
        if (j >= line.length) {
          return fail(open + 1, `a closing quote on the same row for the cell opened by the quote at column ${open + 1} (a quoted cell cannot run on to the next row: is a quote missing, or one too many? A quote inside a quoted cell is written twice: "")`);
        }
        if (line[j] === '"') {
          if (line[j + 1] === '"') (cell += '"'), (j += 2);
          else break;
        } else cell += line[j++];
      }
      const close = j + 1; // column of the closing quote
      j++;
      while (line[j] === " " || line[j] === "\t") j++;
      if (j < line.length && line[j] !== ",") {
        return fail(j + 1, `a comma or the end of the row after the quoted cell that ends at column ${close} (found ${JSON.stringify(line[j])}: to put a quote inside a cell, quote the whole cell and write the quote twice: "")`);
      }
      cells.push(cell);
    } else {
      let end = j;
      while (end < line.length && line[end] !== ",") {
        if (line[end] === '"') {
          return fail(end + 1, `no quote inside a cell that does not start with one (quote the whole cell and write the quote twice, such as "Kim ""MJ"" Minji"; or is it the closing quote of a cell opened on an earlier row?)`);
        }
        end++;
      }
      cells.push(line.slice(i, end));
      j = end;
    }
    if (j >= line.length) return { cells };
    i = j + 1; // past the comma
  }
}
