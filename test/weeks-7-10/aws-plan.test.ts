/**
 * Weeks 7-10 on the AWS side, planned offline by real Terraform with every week of the study on:
 * one plan with the options turned on (Istio mesh), one with VPC Lattice as the mesh.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { synthConfig, type Synthesized } from "../support/synth";
import { planStackOffline, type PlannedResource, type PlanResult } from "../support/terraform";

const STACK = "devops-weeks-dev";
const CLUSTER = "devops-weeks-dev-eks";

const withOptions = {
  ...ALL_WEEKS_CONFIG,
  dockerHost: { loadBalancer: { enabled: true } },
  monitoring: { prometheus: { managed: true } },
  logging: { openSearch: { enabled: true, instanceCount: 2 } },
  deployOptimization: { spotNodeGroup: { enabled: true, maxSize: 2 } },
};

const json = (value: unknown) => JSON.parse(String(value)) as Record<string, unknown>;
const named = (plan: PlanResult, type: string, field: string, value: unknown): PlannedResource => {
  const found = plan.byType(type).find((r) => r.values[field] === value);
  if (!found) throw new Error(`no ${type} with ${field} = ${String(value)} among ${plan.byType(type).map((r) => r.values[field]).join(", ")}`);
  return found;
};

describe("weeks 7-10 with every week on and the options turned on, planned offline", () => {
  let synthesized: Synthesized;
  let plan: PlanResult;
  beforeAll(() => {
    synthesized = synthConfig(withOptions);
    plan = planStackOffline(synthesized.stackDir(STACK));
  }, 300_000);

  test("week 7: Container Insights and metrics-server are EKS add-ons; the agent's role comes by pod identity", () => {
    const insights = named(plan, "aws_eks_addon", "addon_name", "amazon-cloudwatch-observability");
    expect(insights.values.cluster_name).toBe(CLUSTER);
    expect(insights.values.pod_identity_association).toEqual([expect.objectContaining({ service_account: "cloudwatch-agent" })]);
    // week 8's Fluent Bit ships container logs, so the add-on's own copy is off
    expect(json(insights.values.configuration_values)).toEqual({ containerLogs: { enabled: false } });
    expect(named(plan, "aws_eks_addon", "addon_name", "metrics-server").values.cluster_name).toBe(CLUSTER);
    const agentRole = named(plan, "aws_iam_role", "name", "devops-weeks-dev-cloudwatch-agent");
    expect(json(agentRole.values.assume_role_policy)).toMatchObject({ Statement: [{ Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }] });
    const attached = plan.byType("aws_iam_role_policy_attachment").filter((a) => a.address.includes("monitoring_cloudwatch-agent-role"));
    expect(attached.map((a) => a.values.policy_arn)).toContain("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy");
  });

  test("week 7: alarms cover nodes, pod restarts, the load balancer, the pipeline and status checks, all to week 4's topic", () => {
    const alarms = plan.byType("aws_cloudwatch_metric_alarm");
    const names = alarms.map((a) => a.values.alarm_name as string);
    for (const expected of ["node-cpu-high", "node-memory-high", "pod-restarts", "load-balancer-5xx", "pipeline-failed", "network-bastion-system-check", "dockerHost-docker-host-instance-check"]) {
      expect(names).toContain(`${STACK}-${expected}`);
    }
    expect(names.some((n) => n.endsWith("-port-allocation"))).toBe(true);
    // every alarm notifies week 4's SNS topic (the cost guard's brake has a topic of its own, for the budget only)
    expect(plan.byType("aws_sns_topic").map((t) => t.name).filter((n) => n.startsWith("notifications_"))).toHaveLength(1);
    const synthAlarms = Object.values(synthesized.resources(STACK, "aws_cloudwatch_metric_alarm"));
    for (const alarm of synthAlarms) expect(alarm.alarm_actions, String(alarm.alarm_name)).toContainEqual(expect.stringMatching(/^\$\{aws_sns_topic\.notifications_/));

    const cpu = named(plan, "aws_cloudwatch_metric_alarm", "alarm_name", `${STACK}-node-cpu-high`).values;
    expect(cpu).toMatchObject({ namespace: "ContainerInsights", metric_name: "node_cpu_utilization", dimensions: { ClusterName: CLUSTER }, threshold: 80, evaluation_periods: 2 });
    const restarts = named(plan, "aws_cloudwatch_metric_alarm", "alarm_name", `${STACK}-pod-restarts`).values;
    expect((restarts.metric_query as { expression: string }[])[0].expression).toBe(
      `SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(ContainerInsights, ClusterName, Namespace, PodName) WHERE ClusterName = '${CLUSTER}' AND Namespace = 'devops-weeks'`,
    );
    const systemCheck = synthAlarms.find((a) => a.alarm_name === `${STACK}-network-bastion-system-check`)!;
    expect(systemCheck.alarm_actions).toContain("arn:aws:automate:ap-northeast-2:ec2:recover");
    const pipeline = named(plan, "aws_cloudwatch_event_rule", "name", `${STACK}-pipeline-failed`).values;
    expect(json(pipeline.event_pattern)).toMatchObject({ source: ["aws.codepipeline"], detail: { state: ["FAILED"] } });
  });

  test("week 7: one dashboard, its body deterministic JSON with a section per resource family", () => {
    expect(named(plan, "aws_cloudwatch_dashboard", "dashboard_name", STACK)).toBeDefined();
    // the body holds resource ids known only at apply: read it from the synthesized JSON
    const dashboard = Object.values(synthesized.resources(STACK, "aws_cloudwatch_dashboard"))[0];
    const body = json(dashboard.dashboard_body) as { widgets: { type: string; properties: { markdown?: string } }[] };
    const titles = body.widgets.filter((w) => w.type === "text").map((w) => w.properties.markdown);
    expect(titles).toEqual([expect.stringContaining("EKS cluster"), expect.stringContaining("load balancer"), "## Instances", "## NAT gateways", "## Logs (week 8)"]);
    const again = synthConfig(withOptions).resources(STACK, "aws_cloudwatch_dashboard");
    expect(Object.values(again)[0].dashboard_body).toBe(Object.values(synthesized.resources(STACK, "aws_cloudwatch_dashboard"))[0].dashboard_body);
  });

  test("week 7 option: a Prometheus workspace and a managed scraper reading the cluster from the private subnets", () => {
    expect(plan.byType("aws_prometheus_workspace")).toHaveLength(1);
    const scraper = plan.byType("aws_prometheus_scraper")[0].values;
    expect(scraper.scrape_configuration).toContain("kubernetes-nodes-cadvisor");
    expect(named(plan, "aws_eks_access_entry", "user_name", "aps-collector-user").values.cluster_name).toBe(CLUSTER);
  });

  test("week 8: log groups are ours, with retention and a rotating KMS key that only CloudWatch Logs of this region may use", () => {
    for (const purpose of ["containers", "docker-host"]) {
      const group = named(plan, "aws_cloudwatch_log_group", "name", `/devops-weeks/${STACK}/${purpose}`).values;
      expect(group.retention_in_days).toBe(30);
    }
    const synthGroups = Object.values(synthesized.resources(STACK, "aws_cloudwatch_log_group")).filter((g) => String(g.name).startsWith(`/devops-weeks/${STACK}/`) && !String(g.name).endsWith("flow-logs"));
    for (const group of synthGroups) expect(group.kms_key_id, String(group.name)).toMatch(/^\$\{aws_kms_key\.logging_logs-key/);
    // every log group of every week has a retention
    for (const group of plan.byType("aws_cloudwatch_log_group")) expect(group.values.retention_in_days, group.address).toBeGreaterThan(0);

    const key = plan.byType("aws_kms_key").find((k) => k.address.includes("logging_logs-key"))!.values;
    expect(key.enable_key_rotation).toBe(true);
    const keyPolicy = Object.values(synthesized.resources(STACK, "aws_kms_key_policy")).find((p) => String(p.key_id).includes("logging_logs-key"))!;
    // the account id is an interpolation of the key's own ARN (no aws_caller_identity), so the
    // policy is JSON only once Terraform has filled it in: read it as text
    const policy = String(keyPolicy.policy);
    expect(policy).toContain('"Principal":{"Service":"logs.ap-northeast-2.amazonaws.com"}');
    expect(policy).toMatch(/"ArnLike":\{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:ap-northeast-2:\$\{element\(split\(":", aws_kms_key\.logging_logs-key_[0-9A-F]+\.arn\), 4\)\}:log-group:\*"\}/);
    expect(policy).not.toMatch(/"Action":"\*"/);
  });

  test("week 8: Fluent Bit's role writes only to its log group; the Docker host's agent only to its own", () => {
    const fluentBit = plan.byType("aws_eks_pod_identity_association").find((a) => a.values.service_account === "aws-for-fluent-bit")!.values;
    expect(fluentBit).toMatchObject({ namespace: "kube-system", cluster_name: CLUSTER });
    const policies = Object.values(synthesized.resources(STACK, "aws_iam_role_policy"));
    const fluentPolicy = policies.find((p) => p.name === "fluent-bit")!;
    const statement = (json(fluentPolicy.policy).Statement as { Action: string[]; Resource: string[] }[])[0];
    expect(statement.Action).not.toContain("logs:CreateLogGroup");
    expect(statement.Resource).toEqual([expect.stringContaining("logging_containers-log-group"), expect.stringMatching(/containers-log-group.*\.arn\}:\*$/)]);
    const hostPolicy = policies.find((p) => p.name === "cloudwatch-agent-logs")!;
    const [logsStatement, metricsStatement] = json(hostPolicy.policy).Statement as { Resource: string[] | string; Condition?: unknown }[];
    expect(logsStatement.Resource).toEqual([expect.stringContaining("docker-host-log-group"), expect.stringContaining("docker-host-log-group")]);
    expect(metricsStatement.Condition).toEqual({ StringEquals: { "cloudwatch:namespace": "CWAgent" } });
  });

  test("week 8: error lines feed a metric and an alarm per log group", () => {
    const filters = plan.byType("aws_cloudwatch_log_metric_filter");
    expect(filters.map((f) => f.values.log_group_name).sort()).toEqual([`/devops-weeks/${STACK}/containers`, `/devops-weeks/${STACK}/docker-host`]);
    for (const filter of filters) expect(filter.values.pattern).toBe("?ERROR ?Error ?error ?Exception ?exception ?panic");
    expect(named(plan, "aws_cloudwatch_metric_alarm", "alarm_name", `${STACK}-containers-error-lines`).values).toMatchObject({ metric_name: "ErrorLines-containers", threshold: 5 });
  });

  test("week 8 option: OpenSearch is private, encrypted, HTTPS-only, and its master user is an IAM role (no password)", () => {
    const domain = plan.byType("aws_opensearch_domain")[0].values;
    expect(domain.domain_name).toBe("devops-weeks-dev-logs");
    expect(domain.encrypt_at_rest).toEqual([expect.objectContaining({ enabled: true })]);
    expect(domain.node_to_node_encryption).toEqual([{ enabled: true }]);
    expect(domain.domain_endpoint_options).toEqual([expect.objectContaining({ enforce_https: true, tls_security_policy: "Policy-Min-TLS-1-2-PFS-2023-10" })]);
    expect(domain.cluster_config).toEqual([expect.objectContaining({ instance_count: 2, zone_awareness_enabled: true, zone_awareness_config: [{ availability_zone_count: 2 }] })]);
    const security = (domain.advanced_security_options as { enabled: boolean; internal_user_database_enabled: boolean; master_user_options: Record<string, unknown>[] }[])[0];
    expect(security).toMatchObject({ enabled: true, internal_user_database_enabled: false });
    expect(security.master_user_options[0].master_user_password ?? null).toBeNull();
    expect(JSON.stringify(synthesized.stack(STACK))).not.toMatch(/master_user_password/);
    const group = named(plan, "aws_security_group", "name", "devops-weeks-dev-opensearch").values;
    expect(group.ingress).toEqual([expect.objectContaining({ from_port: 443, to_port: 443, cidr_blocks: ["10.0.0.0/16"] })]);
  });

  test("week 9: the Cluster Autoscaler may change only Auto Scaling groups tagged for this cluster; Spot nodes use IMDSv2", () => {
    const association = plan.byType("aws_eks_pod_identity_association").find((a) => a.values.service_account === "cluster-autoscaler")!.values;
    expect(association.namespace).toBe("kube-system");
    const policy = Object.values(synthesized.resources(STACK, "aws_iam_role_policy")).find((p) => p.name === "cluster-autoscaler")!;
    const scale = (json(policy.policy).Statement as { Sid: string; Action: string[]; Condition: unknown }[]).find((s) => s.Sid === "ScaleOwnGroupsOnly")!;
    expect(scale.Action).toEqual(["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]);
    expect(scale.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${CLUSTER}`]: "owned" } });

    const spot = named(plan, "aws_eks_node_group", "node_group_name", `${CLUSTER}-spot`).values;
    expect(spot).toMatchObject({ capacity_type: "SPOT", instance_types: ["t3.medium", "t3a.medium"], labels: { "devops-weeks/capacity": "spot" } });
    expect(spot.scaling_config).toEqual([{ min_size: 0, desired_size: 0, max_size: 2 }]);
    const template = named(plan, "aws_launch_template", "name", `${CLUSTER}-spot`).values;
    expect(template.metadata_options).toEqual([expect.objectContaining({ http_tokens: "required", http_put_response_hop_limit: 1 })]);
    // the autoscaler owns the node groups' desired size from now on
    const nodes = Object.values(synthesized.resources(STACK, "aws_eks_node_group"));
    for (const group of nodes) expect(group.lifecycle, String(group.node_group_name)).toEqual({ ignore_changes: ["scaling_config[0].desired_size"] });
  });

  test("week 10: the VPC CNI enforces NetworkPolicies, and Istio needs nothing from AWS", () => {
    expect(json(named(plan, "aws_eks_addon", "addon_name", "vpc-cni").values.configuration_values)).toEqual({ enableNetworkPolicy: "true" });
    expect(plan.byType("aws_vpclattice_service_network")).toHaveLength(0);
  });

  test("no AWS App Mesh resource exists in any stack", () => {
    expect(plan.resources.filter((r) => r.type.startsWith("aws_appmesh_"))).toEqual([]);
  });
});

describe("week 10 with VPC Lattice as the mesh (weeks 5, 6, 10), planned offline", () => {
  let plan: PlanResult;
  beforeAll(() => {
    // weeks 5, 6 and 10 (with the network they pull in): a smaller plan than the whole study
    plan = planStackOffline(synthConfig({ weeks: "5,6,10", security: ALL_WEEKS_CONFIG.security, serviceMesh: { provider: "vpc-lattice" } }).stackDir(STACK));
  }, 300_000);

  test("a service network associated with the VPC, open to the VPC only", () => {
    expect(plan.byType("aws_vpclattice_service_network")[0].values).toMatchObject({ name: "devops-weeks-dev-mesh", auth_type: "NONE" });
    expect(plan.byType("aws_vpclattice_service_network_vpc_association")).toHaveLength(1);
    const group = named(plan, "aws_security_group", "name", "devops-weeks-dev-lattice-clients").values;
    for (const rule of group.ingress as { cidr_blocks: string[] }[]) expect(rule.cidr_blocks).toEqual(["10.0.0.0/16"]);
  });

  test("the nodes admit the app's port from the VPC Lattice range only", () => {
    const rule = plan.byType("aws_vpc_security_group_ingress_rule").find((r) => r.values.cidr_ipv4 === "169.254.171.0/24")!.values;
    expect(rule).toMatchObject({ from_port: 8080, to_port: 8080, ip_protocol: "tcp" });
  });

  test("the AWS Gateway API controller gets its role through pod identity", () => {
    const association = plan.byType("aws_eks_pod_identity_association").find((a) => a.values.service_account === "gateway-api-controller")!.values;
    expect(association).toMatchObject({ namespace: "aws-application-networking-system", cluster_name: CLUSTER });
  });

  test("no AWS App Mesh resource exists", () => {
    expect(plan.resources.filter((r) => r.type.startsWith("aws_appmesh_"))).toEqual([]);
  });
});
