/**
 * The week-4 notifier and week 1's security alerts: each kind of alert, as EventBridge hands it to SNS
 * (and straight to the function), arrives at a real HTTP server on 127.0.0.1 as a security message;
 * hostile values in the events arrive escaped; other events are never called security alerts.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { createHandler, type EventBridgeEvent, type SnsEvent } from "../../modules/notifications/lambda/index.js";
import { securityAlertsSettings, securityEventPatterns } from "../../modules/security-alerts";
import { matches } from "../security-alerts/event-patterns";
import { accessKeyCreated, consoleSignIn, guardDutyFinding, instanceFinding, instanceStateChange, securityGroupOpened, type SampleEvent } from "./security-events";

let server: Server;
let hookUrl: string;
const posted: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      posted.push((JSON.parse(Buffer.concat(chunks).toString("utf8")) as { text: string }).text);
      res.writeHead(200, { "content-type": "text/plain" });
      res.end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/XXXX`;
});

afterEach(() => {
  posted.length = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const handler = () => createHandler({ getWebhookUrl: async () => hookUrl, log: () => {} });

/** What EventBridge publishes to the alerts topic (the whole event as the message, no subject), as SNS invokes the function. */
const viaSns = (...events: unknown[]): SnsEvent => ({
  Records: events.map((event, i) => ({ Sns: { Message: JSON.stringify(event), Subject: null, MessageId: `message-${i}` } })),
});

/** The text the fake webhook received for one event delivered through SNS. */
async function postedFor(event: unknown): Promise<string> {
  const result = await handler()(viaSns(event));
  expect(result).toEqual({ delivered: 1 });
  expect(posted).toHaveLength(1);
  return posted[0];
}

const lines = async (event: unknown) => (await postedFor(event)).split("\n");

describe("week 4 notifier: each kind of security alert at the chat webhook", () => {
  test("a GuardDuty finding: severity band, title, description, type, resource, source IP, account, region, and the finding in the console", async () => {
    expect(await lines(guardDutyFinding())).toEqual([
      "🔴 *Security alert · HIGH*: GuardDuty finding, severity 8 (a sample finding)",
      "*Credentials for the EC2 instance role GeneratedFindingUserName used from an external IP address.*",
      "Credentials created exclusively for an EC2 instance using instance role GeneratedFindingUserName have been used from external IP address 198.51.100.0.",
      "Finding type: `UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS`",
      "Resource: `AccessKey` `GeneratedFindingUserName` `ASIASZCZ3FXAMPLE`",
      "Source IP: `198.51.100.0`",
      "Account `123456789012` · region `ap-northeast-2`",
      "https://ap-northeast-2.console.aws.amazon.com/guardduty/home?region=ap-northeast-2#/findings?search=id%3D16afba5c5c43e07c9e3e5e2e544e95df",
    ]);
  });

  test("GuardDuty's bands mark the headline: 9 and up critical, 7 high, 4 medium, below low; an instance finding names the instance", async () => {
    expect((await lines(guardDutyFinding({ detail: { severity: 9.5 } })))[0]).toBe("🚨 *Security alert · CRITICAL*: GuardDuty finding, severity 9.5 (a sample finding)");
    posted.length = 0;
    expect((await lines(guardDutyFinding({ detail: { severity: 5 } })))[0]).toMatch(/^🟠 \*Security alert · MEDIUM\*/);
    posted.length = 0;
    const instance = await lines(instanceFinding());
    expect(instance[0]).toMatch(/^🟡 \*Security alert · LOW\*: GuardDuty finding, severity 2/);
    expect(instance).toContain("Resource: `Instance` `i-99999999`");
    expect(instance).toContain("Source IP: `198.51.100.1`");
    expect(instance).toContain("Seen 14 times");
  });

  test("a security group opened to the internet: the group, what it admits, who, from where, the API call, and the event in CloudTrail", async () => {
    expect(await lines(securityGroupOpened())).toEqual([
      "🔴 *Security alert · HIGH*: security group opened to the internet",
      "`sg-0123456789abcdef0` admits `tcp 22` from `0.0.0.0/0`",
      "By: `arn:aws:iam::123456789012:user/kim`",
      "Source IP: `203.0.113.7`",
      "API call: `ec2.amazonaws.com` `AuthorizeSecurityGroupIngress`",
      "Account `123456789012` · region `ap-northeast-2`",
      "https://ap-northeast-2.console.aws.amazon.com/cloudtrailv2/home?region=ap-northeast-2#/events/8b4e6c3f-1d2a-4b5c-9e8f-7a6b5c4d3e2f",
    ]);
    posted.length = 0;
    const ipv6 = await lines(securityGroupOpened({ ipv6Ranges: { items: [{ cidrIpv6: "::/0" }] } }, { detail: { errorCode: "UnauthorizedOperation" } }));
    expect(ipv6[0]).toBe("🔴 *Security alert · HIGH*: security group opened to the internet — the call failed: `UnauthorizedOperation`");
    expect(ipv6[1]).toBe("`sg-0123456789abcdef0` admits `tcp 22` from `::/0`");
  });

  test("the root user signing in: critical, with MFA, who, source IP and the sign-in in us-east-1's CloudTrail", async () => {
    expect(await lines(consoleSignIn())).toEqual([
      "🚨 *Security alert · CRITICAL*: the root user signed in to the console without MFA",
      "MFA used: No",
      "By: `arn:aws:iam::123456789012:root`",
      "Source IP: `192.0.2.0`",
      "Event: `signin.amazonaws.com` `ConsoleLogin`",
      "Account `123456789012` · region `us-east-1`",
      "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/deb1e1f9-c99b-4612-8e9f-21f93b5c79c0",
    ]);
    posted.length = 0;
    expect((await lines(consoleSignIn({ outcome: "Failure" })))[0]).toBe("🔴 *Security alert · HIGH*: a console sign-in as the root user failed");
    posted.length = 0;
    // AWS's event reference spells the detail-type "Signin"; the rules match both.
    expect((await lines(consoleSignIn({}, { "detail-type": "AWS Console Signin via CloudTrail" })))[0]).toMatch(/^🚨 \*Security alert · CRITICAL\*: the root user signed in/);
  });

  test("an IAM user signing in without MFA is an alert; with MFA, a notice; a failed sign-in, a low alert", async () => {
    expect((await lines(consoleSignIn({ user: "IAMUser", mfa: "No" })))[0]).toBe("🟠 *Security alert · MEDIUM*: console sign-in without MFA by IAM user `JohnDoe`");
    posted.length = 0;
    expect((await lines(consoleSignIn({ user: "IAMUser", mfa: "Yes" })))[0]).toBe("🔵 *Security notice · INFO*: console sign-in by IAM user `JohnDoe`");
    posted.length = 0;
    expect((await lines(consoleSignIn({ user: "IAMUser", outcome: "Failure" })))[0]).toBe("🟡 *Security alert · LOW*: a console sign-in failed for IAM user `JohnDoe`");
  });

  test("a new access key: whose, its id, who made it, from where, and the call in CloudTrail", async () => {
    expect(await lines(accessKeyCreated())).toEqual([
      "🟠 *Security alert · MEDIUM*: a new access key for IAM user `JaneDoe`",
      "Access key: `AKIAIOSFODNN7EXAMPLE`",
      "By: `arn:aws:iam::123456789012:user/kim`",
      "Source IP: `192.0.2.0`",
      "API call: `iam.amazonaws.com` `CreateAccessKey`",
      "Account `123456789012` · region `us-east-1`",
      "https://us-east-1.console.aws.amazon.com/cloudtrailv2/home?region=us-east-1#/events/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d",
    ]);
  });

  test("an access key for the root user is critical, and a secret in the event never reaches the chat", async () => {
    const rootKey = accessKeyCreated({
      detail: {
        userIdentity: { type: "Root", principalId: "123456789012", arn: "arn:aws:iam::123456789012:root", accountId: "123456789012" },
        requestParameters: null,
        responseElements: { accessKey: { accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", status: "Active" } },
      },
    });
    const text = await postedFor(rootKey);
    expect(text.split("\n")[0]).toBe("🚨 *Security alert · CRITICAL*: an access key for the root user");
    expect(text).not.toContain("wJalrXUtnFEMI");
  });

  test("straight from an EventBridge rule (no SNS around it), the same message", async () => {
    const direct = await handler()(guardDutyFinding() as unknown as EventBridgeEvent);
    expect(direct).toEqual({ delivered: 1 });
    const [fromRule] = posted.splice(0);
    expect(fromRule).toBe(await postedFor(guardDutyFinding()));
  });

  test("the samples are the events week 1's rules send: the finding and the opened group fire them", () => {
    const patterns = securityEventPatterns(securityAlertsSettings.parse({}));
    const fired = (event: SampleEvent) => Object.entries(patterns).filter(([, pattern]) => matches(pattern as Record<string, unknown>, event)).map(([id]) => id);
    expect(fired(guardDutyFinding())).toContain("guardduty-findings");
    expect(fired(securityGroupOpened())).toContain("sg-open-to-ipv4-world");
    expect(fired(instanceStateChange())).toEqual([]);
  });
});

describe("week 4 notifier: hostile values in security events", () => {
  const hostile = "<!channel> <@U012AB3CD> <https://evil.example|click here> &amp; *bold* _italic_ ~strike~ `code` [link](https://evil.example) @here @everyone";

  test("Slack's control sequences, markup and mass mentions arrive inert in prose and in code spans", async () => {
    const text = await postedFor(
      guardDutyFinding({
        detail: {
          title: hostile,
          description: `first line\n✅ Deploy succeeded: pipeline *fake*\r\n${hostile}`,
          type: "Backdoor:EC2/C&CActivity.B!DNS `tick` <!here>",
        },
      }),
    );
    for (const raw of ["<!channel>", "<@U012AB3CD>", "<https://", "<!here>", "*bold*", "_italic_", "~strike~", "`code`", "](https", "@here", "@everyone"]) {
      expect(text, raw).not.toContain(raw);
    }
    const [, title, description, type] = text.split("\n");
    expect(title).toBe("*&lt;!channel&gt; &lt;@\u200bU012AB3CD&gt; &lt;https://evil.example|click here&gt; &amp;amp; ∗bold∗ ＿italic＿ ∼strike∼ ˋcodeˋ [link] (https://evil.example) @\u200bhere @\u200beveryone*");
    // A newline in a value cannot start a line of its own (no fake deploy line under a security headline).
    expect(description).toBe(`first line ✅ Deploy succeeded: pipeline ∗fake∗ ${title.slice(1, -1)}`);
    expect(type).toBe("Finding type: `Backdoor:EC2/C&amp;CActivity.B!DNS ˋtickˋ &lt;!here&gt;`");
    expect(text.split("\n").filter((line) => line.startsWith("✅"))).toEqual([]);
  });

  test("an ARN with backticks stays inside its code span, and a source address that is markup is only text", async () => {
    const [, , by, source] = await lines(
      securityGroupOpened(undefined, {
        detail: {
          userIdentity: { type: "IAMUser", arn: "arn:aws:iam::123456789012:user/`</code> <!channel>`", userName: "x" },
          sourceIPAddress: "<https://evil.example|203.0.113.7>",
        },
      }),
    );
    expect(by).toBe("By: `arn:aws:iam::123456789012:user/ˋ&lt;/code&gt; &lt;!channel&gt;ˋ`");
    expect(source).toBe("Source IP: `&lt;https://evil.example|203.0.113.7&gt;`");
  });

  test("very long values are clipped, and the whole message stays within Slack's 3000 characters", async () => {
    const [, title, description, type] = await lines(guardDutyFinding({ detail: { title: "T".repeat(10_000), description: "D".repeat(10_000), type: "x".repeat(10_000) } }));
    expect(title).toBe(`*${"T".repeat(199)}…*`);
    expect(description).toBe(`${"D".repeat(599)}…`);
    expect(type).toBe(`Finding type: \`${"x".repeat(199)}…\``);
    posted.length = 0;
    // Escaping lengthens a value (& is five characters): the message is cut at 3000, never inside an entity.
    const text = await postedFor(guardDutyFinding({ detail: { description: "&".repeat(10_000) } }));
    expect(text.length).toBeLessThanOrEqual(3000);
    expect(text).toMatch(/(&amp;)+…$/);
  });

  test("a region that is not a region does not steer the console link elsewhere", async () => {
    const text = await postedFor(guardDutyFinding({ detail: { region: "evil.example/#", id: "a/../b?c" } }));
    expect(text).toContain("https://console.aws.amazon.com/guardduty/home#/findings?search=id%3Da%2F..%2Fb%3Fc");
    expect(text).toContain("region `evil.example/#`");
  });

  test("deploy messages escape their values the same way", async () => {
    const alarm = { AlarmName: "cpu <!channel>", AlarmDescription: "*urgent* @here", NewStateValue: "INSUFFICIENT_DATA", OldStateValue: "OK" };
    expect(await lines(alarm)).toEqual(["⚪ INSUFFICIENT_DATA: alarm *cpu &lt;!channel&gt;*", "∗urgent∗ @\u200bhere", "(was OK)"]);
    posted.length = 0;
    await handler()({ Records: [{ Sns: { Message: "<!channel> deploy\nsecond `line`", Subject: "From *the* console" } }] });
    expect(posted).toEqual(["*From ∗the∗ console*\n&lt;!channel&gt; deploy\nsecond ˋlineˋ"]);
  });
});

describe("week 4 notifier: what is not a security alert", () => {
  test("an instance starting, a group opened to one address, and a deploy are not reported as security alerts", async () => {
    const result = await handler()(
      viaSns(instanceStateChange(), securityGroupOpened({ ipRanges: { items: [{ cidrIp: "203.0.113.10/32" }] } }), {
        detailType: "CodePipeline Pipeline Execution State Change",
        region: "ap-northeast-2",
        detail: { pipeline: "devops-weeks-dev-pipeline", "execution-id": "2c5a8f4e", state: "SUCCEEDED" },
      }),
    );
    expect(result).toEqual({ delivered: 3 });
    for (const text of posted) expect(text).not.toMatch(/Security (alert|notice)/);
    expect(posted[0].split("\n")).toEqual(["ℹ️ Event *EC2 Instance State-change Notification* from `aws.ec2`", "Account `123456789012` · region `ap-northeast-2`"]);
    expect(posted[1].split("\n")[0]).toBe("ℹ️ Event *AWS API Call via CloudTrail* from `aws.ec2`");
    expect(posted[2].split("\n")[0]).toBe("✅ Deploy succeeded: pipeline *devops-weeks-dev-pipeline*");
  });

  test("a finding claimed by some other source is not GuardDuty's", async () => {
    expect(await postedFor({ ...guardDutyFinding(), source: "my.app" })).toMatch(/^ℹ️ Event \*GuardDuty Finding\* from `my\.app`/);
  });

  test("shapes no formatter expects get a safe message instead of a failed delivery", async () => {
    const odd = [
      { "detail-type": "GuardDuty Finding", source: "aws.guardduty", detail: { severity: { high: true }, resource: "Instance", service: [1, 2], title: ["not", "text"] } },
      { "detail-type": "AWS Console Sign In via CloudTrail", source: "aws.signin", detail: { eventName: "ConsoleLogin", userIdentity: "Root", additionalEventData: null } },
      { "detail-type": "AWS API Call via CloudTrail", source: "aws.ec2", detail: { eventSource: "ec2.amazonaws.com", eventName: "AuthorizeSecurityGroupIngress", requestParameters: { ipPermissions: { items: "0.0.0.0/0" } } } },
      { "detail-type": "AWS API Call via CloudTrail", source: "aws.iam", detail: { eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey", responseElements: { accessKey: 42 } } },
      { "detail-type": { nested: true }, source: "aws.guardduty", detail: "a string" },
      [1, 2, 3],
      null,
    ];
    const result = await handler()(viaSns(...odd));
    expect(result).toEqual({ delivered: odd.length });
    expect(posted[0]).toMatch(/^🟠 \*Security alert · MEDIUM\*: GuardDuty finding\n/);
    expect(posted[1]).toMatch(/^🔵 \*Security notice · INFO\*: console sign-in by an unknown identity\n/);
    expect(posted[2]).toMatch(/^ℹ️ Event \*AWS API Call via CloudTrail\*/);
    expect(posted[3]).toMatch(/^🟠 \*Security alert · MEDIUM\*: a new access key for IAM user \(the caller\)/);
    expect(posted.slice(4)).toEqual(['{"detail-type":{"nested":true},"source":"aws.guardduty","detail":"a string"}', "[1,2,3]", "null"]);
  });

  test("an invocation that is neither SNS nor EventBridge posts nothing", async () => {
    expect(await handler()({ hello: "world" } as unknown as SnsEvent)).toEqual({ delivered: 0 });
    expect(posted).toEqual([]);
  });
});
