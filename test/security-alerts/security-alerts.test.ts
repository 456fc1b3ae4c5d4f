/**
 * Security alerts from week 1: the rules' patterns against events as AWS documents them (a GuardDuty
 * finding, a CloudTrail AuthorizeSecurityGroupIngress), the encrypted topic and its mail, planned
 * offline; nothing without an address.
 */
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { securityEventPatterns } from "../../modules/security-alerts";
import { synthConfig } from "../support/synth";
import { planStackOffline } from "../support/terraform";
import { matches } from "./event-patterns";

const AWS_STACK = "devops-weeks-dev";

/** A GuardDuty finding event as EventBridge delivers it (the GuardDuty user guide's sample, shortened). */
const finding = (severity: number) => ({
  version: "0",
  id: "c8c4daa7-a20c-2f03-0070-b7393dd542ad",
  "detail-type": "GuardDuty Finding",
  source: "aws.guardduty",
  account: "123456789012",
  region: "ap-northeast-2",
  resources: [],
  detail: { schemaVersion: "2.0", accountId: "123456789012", region: "ap-northeast-2", type: "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS", severity, title: "Credentials for the instance role used from an external IP address." },
});

/** CloudTrail's record of AuthorizeSecurityGroupIngress, as EventBridge delivers it. */
const ingress = (ranges: Record<string, unknown>) => ({
  version: "0",
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.ec2",
  region: "ap-northeast-2",
  detail: {
    eventSource: "ec2.amazonaws.com",
    eventName: "AuthorizeSecurityGroupIngress",
    requestParameters: { groupId: "sg-0123456789abcdef0", ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, groups: {}, prefixListIds: {}, ipRanges: {}, ipv6Ranges: {}, ...ranges }] } },
  },
});

/**
 * A console sign-in as EventBridge delivers it (CloudTrail's ConsoleLogin record, the user guide's
 * "AWS Management Console sign-in events" samples, shortened).
 */
const signIn = (identity: Record<string, unknown>, mfaUsed: "Yes" | "No", outcome: "Success" | "Failure") => ({
  version: "0",
  "detail-type": "AWS Console Sign In via CloudTrail",
  source: "aws.signin",
  region: "us-east-1",
  detail: {
    eventVersion: "1.08",
    userIdentity: identity,
    eventSource: "signin.amazonaws.com",
    eventName: "ConsoleLogin",
    awsRegion: "us-east-1",
    sourceIPAddress: "192.0.2.110",
    responseElements: { ConsoleLogin: outcome },
    additionalEventData: { LoginTo: "https://console.aws.amazon.com/console/home", MobileVersion: "No", MFAUsed: mfaUsed },
    eventType: "AwsConsoleSignIn",
  },
});
const ROOT = { type: "Root", principalId: "123456789012", arn: "arn:aws:iam::123456789012:root", accountId: "123456789012" };
const IAM_USER = { type: "IAMUser", principalId: "AIDACKCEVSQ6C2EXAMPLE", arn: "arn:aws:iam::123456789012:user/kim", accountId: "123456789012", userName: "kim" };

/** CloudTrail's record of an IAM call, as EventBridge delivers it (IAM's events arrive in us-east-1). */
const iamCall = (eventName: string) => ({
  version: "0",
  "detail-type": "AWS API Call via CloudTrail",
  source: "aws.iam",
  region: "us-east-1",
  detail: {
    eventSource: "iam.amazonaws.com",
    eventName,
    userIdentity: IAM_USER,
    sourceIPAddress: "192.0.2.110",
    requestParameters: { userName: "kim" },
    responseElements: eventName === "CreateAccessKey" ? { accessKey: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", status: "Active", userName: "kim" } } : null,
  },
});

describe("the rules' patterns, on AWS's own events", () => {
  const patterns = securityEventPatterns({ guardDutyMinSeverity: "high", worldOpenSecurityGroups: true, rootSignIn: true, signInWithoutMfa: true, accessKeyCreated: true });
  const fired = (event: unknown) => Object.entries(patterns).filter(([, pattern]) => matches(pattern as Record<string, unknown>, event as never)).map(([id]) => id);

  test("a high or critical GuardDuty finding fires; a medium or low one does not", () => {
    expect(fired(finding(8))).toEqual(["guardduty-findings"]);
    expect(fired(finding(9.5))).toEqual(["guardduty-findings"]);
    expect(fired(finding(7))).toEqual(["guardduty-findings"]);
    expect(fired(finding(6.9))).toEqual([]);
    expect(fired(finding(2))).toEqual([]);
  });

  test("a security group opened to 0.0.0.0/0 or ::/0 fires; one opened to a single address does not", () => {
    expect(fired(ingress({ ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }))).toEqual(["sg-open-to-ipv4-world"]);
    expect(fired(ingress({ ipv6Ranges: { items: [{ cidrIpv6: "::/0" }] } }))).toEqual(["sg-open-to-ipv6-world"]);
    expect(fired(ingress({ ipRanges: { items: [{ cidrIp: "203.0.113.10/32" }] } }))).toEqual([]);
  });

  test("any root sign-in fires, successful or not, with or without MFA", () => {
    expect(fired(signIn(ROOT, "Yes", "Success"))).toEqual(["root-sign-in"]);
    expect(fired(signIn(ROOT, "No", "Failure"))).toEqual(["root-sign-in"]);
    // AWS's event reference spells the detail-type "Signin"; the rule accepts both spellings.
    expect(fired({ ...signIn(ROOT, "Yes", "Success"), "detail-type": "AWS Console Signin via CloudTrail" })).toEqual(["root-sign-in"]);
  });

  test("an IAM user's successful console sign-in without MFA fires; with MFA, or a failed one, does not", () => {
    expect(fired(signIn(IAM_USER, "No", "Success"))).toEqual(["console-sign-in-without-mfa"]);
    expect(fired(signIn(IAM_USER, "Yes", "Success"))).toEqual([]);
    expect(fired(signIn(IAM_USER, "No", "Failure"))).toEqual([]);
  });

  test("a new access key fires; other IAM calls do not", () => {
    expect(fired(iamCall("CreateAccessKey"))).toEqual(["access-key-created"]);
    expect(fired(iamCall("DeleteAccessKey"))).toEqual([]);
    expect(fired(iamCall("CreateUser"))).toEqual([]);
  });

  test("unrelated events do not fire", () => {
    expect(fired({ source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification", detail: { state: "running" } })).toEqual([]);
    expect(fired({ ...ingress({ ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }), detail: { ...ingress({}).detail, eventName: "RevokeSecurityGroupIngress" } })).toEqual([]);
  });

  test("the medium band is GuardDuty's 4.0", () => {
    const medium = securityEventPatterns({ guardDutyMinSeverity: "medium", worldOpenSecurityGroups: false, rootSignIn: false, signInWithoutMfa: false, accessKeyCreated: false });
    expect(Object.keys(medium)).toEqual(["guardduty-findings"]);
    expect(matches(medium["guardduty-findings"] as Record<string, unknown>, finding(4) as never)).toBe(true);
    expect(matches(medium["guardduty-findings"] as Record<string, unknown>, finding(3.9) as never)).toBe(false);
  });
});

describe("in the week-1 stack", () => {
  test("with the cost guard's address: rules to a KMS-encrypted topic that mails it, the trail they read, us-east-1's forwarding, planned offline", () => {
    const synth = synthConfig({ costGuard: { emails: ["kim@example.com"] } }, { weeks: "1" });
    const plan = planStackOffline(synth.stackDir(AWS_STACK));
    const inRegion = (region: string) => plan.byType("aws_cloudwatch_event_rule").filter((r) => r.values.region === region || (region === "ap-northeast-2" && r.values.region === undefined));
    const ids = ["access-key-created", "console-sign-in-without-mfa", "guardduty-findings", "root-sign-in", "sg-open-to-ipv4-world", "sg-open-to-ipv6-world"];
    const rules = plan.byType("aws_cloudwatch_event_rule");
    expect(rules.map((r) => r.values.name).sort()).toEqual([...ids.map((id) => `devops-weeks-dev-${id}`), ...["access-key-created", "console-sign-in-without-mfa", "root-sign-in"].map((id) => `devops-weeks-dev-${id}-fwd`)].sort());
    const topic = plan.byType("aws_sns_topic").find((t) => t.values.name === "devops-weeks-dev-security-alerts")!;
    expect(topic).toBeDefined();
    const stackTopic = Object.values(synth.resources(AWS_STACK, "aws_sns_topic")).find((t) => t.name === "devops-weeks-dev-security-alerts")!;
    expect(stackTopic.kms_master_key_id).toMatch(/aws_kms_key\.securityAlerts_alerts-key_\w+\.arn/);
    expect(plan.byType("aws_sns_topic_subscription").filter((s) => s.values.protocol === "email").map((s) => s.values.endpoint)).toContain("kim@example.com");
    expect(plan.byType("aws_cloudwatch_event_target")).toHaveLength(9);

    // The forwarding rules run in us-east-1 (the aliased provider), each to the Seoul default bus through one role.
    const stackRules = synth.resources(AWS_STACK, "aws_cloudwatch_event_rule");
    const forwarding = Object.values(stackRules).filter((r) => String(r.name).endsWith("-fwd"));
    expect(forwarding.map((r) => r.provider)).toEqual(forwarding.map(() => "aws.us_east_1"));
    const targets = Object.values(synth.resources(AWS_STACK, "aws_cloudwatch_event_target")).filter((t) => t.provider === "aws.us_east_1");
    expect(targets).toHaveLength(3);
    for (const target of targets) expect(String(target.arn)).toMatch(/^arn:\$\{.*\}:events:ap-northeast-2:\$\{.*\}:event-bus\/default$/);
    const rolePolicy = Object.values(synth.resources(AWS_STACK, "aws_iam_role_policy")).find((p) => p.name === "put-events-on-the-study-region-bus")!;
    // The policy holds Terraform expressions (the account from the topic's ARN), so it is compared as text.
    // (Terraform's expressions keep their own quotes inside the JSON text.)
    expect(String(rolePolicy.policy)).toBe(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"events:PutEvents","Resource":"${String(targets[0].arn)}"}]}`);
    expect(inRegion("us-east-1").length + inRegion("ap-northeast-2").length).toBe(rules.length);

    // The trail the CloudTrail rules need: multi-region, with global service events, logging.
    const [trail] = plan.byType("aws_cloudtrail");
    expect(trail.values).toMatchObject({ is_multi_region_trail: true, include_global_service_events: true, enable_logging: true });
  }, 120_000);

  test("in us-east-1 itself, no forwarding: the rules see IAM's events where they are", () => {
    const synth = synthConfig({ region: "us-east-1", costGuard: { emails: ["kim@example.com"] } }, { weeks: "1" });
    const names = Object.values(synth.resources(AWS_STACK, "aws_cloudwatch_event_rule")).map((r) => String(r.name));
    expect(names.filter((name) => name.endsWith("-fwd"))).toEqual([]);
    expect(names).toContain("devops-weeks-dev-access-key-created");
    expect(Object.keys((synth.stack(AWS_STACK).provider as { aws: unknown[] }).aws)).toHaveLength(1);
  });

  test("with the trail switched off: only GuardDuty's rule, since no CloudTrail event would reach the others", () => {
    const synth = synthConfig({ costGuard: { emails: ["kim@example.com"] }, security: { cloudTrail: { enabled: false } } }, { weeks: "1" });
    expect(Object.values(synth.resources(AWS_STACK, "aws_cloudwatch_event_rule")).map((r) => r.name)).toEqual(["devops-weeks-dev-guardduty-findings"]);
    expect(synth.resources(AWS_STACK, "aws_cloudtrail")).toEqual({});
  });

  test("an address of their own; without any address the rules and their topic wait, with no subscription", () => {
    const own = synthConfig({ costGuard: { emails: ["kim@example.com"] }, securityAlerts: { emails: ["security@example.com"] } }, { weeks: "1" });
    expect(Object.values(own.resources(AWS_STACK, "aws_sns_topic_subscription")).map((s) => s.endpoint)).toContain("security@example.com");
    const none = synthConfig({}, { weeks: "1" });
    expect(Object.keys(none.resources(AWS_STACK, "aws_cloudwatch_event_rule"))).toHaveLength(9);
    expect(Object.values(none.resources(AWS_STACK, "aws_sns_topic")).map((t) => t.name)).toEqual(["devops-weeks-dev-security-alerts"]);
    expect(none.resources(AWS_STACK, "aws_sns_topic_subscription")).toEqual({});
  });

  test("in classroom mode, no alerts in the learners' stacks (the instructor's own config holds them)", () => {
    const root = mkdtempSync(join(tmpdir(), "devops-weeks-roster-"));
    writeFileSync(join(root, "roster.csv"), "id,name,email\nkim,Kim,kim@example.com\n");
    const synth = synthConfig({ classroom: { roster: join(root, "roster.csv") }, costGuard: { emails: ["teacher@example.com"] } }, { weeks: "1" });
    const learnerStack = readdirSync(join(synth.outdir, "stacks")).find((name) => name.endsWith("-kim"))!;
    expect(synth.resources(learnerStack, "aws_cloudwatch_event_rule")).toEqual({});
    expect(synth.resources(learnerStack, "aws_cloudtrail")).toEqual({});
  });
});
