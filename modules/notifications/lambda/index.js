// devops-weeks week 4: posts pipeline events and CloudWatch alarms from SNS to a Slack-compatible
// incoming webhook. Node.js built-ins only; the AWS SDK v3 comes with the Lambda runtime.
// The webhook URL lives in an SSM SecureString parameter (WEBHOOK_PARAMETER_NAME), encrypted with a
// key only this function's role may use for decryption. It is a secret: it never appears in a log
// line or an error message.
"use strict";

const DEFAULT_TIMEOUT_MS = 5000;
const MAX_TEXT_LENGTH = 3000;
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** A webhook URL we are willing to post to: https, or http only on the loopback (tests). */
function parseWebhookUrl(raw) {
  let url;
  try {
    url = new URL(String(raw ?? "").trim());
  } catch {
    throw new Error("the webhook URL is malformed (expected an https:// URL such as https://hooks.slack.com/services/...)");
  }
  const loopback = url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== "https:" && !loopback) {
    throw new Error(`the webhook URL must use https:// (got ${url.protocol}//)`);
  }
  return url;
}

const PIPELINE_STATES = {
  STARTED: { icon: "🚀", verb: "started" },
  SUCCEEDED: { icon: "✅", verb: "succeeded" },
  FAILED: { icon: "❌", verb: "failed" },
  STOPPED: { icon: "⏹️", verb: "was stopped" },
  STOPPING: { icon: "⏹️", verb: "is stopping" },
  SUPERSEDED: { icon: "⏭️", verb: "was superseded by a newer run" },
  RESUMED: { icon: "▶️", verb: "resumed" },
  CANCELED: { icon: "⏹️", verb: "was canceled" },
};

const ALARM_STATES = {
  ALARM: "🔴",
  OK: "🟢",
  INSUFFICIENT_DATA: "⚪",
};

function pipelineConsoleUrl(region, pipeline, executionId) {
  const base = `https://${region}.console.aws.amazon.com/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}`;
  return executionId ? `${base}/executions/${encodeURIComponent(executionId)}/timeline?region=${region}` : `${base}/view?region=${region}`;
}

/**
 * The Slack message for one SNS message: a CodePipeline execution state change (as CodeStar
 * Notifications or EventBridge deliver it), a CloudWatch alarm, or any other text as it is.
 */
function formatMessage(message, subject) {
  let event;
  try {
    event = JSON.parse(message);
  } catch {
    event = undefined;
  }
  if (event && typeof event === "object") {
    const detailType = event.detailType ?? event["detail-type"];
    if (detailType === "CodePipeline Pipeline Execution State Change" && event.detail) {
      const { pipeline, state } = event.detail;
      const executionId = event.detail["execution-id"];
      const region = event.region ?? "ap-northeast-2";
      const known = PIPELINE_STATES[state] ?? { icon: "ℹ️", verb: `is ${String(state).toLowerCase()}` };
      const lines = [`${known.icon} Deploy ${known.verb}: pipeline *${pipeline}*`];
      if (executionId) lines.push(`execution \`${executionId}\``);
      lines.push(pipelineConsoleUrl(region, pipeline, executionId));
      return { text: lines.join("\n") };
    }
    if (typeof event.AlarmName === "string" && typeof event.NewStateValue === "string") {
      const icon = ALARM_STATES[event.NewStateValue] ?? "ℹ️";
      const lines = [`${icon} ${event.NewStateValue}: alarm *${event.AlarmName}*`];
      if (event.AlarmDescription) lines.push(String(event.AlarmDescription));
      if (event.NewStateReason) lines.push(`> ${event.NewStateReason}`);
      if (event.OldStateValue) lines.push(`(was ${event.OldStateValue}${event.StateChangeTime ? ` until ${event.StateChangeTime}` : ""})`);
      return { text: lines.join("\n") };
    }
  }
  const text = subject ? `*${subject}*\n${message}` : String(message);
  return { text: text.length > MAX_TEXT_LENGTH ? `${text.slice(0, MAX_TEXT_LENGTH - 1)}…` : text };
}

/** POSTs a JSON payload; throws on a non-2xx answer, a timeout or a network error. */
async function postToWebhook(rawUrl, payload, options = {}) {
  const url = parseWebhookUrl(rawUrl);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    if (error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      throw new Error(`the webhook did not answer within ${timeoutMs} ms`);
    }
    throw new Error(`the webhook could not be reached (${error && error.cause ? error.cause.code ?? error.cause.message : error})`);
  }
  const body = await response.text().catch(() => "");
  if (!response.ok) {
    throw new Error(`the webhook answered HTTP ${response.status}${body ? `: ${body.slice(0, 200)}` : ""}`);
  }
  return response.status;
}

/** Reads the webhook URL from SSM (decrypted) with the SDK the Lambda runtime ships. */
function ssmParameterReader(parameterName) {
  let cached;
  return async () => {
    if (cached) return cached;
    if (!parameterName) throw new Error("WEBHOOK_PARAMETER_NAME is not set");
    const { SSMClient, GetParameterCommand } = require("@aws-sdk/client-ssm");
    const client = new SSMClient({});
    try {
      const result = await client.send(new GetParameterCommand({ Name: parameterName, WithDecryption: true }));
      cached = result.Parameter && result.Parameter.Value;
    } catch (error) {
      throw new Error(
        error && error.name === "ParameterNotFound"
          ? `parameter ${parameterName} does not exist yet: store the webhook URL with aws ssm put-parameter (see the README)`
          : `could not read parameter ${parameterName}: ${error && error.name}`,
      );
    }
    return cached;
  };
}

/**
 * The handler, with its dependencies injectable: tests pass `getWebhookUrl` (and a short
 * `timeoutMs`) and post to a real HTTP server on the loopback.
 */
function createHandler(options = {}) {
  const getWebhookUrl = options.getWebhookUrl ?? ssmParameterReader(process.env.WEBHOOK_PARAMETER_NAME);
  const timeoutMs = options.timeoutMs ?? Number(process.env.WEBHOOK_TIMEOUT_MS || DEFAULT_TIMEOUT_MS);
  const log = options.log ?? ((line) => console.log(line));
  return async (event) => {
    const records = (event && event.Records) || [];
    const url = await getWebhookUrl();
    let delivered = 0;
    for (const record of records) {
      if (!record.Sns) continue;
      const payload = formatMessage(record.Sns.Message, record.Sns.Subject);
      const status = await postToWebhook(url, payload, { timeoutMs });
      log(`delivered SNS message ${record.Sns.MessageId ?? "(no id)"} to the webhook: HTTP ${status}`);
      delivered += 1;
    }
    return { delivered };
  };
}

module.exports = { createHandler, formatMessage, postToWebhook, parseWebhookUrl, handler: createHandler() };
