/**
 * Security alerts: EventBridge rules for GuardDuty findings from the configured severity up, a
 * security group opened to the whole internet, any sign-in as the root user, a console sign-in
 * without MFA and a new access key, to an SNS topic encrypted with a key of its own, mailed to the
 * addresses. GuardDuty is week 10's (or on already).
 *
 * Where the events arrive. EventBridge receives CloudTrail's events only while a trail logs (./trail.ts
 * builds the account's), in the region where they happen: a security group in the study region; IAM
 * calls such as CreateAccessKey in us-east-1 only (IAM is a global service); console sign-ins in the
 * region of the sign-in endpoint, us-east-1 for the global one. So the study region holds every rule,
 * and us-east-1 holds one forwarding rule per CloudTrail pattern that sends its events to the study
 * region's default event bus, where the same rules match them (an event lands in one region only, so
 * nothing is reported twice).
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn } from "cdktf";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { serviceKey } from "../../lib/aws/kms";
import { fitName } from "../../lib/aws/names";
import type { BuildContext } from "../../lib/core/module";
import { AwsStudyStack } from "../../lib/core/stacks";
import { GUARDDUTY_SEVERITY, type SecurityAlertsSettings } from "./settings";
import type { AccountArns, SecurityAlertsExports } from "./exports";
import { buildTrail, type TrailSettings } from "./trail";

/** IAM, as a global service, sends its CloudTrail events to EventBridge in this region only. */
export const GLOBAL_EVENTS_REGION = "us-east-1";

/** The detail-type of sign-in events: AWS's event reference spells it "Signin", the events "Sign In". */
const SIGN_IN_DETAIL_TYPES = ["AWS Console Sign In via CloudTrail", "AWS Console Signin via CloudTrail"];

export type SecurityEventSettings = Pick<SecurityAlertsSettings, "guardDutyMinSeverity" | "worldOpenSecurityGroups" | "rootSignIn" | "signInWithoutMfa" | "accessKeyCreated">;

/** Which of the patterns come from CloudTrail (and need its trail, and forwarding from us-east-1). */
export function isCloudTrailPattern(id: string): boolean {
  return id !== "guardduty-findings";
}

const DESCRIPTIONS: Record<string, (settings: SecurityEventSettings) => string> = {
  "guardduty-findings": (settings) => `GuardDuty findings of severity ${settings.guardDutyMinSeverity} and up`,
  "sg-open-to-ipv4-world": () => "A security group opened to the whole IPv4 internet",
  "sg-open-to-ipv6-world": () => "A security group opened to the whole IPv6 internet",
  "root-sign-in": () => "A sign-in as the root user, successful or not",
  "console-sign-in-without-mfa": () => "A successful console sign-in of an IAM user without MFA",
  "access-key-created": () => "A new access key for an IAM user",
};

/** The event patterns, exactly as the rules carry them (tests match AWS's sample events against them). */
export function securityEventPatterns(settings: SecurityEventSettings): Record<string, Record<string, unknown>> {
  const patterns: Record<string, Record<string, unknown>> = {
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
  if (settings.rootSignIn) {
    // Failed attempts too: someone who tries the root password is the news.
    patterns["root-sign-in"] = { source: ["aws.signin"], "detail-type": SIGN_IN_DETAIL_TYPES, detail: { eventName: ["ConsoleLogin"], userIdentity: { type: ["Root"] } } };
  }
  if (settings.signInWithoutMfa) {
    patterns["console-sign-in-without-mfa"] = {
      source: ["aws.signin"],
      "detail-type": SIGN_IN_DETAIL_TYPES,
      detail: { eventName: ["ConsoleLogin"], userIdentity: { type: ["IAMUser"] }, additionalEventData: { MFAUsed: ["No"] }, responseElements: { ConsoleLogin: ["Success"] } },
    };
  }
  if (settings.accessKeyCreated) {
    patterns["access-key-created"] = { source: ["aws.iam"], "detail-type": ["AWS API Call via CloudTrail"], detail: { eventSource: ["iam.amazonaws.com"], eventName: ["CreateAccessKey"] } };
  }
  return patterns;
}

export interface SecurityAlertsPlan {
  /** The rules and their topic; false: the trail alone (week 10 in classroom mode). */
  readonly alerting: boolean;
  /** Who is mailed (none: the topic waits for an address, or for week 4's chat bot). */
  readonly emails: readonly string[];
  /** The trail's settings, when the account's trail is wanted. */
  readonly trail?: TrailSettings;
  /** The account id, when the config gives it (security.accountId). */
  readonly accountId?: string;
}

export function buildSecurityAlerts(ctx: BuildContext<SecurityAlertsSettings>, plan: SecurityAlertsPlan): SecurityAlertsExports {
  const given: AccountArns | undefined = plan.accountId ? { partition: "aws", account: plan.accountId } : undefined;
  const trail = plan.trail ? buildTrail(ctx, plan.trail, given) : undefined;
  if (!plan.alerting) return { trail };
  const { scope } = ctx;
  // EventBridge encrypts what it publishes to the topic with this key.
  const { key } = serviceKey(scope, "alerts-key", { description: `${ctx.environment.name}: the security alerts topic`, alias: ctx.name("security-alerts"), services: ["events.amazonaws.com"] });
  const topic = new SnsTopic(scope, "alerts-topic", { name: ctx.name("security-alerts"), kmsMasterKeyId: key.arn });
  // Without a trail no CloudTrail event reaches EventBridge: only GuardDuty's rule would ever fire.
  const patterns = Object.entries(securityEventPatterns(ctx.settings)).filter(([id]) => trail || !isCloudTrailPattern(id));
  const rules = patterns.map(
    ([id, pattern]) =>
      new CloudwatchEventRule(scope, id, {
        name: fitName(ctx.name(id), 64),
        description: DESCRIPTIONS[id](ctx.settings),
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
  rules.forEach((rule, i) => new CloudwatchEventTarget(scope, `${patterns[i][0]}-target`, { rule: rule.name, targetId: "security-alerts", arn: topic.arn }));
  const forwarded = patterns.filter(([id]) => isCloudTrailPattern(id) && id.startsWith("sg-") === false);
  if (ctx.study.region !== GLOBAL_EVENTS_REGION && forwarded.length > 0) forwardGlobalEvents(ctx, topic.arn, forwarded);
  plan.emails.forEach((address, i) => new SnsTopicSubscription(scope, `alerts-email-${i}`, { topicArn: topic.arn, protocol: "email", endpoint: address }));
  ctx.output("security_alerts_topic_arn", topic.arn, "SNS topic of the security alerts (GuardDuty findings, a security group opened to the internet, root sign-in, sign-in without MFA, a new access key); confirm each address's subscription mail");
  return { topicArn: topic.arn, trail };
}

/**
 * us-east-1's rules for the sign-in and IAM events, each sending what it matches to the study
 * region's default event bus, through a role that may put events on that bus only.
 */
function forwardGlobalEvents(ctx: BuildContext<SecurityAlertsSettings>, topicArn: string, patterns: readonly [string, Record<string, unknown>][]): void {
  const { scope } = ctx;
  const provider = AwsStudyStack.of(scope).providerFor(GLOBAL_EVENTS_REGION);
  // The account and partition from an ARN this stack creates: no data source, so the plan runs offline.
  const partition = Fn.element(Fn.split(":", topicArn), 1);
  const account = Fn.element(Fn.split(":", topicArn), 4);
  const homeBus = `arn:${partition}:events:${ctx.study.region}:${account}:event-bus/default`;
  const ruleNames = patterns.map(([id]) => fitName(ctx.name(`${id}-fwd`), 64));
  const role = new IamRole(scope, "forward-role", {
    name: fitName(ctx.name("security-alerts-forward"), 64),
    description: `EventBridge in ${GLOBAL_EVENTS_REGION} forwards sign-in and IAM events to ${ctx.study.region}`,
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": account }, ArnEquals: { "aws:SourceArn": ruleNames.map((name) => `arn:${partition}:events:${GLOBAL_EVENTS_REGION}:${account}:rule/${name}`) } },
        },
      ],
    }),
  });
  new IamRolePolicy(scope, "forward-role-policy", {
    role: role.id,
    name: "put-events-on-the-study-region-bus",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "events:PutEvents", Resource: homeBus }] }),
  });
  patterns.forEach(([id, pattern], i) => {
    const rule = new CloudwatchEventRule(scope, `${id}-fwd`, {
      provider,
      name: ruleNames[i],
      description: `${DESCRIPTIONS[id](ctx.settings)}: forwarded to ${ctx.study.region}`,
      eventPattern: JSON.stringify(pattern),
    });
    new CloudwatchEventTarget(scope, `${id}-fwd-target`, { provider, rule: rule.name, targetId: "to-study-region", arn: homeBus, roleArn: role.arn });
  });
}
