/** The `classroom` section of study.yaml (schema only; lib/classroom.ts reads the roster and plans the class). */
import { z } from "zod";
import { isCidr } from "./cidr";

export const CLASSROOM_DEFAULTS = {
  vpcCidrPool: "10.0.0.0/8",
  vpcPrefixLength: 16,
  monthlyBudgetUsd: 30,
  alertThresholds: [50, 80, 100],
} as const;

export const classroomSchema = z.strictObject({
  /** The roster: a CSV file with the header `id,name,email` (optional column `slot`), relative to study.yaml. */
  roster: z.string().min(1, "a path to the roster CSV file, such as roster.csv"),
  /** The range that learners' VPCs are carved from, one /vpcPrefixLength each. @default 10.0.0.0/8 */
  vpcCidrPool: z.string().refine(isCidr, "an IPv4 CIDR block with no host bits set, such as 10.0.0.0/8").default(CLASSROOM_DEFAULTS.vpcCidrPool),
  /** Size of each learner's VPC. @default 16 (256 learners fit in 10.0.0.0/8) */
  vpcPrefixLength: z.number().int().min(16).max(24).default(CLASSROOM_DEFAULTS.vpcPrefixLength),
  /** Per learner: an IAM user in the `<project>-learners` group, access scoped to their Learner tag. @default true */
  iamUsers: z.boolean().default(true),
  /** Deny everything but setting up MFA until the learner signs in with MFA. @default true */
  requireMfa: z.boolean().default(true),
  /**
   * Each learner gets the course's guides with their own stacks and names (runbooks/<lang>/learners/<id>/),
   * about 0.2 s of synth CPU per learner and 22 pages each with two languages; false keeps the sheets only,
   * for a very large class. @default true
   */
  learnerGuides: z.boolean().default(true),
  budget: z
    .strictObject({
      /** Per learner: a monthly AWS Budgets cost budget filtered on their Learner tag, alerts by email. @default true */
      enabled: z.boolean().default(true),
      /** Monthly limit in USD. @default 30 */
      monthlyUsd: z.number().positive().max(100000).default(CLASSROOM_DEFAULTS.monthlyBudgetUsd),
      /** Alert at these percentages of the limit (actual spend; at most 4, plus one on the forecast reaching 100). @default [50, 80, 100] */
      alertThresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(4).default([...CLASSROOM_DEFAULTS.alertThresholds]),
      /** Instructor addresses copied on every learner's alerts. @default [] */
      instructorEmails: z.array(z.email("an email address such as teacher@example.com")).max(9).default([]),
    })
    .prefault({}),
});

export type ClassroomSettings = z.output<typeof classroomSchema>;
