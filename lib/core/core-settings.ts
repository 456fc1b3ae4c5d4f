/**
 * The core fields of study.yaml (schema only: lib/core/config.ts reads and validates the whole file). Apart
 * from lib/core/config.ts so that the module contract (lib/core/module.ts) can name CoreConfig without an import
 * circle through the config reader.
 */
import { z } from "zod";
import { stateSchema } from "../state/backend";
import { classroomSchema } from "../classroom/settings";
import { AWS_REGIONS, DEFAULT_REGION } from "../aws/regions";

const NAME_PATTERN = /^[a-z][a-z0-9-]{0,22}[a-z0-9]$/;
const NAME_EXPECTED = "2-24 characters: lowercase letters, digits and hyphens, starting with a letter";

export const coreSchema = z.strictObject({
  /** The first part of every stack and resource name. @default devops-weeks */
  project: z.string().regex(NAME_PATTERN, NAME_EXPECTED).default("devops-weeks"),
  /** The second part: the stacks are `<project>-<environment>` and `<project>-<environment>-k8s`. @default dev */
  environment: z.string().regex(NAME_PATTERN, NAME_EXPECTED).default("dev"),
  /** The AWS region everything is built in. @default ap-northeast-2 */
  region: z
    .string()
    .regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region code such as ap-northeast-2")
    .refine((region) => !/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(region) || AWS_REGIONS.includes(region), `a region AWS has, such as ap-northeast-2 (Seoul); lib/aws/regions.ts lists them`)
    .default(DEFAULT_REGION),
  /**
   * How many AZs, picked from the region's AZs in the order lib/aws/regions.ts lists them (Seoul: a, c, b, d),
   * or a list of AZ names in the region. @default 2
   */
  availabilityZones: z
    .union([z.number().int().min(1).max(6), z.array(z.string()).min(1).max(6)], {
      error: "a number of AZs (1-6) or a list of AZ names such as [ap-northeast-2a, ap-northeast-2c]",
    })
    .default(2),
  /** Extra tags on every AWS resource; `Project`, `Environment` and `ManagedBy` are always set. @default {} */
  tags: z
    .record(z.string().regex(/^(?!aws:)[\w .:/=+@-]{1,128}$/, "a tag key (1-128 characters, not starting with aws:)"), z.string().max(256))
    // AWS allows 50 tags on a resource; Project, Environment, ManagedBy and Name take four of them.
    .refine((tags) => Object.keys(tags).length <= 46, "at most 46 tags (AWS allows 50 on a resource, and the study sets Project, Environment, ManagedBy and Name)")
    .default({}),
  /** The weeks to build (the registry's: 1-10 today), as a list or ranges; `WEEKS=...` overrides it for one run. @default "1" */
  weeks: z
    .union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))], {
      error: 'weeks as a list or ranges, such as "1-3,6" or [1, 2, 6]',
    })
    .default("1"),
  runbooks: z
    .strictObject({
      /** The languages the runbooks are written in, `ko` and/or `en`. @default [ko, en] */
      languages: z.array(z.enum(["ko", "en"])).min(1).default(["ko", "en"]),
    })
    .prefault({}),
  /** Where Terraform state lives: local files (default) or S3 with native locking (lib/state/backend.ts). */
  state: stateSchema,
  /** Classroom mode: one environment per learner of a roster (lib/classroom/plan.ts). */
  classroom: classroomSchema.optional(),
});

export type CoreConfig = z.output<typeof coreSchema> & { availabilityZones: number | string[] };
