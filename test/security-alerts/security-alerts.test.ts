/**
 * Security alerts from week 1: the rules' patterns against events as AWS documents them (a GuardDuty
 * finding, a CloudTrail AuthorizeSecurityGroupIngress), the encrypted topic and its mail, planned
 * offline; nothing without an address.
 */
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

describe("the rules' patterns, on AWS's own events", () => {
  const patterns = securityEventPatterns({ guardDutyMinSeverity: "high", worldOpenSecurityGroups: true });
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

  test("unrelated events do not fire", () => {
    expect(fired({ source: "aws.ec2", "detail-type": "EC2 Instance State-change Notification", detail: { state: "running" } })).toEqual([]);
    expect(fired({ ...ingress({ ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }), detail: { ...ingress({}).detail, eventName: "RevokeSecurityGroupIngress" } })).toEqual([]);
  });

  test("the medium band is GuardDuty's 4.0", () => {
    const medium = securityEventPatterns({ guardDutyMinSeverity: "medium", worldOpenSecurityGroups: false });
    expect(Object.keys(medium)).toEqual(["guardduty-findings"]);
    expect(matches(medium["guardduty-findings"] as Record<string, unknown>, finding(4) as never)).toBe(true);
    expect(matches(medium["guardduty-findings"] as Record<string, unknown>, finding(3.9) as never)).toBe(false);
  });
});

describe("in the week-1 stack", () => {
  test("with the cost guard's address: rules to a KMS-encrypted topic that mails it, planned offline", () => {
    const synth = synthConfig({ costGuard: { emails: ["kim@example.com"] } }, { weeks: "1" });
    const plan = planStackOffline(synth.stackDir(AWS_STACK));
    const rules = plan.byType("aws_cloudwatch_event_rule").map((r) => r.values.name).sort();
    expect(rules).toEqual(["devops-weeks-dev-guardduty-findings", "devops-weeks-dev-sg-open-to-ipv4-world", "devops-weeks-dev-sg-open-to-ipv6-world"]);
    const topic = plan.byType("aws_sns_topic").find((t) => t.values.name === "devops-weeks-dev-security-alerts")!;
    expect(topic).toBeDefined();
    const stackTopic = Object.values(synth.resources(AWS_STACK, "aws_sns_topic")).find((t) => t.name === "devops-weeks-dev-security-alerts")!;
    expect(stackTopic.kms_master_key_id).toMatch(/aws_kms_key\.securityAlerts_alerts-key_\w+\.arn/);
    expect(plan.byType("aws_sns_topic_subscription").filter((s) => s.values.protocol === "email").map((s) => s.values.endpoint)).toContain("kim@example.com");
    expect(plan.byType("aws_cloudwatch_event_target")).toHaveLength(3);
  }, 120_000);

  test("an address of their own, and nothing at all without any address", () => {
    const own = synthConfig({ costGuard: { emails: ["kim@example.com"] }, securityAlerts: { emails: ["security@example.com"] } }, { weeks: "1" });
    expect(Object.values(own.resources(AWS_STACK, "aws_sns_topic_subscription")).map((s) => s.endpoint)).toContain("security@example.com");
    const none = synthConfig({}, { weeks: "1" });
    expect(none.resources(AWS_STACK, "aws_cloudwatch_event_rule")).toEqual({});
  });
});
