/**
 * Planned offline by real Terraform, config 3 of 3: week 4 alone, email only (no webhook function).
 * Week 4 needs no network: the plan holds the topic, its key and the subscriptions, nothing else.
 */
import { describe, expect, test } from "vitest";
import { planStackOffline } from "../support/terraform";
import { synthConfig } from "../support/synth";
import { expectSecureDefaults, STACK } from "./plan-helpers";

describe("week 4 alone with email subscriptions, planned offline", () => {
  const synthesized = synthConfig({ notifications: { emails: ["kim@example.com", "lee@example.com"], webhook: { enabled: false } } }, { weeks: "4" });
  const plan = planStackOffline(synthesized.stackDir(STACK));

  test("holds the encrypted topic, its policy and one email subscription per address", () => {
    expect(plan.resources.map((r) => r.type).sort()).toEqual([
      "aws_iam_role", // the notifier's role: its ARN gives the account id to the policies without an AWS call
      "aws_kms_alias",
      "aws_kms_key",
      "aws_sns_topic",
      "aws_sns_topic_policy",
      "aws_sns_topic_subscription",
      "aws_sns_topic_subscription",
    ]);
    expect(plan.byType("aws_sns_topic_subscription").map((s) => `${s.values.protocol}:${s.values.endpoint}`)).toEqual(["email:kim@example.com", "email:lee@example.com"]);
    expect(plan.byType("aws_sns_topic")[0].values).toMatchObject({ name: "devops-weeks-dev-deploy-events" });
    expect(plan.byType("aws_kms_key")[0].values).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7 });
    expect(plan.byType("aws_kms_alias")[0].values.name).toBe("alias/devops-weeks-dev-notifications");
    expectSecureDefaults(plan);
  });
});
