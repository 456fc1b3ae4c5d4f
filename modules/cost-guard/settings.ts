import { z } from "zod";
import { uniqueList } from "../../lib/aws/ec2";

export const COST_GUARD_DEFAULTS = {
  monthlyLimitUsd: 20,
  alertThresholds: [80, 100],
  brakeAtPercent: 100,
  nightlyStopTime: "23:00",
  nightlyStopTimezone: "Asia/Seoul",
} as const;

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
// Node lists the canonical IANA zones, without the UTC aliases Scheduler accepts as well.
const TIME_ZONES = new Set([...Intl.supportedValuesOf("timeZone"), "UTC", "Etc/UTC"]);

export const costGuardSettings = z.strictObject({
  /** The month's budget in USD: mails at each alert threshold and when the forecast passes it. @default 20 */
  monthlyLimitUsd: z.number().positive("a positive amount in USD, such as 20").max(100_000).default(COST_GUARD_DEFAULTS.monthlyLimitUsd),
  /** Who gets the alerts. With none there is no budget: synth says so on every run. @default [] - no budget; synth warns */
  emails: uniqueList(z.array(z.email("an email address such as kim@example.com")).max(10), "address").default([]),
  /** Shares of the limit (in %) that send a mail when actual spend passes them. @default [80, 100] */
  alertThresholds: z
    .array(z.number().int().min(1).max(1000))
    .min(1)
    // A budget has at most five notifications: four of actual spend and the forecast.
    .max(4)
    .refine((items) => new Set(items).size === items.length, "each threshold listed once")
    .default([...COST_GUARD_DEFAULTS.alertThresholds]),
  brake: z
    .strictObject({
      /**
       * At `atPercent` of actual spend, AWS stops what bills by the hour without a person: a Budgets action stops the
       * EC2 instances (bastion, Docker hosts, NAT instances) and a function scales the EKS node groups to zero.
       * @default true (with an alert address)
       */
      enabled: z.boolean().default(true),
      /** The share of the limit (in %) of actual spend at which the brake acts: one of `alertThresholds`, whose alert sets it off. @default 100 */
      atPercent: z.number().int().min(1).max(1000).default(COST_GUARD_DEFAULTS.brakeAtPercent),
    })
    .prefault({}),
  nightlyStop: z
    .strictObject({
      /** Every night at `time`, EventBridge Scheduler does what the brake does, whether or not you forgot. @default false */
      enabled: z.boolean().default(false),
      /** 24-hour time, HH:MM. @default 23:00 */
      time: z.string().regex(TIME, "a time of day as HH:MM, such as 23:00").default(COST_GUARD_DEFAULTS.nightlyStopTime),
      /** An IANA time zone. @default Asia/Seoul */
      timezone: z.string().refine((zone) => TIME_ZONES.has(zone), "an IANA time zone such as Asia/Seoul or UTC").default(COST_GUARD_DEFAULTS.nightlyStopTimezone),
    })
    .prefault({}),
});

export type CostGuardSettings = z.output<typeof costGuardSettings>;
