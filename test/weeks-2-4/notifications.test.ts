/** Week 4: the encrypted topic, the webhook key only the notifier can decrypt with, and the packaged handler. */
import { readZip } from "../support/zip";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { synthConfig } from "../support/synth";
import { planStackOffline } from "../support/terraform";
import { expectNoAdminStatements, policyDocuments, withoutInterpolations, type PolicyStatement } from "./iam";

const STACK = "devops-weeks-dev";

const statementsOf = (text: string) => (JSON.parse(withoutInterpolations(text)) as { Statement: PolicyStatement[] }).Statement;
const bySid = (statements: PolicyStatement[], sid: string) => statements.find((s) => s.Sid === sid)!;

/** File names inside a zip, from its central directory (no unzip binary or library needed). */
function zipEntries(zip: Buffer): Map<string, Buffer> {
  return new Map(readZip(zip).map((entry) => [entry.name, entry.data]));
}

describe("week 4 notifications", () => {
  const synthesized = synthConfig({ notifications: { emails: ["kim@example.com", "lee@example.com"] } }, { weeks: "1-4" });
  const resources = (type: string) => Object.values(synthesized.resources(STACK, type));

  test("the topic is encrypted with a rotating customer-managed key that the publishing services may use", () => {
    const [topic] = resources("aws_sns_topic");
    expect(topic.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.notifications_topic-key_[0-9A-F]+\.arn\}$/);
    const topicKey = resources("aws_kms_key").find((k) => String(k.description).includes("notifications topic"))!;
    expect(topicKey.enable_key_rotation).toBe(true);
    expect(bySid(statementsOf(topicKey.policy as string), "PublishingServicesEncrypt")).toMatchObject({
      Principal: { Service: ["codestar-notifications.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com"] },
      Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    });
  });

  test("the topic policy lets CodeStar Notifications of this account publish", () => {
    const [topicPolicy] = resources("aws_sns_topic_policy");
    const publish = bySid(statementsOf(topicPolicy.policy as string), "ServicesOfThisAccountPublish");
    expect(publish.Principal).toEqual({ Service: expect.arrayContaining(["codestar-notifications.amazonaws.com"]) });
    expect(publish.Action).toBe("sns:Publish");
    expect(publish.Condition).toEqual({ StringEquals: { "aws:SourceAccount": "<terraform>" } });
  });

  test("a notification rule sends the pipeline's started, succeeded and failed executions to the topic", () => {
    const [rule] = resources("aws_codestarnotifications_notification_rule");
    expect(rule.event_type_ids).toEqual([
      "codepipeline-pipeline-pipeline-execution-started",
      "codepipeline-pipeline-pipeline-execution-succeeded",
      "codepipeline-pipeline-pipeline-execution-failed",
    ]);
    expect(rule.resource).toMatch(/^\$\{aws_codepipeline\.cicd_pipeline_[0-9A-F]+\.arn\}$/);
    expect(rule.target).toEqual([{ address: expect.stringMatching(/^\$\{aws_sns_topic\..*\.arn\}$/), type: "SNS" }]);
  });

  test("only the notifier's role may decrypt the webhook URL, and only through SSM for that parameter", () => {
    const webhookKey = resources("aws_kms_key").find((k) => String(k.description).includes("webhook URL"))!;
    const statements = statementsOf(webhookKey.policy as string);
    const decrypting = statements.filter((s) => [s.Action].flat().some((a) => a === "kms:Decrypt" || a === "kms:*" || a === "kms:Decrypt*"));
    expect(decrypting).toHaveLength(1);
    expect(decrypting[0]).toMatchObject({
      Sid: "OnlyTheNotifierDecrypts",
      Action: "kms:Decrypt",
      Condition: {
        StringEquals: {
          "kms:ViaService": "ssm.ap-northeast-2.amazonaws.com",
          "kms:EncryptionContext:PARAMETER_ARN": "arn:aws:ssm:ap-northeast-2:<terraform>:parameter/devops-weeks/devops-weeks-dev/webhook-url",
        },
      },
    });
    // the one principal is the notifier's role itself (the account id placeholders come from its ARN too)
    expect(webhookKey.policy).toMatch(/"Sid":"OnlyTheNotifierDecrypts","Effect":"Allow","Principal":\{"AWS":"\$\{aws_iam_role\.notifications_notifier-role_[0-9A-F]+\.arn\}"\}/);
    const notifierPolicy = resources("aws_iam_role_policy").find((p) => p.name === "read-the-webhook-url-and-log")!;
    expect(bySid(statementsOf(notifierPolicy.policy as string), "DecryptWebhookUrl")).toMatchObject({ Action: "kms:Decrypt", Resource: "<terraform>" });
    expect(notifierPolicy.policy).toContain(`"Resource":"\${${Object.keys(synthesized.resources(STACK, "aws_kms_key")).map((k) => `aws_kms_key.${k}.arn`).find((ref) => ref.includes("webhook"))}}"`);
  });

  test("the webhook URL is not in the configuration or the state: no SSM parameter resource is managed", () => {
    expect(resources("aws_ssm_parameter")).toEqual([]);
    const [fn] = resources("aws_lambda_function");
    expect(fn.environment).toEqual({ variables: { WEBHOOK_PARAMETER_NAME: "/devops-weeks/devops-weeks-dev/webhook-url", WEBHOOK_TIMEOUT_MS: "5000" } });
    const outputs = synthesized.stack(STACK).output as Record<string, { value: string }>;
    expect(outputs.webhook_put_parameter_command.value).toBe(
      "aws ssm put-parameter --region ap-northeast-2 --name /devops-weeks/devops-weeks-dev/webhook-url --type SecureString --key-id alias/devops-weeks-dev-webhook --overwrite --value '<your webhook URL>'",
    );
  });

  test("the function runs on Node.js 22 from a zip cdktf packaged, with a log group we keep for 14 days", () => {
    const [fn] = resources("aws_lambda_function");
    expect(fn).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", timeout: 15 });
    expect(fn.filename).toMatch(/^assets\/notifications_notifier-code_[0-9A-F]+\/[0-9A-F]{32}\/archive\.zip$/);
    const zip = zipEntries(readFileSync(join(synthesized.stackDir(STACK), fn.filename as string)));
    expect([...zip.keys()]).toContain("index.js");
    expect(zip.get("index.js")!.toString("utf8")).toContain("module.exports = { createHandler");
    expect(resources("aws_cloudwatch_log_group").find((g) => g.name === "/aws/lambda/devops-weeks-dev-deploy-notifier")).toMatchObject({ retention_in_days: 14 });
    expect(resources("aws_lambda_permission")[0]).toMatchObject({ principal: "sns.amazonaws.com", action: "lambda:InvokeFunction" });
  });

  test("email addresses are subscribed beside the function", () => {
    const subscriptions = resources("aws_sns_topic_subscription").map((s) => `${s.protocol}:${s.endpoint}`);
    expect(subscriptions.filter((s) => s.startsWith("email:")).sort()).toEqual(["email:kim@example.com", "email:lee@example.com"]);
    // The function hears the deploy events and week 1's security alerts (on before any address is set).
    expect(subscriptions.filter((s) => s.startsWith("lambda:"))).toEqual([expect.stringMatching(/^lambda:\$\{aws_lambda_function\./), expect.stringMatching(/^lambda:\$\{aws_lambda_function\./)]);
  });

  test("no policy of weeks 1-4 allows Action * on Resource *", () => {
    expectNoAdminStatements(policyDocuments(synthesized.stack(STACK)));
  });

  test("two synths give byte-identical stacks and archives: the asset path is relative and content-hashed", () => {
    const again = synthConfig({ notifications: { emails: ["kim@example.com", "lee@example.com"] } }, { weeks: "1-4" });
    const text = readFileSync(join(synthesized.stackDir(STACK), "cdk.tf.json"), "utf8");
    expect(readFileSync(join(again.stackDir(STACK), "cdk.tf.json"), "utf8")).toBe(text);
    expect(text).not.toContain(synthesized.outdir);
    expect(text).not.toContain("/work/");
    const [fn] = resources("aws_lambda_function");
    expect(readFileSync(join(again.stackDir(STACK), fn.filename as string)).equals(readFileSync(join(synthesized.stackDir(STACK), fn.filename as string)))).toBe(true);
  });
});

describe("week 4 with week 1's security alerts", () => {
  // The cost guard's address makes week 1 build its security alerts; week 4's function subscribes to their topic.
  const config = { costGuard: { emails: ["kim@example.com"] }, notifications: { emails: ["lee@example.com"] } };
  const synthesized = synthConfig(config, { weeks: "1-4" });
  const resources = (type: string) => Object.values(synthesized.resources(STACK, type));
  const securityTopic = `\${${Object.keys(synthesized.resources(STACK, "aws_sns_topic")).map((k) => `aws_sns_topic.${k}.arn`).find((ref) => ref.includes("securityAlerts"))}}`;
  const notifierArn = /^\$\{aws_lambda_function\.notifications_notifier_[0-9A-F]+\.arn\}$/;

  test("the notifier subscribes to the security alerts' topic, and only that topic may invoke it so", () => {
    expect(securityTopic).toMatch(/^\$\{aws_sns_topic\.securityAlerts_alerts-topic_[0-9A-F]+\.arn\}$/);
    const subscription = resources("aws_sns_topic_subscription").find((s) => s.topic_arn === securityTopic && s.protocol === "lambda")!;
    expect(subscription.endpoint).toMatch(notifierArn);
    const permission = resources("aws_lambda_permission").find((p) => p.source_arn === securityTopic)!;
    expect(permission).toMatchObject({ statement_id: "AllowSecurityAlertsTopic", action: "lambda:InvokeFunction", principal: "sns.amazonaws.com" });
    expect(subscription.depends_on).toEqual([expect.stringMatching(/^aws_lambda_permission\.notifications_notifier-invoke-security-alerts_/)]);
    // The deploy topic keeps its own subscription and permission; every permission names its topic.
    expect(resources("aws_lambda_permission").map((p) => p.source_arn)).toHaveLength(2);
    expect(resources("aws_lambda_permission").every((p) => typeof p.source_arn === "string" && p.principal === "sns.amazonaws.com")).toBe(true);
  });

  test("the function gets no new rights: it neither publishes to nor reads the security topic, nor uses its key", () => {
    const notifierPolicy = resources("aws_iam_role_policy").find((p) => p.name === "read-the-webhook-url-and-log")!;
    expect(statementsOf(notifierPolicy.policy as string).map((s) => s.Sid)).toEqual(["WriteLogs", "ReadWebhookUrl", "DecryptWebhookUrl"]);
    // Week 1's key and topic policy are as week 1 writes them: nothing of week 4 in them.
    const alertsKeyPolicy = resources("aws_kms_key_policy").find((k) => String(k.key_id).includes("securityAlerts_alerts-key"))!;
    const alertsTopicPolicy = resources("aws_sns_topic_policy").find((p) => p.arn === securityTopic)!;
    for (const document of [alertsKeyPolicy.policy, alertsTopicPolicy.policy]) expect(document).not.toContain("notifications_");
  });

  test("before an address for the alerts is set the chat bot already hears them; without the webhook nothing is wired", () => {
    const noAlerts = synthConfig({ notifications: { emails: ["lee@example.com"] } }, { weeks: "1-4" });
    expect(Object.values(noAlerts.resources(STACK, "aws_lambda_permission")).map((p) => p.statement_id).sort()).toEqual(["AllowSecurityAlertsTopic", "AllowSnsTopic"]);
    const noWebhook = synthConfig({ ...config, notifications: { emails: ["lee@example.com"], webhook: { enabled: false } } }, { weeks: "1-4" });
    expect(noWebhook.resources(STACK, "aws_lambda_permission")).toEqual({});
    expect(Object.values(noWebhook.resources(STACK, "aws_sns_topic_subscription")).map((s) => s.protocol)).not.toContain("lambda");
  });

  test("planned offline: two lambda subscriptions, one per topic, each topic's own permission", () => {
    const plan = planStackOffline(synthesized.stackDir(STACK));
    const topics = new Map(plan.byType("aws_sns_topic").map((t) => [t.address, t.values.name]));
    const references = (plan.raw.configuration as { root_module: { resources: { address: string; expressions: Record<string, { references?: string[] }> }[] } }).root_module.resources;
    const topicOf = (address: string, attribute: string) => topics.get((references.find((r) => r.address === address)!.expressions[attribute].references ?? []).find((ref) => topics.has(ref))!);
    const lambdaSubscriptions = plan.byType("aws_sns_topic_subscription").filter((s) => s.values.protocol === "lambda");
    expect(lambdaSubscriptions.map((s) => topicOf(s.address, "topic_arn")).sort()).toEqual(["devops-weeks-dev-deploy-events", "devops-weeks-dev-security-alerts"]);
    const permissions = plan.byType("aws_lambda_permission");
    expect(permissions.map((p) => `${p.values.statement_id}:${p.values.principal}:${topicOf(p.address, "source_arn")}`).sort()).toEqual([
      "AllowSecurityAlertsTopic:sns.amazonaws.com:devops-weeks-dev-security-alerts",
      "AllowSnsTopic:sns.amazonaws.com:devops-weeks-dev-deploy-events",
    ]);
    expect(plan.byType("aws_sns_topic_subscription").filter((s) => s.values.protocol === "email").map((s) => s.values.endpoint).sort()).toEqual(["kim@example.com", "lee@example.com"]);
  }, 120_000);
});

describe("week 4 on its own", () => {
  test("needs no network and adds no notification rule when week 3 is off", () => {
    const synthesized = synthConfig({ notifications: { webhook: { enabled: false }, emails: ["kim@example.com"] } }, { weeks: "4" });
    // The cost guard and the security alerts are on in every synth: without an address the cost guard
    // builds nothing, the alerts their rules and topic (and the trail they read).
    expect(synthesized.result.selection.modules.map((m) => m.id)).toEqual(["costGuard", "securityAlerts", "notifications"]);
    expect(synthesized.resources(STACK, "aws_codestarnotifications_notification_rule")).toEqual({});
    expect(synthesized.resources(STACK, "aws_lambda_function")).toEqual({});
    expect(Object.keys(synthesized.resources(STACK, "aws_sns_topic")).filter((name) => name.startsWith("notifications_"))).toHaveLength(1);
    expect(Object.keys(synthesized.resources(STACK, "aws_vpc"))).toEqual([]);
  });

  test.each([
    [{ emails: ["not-an-email"] }, /notifications\.emails\[0\] = "not-an-email" is not valid; expected an email address such as kim@example\.com/],
    [{ emails: ["a@example.com", "a@example.com"] }, /notifications\.emails = \["a@example\.com","a@example\.com"\] is not valid; expected each address listed once/],
    [{ pipelineEvents: ["deployed"] }, /notifications\.pipelineEvents\[0\] = "deployed" is not valid; expected one of "started", "succeeded", "failed"/],
    [{ webhook: { parameterName: "webhook-url" } }, /notifications\.webhook\.parameterName = "webhook-url" is not valid; expected an SSM parameter path such as \/devops-weeks\/dev\/webhook-url/],
    [{ webhook: { timeoutMs: 14000 } }, /notifications\.webhook\.timeoutMs = 14000 is not valid; expected less than the function's timeout minus 2 s \(13000 ms for functionTimeoutSeconds 15\)/],
  ])("refuses %j", (notifications, message) => {
    expect(() => synthConfig({ notifications }, { weeks: "4" })).toThrow(message);
  });
});
