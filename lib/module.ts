/**
 * The contract every week module implements. A module is a folder under `modules/` that exports one
 * `defineModule({...})`; `modules/index.ts` registers it. The core validates the module's settings,
 * resolves dependencies, and calls `build` once per environment with the module's own construct scope.
 */
import type { Construct } from "constructs";
import type { z } from "zod";
import type { CoreConfig } from "./config";
import type { ConfigProblem } from "./errors";

export interface Localized {
  readonly ko: string;
  readonly en: string;
}

/** One learner's (or the single user's) copy of the study infrastructure. */
export interface StudyEnvironment {
  /** Prefix of stack and resource names, e.g. `devops-weeks-dev`. */
  readonly name: string;
  /** Tags applied to every AWS resource of this environment (provider default_tags). */
  readonly tags: Readonly<Record<string, string>>;
  /** The VPC CIDR for this environment (classroom mode derives one per learner). */
  readonly vpcCidr: string;
}

export interface BuildContext<Settings> {
  /** This module's construct, inside the environment's AWS stack. */
  readonly scope: Construct;
  readonly settings: Settings;
  readonly study: CoreConfig;
  readonly environment: StudyEnvironment;
  readonly availabilityZones: readonly string[];
  /** `<environment>-<suffix>`: the name of a resource as the learner will see it in the console. */
  name(suffix: string): string;
  /** Whether a module is enabled in this synth (for optional integrations, e.g. alarms to week 4's topic). */
  has(moduleId: string): boolean;
  /** What an enabled module's `build` returned. Throws if it is not enabled: declare it in `requires`. */
  use<Exports>(moduleId: string): Exports;
  /** A snake_case Terraform output of the AWS stack. */
  output(name: string, value: unknown, description: string): void;
}

export interface StudyModule<Settings, Exports> {
  /** Registry key and the config section that holds this module's settings. */
  readonly id: string;
  readonly week: number;
  readonly title: Localized;
  /** Modules that must be enabled for this one to work; enabling this module enables them. */
  readonly requires?: readonly string[];
  /** Schema of the module's config section, every field defaulted, objects strict. */
  readonly settings: z.ZodType<Settings>;
  /** Rules across fields (or against the core config) that the schema alone cannot express. */
  validate?(settings: Settings, study: CoreConfig, environment: StudyEnvironment): ConfigProblem[];
  build(context: BuildContext<Settings>): Exports;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStudyModule = StudyModule<any, any>;

export function defineModule<Settings, Exports>(module: StudyModule<Settings, Exports>): StudyModule<Settings, Exports> {
  return module;
}
