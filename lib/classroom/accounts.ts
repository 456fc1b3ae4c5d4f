/**
 * Account isolation (`classroom.isolation: account`): each learner gets an AWS account of their own, a
 * member of the organization, in an organizational unit (OU) for the class that carries the guardrail
 * SCPs (lib/classroom/guardrails.ts). The instructor applies a `<project>-organization` stack in the
 * organization's management account: the OU, one `aws_organizations_account` per learner, the SCPs,
 * and per learner a budget with a brake. Then each learner's environment stacks, as in tag isolation,
 * but through a provider that assumes `OrganizationAccountAccessRole` in the learner's account.
 *
 * That role's ARN needs the account's id, which AWS gives only when it creates the account: a stack
 * applied separately cannot read it from the organization stack at synth. So the roster has an
 * `accountId` column, filled once the organization stack is applied
 * (`terraform -chdir=out/stacks/<project>-organization output -json account_ids`); a learner without
 * one yet gets no environment stacks, and synth prints one notice naming them.
 *
 * Pure planning and checks, loaded with lib/classroom/plan.ts on a classroom synth; the stack is
 * lib/classroom/organization.ts.
 */
import type { ClassroomSettings } from "./settings";
import type { StudyConfig } from "../core/config";
import type { ConfigProblem } from "../core/errors";
import { fitName } from "../aws/names";
import { guardrailPolicies, instanceTypeProblems, INSTRUCTOR_ROLE_NAME, scpProblems, spendingBrakePolicy, type GuardrailPolicy } from "./guardrails";

export { INSTRUCTOR_ROLE_NAME } from "./guardrails";

const ACCOUNT_ID = /^\d{12}$/;

export function organizationStackName(project: string): string {
  return `${project}-organization`;
}

/** A learner's AWS account: what the organization stack creates, and (once known) its id. */
export interface LearnerAccount {
  /** The account's name in the organization, `<project>-<learner id>`. */
  readonly name: string;
  /** The account's root email: the roster's, so unique per learner. */
  readonly email: string;
  /** From the roster's `accountId` column; none until the organization stack is applied. */
  readonly id?: string;
  /** `arn:aws:iam::<id>:role/OrganizationAccountAccessRole`, which the learner's stacks assume. */
  readonly roleArn?: string;
}

/** Learners' sign-in without Identity Center (`accounts.signInRole`), built by lib/classroom/sign-in-role.ts. */
export interface SignInRolePlan {
  /** `<project>-learner`, in every account of the class's OU. */
  readonly roleName: string;
  /** The learners' users' path in the management account, `/<project>/`. */
  readonly userPath: string;
  readonly groupName: string;
  readonly stackSetName: string;
  /** The role's policy in the learner's account: PowerUserAccess, or AdministratorAccess with learnersApply. */
  readonly managedPolicyArn: string;
  readonly requireMfa: boolean;
}

export interface AccountsPlan {
  readonly stack: string;
  readonly parentId: string;
  readonly unitName: string;
  readonly closeOnDeletion: boolean;
  /** The SCPs attached to the class's OU. */
  readonly guardrails: readonly GuardrailPolicy[];
  /** The SCP a budget action attaches to a learner's account at 100 % of its budget (with budgets on). */
  readonly brake?: GuardrailPolicy;
  /** Ids of learners without an `accountId` yet: no environment stacks for them this synth. */
  readonly waiting: readonly string[];
  /** Learners' sign-in, with `classroom.accounts.identityCenter`: a permission set assigned to each learner in their own account only. */
  readonly identityCenter?: { readonly instanceArn: string; readonly identityStoreId: string; readonly region?: string; readonly managedPolicyArn: string; readonly permissionSetName: string };
  /** `classroom.accounts.learnersApply`: the learners apply their own stacks; the instructor's role only when Terraform is asked to act through it. */
  readonly learnersApply: boolean;
  /** Learners' sign-in without Identity Center, with `classroom.accounts.signInRole` (lib/classroom/sign-in-role.ts). */
  readonly signInRole?: SignInRolePlan;
}

/** The learners' permission set without learnersApply: everything but IAM and Organizations. */
export const LOOK_AND_OPERATE_POLICY_ARN = "arn:aws:iam::aws:policy/PowerUserAccess";
/** With learnersApply: the stacks create IAM roles and policies, so the learner needs IAM too (the guardrails still bound it). */
export const APPLY_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess";
/** AWS managed policies that cannot create an IAM role: a learner given one of them fails at the first apply. */
const POLICIES_WITHOUT_IAM = ["PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess", "SecurityAudit", "job-function/ViewOnlyAccess"].map((name) => `arn:aws:iam::aws:policy/${name}`);

/** A roster row as account isolation reads it. */
export interface AccountRow {
  readonly id: string;
  readonly email: string;
  readonly row: number;
  /** The `accountId` cell, as written (may be empty). */
  readonly accountId?: string;
}

/** A learner's IAM user in the management account, with `accounts.signInRole` (lib/classroom/sign-in-role.ts). */
export function signInUserName(project: string, learnerId: string): string {
  return fitName(`${project}-${learnerId}`, 64);
}

export function learnerAccount(project: string, row: AccountRow): LearnerAccount {
  const id = row.accountId ? row.accountId : undefined;
  return { name: `${project}-${row.id}`, email: row.email, id, roleArn: id ? `arn:aws:iam::${id}:role/${INSTRUCTOR_ROLE_NAME}` : undefined };
}

/** The roster's rows that account isolation refuses: an email used twice (AWS wants one per account), a malformed or repeated account id. */
export function rosterAccountProblems(rows: readonly AccountRow[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const emails = new Map<string, number>();
  const ids = new Map<string, number>();
  for (const row of rows) {
    if (row.id === "organization") {
      problems.push({ field: `row ${row.row} id`, value: row.id, expected: "an id other than organization with classroom.isolation account (<project>-organization is the organization stack)" });
    }
    const email = row.email.toLowerCase();
    const first = emails.get(email);
    if (first !== undefined) {
      problems.push({
        field: `row ${row.row} email`,
        value: row.email,
        expected: `an address used by one learner only (row ${first} has it already): with classroom.isolation account each learner's account needs its own email, and AWS refuses one another account has (a plus address such as kim+devops@example.com is a different one)`,
      });
    } else emails.set(email, row.row);
    const accountId = row.accountId ?? "";
    if (accountId === "") continue;
    if (!ACCOUNT_ID.test(accountId)) {
      problems.push({ field: `row ${row.row} accountId`, value: accountId, expected: "the learner's 12-digit AWS account id (terraform output account_ids of the organization stack), or empty until it is applied" });
      continue;
    }
    const taken = ids.get(accountId);
    if (taken !== undefined) problems.push({ field: `row ${row.row} accountId`, value: accountId, expected: `an account id used by one learner only (row ${taken} has it already)` });
    else ids.set(accountId, row.row);
  }
  return problems;
}

/**
 * Settings of the config that contradict the isolation: account isolation without the OU's parent,
 * with IAM users (one account per learner has no use for tag-scoped users), with an allow-list that
 * leaves out an instance type the config launches, or with an SCP AWS would refuse; tag isolation
 * with an OU's parent (which it never uses).
 */
export function isolationProblems(config: StudyConfig, settings: ClassroomSettings): ConfigProblem[] {
  if (settings.isolation === "tag") {
    const accountOnly = { parentId: settings.accounts.parentId, identityCenter: settings.accounts.identityCenter, learnersApply: settings.accounts.learnersApply || undefined, signInRole: settings.accounts.signInRole || undefined };
    return Object.entries(accountOnly)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => ({ field: `classroom.accounts.${key}`, value, expected: "no value with classroom.isolation tag (the default): set classroom.isolation: account to give each learner an account of their own" }));
  }
  const problems: ConfigProblem[] = [];
  if (settings.accounts.parentId === undefined) {
    problems.push({
      field: "classroom.accounts.parentId",
      value: undefined,
      expected: "with classroom.isolation account, the organization's root id (r-ab12: aws organizations list-roots --query 'Roots[0].Id') or an OU id (ou-ab12-cd34ef56) that the class's OU goes under",
    });
  }
  for (const field of ["vpcCidrPool", "vpcPrefixLength"] as const) {
    if (settings[field] !== undefined) {
      problems.push({ field: `classroom.${field}`, value: settings[field], expected: "no value with classroom.isolation account: each learner's account has its own address space, so every learner's VPC is network.vpcCidr" });
    }
  }
  if (settings.iamUsers === true) {
    problems.push({
      field: "classroom.iamUsers",
      value: true,
      expected: "false or no value with classroom.isolation account: each learner has an account of their own, so no IAM users scoped by tag in a shared one",
    });
  }
  if (settings.accounts.signInRole && settings.accounts.identityCenter) {
    problems.push({ field: "classroom.accounts.signInRole", value: true, expected: "false or no value with classroom.accounts.identityCenter: one way in for the learners (signInRole is for an organization without Identity Center)" });
  }
  problems.push(...learnersApplyProblems(config, settings));
  problems.push(...instanceTypeProblems(config, settings.guardrails));
  if (problems.length === 0) problems.push(...scpProblems([...guardrailPolicies(config, settings), spendingBrakePolicy(config)]));
  return problems;
}

/** What `accounts.learnersApply` needs: a way for learners to sign in, state the instructor can reach, and a policy that can create the stacks' IAM roles. */
function learnersApplyProblems(config: StudyConfig, settings: ClassroomSettings): ConfigProblem[] {
  const accounts = settings.accounts;
  if (!accounts.learnersApply) return [];
  const problems: ConfigProblem[] = [];
  if (!accounts.identityCenter && !accounts.signInRole) {
    problems.push({
      field: "classroom.accounts.identityCenter",
      value: undefined,
      expected:
        "the organization's IAM Identity Center (instanceArn and identityStoreId, from aws sso-admin list-instances), or classroom.accounts.signInRole: true without one, with classroom.accounts.learnersApply: learners sign in to their own account that way, with no long-lived keys",
    });
  } else if (accounts.identityCenter?.managedPolicyArn && POLICIES_WITHOUT_IAM.includes(accounts.identityCenter.managedPolicyArn)) {
    problems.push({
      field: "classroom.accounts.identityCenter.managedPolicyArn",
      value: accounts.identityCenter.managedPolicyArn,
      expected: `a policy that can create IAM roles with classroom.accounts.learnersApply, such as ${APPLY_POLICY_ARN} (the default there): every week's stack creates roles, so the learner's first apply would fail`,
    });
  }
  if (config.core.state.backend !== "s3") {
    problems.push({
      field: "classroom.accounts.learnersApply",
      value: true,
      expected: "state.backend: s3 with it: each learner's state stays in the class's bucket under their own keys, where the instructor and the lease reach it too (a state file on the learner's laptop would be out of reach)",
    });
  }
  return problems;
}

/** The accounts part of the class's plan (isolation account, once the checks above passed). */
export function planAccounts(config: StudyConfig, settings: ClassroomSettings, rows: readonly AccountRow[]): AccountsPlan {
  const project = config.core.project;
  return {
    stack: organizationStackName(project),
    parentId: settings.accounts.parentId!,
    unitName: settings.accounts.unitName ?? project,
    closeOnDeletion: settings.accounts.closeOnDeletion,
    guardrails: guardrailPolicies(config, settings),
    brake: settings.budget.enabled ? spendingBrakePolicy(config) : undefined,
    waiting: rows.filter((r) => !r.accountId).map((r) => r.id),
    identityCenter: settings.accounts.identityCenter
      ? {
          ...settings.accounts.identityCenter,
          managedPolicyArn: settings.accounts.identityCenter.managedPolicyArn ?? (settings.accounts.learnersApply ? APPLY_POLICY_ARN : LOOK_AND_OPERATE_POLICY_ARN),
          permissionSetName: `${project}-learner`,
        }
      : undefined,
    learnersApply: settings.accounts.learnersApply,
    signInRole: settings.accounts.signInRole
      ? {
          roleName: `${project}-learner`,
          userPath: `/${project}/`,
          groupName: `${project}-learners-sign-in`,
          stackSetName: `${project}-learner-role`,
          managedPolicyArn: settings.accounts.learnersApply ? APPLY_POLICY_ARN : LOOK_AND_OPERATE_POLICY_ARN,
          requireMfa: settings.requireMfa,
        }
      : undefined,
  };
}

/** The one notice of a synth with learners whose account id is not in the roster yet. */
export function waitingNotice(plan: AccountsPlan, total: number): string | undefined {
  if (plan.waiting.length === 0) return undefined;
  const who = plan.waiting.length === total ? `none of the ${total} learners has an accountId` : `${plan.waiting.length} of ${total} learners (${plan.waiting.join(", ")}) have no accountId`;
  return (
    `classroom (isolation account): ${who} in the roster yet, so no environment stacks for them this synth. ` +
    `Apply ${plan.stack} (terraform -chdir=out/stacks/${plan.stack} apply), copy each id from terraform -chdir=out/stacks/${plan.stack} output -json account_ids into the roster's accountId column, and synth again.`
  );
}
