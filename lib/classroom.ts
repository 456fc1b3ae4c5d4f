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
 * - Empty lines and lines starting with `#` are skipped; other columns are ignored.
 */
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { BudgetsBudget } from "@cdktf/provider-aws/lib/budgets-budget";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { stateKey, useStateBackend, type ResolvedState } from "./backend";
import { BootstrapStack } from "./bootstrap";
import { formatCidr, parseCidr, subnetAt } from "./cidr";
import type { ClassroomSettings } from "./classroom-settings";
import { defaultEnvironment, type StudyConfig } from "./config";
import { StudyConfigError, type ConfigProblem } from "./errors";
import type { StudyEnvironment } from "./module";

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
  /** The learner's monthly budget, when `classroom.budget.enabled` is on. */
  readonly budget?: { readonly name: string; readonly monthlyUsd: number; readonly alertThresholds: readonly number[]; readonly emails: readonly string[] };
}

export interface ClassroomPlan {
  readonly rosterPath: string;
  readonly settings: ClassroomSettings;
  readonly learners: readonly LearnerPlan[];
  /** How many learner VPCs the pool holds. */
  readonly capacity: number;
  readonly instructorStack?: string;
  readonly learnersGroup?: string;
}

/** The environments to build: one per learner in classroom mode, otherwise the single default one. */
export function studyEnvironments(config: StudyConfig, classroom = planClassroom(config)): StudyEnvironment[] {
  return classroom ? classroom.learners.map((l) => l.environment) : [defaultEnvironment(config)];
}

export function instructorStackName(project: string): string {
  return `${project}-instructor`;
}

/** Reads the roster and places every learner (VPC block, names); undefined without a `classroom` section. */
export function planClassroom(config: StudyConfig, state?: ResolvedState): ClassroomPlan | undefined {
  const settings = config.core.classroom;
  if (!settings) return undefined;
  const project = config.core.project;
  const rosterPath = isAbsolute(settings.roster) ? settings.roster : join(dirname(config.source), settings.roster);
  const learners = readRoster(rosterPath);

  const pool = parseCidr(settings.vpcCidrPool)!;
  if (settings.vpcPrefixLength < pool.prefix) {
    throw new StudyConfigError(config.source, [{ field: "classroom.vpcPrefixLength", value: settings.vpcPrefixLength, expected: `a prefix length of at least /${pool.prefix}, so learner VPCs fit inside classroom.vpcCidrPool ${settings.vpcCidrPool}` }]);
  }
  const capacity = 2 ** (settings.vpcPrefixLength - pool.prefix);
  const slots = assignSlots(learners.rows, learners.explicitSlots, capacity, rosterPath, config.source, settings);

  const shared = settings.iamUsers || settings.budget.enabled;
  const plans = learners.rows.map((learner, index): LearnerPlan => {
    const base = defaultEnvironment(config);
    const environment: StudyEnvironment = {
      name: `${project}-${learner.id}`,
      vpcCidr: formatCidr(subnetAt(pool, settings.vpcPrefixLength, slots[index])),
      tags: { ...base.tags, Learner: learner.id },
    };
    return {
      ...learner,
      slot: slots[index],
      environment,
      awsStack: environment.name,
      stateKey: state?.backend === "s3" ? stateKey(state, environment.name) : undefined,
      iamUserName: settings.iamUsers ? `${project}-${learner.id}` : undefined,
      budget: settings.budget.enabled
        ? { name: `${project}-${learner.id}-monthly`, monthlyUsd: settings.budget.monthlyUsd, alertThresholds: settings.budget.alertThresholds, emails: [learner.email, ...settings.budget.instructorEmails] }
        : undefined,
    };
  });
  return {
    rosterPath,
    settings,
    learners: plans,
    capacity,
    instructorStack: shared ? instructorStackName(project) : undefined,
    learnersGroup: settings.iamUsers ? `${project}-learners` : undefined,
  };
}

// ---- the roster file -------------------------------------------------------------------------------

interface RosterRows {
  rows: Learner[];
  /** Slot given in the roster for a row index, if any. */
  explicitSlots: Map<number, number>;
}

function readRoster(path: string): RosterRows {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    throw new StudyConfigError(path, [{ field: "classroom.roster", value: path, expected: "a readable roster CSV file with the header id,name,email (see the README's classroom section)" }]);
  }
  const records = parseCsv(text.replace(/^\uFEFF/, "")).filter((r) => !(r.cells.length === 1 && r.cells[0].trim() === "") && !r.cells[0]?.trim().startsWith("#"));
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
    const at = (name: string) => `row ${record.line} ${name}`;
    const id = cell("id");
    const name = cell("name");
    const email = cell("email");
    const slot = cell("slot");
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
    if (slot !== "" && !/^\d{1,6}$/.test(slot)) problem({ field: at("slot"), value: slot, expected: "a whole number >= 0 (the learner's VPC block in classroom.vpcCidrPool), or empty" });
    if (!seen.has(id)) seen.set(id, record.line);
    if (!valid) continue;
    if (slot !== "") explicitSlots.set(rows.length, Number(slot));
    rows.push({ id, name, email, row: record.line });
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

interface CsvRecord {
  line: number;
  cells: string[];
}

/** RFC 4180 CSV: commas, double-quoted cells with "" for a quote, CRLF or LF line ends. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else {
        if (c === "\n") line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === "") (quoted = true), (cell = "");
    else if (c === ",") cells.push(cell), (cell = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      records.push({ line: recordLine, cells });
      cells = [];
      cell = "";
      line++;
      recordLine = line;
    } else cell += c;
  }
  if (cell !== "" || cells.length > 0) records.push({ line: recordLine, cells: [...cells, cell] });
  return records;
}

// ---- the instructor stack --------------------------------------------------------------------------

/**
 * `<project>-instructor`: the learners' IAM group (MFA required) and one IAM user per learner with a
 * policy scoped to their `Learner` tag, and a monthly AWS Budgets budget per learner filtered on the
 * same tag, alerting the learner (and the instructors) by email. Console passwords are not created
 * here (they would sit in state): the instructor sets them with `aws iam create-login-profile`.
 */
export class InstructorStack extends TerraformStack {
  constructor(scope: Construct, config: StudyConfig, classroom: ClassroomPlan) {
    const name = classroom.instructorStack!;
    super(scope, name);
    const { project, region, tags } = config.core;
    const settings = classroom.settings;
    useStateBackend(this, name);
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Project: project, ManagedBy: "devops-weeks", Role: "instructor", ...tags } }] });

    let group: IamGroup | undefined;
    if (settings.iamUsers) {
      group = new IamGroup(this, "learners-group", { name: classroom.learnersGroup!, path: `/${project}/` });
      new IamGroupPolicy(this, "learners-self-service", { name: "self-service", group: group.name, policy: JSON.stringify(selfServicePolicy(settings.requireMfa)) });
    }
    for (const learner of classroom.learners) {
      if (group && learner.iamUserName) {
        const user = new IamUser(this, `user-${learner.id}`, { name: learner.iamUserName, path: `/${project}/`, tags: { Learner: learner.id }, forceDestroy: true });
        new IamUserGroupMembership(this, `user-${learner.id}-groups`, { user: user.name, groups: [group.name] });
        new IamUserPolicy(this, `user-${learner.id}-own-environment`, { name: "own-environment", user: user.name, policy: JSON.stringify(learnerPolicy(learner, region)) });
      }
      if (learner.budget) {
        const budget = learner.budget;
        const notifications = [
          ...budget.alertThresholds.map((threshold) => ({ threshold, notificationType: "ACTUAL" })),
          { threshold: 100, notificationType: "FORECASTED" },
        ];
        new BudgetsBudget(this, `budget-${learner.id}`, {
          name: budget.name,
          budgetType: "COST",
          limitAmount: budget.monthlyUsd.toFixed(2),
          limitUnit: "USD",
          timeUnit: "MONTHLY",
          // Cost allocation by the Learner tag: activate it once in Billing > Cost allocation tags.
          costFilter: [{ name: "TagKeyValue", values: [`user:Learner$${learner.id}`] }],
          notification: notifications.map((n) => ({ comparisonOperator: "GREATER_THAN", thresholdType: "PERCENTAGE", subscriberEmailAddresses: [...budget.emails], ...n })),
          tags: { Learner: learner.id },
        });
      }
    }
    new TerraformOutput(this, "learners", {
      description: "Per learner: environment (stack) name, IAM user and budget name",
      value: Object.fromEntries(classroom.learners.map((l) => [l.id, { environment: l.environment.name, iam_user: l.iamUserName ?? "", budget: l.budget?.name ?? "", vpc_cidr: l.environment.vpcCidr }])),
    });
  }
}

/** Terraform would read `${aws:username}` as interpolation: `$${` writes a literal `${`. */
const USERNAME = "$${aws:username}";

/** On the learners' group: manage their own password and MFA device; with requireMfa, nothing else until signed in with MFA. */
export function selfServicePolicy(requireMfa: boolean): Record<string, unknown> {
  const selfActions = ["iam:GetUser", "iam:ChangePassword", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ResyncMFADevice", "iam:ListAccessKeys"];
  const statements: Record<string, unknown>[] = [
    { Sid: "ReadAccountPasswordPolicy", Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy"], Resource: "*" },
    { Sid: "ManageOwnSignIn", Effect: "Allow", Action: selfActions, Resource: [`arn:aws:iam::*:user/*/${USERNAME}`, `arn:aws:iam::*:mfa/${USERNAME}`] },
  ];
  if (requireMfa) {
    statements.push({
      Sid: "DenyAllButMfaSetupWithoutMfa",
      Effect: "Deny",
      NotAction: [...selfActions, "iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices", "sts:GetSessionToken"],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * On each learner's user: see (describe/list actions, which AWS cannot scope to resources), and act only
 * on resources tagged `Learner=<their id>`: start/stop/reboot their instances, open SSM sessions to
 * them, read their EKS cluster and their log groups, view their own budget.
 */
export function learnerPolicy(learner: LearnerPlan, region: string): Record<string, unknown> {
  const own = { StringEquals: { "aws:ResourceTag/Learner": learner.id } };
  const statements: Record<string, unknown>[] = [
    {
      Sid: "ReadOnlyListing",
      Effect: "Allow",
      Action: ["ec2:Describe*", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus", "eks:ListClusters", "logs:DescribeLogGroups", "logs:GetQueryResults", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms"],
      Resource: "*",
    },
    { Sid: "OperateOwnInstances", Effect: "Allow", Action: ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"], Resource: `arn:aws:ec2:${region}:*:instance/*`, Condition: own },
    { Sid: "SessionToOwnInstances", Effect: "Allow", Action: ["ssm:StartSession"], Resource: `arn:aws:ec2:${region}:*:instance/*`, Condition: { StringEquals: { "ssm:resourceTag/Learner": learner.id } } },
    {
      Sid: "SessionDocuments",
      Effect: "Allow",
      Action: ["ssm:StartSession"],
      Resource: [`arn:aws:ssm:${region}:*:document/SSM-SessionManagerRunShell`, `arn:aws:ssm:${region}::document/AWS-StartPortForwardingSession`],
    },
    { Sid: "OwnSessions", Effect: "Allow", Action: ["ssm:TerminateSession", "ssm:ResumeSession"], Resource: `arn:aws:ssm:${region}:*:session/${USERNAME}-*` },
    { Sid: "OwnCluster", Effect: "Allow", Action: ["eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:AccessKubernetesApi"], Resource: `arn:aws:eks:${region}:*:cluster/*`, Condition: own },
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"],
      Resource: [`arn:aws:logs:${region}:*:log-group:/devops-weeks/${learner.environment.name}/*`, `arn:aws:logs:${region}:*:log-group:/devops-weeks/${learner.environment.name}/*:log-stream:*`],
    },
  ];
  if (learner.budget) statements.push({ Sid: "OwnBudget", Effect: "Allow", Action: ["budgets:ViewBudget"], Resource: `arn:aws:budgets::*:budget/${learner.budget.name}` });
  return { Version: "2012-10-17", Statement: statements };
}

/** The stacks beside the environments: the state bucket (backend s3) and the instructor stack (classroom). */
export function buildSharedStacks(app: Construct, config: StudyConfig, state: ResolvedState, classroom: ClassroomPlan | undefined): void {
  if (state.backend === "s3") new BootstrapStack(app, config.core.project, state, config.core.tags);
  if (classroom?.instructorStack) new InstructorStack(app, config, classroom);
}
