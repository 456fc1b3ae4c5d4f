/**
 * Three learners' week-1 stacks, planned offline by real Terraform through scripts/terraform-all.sh
 * (the README's bounded-parallelism loop), next to a fourth learner whose stack is broken: the broken
 * one is reported and the other three plan anyway. Their VPCs must not overlap and every resource
 * must carry its learner's tag.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { overlaps, parseCidr } from "../../lib/aws/cidr";
import { planResult, prepareOfflineStack, type PlanResult } from "../support/terraform";
import { synthClass } from "./roster";

const LEARNERS = ["kim", "lee", "park"];
const SCRIPT = join(__dirname, "..", "..", "scripts", "terraform-all.sh");

/** Resource types that take no tags (so have no tags_all in the plan). */
const UNTAGGABLE = new Set(["aws_route", "aws_route_table_association", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_default_security_group"]);

describe("a class of three learners (and one broken stack), planned offline four at a time", () => {
  let summary: string;
  let status: number | null;
  const plans = new Map<string, PlanResult>();
  let brokenLog: string;

  beforeAll(() => {
    const roster = `id,name,email\n${[...LEARNERS, "choi"].map((id) => `${id},${id},${id}@example.com`).join("\n")}\n`;
    const synthesized = synthClass(roster, { state: { backend: "s3", bucket: "devops-weeks-tfstate-example" }, network: { nat: { mode: "none" }, endpoints: { ssm: true } } });
    const dirs = new Map([...LEARNERS, "choi"].map((id) => [id, prepareOfflineStack(synthesized.stackDir(`devops-weeks-${id}`))]));
    // choi's stack breaks the way a hand-edited or half-upgraded stack would: an invalid VPC range.
    const broken = join(dirs.get("choi")!.work, "cdk.tf.json");
    writeFileSync(broken, readFileSync(broken, "utf8").replace('"cidr_block": "10.3.0.0/16"', '"cidr_block": "10.3.0.0/33"'));

    // Terraform's plugin cache is not safe for concurrent first installs: fill it once, then plan in parallel.
    const primed = spawnSync("terraform", ["init", "-input=false", "-no-color"], { cwd: dirs.get("kim")!.work, env: dirs.get("kim")!.env, encoding: "utf8" });
    if (primed.status !== 0) throw new Error(`terraform init failed: ${primed.stdout}${primed.stderr}`);
    const run = spawnSync("bash", [SCRIPT, "-P", "4", "plan", ...[...dirs.values()].map((d) => d.work)], { env: dirs.get("kim")!.env, encoding: "utf8" });
    summary = run.stdout + run.stderr;
    status = run.status;
    for (const id of LEARNERS) {
      const planFile = join(dirs.get(id)!.work, "tfplan.json");
      if (existsSync(planFile)) plans.set(id, planResult(JSON.parse(readFileSync(planFile, "utf8"))));
    }
    brokenLog = readFileSync(join(dirs.get("choi")!.work, "terraform-plan.log"), "utf8");
  });

  test("reports the broken stack and exits non-zero, after the others completed", () => {
    expect(status).toBe(1);
    expect(summary).toMatch(/FAILED\s+stack-\w+/);
    expect(summary.match(/^ok\s+/gm)).toHaveLength(3);
    expect(brokenLog).toMatch(/10\.3\.0\.0\/33/);
  });

  test("plans each of the three learners' environments in full", () => {
    expect([...plans.keys()]).toEqual(LEARNERS);
    for (const [id, plan] of plans) {
      expect(plan.byType("aws_vpc"), id).toHaveLength(1);
      expect(plan.byType("aws_subnet"), id).toHaveLength(4);
      expect(plan.byType("aws_instance"), id).toHaveLength(1); // the SSM bastion
    }
  });

  test("gives the learners disjoint VPC ranges", () => {
    const cidrs = LEARNERS.map((id) => plans.get(id)!.byType("aws_vpc")[0].values.cidr_block as string);
    expect(cidrs).toEqual(["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]);
    const blocks = cidrs.map((c) => parseCidr(c)!);
    for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) expect(overlaps(blocks[i], blocks[j])).toBe(false);
    for (const id of LEARNERS) {
      const vpc = parseCidr(plans.get(id)!.byType("aws_vpc")[0].values.cidr_block as string)!;
      for (const subnet of plans.get(id)!.byType("aws_subnet")) expect(overlaps(vpc, parseCidr(subnet.values.cidr_block as string)!), subnet.address).toBe(true);
    }
  });

  test("tags every taggable resource with its own learner's id (tags_all, from the provider's default tags)", () => {
    for (const [id, plan] of plans) {
      const taggable = plan.resources.filter((r) => "tags_all" in r.values);
      expect(taggable.length, id).toBeGreaterThan(10);
      for (const resource of taggable) expect((resource.values.tags_all as Record<string, string>).Learner, `${id}: ${resource.address}`).toBe(id);
      const untagged = plan.resources.filter((r) => !("tags_all" in r.values)).map((r) => r.type);
      for (const type of untagged) expect(UNTAGGABLE.has(type), `${id}: ${type} has no tags_all`).toBe(true);
    }
  });
});
