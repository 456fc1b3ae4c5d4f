/**
 * The types the runbook's parts share (a week's facts, stacks, outputs, commands, checks, notes), in a
 * file of their own so that steps.ts, page-steps.ts and tips.ts each import them without importing one another.
 */
import type { Inventory, StackResource } from "./inventory";
import type { Strings } from "./strings";

export interface StackRef {
  readonly name: string;
  /** As the learner types it from the repo root: `out/stacks/<name>`. */
  readonly dir: string;
}

export interface OutputRef extends StackRef {
  readonly output: string;
  readonly description: string;
}

export interface Command {
  readonly description: string;
  readonly command: string;
}

export interface Check {
  readonly title: string;
  readonly command: string;
  readonly expect: string;
}

export interface WeekFacts {
  readonly inventory: Inventory;
  /** This week's resources, all stacks. */
  readonly resources: readonly StackResource[];
  readonly outputs: readonly OutputRef[];
  readonly region: string;
  readonly strings: Strings;
  /** `eks` cluster name when the workloads stack targets EKS; kubeconfig context otherwise. */
  readonly kubernetes?: { kind: "eks"; clusterName: string; region: string } | { kind: "kubeconfig"; context?: string; configPath: string };
  /** Files synth generated for this week, relative to the repo root (`out/...`). */
  readonly files: readonly { path: string; manifest: boolean }[];
  /** Network settings, when week 1 is enabled: the cheaper options refer to them. */
  readonly network?: { nat: { mode: string; perAz: boolean; instanceType: string } };
  readonly availabilityZones: readonly string[];
}

/** A note shown before a step: the partial that words it, and its values. */
export interface PageNote {
  readonly partial: string;
  readonly [value: string]: string;
}

/** A blue/green release on the Docker-host path, as the synthesized stack has it. */
export interface BlueGreenRelease {
  readonly live: string;
  readonly idle: string;
  /** Share of port 80 the idle color already gets (a canary), 0 when none. */
  readonly idlePercent: number;
  readonly testPort: string;
  readonly testCommand: string;
  readonly weightsCommand: string;
  /** The host week 3's pipeline deploys to, when week 3 is on. */
  readonly deployTo?: string;
}

/**
 * A week's own part of its page (StudyModule.runbook): what follows not from resource types alone but
 * from what only that week knows. lib/runbooks merges it with the generic rules, in the page's order.
 */
export interface WeekRunbook {
  /** Checks after the generic ones of the account (trail, GuardDuty) and before the alarms. */
  checks?(facts: WeekFacts): readonly Check[];
  /** Cheaper ways to run the week, first in the list, in the page's language. */
  cheaperOptions?(facts: WeekFacts): readonly string[];
  /** The release steps the page shows (a blue/green switch). */
  release?(facts: WeekFacts): BlueGreenRelease | undefined;
}
