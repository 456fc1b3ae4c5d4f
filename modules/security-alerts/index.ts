/**
 * Security alerts: EventBridge rules in the study region for GuardDuty findings from the configured
 * severity up and for a security group opened to the whole internet, to an SNS topic encrypted with a
 * key of its own, mailed to the addresses. GuardDuty is week 10's (or on already); the security-group
 * rule reads CloudTrail's management events, which EventBridge receives in the region they happen.
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { serviceKey } from "../../lib/aws/kms";
import { fitName } from "../../lib/names";
import type { BuildContext } from "../../lib/module";
import { GUARDDUTY_SEVERITY, type SecurityAlertsSettings } from "./settings";

export { securityAlertsSettings, GUARDDUTY_SEVERITY, type SecurityAlertsSettings } from "./settings";
export { securityAlertsModule } from "./module";

export interface SecurityAlertsExports {
  readonly topicArn?: string;
}

/** The event patterns, exactly as the rules carry them (tests match AWS's sample events against them). */
export function securityEventPatterns(settings: Pick<SecurityAlertsSettings, "guardDutyMinSeverity" | "worldOpenSecurityGroups">): Record<string, unknown> {
  const patterns: Record<string, unknown> = {
    "guardduty-findings": {
      source: ["aws.guardduty"],
      "detail-type": ["GuardDuty Finding"],
      detail: { severity: [{ numeric: [">=", GUARDDUTY_SEVERITY[settings.guardDutyMinSeverity]] }] },
    },
  };
  if (settings.worldOpenSecurityGroups) {
    // One rule per address family: each matches a permission of the call whose range is everything.
    const opened = (ranges: Record<string, unknown>) => ({
      source: ["aws.ec2"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: { eventSource: ["ec2.amazonaws.com"], eventName: ["AuthorizeSecurityGroupIngress"], requestParameters: { ipPermissions: { items: ranges } } },
    });
    patterns["sg-open-to-ipv4-world"] = opened({ ipRanges: { items: { cidrIp: ["0.0.0.0/0"] } } });
    patterns["sg-open-to-ipv6-world"] = opened({ ipv6Ranges: { items: { cidrIpv6: ["::/0"] } } });
  }
  return patterns;
}

export function buildSecurityAlerts(ctx: BuildContext<SecurityAlertsSettings>, emails: readonly string[]): SecurityAlertsExports {
  const { scope } = ctx;
  // EventBridge encrypts what it publishes to the topic with this key.
  const { key } = serviceKey(scope, "alerts-key", { description: `${ctx.environment.name}: the security alerts topic`, alias: ctx.name("security-alerts"), services: ["events.amazonaws.com"] });
  const topic = new SnsTopic(scope, "alerts-topic", { name: ctx.name("security-alerts"), kmsMasterKeyId: key.arn });
  const rules = Object.entries(securityEventPatterns(ctx.settings)).map(
    ([id, pattern]) =>
      new CloudwatchEventRule(scope, id, {
        name: fitName(ctx.name(id), 64),
        description: id === "guardduty-findings" ? `GuardDuty findings of severity ${ctx.settings.guardDutyMinSeverity} and up` : `A security group opened to the whole ${id.includes("ipv6") ? "IPv6" : "IPv4"} internet`,
        eventPattern: JSON.stringify(pattern),
      }),
  );
  new SnsTopicPolicy(scope, "alerts-topic-policy", {
    arn: topic.arn,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "TheseRulesPublish",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sns:Publish",
          Resource: topic.arn,
          Condition: { ArnEquals: { "aws:SourceArn": rules.map((r) => r.arn) } },
        },
      ],
    }),
  });
  rules.forEach((rule, i) => new CloudwatchEventTarget(scope, `${Object.keys(securityEventPatterns(ctx.settings))[i]}-target`, { rule: rule.name, targetId: "security-alerts", arn: topic.arn }));
  emails.forEach((address, i) => new SnsTopicSubscription(scope, `alerts-email-${i}`, { topicArn: topic.arn, protocol: "email", endpoint: address }));
  ctx.output("security_alerts_topic_arn", topic.arn, "SNS topic of the security alerts (GuardDuty findings, a security group opened to the internet); confirm each address's subscription mail");
  return { topicArn: topic.arn };
}
