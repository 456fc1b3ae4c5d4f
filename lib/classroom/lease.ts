/**
 * Leases (`classroom.lease`, and the roster's optional `leaseEndsOn` column): on the day a learner's lease
 * ends, an EventBridge Scheduler schedule in the instructor's account starts the class-wide CodeBuild batch
 * (lib/classroom/codebuild.ts) in destroy mode for the stacks whose lease ends that day; with isolation
 * account, each build then moves the learner's account to a "closed-course" OU whose SCP denies everything
 * but reading and billing. One one-time schedule (`at(...)`) per distinct end date.
 *
 * A date in the past is not refused, only reported: synth must give the same output whatever day it runs
 * (the comparison with today is in the notice alone), and an instructor who synthesizes after the course,
 * to destroy by hand, must still be able to. Scheduler does not run a one-time schedule whose time has
 * passed, so such a lease does nothing by itself.
 *
 * Pure: the resources are lib/classroom/codebuild-project.ts's, in the same stack as the project.
 */
import type { GuardrailPolicy } from "./guardrails";
import { INSTRUCTOR_ROLE_NAME } from "./guardrails";

export { isCalendarDate, LEASE_DATE_EXPECTED } from "./settings";

export interface LeaseGroup {
  /** The day the lease ends. */
  readonly date: string;
  /** The learners' AWS stacks to destroy that day. */
  readonly stacks: readonly string[];
  /** Learners whose account is moved to the closed-course OU after their stack is destroyed (isolation account). */
  readonly learnerIds: readonly string[];
}

export interface LeasePlan {
  /** The IANA time zone the schedules' midnight is in. */
  readonly timeZone: string;
  readonly groups: readonly LeaseGroup[];
  /** Isolation account: the OU the accounts go to, and its SCP. */
  readonly closedUnit?: { readonly name: string; readonly policy: GuardrailPolicy };
}

/** Groups the learners (with stacks) by the day their lease ends: their roster cell, or the class's date. */
export function planLeases(
  learners: readonly { readonly id: string; readonly awsStack: string; readonly leaseEndsOn?: string }[],
  classEndsOn: string | undefined,
  options: { timeZone: string; project: string; unitName?: string },
): LeasePlan | undefined {
  const byDate = new Map<string, { stacks: string[]; learnerIds: string[] }>();
  for (const learner of learners) {
    const date = learner.leaseEndsOn || classEndsOn;
    if (!date) continue;
    const group = byDate.get(date) ?? { stacks: [], learnerIds: [] };
    group.stacks.push(learner.awsStack);
    group.learnerIds.push(learner.id);
    byDate.set(date, group);
  }
  if (byDate.size === 0) return undefined;
  const groups = [...byDate.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([date, group]) => ({ date, ...group }));
  return {
    timeZone: options.timeZone,
    groups,
    ...(options.unitName ? { closedUnit: { name: `${options.unitName}-closed`.slice(0, 128), policy: closedCoursePolicy(options.project) } } : {}),
  };
}

/** The notice of a synth whose leases end before `today` (only in the log: the output is the same any day). */
export function pastLeaseNotice(plan: LeasePlan | undefined, today: Date): string | undefined {
  const day = today.toISOString().slice(0, 10);
  const past = plan?.groups.filter((g) => g.date < day) ?? [];
  if (past.length === 0) return undefined;
  return `classroom.lease: ${past.map((g) => `${g.date} (${g.stacks.join(", ")})`).join("; ")} is before today (${day}, UTC): EventBridge Scheduler never runs a one-time schedule whose time has passed, so destroy those stacks by hand (README, "Leases").`;
}

/**
 * The SCP of the closed-course OU: everything denied but reading and billing, so a learner can still see
 * what the account holds and what it cost, and nothing new can start. The instructor's role is exempt,
 * to clean up what the lease's destroy could not.
 */
export function closedCoursePolicy(project: string): GuardrailPolicy {
  return {
    name: `${project}-closed-course`,
    description: `${project} class, closed: reading and billing only`,
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyAllButReadingAndBilling",
          Effect: "Deny",
          NotAction: [
            "aws-portal:*",
            "billing:*",
            "ce:*",
            "cur:Describe*",
            "budgets:View*",
            "budgets:Describe*",
            "payments:Get*",
            "payments:List*",
            "invoicing:Get*",
            "invoicing:List*",
            "freetier:Get*",
            "account:Get*",
            "sts:GetCallerIdentity",
            "ec2:Describe*",
            "s3:Get*",
            "s3:List*",
            "iam:Get*",
            "iam:List*",
            "eks:Describe*",
            "eks:List*",
            "logs:Describe*",
            "logs:Get*",
            "logs:FilterLogEvents",
            "cloudwatch:Describe*",
            "cloudwatch:Get*",
            "cloudwatch:List*",
            "cloudtrail:LookupEvents",
            "tag:Get*",
          ],
          Resource: "*",
          Condition: { ArnNotLike: { "aws:PrincipalARN": `arn:aws:iam::*:role/${INSTRUCTOR_ROLE_NAME}` } },
        },
      ],
    },
  };
}
