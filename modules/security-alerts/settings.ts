import { z } from "zod";
import { uniqueList } from "../../lib/aws/ec2";

/** GuardDuty's severity bands: low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0. */
export const GUARDDUTY_SEVERITY = { low: 1, medium: 4, high: 7, critical: 9 } as const;

export const securityAlertsSettings = z.strictObject({
  /** Who hears about a threat. @default [] - then `costGuard.emails`: the same person who hears about the bill */
  emails: uniqueList(z.array(z.email("an email address such as kim@example.com")).max(10), "address").default([]),
  /** GuardDuty findings from this band up reach the addresses (GuardDuty itself is week 10's). @default high */
  guardDutyMinSeverity: z.enum(["low", "medium", "high", "critical"]).default("high"),
  /** A security group opened to the whole internet (0.0.0.0/0 or ::/0), as CloudTrail records it. @default true */
  worldOpenSecurityGroups: z.boolean().default(true),
  /** Any sign-in as the root user, successful or not (the root user is for billing and account recovery only). @default true */
  rootSignIn: z.boolean().default(true),
  /** A successful console sign-in of an IAM user without MFA. @default true */
  signInWithoutMfa: z.boolean().default(true),
  /** A new access key for an IAM user (the key a leak starts from). @default true */
  accessKeyCreated: z.boolean().default(true),
});

export type SecurityAlertsSettings = z.output<typeof securityAlertsSettings>;
