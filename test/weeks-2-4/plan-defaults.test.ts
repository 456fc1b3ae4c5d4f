/**
 * Weeks 1-4 planned offline by real Terraform, config 2 of 2: every default plus two email
 * subscriptions. The pipeline's source is a zip in S3, there is no load balancer, artifacts use
 * S3-managed keys. (Week 4 alone, with no network, is checked at synth in notifications.test.ts.)
 */
import { describe, expect, test } from "vitest";
import { planStackOffline } from "../support/terraform";
import { synthConfig } from "../support/synth";
import { byName, countsByType, expectSecureDefaults, referencesOf, STACK } from "./plan-helpers";

describe("weeks 1-4 with the defaults (S3 source, no load balancer) and email subscriptions, planned offline", () => {
  const synthesized = synthConfig({ notifications: { emails: ["kim@example.com", "lee@example.com"] } }, { weeks: "1-4" });
  const plan = planStackOffline(synthesized.stackDir(STACK));

  test("plans three private, encrypted, versioned buckets (artifacts, source, the source's access logs) and no load balancer", () => {
    expect(countsByType(plan, ["aws_s3_bucket", "aws_lb", "aws_codestarconnections_connection", "aws_iam_openid_connect_provider", "aws_kms_key", "aws_lambda_function"])).toEqual({
      aws_s3_bucket: 5, // and week 1's trail: its logs and their access logs
      aws_lb: 0,
      aws_codestarconnections_connection: 0,
      aws_iam_openid_connect_provider: 0,
      aws_kms_key: 4, // topic and webhook URL, and week 1's security alerts and trail; ECR and artifacts use AES256
      aws_lambda_function: 1,
    });
    expect(plan.byType("aws_s3_bucket").filter((b) => b.address.includes("cicd_")).map((b) => b.values.bucket).sort()).toEqual(["devops-weeks-dev-artifacts-ap-northeast-2", "devops-weeks-dev-source-ap-northeast-2", "devops-weeks-dev-source-logs-ap-northeast-2"]);
    // (Week 1's trail bucket uses the trail's KMS key; weeks 2-4 keep AES256.)
    for (const encryption of plan.byType("aws_s3_bucket_server_side_encryption_configuration").filter((e) => !e.address.includes("securityAlerts_"))) {
      expect(encryption.values.rule).toEqual([expect.objectContaining({ apply_server_side_encryption_by_default: [expect.objectContaining({ sse_algorithm: "AES256" })] })]);
    }
    const lifecycleRules = plan.byType("aws_s3_bucket_lifecycle_configuration").filter((l) => l.address.includes("cicd_")).map((l) => (l.values.rule as { status: string; noncurrent_version_expiration: unknown[] }[])[0]);
    expect(lifecycleRules).toHaveLength(3);
    // The access logs expire as a whole after 90 days (a log is never rewritten: old versions go after a day).
    expect(lifecycleRules.map((rule) => (rule.noncurrent_version_expiration[0] as { noncurrent_days: number }).noncurrent_days).sort((a, b) => a - b)).toEqual([1, 30, 30]);
    for (const rule of lifecycleRules) expect(rule).toMatchObject({ status: "Enabled" });
    expectSecureDefaults(plan);
  });

  test("without a load balancer the host admits only its app port, only from the VPC, and sends only HTTPS out", () => {
    const hostGroup = byName(plan, "aws_security_group", "devops-weeks-dev-docker-host");
    const rulesOf = (type: string) => plan.byType(type).filter((r) => referencesOf(plan, r, "security_group_id").includes(hostGroup.address)).map((r) => r.values);
    expect(rulesOf("aws_vpc_security_group_ingress_rule")).toEqual([expect.objectContaining({ cidr_ipv4: "10.0.0.0/16", from_port: 80, to_port: 80, ip_protocol: "tcp" })]);
    expect(rulesOf("aws_vpc_security_group_egress_rule")).toEqual([expect.objectContaining({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443 })]);
    const host = byName(plan, "aws_instance", "devops-weeks-dev-docker-host");
    expect(host.values).toMatchObject({ associate_public_ip_address: false, instance_type: "t3.micro", user_data_replace_on_change: true });
    expect(referencesOf(plan, host, "subnet_id").some((r) => r.includes("private"))).toBe(true);
  });

  test("the ECR repository scans on push with AES256 and immutable tags", () => {
    expect(plan.byType("aws_ecr_repository")[0].values).toMatchObject({
      name: "devops-weeks-dev-app",
      image_tag_mutability: "IMMUTABLE",
      image_scanning_configuration: [{ scan_on_push: true }],
      encryption_configuration: [expect.objectContaining({ encryption_type: "AES256" })],
    });
  });

  test("an upload to the source bucket starts the pipeline through EventBridge", () => {
    expect(plan.byType("aws_s3_bucket_notification")[0].values).toMatchObject({ eventbridge: true });
    const [target] = plan.byType("aws_cloudwatch_event_target");
    expect(referencesOf(plan, target, "arn").some((r) => r.startsWith("aws_codepipeline."))).toBe(true);
    const stages = plan.byType("aws_codepipeline")[0].values.stage as { name: string; action: { provider: string; configuration: Record<string, string> }[] }[];
    expect(stages[0].action[0]).toMatchObject({ provider: "S3", configuration: expect.objectContaining({ S3ObjectKey: "source/app.zip", PollForSourceChanges: "false" }) });
  });

  test("pipeline events reach the encrypted topic, and the topic reaches the notifier and the mailboxes", () => {
    const [rule] = plan.byType("aws_codestarnotifications_notification_rule");
    expect(rule.values).toMatchObject({ detail_type: "FULL", status: "ENABLED" });
    expect((rule.values.event_type_ids as string[]).sort()).toEqual([
      "codepipeline-pipeline-pipeline-execution-failed",
      "codepipeline-pipeline-pipeline-execution-started",
      "codepipeline-pipeline-pipeline-execution-succeeded",
    ]);
    expect(plan.byType("aws_sns_topic_subscription").map((s) => `${s.values.protocol}:${s.values.endpoint ?? "(function arn)"}`).sort()).toEqual([
      "email:kim@example.com",
      "email:lee@example.com",
      "lambda:(function arn)", // the deploy events
      "lambda:(function arn)", // week 1's security alerts
    ]);
    expect(plan.byType("aws_sns_topic")[0].values).toMatchObject({ name: "devops-weeks-dev-deploy-events" });
    expect(plan.byType("aws_kms_alias").map((a) => a.values.name).sort()).toEqual(["alias/devops-weeks-dev-cloudtrail", "alias/devops-weeks-dev-notifications", "alias/devops-weeks-dev-security-alerts", "alias/devops-weeks-dev-webhook"]);
    expect(plan.byType("aws_lambda_function")[0].values).toMatchObject({ runtime: "nodejs22.x", handler: "index.handler", function_name: "devops-weeks-dev-deploy-notifier" });
    expect(plan.byType("aws_ssm_parameter")).toEqual([]);
  });
});
