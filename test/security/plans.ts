/**
 * Small plan JSON builders for the security gate tests: synthetic plans shaped like
 * `terraform show -json` output, and edits of a real plan that break exactly one thing.
 */
import type { PlanJson } from "../../lib/security-gate/aws-rules";
import { STUDY_MODULES } from "../../modules";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";

export interface SyntheticResource {
  type: string;
  name: string;
  values: Record<string, unknown>;
  /** Configuration expressions, e.g. { bucket: ref("aws_s3_bucket.logs", "id") }. */
  expressions?: Record<string, unknown>;
  /** after_unknown, e.g. { kms_master_key_id: true }. */
  unknown?: Record<string, unknown>;
}

/** A configuration reference the way Terraform prints it. */
export function ref(address: string, attribute: string): { references: string[] } {
  return { references: [`${address}.${attribute}`, address] };
}

export function syntheticPlan(resources: SyntheticResource[]): PlanJson {
  return {
    format_version: "1.2",
    planned_values: { root_module: { resources: resources.map((r) => ({ address: `${r.type}.${r.name}`, mode: "managed", type: r.type, name: r.name, values: r.values })) } },
    resource_changes: resources.map((r) => ({ address: `${r.type}.${r.name}`, mode: "managed", change: { after_unknown: r.unknown ?? {} } })),
    configuration: { root_module: { resources: resources.map((r) => ({ address: `${r.type}.${r.name}`, mode: "managed", type: r.type, name: r.name, expressions: r.expressions ?? {} })) } },
  };
}

type Planned = { address: string; type: string; values: Record<string, unknown> };

function clone(plan: PlanJson): PlanJson {
  return structuredClone(plan);
}

function plannedResources(plan: PlanJson): Planned[] {
  return (plan.planned_values?.root_module?.resources ?? []) as Planned[];
}

/** Addresses of a type in a plan, in plan order. */
export function addressesOf(plan: PlanJson, type: string): string[] {
  return plannedResources(plan).filter((r) => r.type === type).map((r) => r.address);
}

/** A copy of the plan without the given resources (planned values, changes and configuration). */
export function withoutResources(plan: PlanJson, addresses: string[]): PlanJson {
  const copy = clone(plan);
  const keep = (r: { address: string }) => !addresses.includes(r.address);
  copy.planned_values!.root_module!.resources = plannedResources(copy).filter(keep) as never;
  copy.resource_changes = (copy.resource_changes ?? []).filter(keep);
  copy.configuration!.root_module!.resources = (copy.configuration?.root_module?.resources ?? []).filter(keep);
  return copy;
}

/** A copy of the plan with one planned value changed (as if the configuration had written it). */
export function withValue(plan: PlanJson, address: string, path: (string | number)[], value: unknown): PlanJson {
  const copy = clone(plan);
  const resource = plannedResources(copy).find((r) => r.address === address);
  if (!resource) throw new Error(`no ${address} in the plan`);
  let node: Record<string | number, unknown> = resource.values;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path[path.length - 1]] = value;
  return copy;
}

/** Every week some registered module belongs to, as a `weeks` selection. */
export function allRegisteredWeeks(): string {
  return [...new Set(STUDY_MODULES.map((m) => m.week))].sort((a, b) => a - b).join(",");
}

/**
 * The study config with every registered week on (the shared all-weeks config, so fields other weeks
 * require come along) and every week-10 security option exercised.
 */
export function fullSecurityConfig(): Record<string, unknown> {
  const registered = new Set(STUDY_MODULES.map((m) => m.id));
  const eks = (ALL_WEEKS_CONFIG.eks ?? {}) as Record<string, unknown>;
  return {
    ...ALL_WEEKS_CONFIG,
    weeks: allRegisteredWeeks(),
    // Week 9 on the Docker-host path: two hosts, a second listener and CodeDeploy with traffic control.
    dockerHost: { loadBalancer: { enabled: true }, blueGreen: { enabled: true, idleTrafficPercent: 10 } },
    // Week 6 logs three control-plane log types by default; CKV_AWS_37 (like Checkov) wants all five.
    ...(registered.has("eks") ? { eks: { ...eks, logs: { ...(eks.logs as object), types: ["api", "audit", "authenticator", "controllerManager", "scheduler"] } } } : {}),
    // The cost guard with its brake and the nightly stop: every resource of it in the gate's plan.
    costGuard: { emails: ["instructor@example.com"], monthlyLimitUsd: 30, nightlyStop: { enabled: true } },
    security: {
      learners: { enabled: true, users: ["kim", "lee"], policyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] },
    },
  };
}
