/**
 * The security gate on real offline plans (two: the default config, and every registered week with
 * every week-10 option on), and the week-10 resources as Terraform plans them.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { splitGateSkips } from "../../lib/security-gate/kubernetes-rules";
import { formatGateReport, runSecurityGate, type GateReport, type PlanJson } from "../../lib/security-gate/aws-rules";
import type { SecuritySettings } from "../../modules/security";
import { synthConfig, type Synthesized } from "../support/synth";
import { planStackOffline, type PlanResult } from "../support/terraform";
import { addressesOf, allRegisteredWeeks, fullSecurityConfig, withoutResources, withValue } from "./plans";

const AWS_STACK = "devops-weeks-dev";

/** Stacks Terraform can plan offline: AWS ones. A Kubernetes stack needs a live cluster to plan. */
function awsStacks(synth: Synthesized): string[] {
  return readdirSync(join(synth.outdir, "stacks")).filter((name) => {
    const stack = synth.stack(name);
    const providers = Object.keys((stack.provider as Record<string, unknown>) ?? {});
    return providers.includes("aws") && !providers.includes("kubernetes") && !providers.includes("helm");
  });
}

function gate(synth: Synthesized, plans: Map<string, PlanResult>): GateReport {
  const skips = splitGateSkips((synth.result.config.settings.security as SecuritySettings).gate.skip).aws;
  return runSecurityGate([...plans].map(([stack, plan]) => ({ stack, plan: plan.raw as PlanJson })), skips);
}

function planAll(synth: Synthesized): Map<string, PlanResult> {
  return new Map(awsStacks(synth).map((name) => [name, planStackOffline(synth.stackDir(name))]));
}

/**
 * A policy as synthesized: JSON with Terraform interpolations in it. The account id and partition
 * taken from the CloudTrail key's ARN are named; any other reference becomes <ref>.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function parsePolicy(policy: unknown): { Statement: any[] } {
  const text = String(policy)
    .replace(/\$\{element\(split\(":", aws_kms_key\.[\w-]+\.arn\), 1\)\}/g, "<partition from the key ARN>")
    .replace(/\$\{element\(split\(":", aws_kms_key\.[\w-]+\.arn\), 4\)\}/g, "<account from the key ARN>")
    .replace(/\$\{[^}]*\}/g, "<ref>");
  return JSON.parse(text);
}

let defaults: Synthesized;
let defaultPlans: Map<string, PlanResult>;
let full: Synthesized;
let fullPlans: Map<string, PlanResult>;

beforeAll(() => {
  defaults = synthConfig({});
  defaultPlans = planAll(defaults);
  full = synthConfig(fullSecurityConfig());
  fullPlans = planAll(full);
});

describe("the security gate on real plans", () => {
  test("the default config passes every rule but one: nobody subscribes to the security alerts until an address is set", () => {
    const report = gate(defaults, defaultPlans);
    const failed = report.outcomes.filter((o) => o.status !== "passed");
    expect(failed.map((o) => o.rule)).toEqual(["DW_ALERTS"]);
    const topic = addressesOf(defaultPlans.get(AWS_STACK)!.raw as PlanJson, "aws_sns_topic").find((a) => a.includes("alerts-topic"));
    expect(failed[0].findings.map((f) => [f.address, f.message])).toEqual(
      ["GuardDuty findings", "a sign-in as the root user", "a new access key", "a security group opened to the internet"].map((alert) => [topic, `receives ${alert}, but nobody subscribes to it: set costGuard.emails (or securityAlerts.emails), or turn on week 4's chat bot`]),
    );
    // Week 1 gives the network rules something to check.
    const checked = Object.fromEntries(report.outcomes.map((o) => [o.rule, o.checked]));
    expect(checked).toMatchObject({ CKV2_AWS_11: expect.any(Number), CKV2_AWS_12: expect.any(Number) });
    expect(checked.CKV2_AWS_11).toBeGreaterThan(0);
    expect(checked.CKV_AWS_79).toBeGreaterThan(0);
  });

  test(`every registered week (${allRegisteredWeeks()}) with every week-10 option passes every rule`, () => {
    expect(fullPlans.has(AWS_STACK)).toBe(true);
    const report = gate(full, fullPlans);
    console.info(formatGateReport(report));
    const failures = report.outcomes.filter((o) => o.status !== "passed");
    expect(failures.map((o) => formatGateReport({ ...report, outcomes: [o] }))).toEqual([]);
    const checked = Object.fromEntries(report.outcomes.map((o) => [o.rule, o.checked]));
    // The trail, its key and both buckets were really looked at.
    expect(checked.CKV_AWS_36).toBeGreaterThanOrEqual(1);
    expect(checked.CKV_AWS_7).toBeGreaterThanOrEqual(1);
    expect(checked.CKV2_AWS_6).toBeGreaterThanOrEqual(4);
  });

  test("stacks that cannot be planned offline hold no AWS resources the gate would miss", () => {
    for (const synth of [defaults, full]) {
      const planned = awsStacks(synth);
      for (const name of readdirSync(join(synth.outdir, "stacks")).filter((n) => !planned.includes(n))) {
        expect(Object.keys(synth.stack(name).resource ?? {}).filter((type) => type.startsWith("aws_")), name).toEqual([]);
      }
    }
  });

  describe("fires on a real plan broken in one place", () => {
    const raw = () => fullPlans.get(AWS_STACK)!.raw as PlanJson;
    const failed = (plan: PlanJson) => runSecurityGate([{ stack: AWS_STACK, plan }]).outcomes.filter((o) => o.status === "failed");

    test("CKV2_AWS_6: the trail bucket's public access block removed", () => {
      const block = addressesOf(raw(), "aws_s3_bucket_public_access_block").find((a) => a.includes("trail-logs"))!;
      const outcomes = failed(withoutResources(raw(), [block]));
      expect(outcomes.map((o) => o.rule)).toEqual(["CKV2_AWS_6"]);
      expect(outcomes[0].findings.map((f) => f.address)).toEqual([addressesOf(raw(), "aws_s3_bucket").find((a) => a.includes("trail-logs"))]);
    });

    test("CKV_AWS_19: the access-log bucket's encryption removed", () => {
      const encryption = addressesOf(raw(), "aws_s3_bucket_server_side_encryption_configuration").find((a) => a.includes("access-logs"))!;
      expect(failed(withoutResources(raw(), [encryption])).map((o) => o.rule)).toEqual(["CKV_AWS_19"]);
    });

    test("CKV_AWS_18 and DW_ALERTS: the source bucket's access logging and the alerts' mail subscriptions removed", () => {
      const logging = addressesOf(raw(), "aws_s3_bucket_logging").filter((a) => a.includes("source-bucket"));
      expect(logging).toHaveLength(1);
      const mails = addressesOf(raw(), "aws_sns_topic_subscription").filter((a) => a.includes("alerts-email"));
      expect(mails.length).toBeGreaterThan(0);
      // The chat bot's subscription (week 4) would still hear: remove it too, so that nobody does.
      const chat = addressesOf(raw(), "aws_sns_topic_subscription").filter((a) => a.startsWith("aws_sns_topic_subscription.notifications_") && a.includes("security"));
      expect(failed(withoutResources(raw(), [...logging, ...mails, ...chat])).map((o) => o.rule)).toEqual(["CKV_AWS_18", "DW_ALERTS"]);
    });

    test("CKV2_AWS_11 and CKV2_AWS_12: the flow log and the closed default security group removed", () => {
      const plan = withoutResources(raw(), [...addressesOf(raw(), "aws_flow_log"), ...addressesOf(raw(), "aws_default_security_group")]);
      expect(failed(plan).map((o) => o.rule)).toEqual(["CKV2_AWS_11", "CKV2_AWS_12"]);
    });

    test("CKV_AWS_79, CKV_AWS_36 and CKV_AWS_7: IMDSv1 on the bastion's template, trail validation and key rotation off", () => {
      let plan = raw();
      const bastionTemplate = addressesOf(plan, "aws_launch_template").find((a) => a.includes("bastion"))!;
      plan = withValue(plan, bastionTemplate, ["metadata_options", 0, "http_tokens"], "optional");
      plan = withValue(plan, addressesOf(plan, "aws_cloudtrail")[0], ["enable_log_file_validation"], false);
      plan = withValue(plan, addressesOf(plan, "aws_kms_key").find((a) => a.includes("trail-key"))!, ["enable_key_rotation"], false);
      const outcomes = failed(plan);
      // The bastion instance itself still requires IMDSv2; only its template is flagged.
      expect(outcomes.map((o) => o.rule)).toEqual(["CKV_AWS_79", "CKV_AWS_7", "CKV_AWS_36"]);
      expect(outcomes[0].findings.map((f) => f.address)).toEqual([bastionTemplate]);
    });
  });

  test("a rule turned off in the study config is reported as skipped, with its reason", () => {
    const config = { security: { gate: { skip: [{ rule: "CKV2_AWS_11", reason: "flow logs are shown in lab 2 and turned off to save cost" }] } }, network: { flowLogs: { enabled: false } } };
    // Synth only: the plan is the default one with its flow log taken out, which is what this config plans to.
    const synth = synthConfig(config);
    expect(Object.keys(synth.resources(AWS_STACK, "aws_flow_log"))).toEqual([]);
    const plan = withoutResources(defaultPlans.get(AWS_STACK)!.raw as PlanJson, addressesOf(defaultPlans.get(AWS_STACK)!.raw as PlanJson, "aws_flow_log"));
    const skips = splitGateSkips((synth.result.config.settings.security as SecuritySettings).gate.skip).aws;
    const report = runSecurityGate([{ stack: AWS_STACK, plan }], skips);
    // (The default config has no address, so only the alerts rule fails, as above.)
    expect(report.outcomes.filter((o) => o.status === "failed").map((o) => o.rule)).toEqual(["DW_ALERTS"]);
    const outcome = report.outcomes.find((o) => o.rule === "CKV2_AWS_11")!;
    expect(outcome.status).toBe("skipped");
    expect(outcome.skippedFindings).toHaveLength(1);
    expect(formatGateReport(report)).toMatch(/SKIP CKV2_AWS_11 .*\n\s+skipped by config: flow logs are shown in lab 2 and turned off to save cost/);
  });
});

describe("week 10 security, as Terraform plans it", () => {
  /** Only week 10's resources: cdktf names them `<module id>_<construct id>_<hash>`. */
  // Week 10's resources and the account's trail, which week 1 builds (the alerts read its events).
  const isSecurityResource = (name: string) => name.startsWith("security_") || name.startsWith("securityAlerts_trail-resources_");
  const ours = (type: string) => fullPlans.get(AWS_STACK)!.byType(type).filter((r) => isSecurityResource(r.name));
  const planned = () => ({ byType: ours });
  const synthesized = (type: string) => Object.fromEntries(Object.entries(full.resources(AWS_STACK, type)).filter(([name]) => isSecurityResource(name)));
  const only = (type: string) => {
    const found = ours(type);
    expect(found, type).toHaveLength(1);
    return found[0].values;
  };

  test("GuardDuty runs with EKS audit logs and EKS runtime monitoring, without the deprecated datasources block", () => {
    expect(only("aws_guardduty_detector")).toMatchObject({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
    expect(Object.values(synthesized("aws_guardduty_detector"))[0]).not.toHaveProperty("datasources");
    const features = Object.fromEntries(planned().byType("aws_guardduty_detector_feature").map((f) => [f.values.name, f.values]));
    expect(features.EKS_AUDIT_LOGS).toMatchObject({ status: "ENABLED" });
    expect(features.RUNTIME_MONITORING).toMatchObject({ status: "ENABLED", additional_configuration: expect.arrayContaining([{ name: "EKS_ADDON_MANAGEMENT", status: "ENABLED" }]) });
    expect(features.EKS_RUNTIME_MONITORING).toBeUndefined(); // AWS refuses it beside RUNTIME_MONITORING
    expect(features.S3_DATA_EVENTS).toMatchObject({ status: "DISABLED" });
  });

  test("CloudTrail is multi-region, validated and encrypted with a rotating key whose policy lets CloudTrail encrypt", () => {
    expect(only("aws_cloudtrail")).toMatchObject({ name: "devops-weeks-dev-trail", is_multi_region_trail: true, include_global_service_events: true, enable_log_file_validation: true, enable_logging: true });
    expect(only("aws_kms_key")).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7 });
    const keyPolicy = synthesized("aws_kms_key_policy");
    const policy = parsePolicy(Object.values(keyPolicy)[0].policy);
    const encrypt = policy.Statement.find((s: { Sid: string }) => s.Sid === "CloudTrailEncryptsLogs");
    expect(encrypt).toMatchObject({ Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "kms:GenerateDataKey*" });
    expect(encrypt.Condition.StringEquals["aws:SourceArn"]).toBe("arn:<partition from the key ARN>:cloudtrail:ap-northeast-2:<account from the key ARN>:trail/devops-weeks-dev-trail");
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === "AccountAdministersKey").Principal).toEqual({ AWS: "arn:<partition from the key ARN>:iam::<account from the key ARN>:root" });
  });

  test("the trail bucket is KMS-encrypted, versioned, private, logged, and only CloudTrail for this trail may write", () => {
    const buckets = planned().byType("aws_s3_bucket");
    expect(buckets.map((b) => b.values.bucket_prefix).sort()).toEqual(["devops-weeks-dev-access-logs-", "devops-weeks-dev-cloudtrail-"]);
    const sse = planned().byType("aws_s3_bucket_server_side_encryption_configuration").map((c) => (c.values.rule as { apply_server_side_encryption_by_default: { sse_algorithm: string }[] }[])[0].apply_server_side_encryption_by_default[0].sse_algorithm);
    expect(sse.sort()).toEqual(["AES256", "aws:kms"]); // access logs can only land in SSE-S3 buckets
    expect(planned().byType("aws_s3_bucket_versioning").map((v) => (v.values.versioning_configuration as { status: string }[])[0].status)).toEqual(["Enabled", "Enabled"]);
    expect(planned().byType("aws_s3_bucket_lifecycle_configuration")).toHaveLength(2);
    expect(only("aws_s3_bucket_logging")).toMatchObject({ target_prefix: "trail-bucket/" });
    const policies = Object.values(synthesized("aws_s3_bucket_policy")).map((p) => parsePolicy(p.policy));
    const trailWrite = policies.flatMap((p) => p.Statement).find((s: { Sid: string }) => s.Sid === "CloudTrailWrite");
    expect(trailWrite.Condition.StringEquals).toMatchObject({ "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": expect.stringMatching(/:trail\/devops-weeks-dev-trail$/) });
    const accessLogWrite = policies.flatMap((p) => p.Statement).find((s: { Sid: string }) => s.Sid === "S3ServerAccessLogsDelivery");
    expect(accessLogWrite.Principal).toEqual({ Service: "logging.s3.amazonaws.com" });
    expect(policies.every((p) => p.Statement.some((s: { Sid: string; Effect: string }) => s.Sid === "DenyInsecureTransport" && s.Effect === "Deny"))).toBe(true);
  });

  test("Inspector is enabled for EC2 and ECR with the account id read from the key's ARN, not a data source", () => {
    expect(only("aws_inspector2_enabler")).toMatchObject({ resource_types: ["EC2", "ECR"] });
    const enabler = Object.values(synthesized("aws_inspector2_enabler"))[0];
    expect(enabler.account_ids).toEqual([expect.stringMatching(/^\$\{element\(split\(":", aws_kms_key\.\S+\.arn\), 4\)\}$/)]);
    expect(JSON.stringify(full.stack(AWS_STACK).data ?? {})).not.toContain("aws_caller_identity");
  });

  test("the cost guard's budget mails at 80% and 100% actual and 100% forecast of the monthly limit", () => {
    const budgets = fullPlans.get(AWS_STACK)!.byType("aws_budgets_budget");
    expect(budgets).toHaveLength(1);
    expect(budgets[0].values).toMatchObject({
      name: "devops-weeks-dev-monthly-cost",
      budget_type: "COST",
      limit_amount: "30.00",
      limit_unit: "USD",
      time_unit: "MONTHLY",
      notification: expect.arrayContaining([
        expect.objectContaining({ notification_type: "ACTUAL", threshold: 80, threshold_type: "PERCENTAGE", comparison_operator: "GREATER_THAN", subscriber_email_addresses: ["instructor@example.com"] }),
        expect.objectContaining({ notification_type: "FORECASTED", threshold: 100, threshold_type: "PERCENTAGE", comparison_operator: "GREATER_THAN", subscriber_email_addresses: ["instructor@example.com"] }),
      ]),
    });
  });

  test("learners get their own users in a group that denies everything but MFA setup until they sign in with MFA", () => {
    expect(planned().byType("aws_iam_user").map((u) => u.values.name).sort()).toEqual(["kim", "lee"]);
    expect(only("aws_iam_group")).toMatchObject({ name: "devops-weeks-dev-learners" });
    expect(only("aws_iam_group_membership")).toMatchObject({ users: ["kim", "lee"] });
    const policy = JSON.parse(String(only("aws_iam_group_policy").policy));
    const deny = policy.Statement.find((s: { Sid: string }) => s.Sid === "DenyAllExceptListedIfNoMFA");
    expect(deny).toMatchObject({ Effect: "Deny", Resource: "*", Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } });
    expect(deny.NotAction).toEqual(expect.arrayContaining(["iam:EnableMFADevice", "sts:GetSessionToken"]));
    // Terraform turned the escaped $${aws:username} back into the IAM policy variable.
    expect(JSON.stringify(policy)).toContain("user/${aws:username}");
    expect(planned().byType("aws_iam_user_login_profile").every((p) => p.values.password_reset_required === true)).toBe(true);
    expect(only("aws_iam_account_password_policy")).toMatchObject({ minimum_password_length: 14, password_reuse_prevention: 24 });
    expect(full.stack(AWS_STACK).output).toMatchObject({ learner_initial_passwords: { sensitive: true } });
  });
});
