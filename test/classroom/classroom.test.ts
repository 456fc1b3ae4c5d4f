/**
 * Classroom mode and remote state, in the synthesized JSON: one environment per learner with its own
 * stacks, state keys, VPC range and Learner tag; S3 state with native locking; the bootstrap and
 * instructor stacks.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App } from "cdktf";
import { describe, expect, test } from "vitest";
import { setStateSettings } from "../../lib/state/backend";
import { parseCsv } from "../../lib/classroom/plan";
import { overlaps, parseCidr } from "../../lib/aws/cidr";
import { KubernetesStudyStack } from "../../lib/core/stacks";
import { synthConfig } from "../support/synth";
import { synthClass, THREE_LEARNERS } from "./roster";

const S3_STATE = { backend: "s3", bucket: "devops-weeks-tfstate-example" };

describe("a roster of three learners", () => {
  const synthesized = synthClass(THREE_LEARNERS, { state: S3_STATE });
  const learners = ["kim", "lee", "park"];

  test("gives each learner an AWS stack named <project>-<id>, plus the bootstrap and instructor stacks", () => {
    const manifest = JSON.parse(readFileSync(join(synthesized.outdir, "manifest.json"), "utf8")) as { stacks: Record<string, unknown> };
    expect(Object.keys(manifest.stacks).sort()).toEqual(["devops-weeks-bootstrap", "devops-weeks-instructor", "devops-weeks-kim", "devops-weeks-lee", "devops-weeks-park"]);
    expect(synthesized.result.environments.map((e) => e.environment.name)).toEqual(learners.map((id) => `devops-weeks-${id}`));
  });

  test("tags every resource of a learner's stack with Learner=<id> through the provider's default tags", () => {
    for (const id of learners) {
      const provider = (synthesized.stack(`devops-weeks-${id}`).provider as { aws: { default_tags: { tags: Record<string, string> }[] }[] }).aws[0];
      expect(provider.default_tags[0].tags).toMatchObject({ Learner: id, Project: "devops-weeks", ManagedBy: "devops-weeks" });
    }
  });

  test("carves each learner's VPC from 10.0.0.0/8 in roster order, without overlap", () => {
    const cidrs = learners.map((id) => Object.values(synthesized.resources(`devops-weeks-${id}`, "aws_vpc"))[0].cidr_block as string);
    expect(cidrs).toEqual(["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16"]);
    const parsed = cidrs.map((c) => parseCidr(c)!);
    for (let i = 0; i < parsed.length; i++) for (let j = i + 1; j < parsed.length; j++) expect(overlaps(parsed[i], parsed[j])).toBe(false);
  });

  test("stores each stack's state in S3 under its own key, encrypted, with native S3 locking (use_lockfile)", () => {
    for (const name of ["devops-weeks-kim", "devops-weeks-lee", "devops-weeks-park", "devops-weeks-instructor"]) {
      const terraform = synthesized.stack(name).terraform as { backend: Record<string, unknown> };
      expect(Object.keys(terraform.backend)).toEqual(["s3"]);
      expect(terraform.backend.s3).toEqual({
        bucket: "devops-weeks-tfstate-example",
        key: `devops-weeks/${name}/terraform.tfstate`,
        region: "ap-northeast-2",
        encrypt: true,
        use_lockfile: true,
      });
    }
  });

  test("keeps the bootstrap stack's own state local, since it creates the bucket", () => {
    const terraform = synthesized.stack("devops-weeks-bootstrap").terraform as { backend: Record<string, unknown> };
    expect(terraform.backend).toEqual({ local: { path: "../../../terraform.devops-weeks-bootstrap.tfstate" } });
  });

  test("makes the state bucket versioned, encrypted, private, TLS-only and protected from destroy", () => {
    const stack = "devops-weeks-bootstrap";
    expect(synthesized.resources(stack, "aws_s3_bucket").state).toMatchObject({ bucket: "devops-weeks-tfstate-example", lifecycle: { prevent_destroy: true } });
    expect(Object.values(synthesized.resources(stack, "aws_s3_bucket_versioning"))[0].versioning_configuration).toEqual({ status: "Enabled" });
    const encryption = Object.values(synthesized.resources(stack, "aws_s3_bucket_server_side_encryption_configuration"))[0];
    expect(encryption.rule).toEqual([expect.objectContaining({ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms" } })]);
    expect(Object.values(synthesized.resources(stack, "aws_s3_bucket_public_access_block"))[0]).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const policy = JSON.parse(Object.values(synthesized.resources(stack, "aws_s3_bucket_policy"))[0].policy as string);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
  });

  test("gives each learner an IAM user in the learners group, limited to resources tagged with their id", () => {
    const stack = "devops-weeks-instructor";
    const users = Object.values(synthesized.resources(stack, "aws_iam_user"));
    expect(users.map((u) => u.name)).toEqual(["devops-weeks-kim", "devops-weeks-lee", "devops-weeks-park"]);
    expect(users.map((u) => u.tags)).toEqual(learners.map((id) => ({ Learner: id })));
    expect(Object.values(synthesized.resources(stack, "aws_iam_group"))[0].name).toBe("devops-weeks-learners");
    expect(Object.values(synthesized.resources(stack, "aws_iam_user_group_membership"))).toHaveLength(3);

    const policies = Object.values(synthesized.resources(stack, "aws_iam_user_policy"));
    const kim = JSON.parse(policies[0].policy as string) as { Statement: { Sid: string; Action: string[]; Resource: unknown; Condition?: Record<string, Record<string, string>> }[] };
    for (const statement of kim.Statement) {
      expect(statement.Action, statement.Sid).not.toContain("*");
      if (statement.Resource === "*") expect(statement.Action.every((a) => /:(Describe|List|Get)/.test(a)), statement.Sid).toBe(true);
    }
    const byId = Object.fromEntries(kim.Statement.map((s) => [s.Sid, s]));
    expect(byId.OperateOwnInstances.Condition).toEqual({ StringEquals: { "aws:ResourceTag/Learner": "kim" } });
    expect(byId.SessionToOwnInstances.Condition).toEqual({ StringEquals: { "ssm:resourceTag/Learner": "kim" } });
    expect(byId.OwnCluster.Condition).toEqual({ StringEquals: { "aws:ResourceTag/Learner": "kim" } });
    // ${aws:username} is escaped for Terraform, which would otherwise read it as interpolation
    expect(byId.OwnSessions.Resource).toBe("arn:aws:ssm:ap-northeast-2:*:session/$${aws:username}-*");
  });

  test("requires MFA: the group denies everything but MFA setup to a session signed in without MFA", () => {
    const policy = JSON.parse(Object.values(synthesized.resources("devops-weeks-instructor", "aws_iam_group_policy"))[0].policy as string);
    const deny = policy.Statement.find((s: { Effect: string }) => s.Effect === "Deny");
    expect(deny).toMatchObject({ Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } });
    expect(deny.NotAction).toEqual(expect.arrayContaining(["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "sts:GetSessionToken"]));
  });

  test("gives each learner a monthly budget on their Learner tag, alerting their email", () => {
    const budgets = Object.values(synthesized.resources("devops-weeks-instructor", "aws_budgets_budget"));
    expect(budgets.map((b) => b.name)).toEqual(["devops-weeks-kim-monthly", "devops-weeks-lee-monthly", "devops-weeks-park-monthly"]);
    const lee = budgets[1];
    expect(lee).toMatchObject({ budget_type: "COST", limit_amount: "30.00", limit_unit: "USD", time_unit: "MONTHLY", cost_filter: [{ name: "TagKeyValue", values: ["user:Learner$lee"] }] });
    const notifications = lee.notification as { threshold: number; notification_type: string; subscriber_email_addresses: string[] }[];
    expect(notifications.map((n) => `${n.notification_type} ${n.threshold}`)).toEqual(["ACTUAL 50", "ACTUAL 80", "ACTUAL 100", "FORECASTED 100"]);
    expect(new Set(notifications.flatMap((n) => n.subscriber_email_addresses))).toEqual(new Set(["junho@example.com"]));
  });

  test("writes each learner a sheet, in each runbook language, with their stacks, outputs, state, sign-in and budget", () => {
    const sheet = readFileSync(join(synthesized.outdir, "runbooks", "en", "learners", "lee.md"), "utf8");
    expect(sheet).toContain("# Lee, Junho (lee)");
    expect(sheet).toContain("| devops-weeks-lee | `out/stacks/devops-weeks-lee` |");
    expect(sheet).toContain("`terraform -chdir=out/stacks/devops-weeks-lee output vpc_id`");
    expect(sheet).toContain("s3://devops-weeks-tfstate-example/devops-weeks/devops-weeks-lee/terraform.tfstate");
    expect(sheet).toContain("Your IAM user is `devops-weeks-lee`");
    expect(sheet).toMatch(/`devops-weeks-lee-monthly`: 30\.00 USD a month/);
    const korean = readFileSync(join(synthesized.outdir, "runbooks", "ko", "learners", "kim.md"), "utf8");
    expect(korean).toContain("# Kim Minji (kim) 님의 실습 환경");
    expect(korean).toContain("10.0.0.0/16");
  });

  test("tells the runbooks what each learner's sheet needs", () => {
    const lee = synthesized.result.classroom!.learners[1];
    expect(lee).toMatchObject({
      id: "lee",
      name: "Lee, Junho",
      email: "junho@example.com",
      awsStack: "devops-weeks-lee",
      stateKey: "devops-weeks/devops-weeks-lee/terraform.tfstate",
      iamUserName: "devops-weeks-lee",
      budget: { name: "devops-weeks-lee-monthly", monthlyUsd: 30 },
      environment: { vpcCidr: "10.1.0.0/16" },
    });
  });
});

describe("classroom options", () => {
  test("keeps a learner's VPC where the roster's slot column puts it, and fills the rest in order", () => {
    const synthesized = synthClass("id,name,email,slot\nkim,Kim,kim@example.com,5\nlee,Lee,lee@example.com,\npark,Park,park@example.com,0\n", {
      classroom: { vpcCidrPool: "172.16.0.0/12", vpcPrefixLength: 20, iamUsers: false, budget: { enabled: false } },
      network: { subnetPrefixLength: 24 },
    });
    expect(synthesized.result.classroom!.learners.map((l) => l.environment.vpcCidr)).toEqual(["172.16.80.0/20", "172.16.16.0/20", "172.16.0.0/20"]);
    // with neither IAM users nor budgets there is nothing shared, so no instructor stack
    expect(synthesized.result.classroom!.instructorStack).toBeUndefined();
    expect(() => synthesized.stack("devops-weeks-instructor")).toThrow();
  });

  test("copies instructor addresses on every learner's alerts", () => {
    const synthesized = synthClass(THREE_LEARNERS, { classroom: { iamUsers: false, budget: { monthlyUsd: 12.5, alertThresholds: [90], instructorEmails: ["teacher@example.com"] } } });
    const budget = Object.values(synthesized.resources("devops-weeks-instructor", "aws_budgets_budget"))[0];
    expect(budget.limit_amount).toBe("12.50");
    expect(budget.notification).toEqual([
      expect.objectContaining({ notification_type: "ACTUAL", threshold: 90, subscriber_email_addresses: ["minji@example.com", "teacher@example.com"] }),
      expect.objectContaining({ notification_type: "FORECASTED", threshold: 100 }),
    ]);
    expect(synthesized.resources("devops-weeks-instructor", "aws_iam_user")).toEqual({});
  });

  test("reads quoted CSV cells, CRLF line ends and a byte-order mark", () => {
    const records = parseCsv('id,name,email\r\n"kim","Kim ""MJ"" Minji",minji@example.com\r\n');
    expect(records.map((r) => r.cells)).toEqual([["id", "name", "email"], ["kim", 'Kim "MJ" Minji', "minji@example.com"]]);
    const synthesized = synthClass("\uFEFFemail,id,name\r\nminji@example.com,kim,Kim\r\n# a comment\r\n\r\n");
    expect(synthesized.result.classroom!.learners.map((l) => l.id)).toEqual(["kim"]);
  });
});

describe("state without a classroom", () => {
  test("defaults to local state beside cdktf.json and no bootstrap stack", () => {
    const synthesized = synthConfig({}, { weeks: "1" });
    expect((synthesized.stack("devops-weeks-dev").terraform as { backend: unknown }).backend).toEqual({ local: { path: "../../../terraform.devops-weeks-dev.tfstate" } });
    expect(() => synthesized.stack("devops-weeks-bootstrap")).toThrow();
  });

  test("with backend s3, puts the single environment's state in the bucket under keyPrefix, in the bucket's region", () => {
    const synthesized = synthConfig({ state: { ...S3_STATE, region: "us-east-1", keyPrefix: "class-2026/spring" } }, { weeks: "1" });
    expect((synthesized.stack("devops-weeks-dev").terraform as { backend: unknown }).backend).toEqual({
      s3: { bucket: "devops-weeks-tfstate-example", key: "class-2026/spring/devops-weeks-dev/terraform.tfstate", region: "us-east-1", encrypt: true, use_lockfile: true },
    });
    expect((synthesized.stack("devops-weeks-bootstrap").provider as { aws: { region: string }[] }).aws[0].region).toBe("us-east-1");
  });

  test("gives the -k8s workloads stack the same S3 backend, under its own key", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "devops-weeks-k8s-")) });
    setStateSettings(app, { backend: "s3", bucket: "b-state", region: "ap-northeast-2", keyPrefix: "p" });
    const stack = new KubernetesStudyStack(app, "p-dev-k8s", { target: { kind: "kubeconfig", configPath: "~/.kube/config" }, environment: { name: "p-dev", tags: {}, vpcCidr: "10.0.0.0/16" } });
    app.synth();
    const json = JSON.parse(readFileSync(join(app.outdir, "stacks", "p-dev-k8s", "cdk.tf.json"), "utf8"));
    expect(json.terraform.backend).toEqual({ s3: { bucket: "b-state", key: "p/p-dev-k8s/terraform.tfstate", region: "ap-northeast-2", encrypt: true, use_lockfile: true } });
    expect(stack).toBeInstanceOf(KubernetesStudyStack);
  });
});
