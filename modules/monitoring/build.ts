/**
 * Week 7: monitoring. Container Insights through the amazon-cloudwatch-observability EKS add-on,
 * metrics-server, CloudWatch alarms on what the course runs (nodes, pods, the week-2 load balancer,
 * the week-3 pipeline, instances and NAT), sent to week 4's SNS topic when week 4 is on, and one
 * dashboard that later weeks add their graphs to. Optionally Amazon Managed Service for Prometheus
 * with a managed scraper, or Prometheus and Grafana in the cluster by chart.
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogResourcePolicy } from "@cdktf/provider-aws/lib/cloudwatch-log-resource-policy";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import { addonRole } from "../../lib/aws/iam";
import type { ManagedInstance } from "../../lib/constructs/managed-instance";
import { chartRelease } from "../../lib/kubernetes/helm";
import type { BuildContext } from "../../lib/core/module";
import { cicdModule } from "../cicd/module";
import { dockerHostModule } from "../docker-host/module";
import type { EksExports } from "../eks/exports";
import { eksModule } from "../eks/module";
import { kubernetesModule } from "../kubernetes/module";
import { networkModule } from "../network/module";
import { notificationsModule } from "../notifications/module";
import { CourseDashboard } from "./dashboard";
import type { DashboardSection, MonitoringExports } from "./exports";
import type { MonitoringSettings } from "./settings";
import { fitName } from "../../lib/aws/names";

export { CourseDashboard } from "./dashboard";

export const CLOUDWATCH_AGENT_SERVER_POLICY = "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy";
export const AWS_XRAY_WRITE_ONLY_POLICY = "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess";

export function buildMonitoring(ctx: BuildContext<MonitoringSettings>): MonitoringExports {
  const { scope, settings } = ctx;
  const cluster = ctx.use(eksModule);
  // Week 4's SNS topic when that week is on; otherwise none (the alarms still show in the console).
  const actions = ctx.has("notifications") ? [ctx.use(notificationsModule).topicArn] : [];
  const alarms = new Map<string, CloudwatchMetricAlarm>();
  const alarm: AlarmFactory = (name, config, extraActions = []) => {
    const created = new CloudwatchMetricAlarm(scope, `alarm-${name}`, {
      alarmName: ctx.name(name),
      alarmActions: [...actions, ...extraActions],
      okActions: actions,
      treatMissingData: "notBreaching",
      ...config,
    });
    alarms.set(name, created);
    return created;
  };

  // --- Container Insights ---------------------------------------------------------------------
  if (settings.containerInsights.enabled) {
    // The add-on's agent and Fluent Bit write metrics and logs for the whole cluster; AWS documents
    // CloudWatchAgentServerPolicy as its permission set (X-Ray for Application Signals traces).
    const role = addonRole(scope, "cloudwatch-agent-role", fitName(ctx.name("cloudwatch-agent"), 64), [CLOUDWATCH_AGENT_SERVER_POLICY, AWS_XRAY_WRITE_ONLY_POLICY]);
    // Created by us before the agent writes to them, so none is left without a retention. All four
    // exist whether or not week 8 takes over container logs: turning week 8 on must not delete a
    // group, and the logs in it, that week 7 created.
    const groups = ["performance", "application", "dataplane", "host"];
    const logGroups = groups.map(
      (group) =>
        new CloudwatchLogGroup(scope, `container-insights-${group}`, {
          name: `/aws/containerinsights/${cluster.clusterName}/${group}`,
          retentionInDays: settings.containerInsights.logRetentionDays,
        }),
    );
    new EksAddon(scope, "cloudwatch-observability", {
      clusterName: cluster.clusterName,
      addonName: "amazon-cloudwatch-observability",
      addonVersion: settings.containerInsights.addonVersion,
      podIdentityAssociation: [{ roleArn: role.arn, serviceAccount: "cloudwatch-agent" }],
      // Week 8 ships container logs with its own Fluent Bit (least-privilege role, our log groups),
      // so the add-on's Fluent Bit stays off then: one copy of every log line, not two.
      configurationValues: JSON.stringify({ containerLogs: { enabled: !ctx.has("logging") } }),
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: [cluster.nodeGroup, cluster.addons["eks-pod-identity-agent"], ...logGroups],
    });
  }

  const metricsServer = settings.metricsServer.enabled;
  if (metricsServer && settings.metricsServer.install === "addon") {
    new EksAddon(scope, "metrics-server", {
      clusterName: cluster.clusterName,
      addonName: "metrics-server",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: [...cluster.ready],
    });
  } else if (metricsServer) {
    chartRelease(ctx.workloads(), "metrics-server", {
      name: "metrics-server",
      repository: "https://kubernetes-sigs.github.io/metrics-server/",
      chart: "metrics-server",
      version: settings.metricsServer.chartVersion,
      namespace: "kube-system",
    });
  }

  // --- Alarms -----------------------------------------------------------------------------------
  // What earlier weeks built, each read from what its week offers (and only when that week is on).
  const network = ctx.use(networkModule);
  const dockerHost = ctx.has("dockerHost") ? ctx.use(dockerHostModule) : undefined;
  const app = ctx.has("kubernetes") ? ctx.use(kubernetesModule).app : undefined;
  const loadBalancer = dockerHost?.loadBalancer;
  const pipeline = ctx.has("cicd") ? { name: ctx.use(cicdModule).pipelineName } : undefined;
  // Week 1's NAT instances and bastion, then week 2's hosts: the order the stack holds them in.
  const instances: WatchedInstance[] = settings.alarms.statusChecks
    ? [...network.natInstances, ...(network.bastion ? [network.bastion] : []), ...(dockerHost?.hosts ?? []).map((h) => h.host)].map((instance) => ({ id: pathLabel(instance), instance }))
    : [];
  const natGateways = settings.alarms.statusChecks ? network.natGateways.map(({ availabilityZone, gateway }) => ({ id: `nat-${availabilityZone}`, gateway })) : [];
  if (settings.alarms.enabled) {
    if (settings.containerInsights.enabled) {
      alarm("node-cpu-high", {
        alarmDescription: `Average node CPU of ${cluster.clusterName} above ${settings.alarms.nodeCpuPercent}% for 10 minutes (Container Insights)`,
        namespace: "ContainerInsights",
        metricName: "node_cpu_utilization",
        dimensions: { ClusterName: cluster.clusterName },
        statistic: "Average",
        period: 300,
        evaluationPeriods: 2,
        threshold: settings.alarms.nodeCpuPercent,
        comparisonOperator: "GreaterThanThreshold",
      });
      alarm("node-memory-high", {
        alarmDescription: `Average node memory of ${cluster.clusterName} above ${settings.alarms.nodeMemoryPercent}% for 10 minutes (Container Insights)`,
        namespace: "ContainerInsights",
        metricName: "node_memory_utilization",
        dimensions: { ClusterName: cluster.clusterName },
        statistic: "Average",
        period: 300,
        evaluationPeriods: 2,
        threshold: settings.alarms.nodeMemoryPercent,
        comparisonOperator: "GreaterThanThreshold",
      });
      // Restarts are per pod; a Metrics Insights query adds them up over every pod of the namespace,
      // so new pod names need no new alarm.
      alarm("pod-restarts", {
        alarmDescription: `Container restarts in ${app ? `namespace ${app.namespace} of ` : ""}${cluster.clusterName} reached ${settings.alarms.podRestarts} within 5 minutes`,
        metricQuery: [{ id: "restarts", expression: podRestartsQuery(cluster.clusterName, app?.namespace), period: 300, returnData: true, label: "container restarts" }],
        evaluationPeriods: 1,
        threshold: settings.alarms.podRestarts,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
    if (loadBalancer) {
      alarm("load-balancer-5xx", {
        alarmDescription: `5xx responses of ${loadBalancer.name} (load balancer and targets) reached ${settings.alarms.loadBalancer5xx} within 5 minutes`,
        metricQuery: [
          { id: "elb", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: loadBalancer.arnSuffix }, period: 300, stat: "Sum" } },
          { id: "target", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: loadBalancer.arnSuffix }, period: 300, stat: "Sum" } },
          { id: "errors", expression: "FILL(elb, 0) + FILL(target, 0)", label: "5xx responses", returnData: true },
        ],
        evaluationPeriods: 1,
        threshold: settings.alarms.loadBalancer5xx,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
    if (pipeline && settings.alarms.pipelineFailures) buildPipelineFailureAlarm(ctx, pipeline.name, alarm);
    for (const { id, instance } of instances) {
      alarm(`${id}-system-check`, {
        alarmDescription: `EC2 system status check of ${id} failed for 2 minutes: the instance is recovered onto healthy hardware`,
        namespace: "AWS/EC2",
        metricName: "StatusCheckFailed_System",
        dimensions: { InstanceId: instance.instance.id },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 2,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      }, [`arn:aws:automate:${ctx.study.region}:ec2:recover`]);
      alarm(`${id}-instance-check`, {
        alarmDescription: `EC2 instance status check of ${id} failed for 3 minutes (the OS or its network is not answering)`,
        namespace: "AWS/EC2",
        metricName: "StatusCheckFailed_Instance",
        dimensions: { InstanceId: instance.instance.id },
        statistic: "Maximum",
        period: 60,
        evaluationPeriods: 3,
        threshold: 1,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
      });
    }
    natGateways.forEach(({ id, gateway }) =>
      alarm(`${id}-port-allocation`, {
        alarmDescription: `NAT gateway ${id} could not allocate a source port: private subnets are losing connections`,
        namespace: "AWS/NATGateway",
        metricName: "ErrorPortAllocation",
        dimensions: { NatGatewayId: gateway.id },
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
      }),
    );
  }

  // --- Dashboard --------------------------------------------------------------------------------
  const dashboard = settings.dashboard.enabled ? new CourseDashboard(scope, "dashboard", ctx.environment.name, ctx.study.region) : undefined;
  if (dashboard) {
    const sections: DashboardSection[] = [];
    if (settings.containerInsights.enabled) {
      sections.push({
        title: `EKS cluster ${cluster.clusterName} (Container Insights)`,
        graphs: [
          { title: "Node CPU %", metrics: [["ContainerInsights", "node_cpu_utilization", "ClusterName", cluster.clusterName]], threshold: { label: "alarm", value: settings.alarms.nodeCpuPercent } },
          { title: "Node memory %", metrics: [["ContainerInsights", "node_memory_utilization", "ClusterName", cluster.clusterName]], threshold: { label: "alarm", value: settings.alarms.nodeMemoryPercent } },
          { title: "Running pods", metrics: [["ContainerInsights", "cluster_number_of_running_pods", "ClusterName", cluster.clusterName]] },
          { title: "Container restarts", stat: "Sum", metrics: [[{ expression: podRestartsQuery(cluster.clusterName, app?.namespace), label: "restarts", id: "restarts" }]] },
        ],
      });
    }
    if (loadBalancer) {
      sections.push({
        title: `Week 2 load balancer ${loadBalancer.name}`,
        graphs: [
          { title: "Requests", stat: "Sum", metrics: [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", loadBalancer.arnSuffix]] },
          {
            title: "5xx responses",
            stat: "Sum",
            metrics: [
              ["AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count", "LoadBalancer", loadBalancer.arnSuffix],
              ["AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "LoadBalancer", loadBalancer.arnSuffix],
            ],
          },
        ],
      });
    }
    if (instances.length > 0) {
      sections.push({
        title: "Instances",
        graphs: [
          { title: "CPU %", metrics: instances.map(({ id, instance }) => ["AWS/EC2", "CPUUtilization", "InstanceId", instance.instance.id, { label: id }]) },
          { title: "Status check failures", stat: "Maximum", metrics: instances.map(({ id, instance }) => ["AWS/EC2", "StatusCheckFailed", "InstanceId", instance.instance.id, { label: id }]) },
        ],
      });
    }
    if (natGateways.length > 0) {
      sections.push({
        title: "NAT gateways",
        graphs: [{ title: "Bytes out to the internet", stat: "Sum", metrics: natGateways.map(({ id, gateway }) => ["AWS/NATGateway", "BytesOutToDestination", "NatGatewayId", gateway.id, { label: id }]) }],
      });
    }
    sections.forEach((section) => dashboard.addSection(section));
    ctx.output("dashboard_url", `https://${ctx.study.region}.console.aws.amazon.com/cloudwatch/home?region=${ctx.study.region}#dashboards/dashboard/${ctx.environment.name}`, "The course's CloudWatch dashboard");
  }

  if (settings.prometheus.managed) buildManagedPrometheus(ctx, cluster);
  if (settings.prometheus.kubePrometheusStack) {
    chartRelease(ctx.workloads(), "kube-prometheus-stack", {
      name: "kube-prometheus-stack",
      repository: "https://prometheus-community.github.io/helm-charts",
      chart: "kube-prometheus-stack",
      version: settings.prometheus.chartVersion,
      namespace: "monitoring",
      createNamespace: true,
      // Grafana's admin password stays the chart's generated secret: read it with kubectl, never from the config.
      values: { grafana: { service: { type: "ClusterIP" } }, prometheus: { prometheusSpec: { retention: "2d" } } },
    });
  }

  return { alarmActions: actions, dashboard, alarms, metricsServer };
}

/** Sum of container restarts over every pod of a namespace (or the cluster), as a Metrics Insights query. */
export function podRestartsQuery(clusterName: string, namespace?: string): string {
  const where = [`ClusterName = '${clusterName}'`, ...(namespace ? [`Namespace = '${namespace}'`] : [])].join(" AND ");
  return `SELECT SUM(pod_number_of_container_restarts) FROM SCHEMA(ContainerInsights, ClusterName, Namespace, PodName) WHERE ${where}`;
}

type AlarmFactory = (name: string, config: Omit<CloudwatchMetricAlarmConfig, "alarmName" | "alarmActions" | "okActions">, extraActions?: string[]) => CloudwatchMetricAlarm;

/**
 * Pipeline failures have no CloudWatch metric of their own: an EventBridge rule matches failed
 * executions and records them in a log group; the rule's TriggeredRules metric feeds the alarm.
 */
function buildPipelineFailureAlarm(ctx: BuildContext<MonitoringSettings>, pipelineName: string, alarm: AlarmFactory): void {
  const { scope } = ctx;
  const rule = new CloudwatchEventRule(scope, "pipeline-failed-rule", {
    name: fitName(ctx.name("pipeline-failed"), 64),
    description: `Failed executions of the ${pipelineName} pipeline`,
    eventPattern: JSON.stringify({
      source: ["aws.codepipeline"],
      "detail-type": ["CodePipeline Pipeline Execution State Change"],
      detail: { state: ["FAILED"], pipeline: [pipelineName] },
    }),
  });
  const events = new CloudwatchLogGroup(scope, "pipeline-failed-log-group", {
    name: `/aws/events/${ctx.environment.name}/pipeline-failures`,
    retentionInDays: 90,
  });
  new CloudwatchLogResourcePolicy(scope, "pipeline-failed-log-policy", {
    policyName: ctx.name("pipeline-failed-events"),
    policyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: ["events.amazonaws.com", "delivery.logs.amazonaws.com"] },
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `${events.arn}:*`,
        },
      ],
    }),
  });
  new CloudwatchEventTarget(scope, "pipeline-failed-target", { rule: rule.name, targetId: "failure-log", arn: events.arn });
  alarm("pipeline-failed", {
    alarmDescription: `A run of the ${pipelineName} pipeline failed (see log group /aws/events/${ctx.environment.name}/pipeline-failures)`,
    namespace: "AWS/Events",
    metricName: "TriggeredRules",
    dimensions: { RuleName: rule.name },
    statistic: "Sum",
    period: 300,
    evaluationPeriods: 1,
    threshold: 1,
    comparisonOperator: "GreaterThanOrEqualToThreshold",
  });
}

/**
 * The scraper runs in AWS (no agent in the cluster) and reads the API server as the Kubernetes user
 * `aps-collector-user`: an access entry maps its role, and a read-only ClusterRole in the -k8s stack
 * gives that user what Prometheus discovery needs.
 */
function buildManagedPrometheus(ctx: BuildContext<MonitoringSettings>, cluster: EksExports): void {
  const { scope } = ctx;
  const workspace = new PrometheusWorkspace(scope, "prometheus", { alias: ctx.name("prometheus") });
  const scraper = new PrometheusScraper(scope, "prometheus-scraper", {
    alias: ctx.name("scraper"),
    // In the cluster security group, whose members may reach each other: the scraper's network
    // interfaces reach the API server and the nodes, and nothing else changes.
    source: [{ eks: [{ clusterArn: cluster.clusterArn, subnetIds: [...cluster.privateSubnetIds], securityGroupIds: [cluster.cluster.vpcConfig.clusterSecurityGroupId] }] }],
    destination: [{ amp: [{ workspaceArn: workspace.arn }] }],
    scrapeConfiguration: managedScrapeConfiguration(ctx.settings.prometheus.scrapeIntervalSeconds),
    dependsOn: [...cluster.ready],
  });
  new EksAccessEntry(scope, "prometheus-scraper-access", { clusterName: cluster.clusterName, principalArn: scraper.roleArn, userName: "aps-collector-user" });
  const workloads = ctx.workloads();
  const role = new ClusterRoleV1(workloads, "aps-collector-role", {
    metadata: { name: "aps-collector-role" },
    rule: [
      { apiGroups: [""], resources: ["nodes", "nodes/proxy", "nodes/metrics", "services", "endpoints", "pods", "ingresses", "configmaps"], verbs: ["describe", "get", "list", "watch"] },
      { apiGroups: ["extensions", "networking.k8s.io"], resources: ["ingresses/status", "ingresses"], verbs: ["describe", "get", "list", "watch"] },
      { apiGroups: ["metrics.eks.amazonaws.com"], resources: ["kcm/metrics", "ksh/metrics"], verbs: ["get"] },
      { nonResourceUrls: ["/metrics"], verbs: ["get"] },
    ],
  });
  new ClusterRoleBindingV1(workloads, "aps-collector-binding", {
    metadata: { name: "aps-collector-user-role-binding" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
    subject: [{ kind: "User", name: "aps-collector-user", apiGroup: "rbac.authorization.k8s.io" }],
  });
  ctx.output("prometheus_remote_write_url", `${workspace.prometheusEndpoint}api/v1/remote_write`, "Amazon Managed Prometheus remote-write endpoint");
  ctx.output("prometheus_query_url", `${workspace.prometheusEndpoint}api/v1/query`, "Amazon Managed Prometheus query endpoint (SigV4: use awscurl)");
}

/** The scrape jobs AWS's managed collector starts from: API server, kubelet/cAdvisor and annotated pods. */
export function managedScrapeConfiguration(intervalSeconds: number): string {
  const kubernetesJob = (jobName: string, role: string, extra: Record<string, unknown> = {}) => ({ job_name: jobName, kubernetes_sd_configs: [{ role }], ...extra });
  return stringify(
    {
      global: { scrape_interval: `${intervalSeconds}s`, external_labels: { clusterArn: "managed-scraper" } },
      scrape_configs: [
        kubernetesJob("kubernetes-apiservers", "endpoints", {
          scheme: "https",
          bearer_token_file: "/var/run/secrets/kubernetes.io/serviceaccount/token",
          tls_config: { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", insecure_skip_verify: false },
          relabel_configs: [{ source_labels: ["__meta_kubernetes_namespace", "__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"], action: "keep", regex: "default;kubernetes;https" }],
        }),
        kubernetesJob("kubernetes-nodes-cadvisor", "node", {
          scheme: "https",
          metrics_path: "/metrics/cadvisor",
          bearer_token_file: "/var/run/secrets/kubernetes.io/serviceaccount/token",
          tls_config: { ca_file: "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", insecure_skip_verify: true },
        }),
        kubernetesJob("kubernetes-pods", "pod", {
          relabel_configs: [
            { source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"], action: "keep", regex: "true" },
            { source_labels: ["__meta_kubernetes_namespace"], target_label: "namespace" },
            { source_labels: ["__meta_kubernetes_pod_name"], target_label: "pod" },
          ],
        }),
      ],
    },
    { lineWidth: 0 },
  );
}

/** An instance the status-check alarms watch. */
interface WatchedInstance {
  /** A readable id from the construct path, e.g. `network-bastion`. */
  readonly id: string;
  readonly instance: ManagedInstance;
}

/**
 * A construct's path below its stack with `-` for `/` (`network-bastion`, `dockerHost-docker-host-blue`):
 * unique in the stack, and readable in an alarm's name.
 */
function pathLabel(construct: Construct): string {
  const stack = TerraformStack.of(construct);
  return construct.node.path.slice(stack.node.path.length + 1).replace(/\//g, "-");
}
