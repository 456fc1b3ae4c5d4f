/**
 * The cost guard from week 1: a budget with alerts and the brake AWS runs by itself, planned offline by
 * real Terraform; nothing without an address; bad input refused with one line each.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { synthConfig, type Synthesized } from "../support/synth";
import { planStackOffline, type PlanResult } from "../support/terraform";

const AWS_STACK = "devops-weeks-dev";

describe("week 1 with an alert address, planned offline", () => {
  let synth: Synthesized;
  let plan: PlanResult;

  beforeAll(() => {
    synth = synthConfig({ costGuard: { emails: ["kim@example.com"], nightlyStop: { enabled: true, time: "22:30" } } }, { weeks: "1" });
    plan = planStackOffline(synth.stackDir(AWS_STACK));
  }, 180_000);

  test("a monthly budget mails at 80 % and 100 % of actual spend and at 100 % of the forecast", () => {
    const [budget] = plan.byType("aws_budgets_budget");
    expect(budget.values).toMatchObject({ name: "devops-weeks-dev-monthly-cost", budget_type: "COST", limit_amount: "20.00", limit_unit: "USD", time_unit: "MONTHLY" });
    const notifications = (budget.values.notification as { notification_type: string; threshold: number; subscriber_email_addresses: string[] }[]).map((n) => `${n.notification_type} ${n.threshold} ${n.subscriber_email_addresses.join()}`).sort();
    expect(notifications).toEqual(["ACTUAL 100 kim@example.com", "ACTUAL 80 kim@example.com", "FORECASTED 100 kim@example.com"]);
  });

  test("at 100 % a Budgets action stops the bastion, with a role that may stop only it, only through SSM", () => {
    const [action] = plan.byType("aws_budgets_budget_action");
    expect(action.values).toMatchObject({ action_type: "RUN_SSM_DOCUMENTS", approval_model: "AUTOMATIC", notification_type: "ACTUAL", action_threshold: [{ action_threshold_type: "PERCENTAGE", action_threshold_value: 100 }] });
    expect((action.values.definition as { ssm_action_definition: { action_sub_type: string; region: string }[] }[])[0].ssm_action_definition[0]).toMatchObject({ action_sub_type: "STOP_EC2_INSTANCES", region: "ap-northeast-2" });
    const stack = synth.stack(AWS_STACK);
    const definition = Object.values(stack.resource!.aws_budgets_budget_action)[0].definition as { ssm_action_definition: { instance_ids: string[] } };
    expect(definition.ssm_action_definition.instance_ids).toEqual([expect.stringMatching(/^\$\{aws_instance\.network_bastion_instance_\w+\.id\}$/)]);
    const policy = JSON.parse(String(Object.values(stack.resource!.aws_iam_role_policy).find((p) => p.name === "stop-the-course-instances")!.policy)) as { Statement: { Action: string; Resource: string | string[] }[] };
    expect(policy.Statement.map((s) => s.Action).sort()).toEqual(["ec2:DescribeInstanceStatus", "ec2:StopInstances", "ssm:StartAutomationExecution"]);
    expect(policy.Statement.find((s) => s.Action === "ec2:StopInstances")!.Resource).toEqual([expect.stringMatching(/^arn:aws:ec2:ap-northeast-2:.*:instance\/\$\{aws_instance\.network_bastion_instance_\w+\.id\}$/)]);
    const trust = JSON.parse(String(Object.values(stack.resource!.aws_iam_role).find((r) => String(r.name).endsWith("-budget-action"))!.assume_role_policy));
    expect(trust.Statement[0].Principal).toEqual({ Service: "budgets.amazonaws.com" });
  });

  test("the nightly stop is an EventBridge Scheduler schedule in Seoul time, calling EC2 directly", () => {
    const [schedule] = plan.byType("aws_scheduler_schedule");
    expect(schedule.values).toMatchObject({ schedule_expression: "cron(30 22 * * ? *)", schedule_expression_timezone: "Asia/Seoul" });
    expect((schedule.values.target as { arn: string }[])[0].arn).toBe("arn:aws:scheduler:::aws-sdk:ec2:stopInstances");
  });
});

describe("with EKS, the brake scales the node groups to zero", () => {
  test("the budget tells an encrypted topic at 100 %, and a function may update only the course's node groups", () => {
    const synth = synthConfig({ costGuard: { emails: ["kim@example.com"] } }, { weeks: "1,6" });
    const stack = synth.stack(AWS_STACK);
    const budget = Object.values(stack.resource!.aws_budgets_budget)[0] as { notification: { threshold: number; notification_type: string; subscriber_sns_topic_arns?: string[] }[] };
    const atHundred = budget.notification.find((n) => n.notification_type === "ACTUAL" && n.threshold === 100)!;
    expect(atHundred.subscriber_sns_topic_arns).toEqual([expect.stringMatching(/^\$\{aws_sns_topic\.costGuard_brake-topic_\w+\.arn\}$/)]);
    const topic = Object.values(stack.resource!.aws_sns_topic).find((t) => t.name === "devops-weeks-dev-cost-brake")!;
    expect(topic.kms_master_key_id).toMatch(/aws_kms_key\.costGuard_brake-key_\w+\.arn/);
    const fn = Object.values(stack.resource!.aws_lambda_function).find((f) => f.function_name === "devops-weeks-dev-cost-brake")!;
    expect(JSON.parse((fn.environment as { variables: { NODEGROUPS: string } }).variables.NODEGROUPS)).toEqual([{ cluster: "devops-weeks-dev-eks", nodegroup: expect.stringMatching(/aws_eks_node_group/) }]);
    expect(fn.source_code_hash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const policy = JSON.parse(String(Object.values(stack.resource!.aws_iam_role_policy).find((p) => p.name === "scale-node-groups-to-zero")!.policy)) as { Statement: { Action: string | string[]; Resource: string | string[] }[] };
    expect(policy.Statement[0]).toMatchObject({ Action: "eks:UpdateNodegroupConfig", Resource: [expect.stringMatching(/aws_eks_node_group\.eks_nodes_\w+\.arn/)] });
  });
});

describe("the cost guard's bad input, refused with one line each", () => {
  test.each([
    ["a limit that is not positive", { monthlyLimitUsd: 0 }, /costGuard\.monthlyLimitUsd = 0 is not valid; expected a number > 0/],
    ["an address that is not an email", { emails: ["kim-at-example"] }, /costGuard\.emails\[0\] = "kim-at-example" is not valid; expected an email address such as kim@example\.com/],
    ["a nightly stop at a time that does not exist", { nightlyStop: { enabled: true, time: "24:30" } }, /costGuard\.nightlyStop\.time = "24:30" is not valid; expected a time of day as HH:MM/],
    ["a time zone that does not exist", { nightlyStop: { enabled: true, timezone: "Asia/Busan" } }, /costGuard\.nightlyStop\.timezone = "Asia\/Busan" is not valid; expected an IANA time zone such as Asia\/Seoul/],
    ["a brake at a share no alert is sent for", { emails: ["kim@example.com"], brake: { atPercent: 90 } }, /costGuard\.brake\.atPercent = 90 is not valid; expected one of costGuard\.alertThresholds \(80, 100\)/],
  ])("%s", (_name, costGuard, message) => {
    expect(() => synthConfig({ costGuard }, { weeks: "1" })).toThrow(message);
  });

  test("without an address there is no budget, and nothing of the guard is built", () => {
    const synth = synthConfig({}, { weeks: "1" });
    for (const type of ["aws_budgets_budget", "aws_budgets_budget_action", "aws_scheduler_schedule"]) expect(synth.resources(AWS_STACK, type)).toEqual({});
  });
});
