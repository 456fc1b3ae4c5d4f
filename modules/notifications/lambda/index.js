// devops-weeks week 4: posts pipeline events, CloudWatch alarms and week 1's security alerts (from SNS,
// or straight from an EventBridge rule) to a Slack-compatible incoming webhook. Node.js built-ins
// only; the AWS SDK v3 comes with the Lambda runtime.
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

// Text from an event goes into the message through `text` (prose, names) or `code` (identifiers in
// an inline code span): one line each, clipped, with what Slack-compatible chats would read as markup
// made inert. Slack's own escaping (& < >) keeps `<!channel>`, `<@U123>` and `<url|label>` from forming;
// the formatting marks are replaced by look-alikes, since mrkdwn has no escape for them (an underscore
// inside a word stays: no chat formats it there, and `INSUFFICIENT_DATA` reads as itself); `@here`,
// `@channel` and user names in prose get a zero-width space after the @, so no chat pings anyone.
const MAX_FIELD_LENGTH = 200;
const MAX_PROSE_LENGTH = 600;
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const MARKUP_LOOKALIKES = { "*": "\u2217", _: "\uff3f", "~": "\u223c", "`": "\u02cb" };
const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** At most `max` characters (code points: an emoji is never cut in half), with … when clipped. */
function clip(value, max) {
  const characters = Array.from(value);
  return characters.length > max ? `${characters.slice(0, max - 1).join("")}…` : value;
}

function oneLine(value, max) {
  return clip(String(value ?? "").replace(CONTROL_CHARACTERS, " ").trim(), max);
}

function escapeEntities(value) {
  return value.replace(/[&<>]/g, (c) => ENTITIES[c]);
}

/** Prose or a name, shown as written and formatting nothing. */
function text(value, max = MAX_FIELD_LENGTH) {
  return escapeEntities(oneLine(value, max))
    .replace(/[*~`]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])/g, (c) => MARKUP_LOOKALIKES[c])
    .replace(/\]\(/g, "] (")
    .replace(/@(?=\w)/g, "@\u200b");
}

/** An identifier in an inline code span, where chats format nothing; only a backtick could end it early. */
function code(value, max = MAX_FIELD_LENGTH) {
  const inner = escapeEntities(oneLine(value, max)).replace(/`/g, MARKUP_LOOKALIKES["`"]);
  return `\`${inner || " "}\``;
}

/** The whole message within Slack's limit, without cutting an entity (`&amp;`) in half. */
function capText(value) {
  if (value.length <= MAX_TEXT_LENGTH) return value;
  return `${value.slice(0, MAX_TEXT_LENGTH - 1).replace(/&[a-z]*$/, "").replace(/[\ud800-\udbff]$/, "")}…`;
}

/** A string or number from an event; anything else (an object where a name was expected) is absent. */
function field(value) {
  return typeof value === "string" || typeof value === "number" ? String(value) : undefined;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** The console's host for a region from an event, or the global one when the value is not a region. */
function consoleBase(region) {
  return REGION.test(region ?? "") ? `https://${region}.console.aws.amazon.com` : "https://console.aws.amazon.com";
}

function regionQuery(region) {
  return REGION.test(region ?? "") ? `?region=${region}` : "";
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
  const base = `${consoleBase(region)}/codesuite/codepipeline/pipelines/${encodeURIComponent(pipeline)}`;
  return executionId ? `${base}/executions/${encodeURIComponent(executionId)}/timeline${regionQuery(region)}` : `${base}/view${regionQuery(region)}`;
}

function pipelineMessage(event) {
  const pipeline = field(event.detail.pipeline) ?? "";
  const state = field(event.detail.state) ?? "";
  const executionId = field(event.detail["execution-id"]);
  const region = field(event.region) ?? "ap-northeast-2";
  const known = PIPELINE_STATES[state] ?? { icon: "ℹ️", verb: `is ${text(state.toLowerCase())}` };
  const lines = [`${known.icon} Deploy ${known.verb}: pipeline *${text(pipeline)}*`];
  if (executionId) lines.push(`execution ${code(executionId)}`);
  lines.push(pipelineConsoleUrl(region, pipeline, executionId));
  return lines;
}

function alarmMessage(event) {
  const state = field(event.NewStateValue);
  const icon = ALARM_STATES[state] ?? "ℹ️";
  const lines = [`${icon} ${text(state)}: alarm *${text(event.AlarmName)}*`];
  if (field(event.AlarmDescription)) lines.push(text(event.AlarmDescription, MAX_PROSE_LENGTH));
  if (field(event.NewStateReason)) lines.push(`> ${text(event.NewStateReason, MAX_PROSE_LENGTH)}`);
  if (field(event.OldStateValue)) lines.push(`(was ${text(event.OldStateValue)}${field(event.StateChangeTime) ? ` until ${text(event.StateChangeTime)}` : ""})`);
  return lines;
}

// Security messages: a severity marker and "Security alert" first, so they never read as a deploy.
const SEVERITIES = {
  critical: { marker: "🚨", label: "CRITICAL" },
  high: { marker: "🔴", label: "HIGH" },
  medium: { marker: "🟠", label: "MEDIUM" },
  low: { marker: "🟡", label: "LOW" },
  info: { marker: "🔵", label: "INFO" },
};

/** GuardDuty's bands: low 1.0-3.9, medium 4.0-6.9, high 7.0-8.9, critical 9.0-10.0. */
function guardDutyBand(severity) {
  return severity >= 9 ? "critical" : severity >= 7 ? "high" : severity >= 4 ? "medium" : "low";
}

function headline(severity, what) {
  const { marker, label } = SEVERITIES[severity];
  return `${marker} *Security ${severity === "info" ? "notice" : "alert"} · ${label}*: ${what}`;
}

function accountLine(account, region) {
  if (account && region) return `Account ${code(account)} · region ${code(region)}`;
  if (account) return `Account ${code(account)}`;
  return region ? `Region ${code(region)}` : undefined;
}

function guardDutyConsoleUrl(region, findingId) {
  const base = `${consoleBase(region)}/guardduty/home${regionQuery(region)}#/findings`;
  return findingId ? `${base}?search=id%3D${encodeURIComponent(findingId)}` : base;
}

function cloudTrailConsoleUrl(region, eventId) {
  const base = `${consoleBase(region)}/cloudtrailv2/home${regionQuery(region)}#/events`;
  return eventId ? `${base}/${encodeURIComponent(eventId)}` : base;
}

/** The resource a finding is about, by its type (the names GuardDuty's finding format uses). */
function findingResource(resource) {
  if (!isObject(resource)) return undefined;
  const type = field(resource.resourceType);
  const details = [
    isObject(resource.instanceDetails) && field(resource.instanceDetails.instanceId),
    isObject(resource.accessKeyDetails) && field(resource.accessKeyDetails.userName),
    isObject(resource.accessKeyDetails) && field(resource.accessKeyDetails.accessKeyId),
    Array.isArray(resource.s3BucketDetails) && isObject(resource.s3BucketDetails[0]) && field(resource.s3BucketDetails[0].name),
    isObject(resource.eksClusterDetails) && field(resource.eksClusterDetails.name),
    isObject(resource.lambdaDetails) && field(resource.lambdaDetails.functionName),
    isObject(resource.rdsDbInstanceDetails) && field(resource.rdsDbInstanceDetails.dbInstanceIdentifier),
  ].filter(Boolean);
  const shown = [type, ...details].filter(Boolean);
  return shown.length > 0 ? shown.map((v) => code(v)).join(" ") : undefined;
}

/** Where a finding's activity came from: the remote address of the action GuardDuty saw. */
function findingSourceIp(service) {
  const action = isObject(service) && isObject(service.action) ? service.action : undefined;
  if (!action) return undefined;
  for (const value of Object.values(action)) {
    if (!isObject(value)) continue;
    const candidates = [value.remoteIpDetails, ...(Array.isArray(value.portProbeDetails) ? value.portProbeDetails.map((p) => isObject(p) && p.remoteIpDetails) : [])];
    for (const remote of candidates) {
      if (isObject(remote) && (field(remote.ipAddressV4) || field(remote.ipAddressV6))) return field(remote.ipAddressV4) ?? field(remote.ipAddressV6);
    }
  }
  return undefined;
}

function guardDutyMessage(event) {
  const { detail } = event;
  const severityValue = typeof detail.severity === "number" ? detail.severity : Number(field(detail.severity));
  const severity = Number.isFinite(severityValue) ? guardDutyBand(severityValue) : "medium";
  const region = field(detail.region) ?? field(event.region);
  const sample = isObject(detail.service) && isObject(detail.service.additionalInfo) && detail.service.additionalInfo.sample === true;
  const lines = [headline(severity, `GuardDuty finding${Number.isFinite(severityValue) ? `, severity ${severityValue}` : ""}${sample ? " (a sample finding)" : ""}`)];
  if (field(detail.title)) lines.push(`*${text(detail.title)}*`);
  if (field(detail.description)) lines.push(text(detail.description, MAX_PROSE_LENGTH));
  if (field(detail.type)) lines.push(`Finding type: ${code(detail.type)}`);
  const resource = findingResource(detail.resource);
  if (resource) lines.push(`Resource: ${resource}`);
  const sourceIp = findingSourceIp(detail.service);
  if (sourceIp) lines.push(`Source IP: ${code(sourceIp)}`);
  const count = isObject(detail.service) && typeof detail.service.count === "number" ? detail.service.count : 1;
  if (count > 1) lines.push(`Seen ${count} times`);
  const where = accountLine(field(detail.accountId) ?? field(event.account), region);
  if (where) lines.push(where);
  lines.push(guardDutyConsoleUrl(region, field(detail.id)));
  return lines;
}

/** Who made a CloudTrail-recorded call: the ARN, else the user name, else the identity type. */
function caller(identity) {
  if (!isObject(identity)) return undefined;
  return field(identity.arn) ?? field(identity.userName) ?? field(identity.type);
}

/** The lines every CloudTrail message ends with: who, from where, the call, the account, the link. */
function cloudTrailLines(event, { call = "API call" } = {}) {
  const { detail } = event;
  const region = field(detail.awsRegion) ?? field(event.region);
  const lines = [];
  const by = caller(detail.userIdentity);
  if (by) lines.push(`By: ${code(by)}`);
  if (field(detail.sourceIPAddress)) lines.push(`Source IP: ${code(detail.sourceIPAddress)}`);
  if (field(detail.eventName)) lines.push(`${call}: ${[detail.eventSource, detail.eventName].filter(field).map((v) => code(v)).join(" ")}`);
  const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
  const where = accountLine(field(detail.recipientAccountId) ?? field(identity.accountId) ?? field(event.account), region);
  if (where) lines.push(where);
  lines.push(cloudTrailConsoleUrl(region, field(detail.eventID)));
  return lines;
}

/** A call CloudTrail recorded as refused (AccessDenied, ...): the headline says so. */
function failure(detail) {
  return field(detail.errorCode) ? ` — the call failed: ${code(detail.errorCode)}` : "";
}

const WORLD_RANGES = [
  ["ipRanges", "cidrIp", "0.0.0.0/0"],
  ["ipv6Ranges", "cidrIpv6", "::/0"],
];

const items = (list) => (isObject(list) && Array.isArray(list.items) ? list.items.filter(isObject) : []);

/** Each permission of an AuthorizeSecurityGroupIngress call that admits the whole internet, as "tcp 22 from 0.0.0.0/0". */
function worldOpenings(detail) {
  const permissions = isObject(detail.requestParameters) ? items(detail.requestParameters.ipPermissions) : [];
  return permissions.flatMap((permission) => {
    const protocol = field(permission.ipProtocol);
    const from = field(permission.fromPort);
    const to = field(permission.toPort);
    const ports = protocol === "-1" || protocol === undefined ? "all traffic" : `${protocol}${from === undefined ? "" : ` ${from === to || to === undefined ? from : `${from}-${to}`}`}`;
    return WORLD_RANGES.flatMap(([list, key, world]) => items(permission[list]).filter((range) => range[key] === world).map(() => `${code(ports)} from ${code(world)}`));
  });
}

function securityGroupMessage(event, openings) {
  const { detail } = event;
  const group = field(detail.requestParameters.groupId) ?? field(detail.requestParameters.groupName);
  const lines = [headline("high", `security group opened to the internet${failure(detail)}`)];
  lines.push(`${group ? code(group) : "A security group"} admits ${openings.slice(0, 10).join(", ")}${openings.length > 10 ? ", …" : ""}`);
  return [...lines, ...cloudTrailLines(event)];
}

function consoleSignInMessage(event) {
  const { detail } = event;
  const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
  const type = field(identity.type);
  const mfa = isObject(detail.additionalEventData) ? field(detail.additionalEventData.MFAUsed) : undefined;
  const outcome = isObject(detail.responseElements) ? field(detail.responseElements.ConsoleLogin) : undefined;
  const failed = outcome === "Failure" || Boolean(field(detail.errorMessage));
  const name = type === "Root" ? "the root user" : field(identity.userName) ? `IAM user ${code(identity.userName)}` : type ? `an identity of type ${code(type)}` : "an unknown identity";
  let severity;
  let what;
  if (type === "Root") {
    severity = failed ? "high" : "critical";
    what = failed ? "a console sign-in as the root user failed" : `the root user signed in to the console${mfa === "No" ? " without MFA" : ""}`;
  } else if (failed) {
    severity = "low";
    what = `a console sign-in failed for ${name}`;
  } else if (mfa === "No" && type === "IAMUser") {
    severity = "medium";
    what = `console sign-in without MFA by ${name}`;
  } else {
    severity = "info";
    what = `console sign-in by ${name}`;
  }
  const lines = [headline(severity, what)];
  if (mfa) lines.push(`MFA used: ${text(mfa)}${failed && field(detail.errorMessage) ? ` · ${text(detail.errorMessage)}` : ""}`);
  return [...lines, ...cloudTrailLines(event, { call: "Event" })];
}

function accessKeyMessage(event) {
  const { detail } = event;
  const identity = isObject(detail.userIdentity) ? detail.userIdentity : {};
  const request = isObject(detail.requestParameters) ? detail.requestParameters : {};
  const key = isObject(detail.responseElements) && isObject(detail.responseElements.accessKey) ? detail.responseElements.accessKey : {};
  // Without a user name in the request, the key is the caller's own: for the root user, a root key.
  const owner = field(request.userName) ?? field(key.userName);
  const rootKey = field(identity.type) === "Root" && !owner;
  const lines = [headline(rootKey ? "critical" : "medium", `${rootKey ? "an access key for the root user" : `a new access key for IAM user ${owner ? code(owner) : "(the caller)"}`}${failure(detail)}`)];
  // The secret never reaches the chat, whatever the event carries: only the key's id.
  if (field(key.accessKeyId)) lines.push(`Access key: ${code(key.accessKeyId)}`);
  return [...lines, ...cloudTrailLines(event)];
}

/** Sign-in events say "Sign In"; AWS's event reference spells it "Signin". Either is a sign-in. */
const SIGN_IN_DETAIL_TYPES = new Set(["AWS Console Sign In via CloudTrail", "AWS Console Signin via CloudTrail"]);

/** The security message for an event, or undefined when it is not one of the alerts' kinds. */
function securityLines(event) {
  const detailType = field(event["detail-type"] ?? event.detailType);
  const { detail } = event;
  if (!isObject(detail)) return undefined;
  if (detailType === "GuardDuty Finding" && event.source === "aws.guardduty") return guardDutyMessage(event);
  if (SIGN_IN_DETAIL_TYPES.has(detailType) && detail.eventName === "ConsoleLogin") return consoleSignInMessage(event);
  if (detailType !== "AWS API Call via CloudTrail") return undefined;
  if (detail.eventSource === "ec2.amazonaws.com" && detail.eventName === "AuthorizeSecurityGroupIngress") {
    const openings = worldOpenings(detail);
    return openings.length > 0 ? securityGroupMessage(event, openings) : undefined;
  }
  if (detail.eventSource === "iam.amazonaws.com" && detail.eventName === "CreateAccessKey") return accessKeyMessage(event);
  return undefined;
}

/** Any other EventBridge event: what it is and where from, never called a security alert. */
function otherEventLines(event) {
  const detailType = field(event["detail-type"] ?? event.detailType);
  const detail = isObject(event.detail) ? event.detail : {};
  const lines = [`ℹ️ Event *${text(detailType)}* from ${code(field(event.source) ?? "(no source)")}`];
  if (field(detail.eventName)) lines.push(`API call: ${[detail.eventSource, detail.eventName].filter(field).map((v) => code(v)).join(" ")}`);
  const where = accountLine(field(event.account), field(event.region));
  if (where) lines.push(where);
  return lines;
}

function isEventBridgeEvent(event) {
  return isObject(event) && Boolean(field(event["detail-type"] ?? event.detailType)) && Boolean(field(event.source));
}

/**
 * The Slack message for one event object: a CodePipeline execution state change (as CodeStar
 * Notifications or EventBridge deliver it), a CloudWatch alarm, a security alert (a GuardDuty finding,
 * a security group opened to the internet, a console sign-in, a new access key), another EventBridge
 * event in one line, or undefined for any other object.
 */
function formatEvent(event) {
  if (!isObject(event)) return undefined;
  const detailType = field(event["detail-type"] ?? event.detailType);
  let lines;
  try {
    if (detailType === "CodePipeline Pipeline Execution State Change" && isObject(event.detail)) lines = pipelineMessage(event);
    else if (field(event.AlarmName) !== undefined && field(event.NewStateValue) !== undefined) lines = alarmMessage(event);
    else lines = securityLines(event) ?? (isEventBridgeEvent(event) ? otherEventLines(event) : undefined);
  } catch {
    // A shape no formatter expected: say what little is safe to say rather than fail the delivery.
    lines = [`ℹ️ An event the notifier could not read${detailType ? `: *${text(detailType)}*` : ""}`];
  }
  return lines && { text: capText(lines.join("\n")) };
}

/** The Slack message for one SNS message: an event `formatEvent` knows, or the text as it is, escaped. */
function formatMessage(message, subject) {
  let event;
  try {
    event = JSON.parse(message);
  } catch {
    event = undefined;
  }
  const formatted = formatEvent(event);
  if (formatted) return formatted;
  // Plain text keeps its lines; each is escaped like any value from an event.
  const body = String(message ?? "").split(/\r?\n/).map((line) => text(line, MAX_TEXT_LENGTH)).join("\n");
  return { text: capText(subject ? `*${text(subject)}*\n${body}` : body) };
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
    const url = await getWebhookUrl();
    const messages = [];
    if (event && Array.isArray(event.Records)) {
      for (const record of event.Records) {
        if (record && record.Sns) messages.push({ what: `SNS message ${record.Sns.MessageId ?? "(no id)"}`, payload: formatMessage(record.Sns.Message, record.Sns.Subject) });
      }
    } else if (isEventBridgeEvent(event)) {
      messages.push({ what: `EventBridge event ${field(event.id) ?? "(no id)"}`, payload: formatEvent(event) });
    } else {
      log("ignored an invocation that is neither SNS records nor an EventBridge event");
    }
    let delivered = 0;
    for (const { what, payload } of messages) {
      const status = await postToWebhook(url, payload, { timeoutMs });
      log(`delivered ${what} to the webhook: HTTP ${status}`);
      delivered += 1;
    }
    return { delivered };
  };
}

module.exports = { createHandler, formatEvent, formatMessage, postToWebhook, parseWebhookUrl, handler: createHandler() };
