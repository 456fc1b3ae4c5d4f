/** Reading the offline plans of weeks 1-4: counts, the configuration's references, shared checks. */
import { expect } from "vitest";
import type { PlannedResource, PlanResult } from "../support/terraform";

export const STACK = "devops-weeks-dev";

export function countsByType(plan: PlanResult, types: readonly string[]): Record<string, number> {
  return Object.fromEntries(types.map((t) => [t, plan.byType(t).length]));
}

interface ConfigResource {
  address: string;
  type: string;
  expressions?: Record<string, { constant_value?: unknown; references?: string[] } | unknown>;
}

function configResources(plan: PlanResult): ConfigResource[] {
  return ((plan.raw.configuration as { root_module?: { resources?: ConfigResource[] } }).root_module?.resources ?? []) as ConfigResource[];
}

/** What an attribute refers to in the configuration, e.g. `aws_security_group.x` for `${aws_security_group.x.id}`. */
export function referencesOf(plan: PlanResult, resource: PlannedResource, attribute: string): string[] {
  const config = configResources(plan).find((r) => r.address === resource.address);
  const expression = config?.expressions?.[attribute] as { references?: string[] } | undefined;
  return expression?.references ?? [];
}

export function byName(plan: PlanResult, type: string, name: string): PlannedResource {
  const found = plan.byType(type).find((r) => r.values.name === name || (r.values.tags as Record<string, string> | undefined)?.Name === name);
  if (!found) throw new Error(`no ${type} named ${name} in the plan (${plan.byType(type).map((r) => r.values.name).join(", ")})`);
  return found;
}

/** Checks every plan of weeks 1-4 must pass, whatever the config. */
export function expectSecureDefaults(plan: PlanResult): void {
  // Weeks 2-4 keep what their buckets hold through a destroy; the account trail's two buckets (week 1's, for the
  // security alerts) follow security.cloudTrail.forceDestroyBuckets, true by default so a study account tears down.
  for (const bucket of plan.byType("aws_s3_bucket").filter((b) => !b.address.includes("securityAlerts_trail-resources_"))) expect(bucket.values.force_destroy, bucket.address).toBe(false);
  for (const block of plan.byType("aws_s3_bucket_public_access_block")) {
    expect(block.values, block.address).toMatchObject({ block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true });
  }
  expect(plan.byType("aws_s3_bucket_public_access_block")).toHaveLength(plan.byType("aws_s3_bucket").length);
  expect(plan.byType("aws_s3_bucket_server_side_encryption_configuration")).toHaveLength(plan.byType("aws_s3_bucket").length);
  for (const versioning of plan.byType("aws_s3_bucket_versioning")) expect(versioning.values.versioning_configuration).toEqual([expect.objectContaining({ status: "Enabled" })]);
  for (const key of plan.byType("aws_kms_key")) expect(key.values.enable_key_rotation, key.address).toBe(true);
  for (const group of plan.byType("aws_cloudwatch_log_group")) expect(group.values.retention_in_days, group.address).toBeGreaterThan(0);
  for (const repository of plan.byType("aws_ecr_repository")) expect(repository.values.image_scanning_configuration).toEqual([{ scan_on_push: true }]);
  for (const instance of plan.byType("aws_instance")) {
    expect(instance.values.metadata_options, instance.address).toEqual([expect.objectContaining({ http_tokens: "required" })]);
    expect(instance.values.root_block_device, instance.address).toEqual([expect.objectContaining({ encrypted: true })]);
  }
  for (const rule of plan.byType("aws_vpc_security_group_ingress_rule")) {
    const opensToTheWorld = rule.values.cidr_ipv4 === "0.0.0.0/0";
    // the only rules open to the internet are the load balancer's listeners: HTTP, and blue/green's test port
    if (opensToTheWorld) {
      const listenerRule = rule.values.description === "HTTP from 0.0.0.0/0" ? [80, 80] : rule.values.description === "Test listener (idle color) from 0.0.0.0/0" ? [8080, 8080] : [];
      expect([rule.values.from_port, rule.values.to_port], `${rule.address}: ${rule.values.description}`).toEqual(listenerRule);
    }
  }
  for (const topic of plan.byType("aws_sns_topic")) expect(referencesOf(plan, topic, "kms_master_key_id").some((r) => r.startsWith("aws_kms_key."))).toBe(true);
}
