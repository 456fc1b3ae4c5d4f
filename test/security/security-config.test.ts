/** Week 10's config: what each switch synthesizes, and one clear message per bad input. Synth only, no plans. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { synthConfig } from "../support/synth";

const AWS_STACK = "devops-weeks-dev";
const EMAIL = {};

const week10 = (security: Record<string, unknown> = EMAIL) => synthConfig({ weeks: "10", security, costGuard: { emails: ["kim@example.com"] } });
/** Week 10's own resources and the account's trail, which week 1 builds for it (other modules add theirs). */
const isSecurityResource = (name: string) => name.startsWith("security_") || name.startsWith("securityAlerts_trail-resources_");
const ours = (synth: ReturnType<typeof synthConfig>, type: string) => Object.fromEntries(Object.entries(synth.resources(AWS_STACK, type)).filter(([name]) => isSecurityResource(name)));

describe("week 10 security config", () => {
  test("week 10 alone pulls in the network and builds GuardDuty, CloudTrail and Inspector (the budget is the cost guard's); no learners by default", () => {
    const synth = week10();
    expect(synth.log.join("\n")).toMatch(/week 1 \(network\) added: week 10 \(security\) requires it/);
    expect(Object.keys(synth.resources(AWS_STACK, "aws_budgets_budget"))).toEqual([expect.stringMatching(/^costGuard_budget/)]);
    for (const type of ["aws_guardduty_detector", "aws_cloudtrail", "aws_kms_key", "aws_inspector2_enabler"]) {
      expect(Object.keys(ours(synth, type)), type).toHaveLength(1);
    }
    expect(ours(synth, "aws_iam_user")).toEqual({});
    expect(synth.resources(AWS_STACK, "aws_iam_account_password_policy")).toEqual({});
    expect(Object.keys(synth.stack(AWS_STACK).output as object)).toEqual(expect.arrayContaining(["guardduty_detector_id", "cloudtrail_bucket", "cloudtrail_arn", "budget_name"]));
  });

  test("with accountId given, Inspector and the trail's policies use it as written", () => {
    const synth = week10({ ...EMAIL, accountId: "123456789012" });
    expect(Object.values(synth.resources(AWS_STACK, "aws_inspector2_enabler"))[0].account_ids).toEqual(["123456789012"]);
    const policy = String(Object.values(ours(synth, "aws_kms_key_policy"))[0].policy);
    expect(policy).toContain("arn:aws:cloudtrail:ap-northeast-2:123456789012:trail/devops-weeks-dev-trail");
    expect(policy).toContain("arn:aws:iam::123456789012:root");
  });

  test("without CloudTrail, Inspector reads the account id from the GuardDuty detector", () => {
    const synth = week10({ ...EMAIL, cloudTrail: { enabled: false } });
    expect(synth.resources(AWS_STACK, "aws_cloudtrail")).toEqual({});
    expect(ours(synth, "aws_s3_bucket")).toEqual({});
    expect(Object.values(synth.resources(AWS_STACK, "aws_inspector2_enabler"))[0].account_ids).toEqual([expect.stringMatching(/^\$\{aws_guardduty_detector\.\S+\.account_id\}$/)]);
  });

  test("each service can be turned off", () => {
    const synth = week10({ guardDuty: { enabled: false }, cloudTrail: { enabled: false }, inspector: { enabled: false } });
    const names = Object.values(synth.stack(AWS_STACK).resource ?? {}).flatMap((byName) => Object.keys(byName));
    expect(names.filter((n) => isSecurityResource(n))).toEqual([]);
  });

  test("GuardDuty protections follow their switches", () => {
    const synth = week10({ ...EMAIL, guardDuty: { runtimeMonitoring: false, s3DataEvents: true, findingPublishingFrequency: "SIX_HOURS" } });
    const features = Object.fromEntries(Object.values(synth.resources(AWS_STACK, "aws_guardduty_detector_feature")).map((f) => [f.name, f.status]));
    expect(features).toEqual({ EKS_AUDIT_LOGS: "ENABLED", RUNTIME_MONITORING: "DISABLED", S3_DATA_EVENTS: "ENABLED", EBS_MALWARE_PROTECTION: "DISABLED" });
    expect(Object.values(synth.resources(AWS_STACK, "aws_guardduty_detector"))[0].finding_publishing_frequency).toBe("SIX_HOURS");
  });

  test("learner users get the MFA group, managed policies and no console login when consoleAccess is off", () => {
    const synth = week10({ ...EMAIL, learners: { enabled: true, users: ["park"], consoleAccess: false, policyArns: ["arn:aws:iam::aws:policy/PowerUserAccess"] } });
    expect(Object.values(synth.resources(AWS_STACK, "aws_iam_user")).map((u) => u.name)).toEqual(["park"]);
    expect(Object.values(synth.resources(AWS_STACK, "aws_iam_group_policy_attachment")).map((a) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/PowerUserAccess"]);
    expect(synth.resources(AWS_STACK, "aws_iam_user_login_profile")).toEqual({});
  });

  test("the gate's skip list is read even when week 10 is off", () => {
    const synth = synthConfig({ security: { gate: { skip: [{ rule: "CKV_AWS_24", reason: "SSH lab, torn down the same day" }] } } });
    expect((synth.result.config.settings.security as { gate: { skip: unknown[] } }).gate.skip).toEqual([{ rule: "CKV_AWS_24", reason: "SSH lab, torn down the same day" }]);
    // Week 10's own resources are absent; the trail is week 1's, for the security alerts.
    expect(ours(synth, "aws_guardduty_detector")).toEqual({});
    expect(Object.keys(synth.resources(AWS_STACK, "aws_cloudtrail"))).toEqual([expect.stringMatching(/^securityAlerts_trail-resources_/)]);
  });
});

describe("bad week 10 input gets one clear message", () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["the budget where it used to be", { budget: { emails: ["kim@example.com"] } }, /security\.budget = .* is not valid; expected no budget here: the budget is the cost guard's now, on from week 1 \(costGuard: \{ monthlyLimitUsd, emails \}\)/],
    ["a short account id", { ...EMAIL, accountId: "12345" }, /security\.accountId = "12345" is not valid; expected a 12-digit AWS account id/],
    ["an unknown Inspector resource type", { ...EMAIL, inspector: { resourceTypes: ["S3"] } }, /security\.inspector\.resourceTypes\[0\] = "S3" is not valid; expected one of "EC2", "ECR", "LAMBDA", "LAMBDA_CODE"/],
    ["learners on with nobody listed", { ...EMAIL, learners: { enabled: true } }, /security\.learners\.users = \[\] is not valid; expected at least one IAM user name/],
    ["a learner listed twice", { ...EMAIL, learners: { enabled: true, users: ["kim", "Kim"] } }, /security\.learners\.users = \["kim","Kim"\] is not valid; expected each user named once .*kim/i],
    ["a user name with a space", { ...EMAIL, learners: { enabled: true, users: ["kim min"] } }, /security\.learners\.users\[0\] = "kim min" is not valid; expected IAM user names/],
    ["a policy that is not an ARN", { ...EMAIL, learners: { enabled: true, users: ["kim"], policyArns: ["AdministratorAccess"] } }, /security\.learners\.policyArns\[0\] = "AdministratorAccess" is not valid; expected IAM policy ARNs/],
    ["Inspector with no way to learn the account", { guardDuty: { enabled: false }, cloudTrail: { enabled: false } }, /security\.accountId = nothing is not valid; expected your 12-digit account id: Inspector needs it/],
    ["a gate skip for a rule that does not exist", { ...EMAIL, gate: { skip: [{ rule: "CKV_AWS_999", reason: "no such rule at all" }] } }, /security\.gate\.skip\[0\]\.rule = "CKV_AWS_999" is not valid; expected one of "CKV_AWS_24"/],
    ["a gate skip without a reason", { ...EMAIL, gate: { skip: [{ rule: "CKV_AWS_24" }] } }, /security\.gate\.skip\[0\]\.reason = nothing is not valid; expected a value/],
    ["a gate skip with a one-word reason", { ...EMAIL, gate: { skip: [{ rule: "CKV_AWS_24", reason: "lab" }] } }, /security\.gate\.skip\[0\]\.reason = "lab" is not valid; expected at least 10 character/],
    ["a typo in a key", { ...EMAIL, gaurdDuty: {} }, /security\.gaurdDuty = \{\} is not valid; expected no key "gaurdDuty" here \(did you mean "guardDuty"\?\)/],
  ];

  test.each(cases)("%s", (_what, security, message) => {
    expect(() => week10(security)).toThrow(message);
  });
});

describe("week 10 in classroom mode (every learner's stack in one account)", () => {
  const roster = () => {
    const path = join(mkdtempSync(join(tmpdir(), "devops-weeks-roster-")), "roster.csv");
    writeFileSync(path, "id,name,email\nkim,Kim Minji,minji@example.com\nlee,Lee Junho,junho@example.com\n");
    return path;
  };

  test("account-wide services are refused, each with the reason, instead of failing at apply", () => {
    const attempt = () => synthConfig({ weeks: "10", classroom: { roster: roster() }, security: { learners: { enabled: true, users: ["kim"] } } });
    expect(attempt).toThrow(/security\.guardDuty\.enabled = true is not valid; expected false in classroom mode with isolation tag \(GuardDuty allows one detector per account and region/);
    expect(attempt).toThrow(/security\.inspector\.enabled = true is not valid; expected false in classroom mode with isolation tag/);
    expect(attempt).toThrow(/security\.learners\.enabled = true is not valid; expected false in classroom mode with isolation tag \(classroom\.iamUsers/);
  });

  test("with those off, each learner gets their own trail, key and buckets", () => {
    const synth = synthConfig({ weeks: "10", classroom: { roster: roster() }, security: { guardDuty: { enabled: false }, inspector: { enabled: false } } });
    for (const learner of ["kim", "lee"]) {
      const trail = Object.entries(synth.resources(`devops-weeks-${learner}`, "aws_cloudtrail")).filter(([name]) => isSecurityResource(name));
      expect(trail.map(([, t]) => t.name)).toEqual([`devops-weeks-${learner}-trail`]);
    }
  });
});
