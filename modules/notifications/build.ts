/**
 * Week 4: deploy notifications. An SNS topic encrypted with a customer-managed KMS key receives the
 * week-3 pipeline's execution events (a CodeStar Notifications rule) and, from week 7 on, alarms.
 * A Lambda function posts each message to a Slack-compatible incoming webhook whose URL sits in an
 * SSM SecureString parameter, encrypted with a key that only this function may decrypt with. With
 * week 1's security alerts built (someone hears them by mail), the function subscribes to their topic
 * too and posts them as security messages.
 */
import { join } from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodestarnotificationsNotificationRule } from "@cdktf/provider-aws/lib/codestarnotifications-notification-rule";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Fn } from "cdktf";
import { archiveAsset, archiveSha256 } from "../../lib/aws/assets";
import type { BuildContext } from "../../lib/core/module";
import { cicdModule } from "../cicd/module";
import { securityAlertsModule } from "../security-alerts/module";
import type { NotificationsExports } from "./exports";
import type { NotificationsSettings } from "./settings";

/** The handler's folder, packaged as is (Node.js built-ins and the runtime's AWS SDK only). */
export const NOTIFIER_SOURCE = join(__dirname, "lambda");
export const NOTIFIER_RUNTIME = "nodejs22.x";

const POLICY_VERSION = "2012-10-17";
/** Services that publish to the topic: pipeline notifications, CloudWatch alarms, EventBridge rules. */
const PUBLISHING_SERVICES = ["codestar-notifications.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"];

export function defaultWebhookParameterName(environmentName: string): string {
  return `/devops-weeks/${environmentName}/webhook-url`;
}

function policy(statements: object[]): string {
  return JSON.stringify({ Version: POLICY_VERSION, Statement: statements });
}

/** The account id at apply time, from an ARN in this stack (no aws_caller_identity: plans stay offline). */
function accountIdFrom(arn: string): string {
  return Fn.element(Fn.split(":", arn), 4) as string;
}

export function buildNotifications(ctx: BuildContext<NotificationsSettings>): NotificationsExports {
  const { scope, settings } = ctx;
  const functionName = ctx.name("deploy-notifier");

  // The function's role exists with or without the webhook: its ARN gives the account id to the
  // key and topic policies without an AWS call at plan time.
  const notifierRole = new IamRole(scope, "notifier-role", {
    name: functionName,
    assumeRolePolicy: policy([{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }]),
  });
  const account = accountIdFrom(notifierRole.arn);
  const accountRoot = `arn:aws:iam::${account}:root`;

  const key = new KmsKey(scope, "topic-key", {
    description: `${ctx.environment.name} deploy notifications topic`,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    policy: policy([
      { Sid: "AccountAdministersTheKey", Effect: "Allow", Principal: { AWS: accountRoot }, Action: "kms:*", Resource: "*" },
      {
        Sid: "PublishingServicesEncrypt",
        Effect: "Allow",
        Principal: { Service: PUBLISHING_SERVICES },
        Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
        Resource: "*",
      },
    ]),
    tags: { Name: ctx.name("notifications") },
  });
  new KmsAlias(scope, "topic-key-alias", { name: `alias/${ctx.name("notifications")}`, targetKeyId: key.keyId });

  const topic = new SnsTopic(scope, "topic", { name: ctx.name("deploy-events"), kmsMasterKeyId: key.arn, tags: { Name: ctx.name("deploy-events") } });
  const topicPolicy = new SnsTopicPolicy(scope, "topic-policy", {
    arn: topic.arn,
    policy: policy([
      {
        Sid: "AccountManagesTheTopic",
        Effect: "Allow",
        Principal: { AWS: accountRoot },
        Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
        Resource: topic.arn,
      },
      {
        Sid: "ServicesOfThisAccountPublish",
        Effect: "Allow",
        Principal: { Service: PUBLISHING_SERVICES },
        Action: "sns:Publish",
        Resource: topic.arn,
        Condition: { StringEquals: { "aws:SourceAccount": account } },
      },
    ]),
  });

  settings.emails.forEach((address, i) => new SnsTopicSubscription(scope, `email-${i}`, { topicArn: topic.arn, protocol: "email", endpoint: address }));

  const notifier = settings.webhook.enabled ? buildNotifier(ctx, { functionName, role: notifierRole, topic, account }) : undefined;
  const securityAlertsTopicArn = ctx.has("securityAlerts") ? ctx.use(securityAlertsModule).topicArn : undefined;
  if (notifier && securityAlertsTopicArn) postSecurityAlerts(ctx, notifier, securityAlertsTopicArn);

  if (ctx.has("cicd")) {
    const cicd = ctx.use(cicdModule);
    new CodestarnotificationsNotificationRule(scope, "pipeline-events", {
      name: ctx.name("pipeline-events"),
      detailType: "FULL",
      resource: cicd.pipelineArn,
      eventTypeIds: settings.pipelineEvents.map((e) => `codepipeline-pipeline-pipeline-execution-${e}`),
      target: [{ address: topic.arn, type: "SNS" }],
      dependsOn: [topicPolicy],
    });
  }

  ctx.output("notifications_topic_arn", topic.arn, "SNS topic for deploy events and alarms (encrypted with a customer-managed KMS key)");
  return { topic, topicArn: topic.arn, key, keyArn: key.arn, notifier };
}

interface NotifierProps {
  readonly functionName: string;
  readonly role: IamRole;
  readonly topic: SnsTopic;
  readonly account: string;
}

function buildNotifier(ctx: BuildContext<NotificationsSettings>, props: NotifierProps): LambdaFunction {
  const { scope, settings } = ctx;
  const region = ctx.study.region;
  const { webhook } = settings;
  const parameterName = webhook.parameterName ?? defaultWebhookParameterName(ctx.environment.name);
  const parameterArn = `arn:aws:ssm:${region}:${props.account}:parameter${parameterName}`;
  const roleArn = props.role.arn;

  // A key only for the webhook URL. The account administers it and may encrypt with it through SSM
  // (aws ssm put-parameter), but decrypting is granted to the notifier's role alone, and only for
  // this parameter: an administrator cannot read the URL back without changing this policy first.
  const webhookKey = new KmsKey(scope, "webhook-key", {
    description: `${ctx.environment.name} webhook URL (decrypt: ${props.functionName} only)`,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    policy: policy([
      {
        Sid: "AccountAdministersTheKey",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${props.account}:root` },
        Action: [
          "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*",
          "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion",
        ],
        Resource: "*",
      },
      {
        Sid: "AccountStoresTheUrlThroughSsm",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${props.account}:root` },
        Action: ["kms:Encrypt", "kms:GenerateDataKey*"],
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": parameterArn } },
      },
      {
        Sid: "OnlyTheNotifierDecrypts",
        Effect: "Allow",
        Principal: { AWS: roleArn },
        Action: "kms:Decrypt",
        Resource: "*",
        Condition: { StringEquals: { "kms:ViaService": `ssm.${region}.amazonaws.com`, "kms:EncryptionContext:PARAMETER_ARN": parameterArn } },
      },
    ]),
    tags: { Name: ctx.name("webhook") },
  });
  const webhookKeyAlias = `alias/${ctx.name("webhook")}`;
  new KmsAlias(scope, "webhook-key-alias", { name: webhookKeyAlias, targetKeyId: webhookKey.keyId });

  const logGroup = new CloudwatchLogGroup(scope, "notifier-log-group", { name: `/aws/lambda/${props.functionName}`, retentionInDays: webhook.logRetentionDays });
  const rolePolicy = new IamRolePolicy(scope, "notifier-policy", {
    name: "read-the-webhook-url-and-log",
    role: props.role.id,
    policy: policy([
      { Sid: "WriteLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroup.arn, `${logGroup.arn}:*`] },
      { Sid: "ReadWebhookUrl", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameterArn },
      {
        Sid: "DecryptWebhookUrl",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: webhookKey.arn,
        Condition: { StringEquals: { "kms:EncryptionContext:PARAMETER_ARN": parameterArn } },
      },
    ]),
  });

  // The folder is zipped into the stack directory at synth (no archive provider needed), once per
  // synth and reproducibly (same files, same bytes: see lib/aws/assets.ts). source_code_hash is the zip's
  // SHA-256, so Terraform replaces the function's code exactly when the handler changes.
  const code = archiveAsset(scope, "notifier-code", NOTIFIER_SOURCE);
  const notifier = new LambdaFunction(scope, "notifier", {
    functionName: props.functionName,
    description: "Posts deploy events, alarms and security alerts from SNS to the chat webhook",
    role: roleArn,
    runtime: NOTIFIER_RUNTIME,
    handler: "index.handler",
    filename: code.path,
    sourceCodeHash: archiveSha256(NOTIFIER_SOURCE),
    memorySize: 128,
    timeout: webhook.functionTimeoutSeconds,
    environment: { variables: { WEBHOOK_PARAMETER_NAME: parameterName, WEBHOOK_TIMEOUT_MS: String(webhook.timeoutMs) } },
    dependsOn: [logGroup, rolePolicy],
  });
  new LambdaPermission(scope, "notifier-invoke", {
    statementId: "AllowSnsTopic",
    action: "lambda:InvokeFunction",
    functionName: notifier.functionName,
    principal: "sns.amazonaws.com",
    sourceArn: props.topic.arn,
  });
  new SnsTopicSubscription(scope, "notifier-subscription", { topicArn: props.topic.arn, protocol: "lambda", endpoint: notifier.arn });

  ctx.output("webhook_parameter_name", parameterName, "SSM SecureString parameter the notifier reads the webhook URL from");
  ctx.output(
    "webhook_put_parameter_command",
    `aws ssm put-parameter --region ${region} --name ${parameterName} --type SecureString --key-id ${webhookKeyAlias} --overwrite --value '<your webhook URL>'`,
    "Stores (or replaces) the webhook URL, encrypted with the webhook key; run it once after apply",
  );
  ctx.output("notifier_function_name", notifier.functionName, "Lambda function that posts to the webhook");
  return notifier;
}

/**
 * The chat hears week 1's security alerts too: the function subscribes to their topic, and only that
 * topic may invoke it this way. Nothing more to grant: SNS decrypts what it delivers itself (EventBridge,
 * the publisher, holds the key grant), and the function neither publishes nor reads the topic.
 */
function postSecurityAlerts(ctx: BuildContext<NotificationsSettings>, notifier: LambdaFunction, topicArn: string): void {
  const { scope } = ctx;
  const permission = new LambdaPermission(scope, "notifier-invoke-security-alerts", {
    statementId: "AllowSecurityAlertsTopic",
    action: "lambda:InvokeFunction",
    functionName: notifier.functionName,
    principal: "sns.amazonaws.com",
    sourceArn: topicArn,
  });
  new SnsTopicSubscription(scope, "notifier-security-alerts-subscription", { topicArn, protocol: "lambda", endpoint: notifier.arn, dependsOn: [permission] });
}
