/**
 * The week-4 Lambda handler, run for real: it posts to an HTTP server this test starts on 127.0.0.1
 * (node:http), through the global fetch the Lambda runtime has. No fetch mock.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createHandler, formatMessage, type SnsEvent } from "../../modules/notifications/lambda/index.js";

interface Received {
  method?: string;
  contentType?: string;
  body: unknown;
}

let server: Server;
let baseUrl: string;
let respond: (req: IncomingMessage, res: ServerResponse) => void;
const received: Received[] = [];
const hanging: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      received.push({ method: req.method, contentType: req.headers["content-type"], body: text ? JSON.parse(text) : undefined });
      respond(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  received.length = 0;
  for (const res of hanging.splice(0)) res.destroy();
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const answer = (status: number, body = "ok") => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { "content-type": "text/plain" });
  res.end(body);
};

/** A CodePipeline execution state change as CodeStar Notifications publish it to SNS. */
function pipelineEvent(state: string, executionId = "2c5a8f4e-1b7d-4d7e-9c1a-5e6f7a8b9c0d"): string {
  return JSON.stringify({
    account: "123456789012",
    detailType: "CodePipeline Pipeline Execution State Change",
    region: "ap-northeast-2",
    source: "aws.codepipeline",
    time: "2026-03-02T05:06:07Z",
    notificationRuleArn: "arn:aws:codestar-notifications:ap-northeast-2:123456789012:notificationrule/abc",
    detail: { pipeline: "devops-weeks-dev-pipeline", "execution-id": executionId, state, version: 1 },
    resources: ["arn:aws:codepipeline:ap-northeast-2:123456789012:devops-weeks-dev-pipeline"],
    additionalAttributes: {},
  });
}

/** A CloudWatch alarm state change as CloudWatch publishes it to SNS. */
function alarmMessage(state: string): string {
  return JSON.stringify({
    AlarmName: "devops-weeks-dev-docker-host-cpu",
    AlarmDescription: "CPU above 80% for 10 minutes",
    NewStateValue: state,
    NewStateReason: "Threshold Crossed: 2 datapoints [91.2, 88.4] were greater than the threshold (80.0).",
    OldStateValue: state === "OK" ? "ALARM" : "OK",
    StateChangeTime: "2026-03-02T05:06:07.000+0000",
    Region: "Asia Pacific (Seoul)",
  });
}

const snsEvent = (...messages: string[]): SnsEvent => ({
  Records: messages.map((Message, i) => ({ Sns: { Message, Subject: null, MessageId: `message-${i}` } })),
});

const quietLog = () => {};

describe("week 4 notifier: message formatting", () => {
  test("a succeeded execution reads as a successful deploy with a link to the execution", () => {
    const { text } = formatMessage(pipelineEvent("SUCCEEDED"));
    expect(text).toMatch(/^✅ Deploy succeeded: pipeline \*devops-weeks-dev-pipeline\*/);
    expect(text).toContain("execution `2c5a8f4e-1b7d-4d7e-9c1a-5e6f7a8b9c0d`");
    expect(text).toContain(
      "https://ap-northeast-2.console.aws.amazon.com/codesuite/codepipeline/pipelines/devops-weeks-dev-pipeline/executions/2c5a8f4e-1b7d-4d7e-9c1a-5e6f7a8b9c0d/timeline?region=ap-northeast-2",
    );
  });

  test("a failed execution and a started one read as such", () => {
    expect(formatMessage(pipelineEvent("FAILED")).text).toMatch(/^❌ Deploy failed: pipeline \*devops-weeks-dev-pipeline\*/);
    expect(formatMessage(pipelineEvent("STARTED")).text).toMatch(/^🚀 Deploy started: pipeline \*devops-weeks-dev-pipeline\*/);
  });

  test("EventBridge's detail-type spelling is understood too", () => {
    const eventBridge = JSON.parse(pipelineEvent("FAILED"));
    eventBridge["detail-type"] = eventBridge.detailType;
    delete eventBridge.detailType;
    expect(formatMessage(JSON.stringify(eventBridge)).text).toMatch(/^❌ Deploy failed/);
  });

  test("a CloudWatch alarm shows its state, name, description and reason", () => {
    const text = formatMessage(alarmMessage("ALARM")).text;
    expect(text.split("\n")).toEqual([
      "🔴 ALARM: alarm *devops-weeks-dev-docker-host-cpu*",
      "CPU above 80% for 10 minutes",
      "> Threshold Crossed: 2 datapoints [91.2, 88.4] were greater than the threshold (80.0).",
      "(was OK until 2026-03-02T05:06:07.000+0000)",
    ]);
    expect(formatMessage(alarmMessage("OK")).text).toMatch(/^🟢 OK: alarm \*devops-weeks-dev-docker-host-cpu\*/);
  });

  test("any other message is passed on as text, under its subject", () => {
    expect(formatMessage("hello from the console", "Test").text).toBe("*Test*\nhello from the console");
  });
});

describe("week 4 notifier: posting to a real webhook on the loopback", () => {
  test("posts one Slack-compatible JSON message per SNS record", async () => {
    respond = answer(200);
    const handler = createHandler({ getWebhookUrl: async () => `${baseUrl}/services/T000/B000/XXXX`, log: quietLog });
    const result = await handler(snsEvent(pipelineEvent("STARTED"), pipelineEvent("SUCCEEDED")));
    expect(result).toEqual({ delivered: 2 });
    expect(received.map((r) => r.method)).toEqual(["POST", "POST"]);
    expect(received[0].contentType).toBe("application/json");
    expect((received[0].body as { text: string }).text).toMatch(/^🚀 Deploy started/);
    expect((received[1].body as { text: string }).text).toMatch(/^✅ Deploy succeeded/);
  });

  test("a webhook answering 500 fails the invocation (so SNS retries) with the status in the error", async () => {
    respond = answer(500, "internal_error");
    const handler = createHandler({ getWebhookUrl: async () => `${baseUrl}/hook`, log: quietLog });
    await expect(handler(snsEvent(pipelineEvent("FAILED")))).rejects.toThrow(/webhook answered HTTP 500: internal_error/);
    expect(received).toHaveLength(1);
  });

  test("a webhook that never answers fails after the configured timeout, not the function's", async () => {
    respond = (_req, res) => hanging.push(res);
    const handler = createHandler({ getWebhookUrl: async () => `${baseUrl}/slow`, timeoutMs: 200, log: quietLog });
    await expect(handler(snsEvent(alarmMessage("ALARM")))).rejects.toThrow(/did not answer within 200 ms/);
  });

  test("a malformed webhook URL is refused without posting, and the error does not echo the secret", async () => {
    respond = answer(200);
    const secretish = "hooks.slack.com/services/T000/B000/SECRET";
    const handler = createHandler({ getWebhookUrl: async () => secretish, log: quietLog });
    const failure = handler(snsEvent(pipelineEvent("SUCCEEDED")));
    await expect(failure).rejects.toThrow(/webhook URL is malformed/);
    await expect(failure).rejects.not.toThrow(/SECRET/);
    expect(received).toHaveLength(0);
  });

  test("plain http is refused for anything but the loopback", async () => {
    const handler = createHandler({ getWebhookUrl: async () => "http://hooks.example.com/services/x", log: quietLog });
    await expect(handler(snsEvent("hi"))).rejects.toThrow(/must use https:\/\//);
  });

  test("a closed port is reported as unreachable", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const handler = createHandler({ getWebhookUrl: async () => `http://127.0.0.1:${port}/hook`, log: quietLog });
    await expect(handler(snsEvent("hi"))).rejects.toThrow(/could not be reached \(ECONNREFUSED\)/);
  });
});
