/**
 * Weeks 1-4 planned offline by real Terraform, config 1 of 2: GitHub source through a CodeStar
 * connection, GitHub Actions OIDC, a load balancer in front of the host, KMS everywhere it is optional.
 */
import { describe, expect, test } from "vitest";
import { planStackOffline } from "../support/terraform";
import { synthConfig } from "../support/synth";
import { byName, countsByType, expectSecureDefaults, referencesOf, STACK } from "./plan-helpers";

describe("weeks 1-4 with GitHub, GitHub Actions and a load balancer, planned offline", () => {
  const synthesized = synthConfig(
    {
      cicd: {
        source: { provider: "github", repository: "octocat/hello-docker", branch: "main" },
        githubActions: { enabled: true },
        artifacts: { encryption: "KMS" },
      },
      dockerHost: { loadBalancer: { enabled: true, healthCheckPath: "/healthz" }, ecr: { encryption: "KMS", keepLastImages: 5 } },
    },
    { weeks: "1-4" },
  );
  const plan = planStackOffline(synthesized.stackDir(STACK));

  test("plans the resources of all four weeks", () => {
    expect(
      countsByType(plan, [
        "aws_vpc",
        "aws_instance",
        "aws_ecr_repository",
        "aws_lb",
        "aws_lb_listener",
        "aws_lb_target_group",
        "aws_lb_target_group_attachment",
        "aws_codestarconnections_connection",
        "aws_iam_openid_connect_provider",
        "aws_codebuild_project",
        "aws_codepipeline",
        "aws_codedeploy_deployment_group",
        "aws_s3_bucket",
        "aws_kms_key",
        "aws_sns_topic",
        "aws_lambda_function",
        "aws_codestarnotifications_notification_rule",
        "aws_cloudwatch_event_rule",
      ]),
    ).toEqual({
      aws_vpc: 1,
      aws_instance: 2, // bastion and Docker host
      aws_ecr_repository: 1,
      aws_lb: 1,
      aws_lb_listener: 1,
      aws_lb_target_group: 1,
      aws_lb_target_group_attachment: 1,
      aws_codestarconnections_connection: 1,
      aws_iam_openid_connect_provider: 1,
      aws_codebuild_project: 1,
      aws_codepipeline: 1,
      aws_codedeploy_deployment_group: 1,
      aws_s3_bucket: 3, // artifacts (GitHub is the source), and week 1's trail logs and their access logs
      aws_kms_key: 6, // ECR, artifacts, topic, webhook URL, and week 1's security alerts and trail
      aws_sns_topic: 2, // deploy events, and week 1's security alerts
      aws_lambda_function: 1,
      aws_codestarnotifications_notification_rule: 1,
      aws_cloudwatch_event_rule: 9, // week 1's security alerts (6, and 3 forwarded from us-east-1); none of the S3 source
    });
    expectSecureDefaults(plan);
  });

  test("the host admits the app port only from the load balancer's security group", () => {
    const hostGroup = byName(plan, "aws_security_group", "devops-weeks-dev-docker-host");
    const albGroup = byName(plan, "aws_security_group", "devops-weeks-dev-alb");
    const hostRules = plan.byType("aws_vpc_security_group_ingress_rule").filter((r) => referencesOf(plan, r, "security_group_id").includes(hostGroup.address));
    expect(hostRules).toHaveLength(1);
    expect(hostRules[0].values).toMatchObject({ from_port: 80, to_port: 80, ip_protocol: "tcp", cidr_ipv4: null });
    expect(referencesOf(plan, hostRules[0], "referenced_security_group_id")).toContain(albGroup.address);
    const albEgress = plan.byType("aws_vpc_security_group_egress_rule").filter((r) => referencesOf(plan, r, "security_group_id").includes(albGroup.address));
    expect(albEgress.map((r) => referencesOf(plan, r, "referenced_security_group_id"))).toEqual([expect.arrayContaining([hostGroup.address])]);
  });

  test("the load balancer is internet-facing in the public subnets and checks the configured path", () => {
    const [alb] = plan.byType("aws_lb");
    expect(alb.values).toMatchObject({ internal: false, load_balancer_type: "application", drop_invalid_header_fields: true });
    expect(referencesOf(plan, alb, "subnets").filter((r) => r.startsWith("aws_subnet.") && !r.endsWith(".id"))).toHaveLength(2);
    expect(plan.byType("aws_lb_target_group")[0].values.health_check).toEqual([expect.objectContaining({ path: "/healthz", matcher: "200-399", protocol: "HTTP" })]);
    expect(plan.byType("aws_lb_listener")[0].values).toMatchObject({ port: 80, protocol: "HTTP" });
  });

  test("ECR scans on push, keeps immutable tags and encrypts with its KMS key", () => {
    const [repository] = plan.byType("aws_ecr_repository");
    expect(repository.values).toMatchObject({ image_tag_mutability: "IMMUTABLE", force_delete: false });
    expect(repository.values.encryption_configuration).toEqual([expect.objectContaining({ encryption_type: "KMS" })]);
    expect(JSON.parse(plan.byType("aws_ecr_lifecycle_policy")[0].values.policy as string).rules[0].selection.countNumber).toBe(5);
  });

  test("the pipeline is V2 with a KMS artifact store, builds privileged and deploys by the host's Name tag", () => {
    const [pipeline] = plan.byType("aws_codepipeline");
    expect(pipeline.values).toMatchObject({ name: "devops-weeks-dev-pipeline", pipeline_type: "V2", execution_mode: "QUEUED" });
    expect((pipeline.values.artifact_store as { encryption_key: { type: string }[] }[])[0].encryption_key).toEqual([expect.objectContaining({ type: "KMS" })]);
    expect((pipeline.values.stage as { name: string }[]).map((s) => s.name)).toEqual(["Source", "Build", "Deploy"]);
    expect(plan.byType("aws_codebuild_project")[0].values.environment).toEqual([expect.objectContaining({ privileged_mode: true, compute_type: "BUILD_GENERAL1_SMALL" })]);
    expect(plan.byType("aws_codedeploy_deployment_group")[0].values.ec2_tag_set).toEqual([
      { ec2_tag_filter: [{ key: "Name", type: "KEY_AND_VALUE", value: "devops-weeks-dev-docker-host" }] },
    ]);
    expect(plan.byType("aws_codestarconnections_connection")[0].values).toMatchObject({ provider_type: "GitHub", name: "devops-weeks-dev-github" });
    expect(plan.byType("aws_s3_bucket_server_side_encryption_configuration")[0].values.rule).toEqual([
      expect.objectContaining({ bucket_key_enabled: true, apply_server_side_encryption_by_default: [expect.objectContaining({ sse_algorithm: "aws:kms" })] }),
    ]);
  });

  test("GitHub Actions gets an OIDC provider for sts.amazonaws.com and a role trusting one branch", () => {
    expect(plan.byType("aws_iam_openid_connect_provider")[0].values).toMatchObject({ url: "https://token.actions.githubusercontent.com", client_id_list: ["sts.amazonaws.com"] });
    const role = byName(plan, "aws_iam_role", "devops-weeks-dev-github-actions");
    expect(referencesOf(plan, role, "assume_role_policy").some((r) => r.startsWith("aws_iam_openid_connect_provider."))).toBe(true);
  });

  test("outputs give the learner the ECR URL, the pipeline and the load balancer", () => {
    const outputs = Object.keys((plan.raw.planned_values as { outputs: object }).outputs);
    expect(outputs).toEqual(
      expect.arrayContaining(["ecr_repository_url", "load_balancer_dns_name", "app_url", "pipeline_name", "github_connection_arn", "github_actions_role_arn", "notifications_topic_arn", "webhook_put_parameter_command"]),
    );
  });
});
