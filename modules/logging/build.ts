/**
 * Week 8: log collection. Log groups we create (retention, a customer-managed KMS key with
 * rotation), Fluent Bit as a DaemonSet in kube-system shipping container logs with a role that can
 * write only to those groups, the CloudWatch agent on the week-2 Docker host, a metric filter on
 * error lines feeding an alarm, and optionally a private OpenSearch domain (the study's "Kibana").
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsKeyPolicy } from "@cdktf/provider-aws/lib/kms-key-policy";
import { OpensearchDomain } from "@cdktf/provider-aws/lib/opensearch-domain";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { dependable } from "cdktf";
import { accountIdFrom } from "../../lib/aws/arn";
import { policyDocument } from "../../lib/aws/iam";
import { chartRelease } from "../../lib/kubernetes/helm";
import type { BuildContext } from "../../lib/core/module";
import { literalText } from "../../lib/core/terraform-text";
import { fitName } from "../../lib/aws/names";
import { dockerHostModule } from "../docker-host/module";
import { eksModule } from "../eks/module";
import { monitoringModule } from "../monitoring/module";
import { networkModule } from "../network/module";
import { notificationsModule } from "../notifications/module";
import { cloudWatchAgentConfig, cloudWatchAgentScript } from "./cloudwatch-agent";
import type { LoggingExports } from "./exports";
import type { LoggingSettings } from "./settings";

export { cloudWatchAgentConfig } from "./cloudwatch-agent";

export const FLUENT_BIT_SERVICE_ACCOUNT = "aws-for-fluent-bit";
export const ERROR_METRIC_NAMESPACE = "DevOpsWeeks/Logs";

import { openSearchZones } from "./module";

/** AZs an OpenSearch domain spreads over: up to three, never more than the nodes or the VPC's AZs. */

export function buildLogging(ctx: BuildContext<LoggingSettings>): LoggingExports {
  const { scope, settings } = ctx;
  const region = ctx.study.region;
  const cluster = ctx.use(eksModule);
  // Week 4's SNS topic when that week is on; otherwise none (the alarms still show in the console).
  const actions = ctx.has("notifications") ? [ctx.use(notificationsModule).topicArn] : [];

  // A customer-managed key: rotation on, and a key policy that lets CloudWatch Logs use it only for
  // log groups of this account and region (the encryption context names the log group's ARN).
  const key = new KmsKey(scope, "logs-key", {
    description: `${ctx.environment.name}: encrypts the study's CloudWatch log groups`,
    enableKeyRotation: true,
    deletionWindowInDays: settings.kmsDeletionWindowDays,
  });
  const account = accountIdFrom(key.arn);
  const keyPolicy = new KmsKeyPolicy(scope, "logs-key-policy", {
    keyId: key.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
        {
          Sid: "CloudWatchLogsEncrypts",
          Effect: "Allow",
          Principal: { Service: `logs.${region}.amazonaws.com` },
          Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${account}:log-group:*` } },
        },
      ],
    }),
  });
  new KmsAlias(scope, "logs-key-alias", { name: `alias/${ctx.environment.name}-logs`, targetKeyId: key.keyId });

  const logGroups = new Map<string, CloudwatchLogGroup>();
  const logGroup = (purpose: string) => {
    const group = new CloudwatchLogGroup(scope, `${purpose}-log-group`, {
      name: `/devops-weeks/${ctx.environment.name}/${purpose}`,
      retentionInDays: settings.retentionDays,
      kmsKeyId: key.arn,
      dependsOn: [keyPolicy],
    });
    logGroups.set(purpose, group);
    return group;
  };

  if (settings.fluentBit.enabled) {
    const containers = logGroup("containers");
    // No logs:CreateLogGroup: Fluent Bit writes only into the group above, so it can never leave an
    // unencrypted group without retention behind.
    cluster.podIdentityRole(scope, "fluent-bit-role", {
      name: "fluent-bit",
      namespace: "kube-system",
      serviceAccount: FLUENT_BIT_SERVICE_ACCOUNT,
      policy: {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [containers.arn, `${containers.arn}:*`] }],
      },
    });
    chartRelease(ctx.workloads(), "fluent-bit", {
      name: "aws-for-fluent-bit",
      repository: "https://aws.github.io/eks-charts",
      chart: "aws-for-fluent-bit",
      version: settings.fluentBit.chartVersion,
      namespace: "kube-system",
      values: fluentBitValues(region, `/devops-weeks/${ctx.environment.name}/containers`),
    });
  }

  const dockerHosts = settings.dockerHost.enabled && ctx.has("dockerHost") ? ctx.use(dockerHostModule).hosts : [];
  if (dockerHosts.length > 0) {
    // One group for every host: with blue/green, both colors write to it (each host's streams carry its instance id).
    const hostGroup = logGroup("docker-host");
    for (const { host, color } of dockerHosts) {
      const writeLogs = new IamRolePolicy(scope, color ? `docker-host-logs-policy-${color}` : "docker-host-logs-policy", {
        name: "cloudwatch-agent-logs",
        role: host.role.id,
        policy: policyDocument([
          { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [hostGroup.arn, `${hostGroup.arn}:*`] },
          { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "CWAgent" } } },
        ]),
      });
      const agent = host.runScript(scope, color ? `docker-host-cloudwatch-agent-${color}` : "docker-host-cloudwatch-agent", {
        name: "cloudwatch-agent",
        title: "CloudWatch agent: container logs and memory/disk metrics (week 8)",
        script: cloudWatchAgentScript(cloudWatchAgentConfig(`/devops-weeks/${ctx.environment.name}/docker-host`)),
      });
      // The agent writes as soon as the association runs: its group and the right to write into it come
      // first, also when Terraform re-creates them (the script names the group as text, not a reference).
      agent.dependsOn = [...(agent.dependsOn ?? []), dependable(hostGroup), dependable(writeLogs)];
    }
  }

  if (settings.errorAlarm.enabled) {
    for (const [purpose, group] of logGroups) {
      const metricName = `ErrorLines-${purpose}`;
      new CloudwatchLogMetricFilter(scope, `${purpose}-errors`, {
        name: ctx.name(`${purpose}-errors`),
        logGroupName: group.name,
        pattern: literalText(settings.errorAlarm.pattern),
        metricTransformation: { name: metricName, namespace: `${ERROR_METRIC_NAMESPACE}/${ctx.environment.name}`, value: "1", defaultValue: "0", unit: "Count" },
      });
      new CloudwatchMetricAlarm(scope, `${purpose}-errors-alarm`, {
        alarmName: ctx.name(`${purpose}-error-lines`),
        alarmDescription: `${settings.errorAlarm.threshold} or more error lines in ${group.name} within 5 minutes`,
        namespace: `${ERROR_METRIC_NAMESPACE}/${ctx.environment.name}`,
        metricName,
        statistic: "Sum",
        period: 300,
        evaluationPeriods: 1,
        threshold: settings.errorAlarm.threshold,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        treatMissingData: "notBreaching",
        alarmActions: actions,
        okActions: actions,
      });
    }
    const monitoring = ctx.has("monitoring") ? ctx.use(monitoringModule) : undefined;
    monitoring?.dashboard?.addSection({
      title: "Logs (week 8)",
      graphs: [
        {
          title: "Error lines",
          stat: "Sum",
          metrics: [...logGroups.keys()].map((purpose) => [`${ERROR_METRIC_NAMESPACE}/${ctx.environment.name}`, `ErrorLines-${purpose}`, { label: purpose }]),
          threshold: { label: "alarm", value: settings.errorAlarm.threshold },
        },
      ],
    });
  }

  const openSearch = settings.openSearch.enabled ? buildOpenSearch(ctx, key, account) : undefined;
  for (const [purpose, group] of logGroups) ctx.output(`${purpose.replace(/-/g, "_")}_log_group`, group.name, `CloudWatch log group of ${purpose} logs (week 8)`);
  return { key, logGroups, openSearch };
}

/** Values of the aws-for-fluent-bit chart: the cloudwatch_logs output only, into our group, never creating one. */
export function fluentBitValues(region: string, logGroupName: string): Record<string, unknown> {
  return {
    serviceAccount: { create: true, name: FLUENT_BIT_SERVICE_ACCOUNT },
    cloudWatch: { enabled: false },
    cloudWatchLogs: {
      enabled: true,
      region,
      logGroupName,
      // The chart's default template sends each namespace to a group of its own, which the role may
      // not create: empty, every pod writes to the one group above (a stream per pod and container).
      logGroupTemplate: "",
      logStreamPrefix: "pod-",
      autoCreateGroup: false,
    },
    firehose: { enabled: false },
    kinesis: { enabled: false },
    elasticsearch: { enabled: false },
    opensearch: { enabled: false },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "250Mi" } },
  };
}

/**
 * A private domain: VPC placement in the private subnets, HTTPS only (TLS 1.2+), encryption at rest
 * with the logs key and between nodes, fine-grained access control whose master user is an IAM role
 * (no password anywhere in the config or the state).
 */
function buildOpenSearch(ctx: BuildContext<LoggingSettings>, key: KmsKey, account: string): OpensearchDomain {
  const { scope, settings } = ctx;
  const { openSearch } = settings;
  const network = ctx.use(networkModule);
  const privateSubnetIds = network.privateSubnets.map((subnet) => subnet.id);
  const zones = openSearchZones(openSearch.instanceCount, privateSubnetIds.length);
  const domainName = `${ctx.environment.name.slice(0, 23).replace(/-+$/, "")}-logs`;
  const admin = new IamRole(scope, "opensearch-admin-role", {
    name: fitName(ctx.name("opensearch-admin"), 64),
    description: "OpenSearch master user (fine-grained access control); assume it to administer the domain",
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "sts:AssumeRole" }],
    }),
  });
  const securityGroup = new SecurityGroup(scope, "opensearch-sg", {
    name: ctx.name("opensearch"),
    description: "OpenSearch domain: HTTPS from inside the VPC only",
    vpcId: network.vpc.id,
    ingress: [{ description: "HTTPS from the VPC", protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: [network.vpcCidr] }],
    egress: [],
    tags: { Name: ctx.name("opensearch") },
  });
  const domain = new OpensearchDomain(scope, "opensearch", {
    domainName,
    engineVersion: openSearch.engineVersion,
    clusterConfig: {
      instanceType: openSearch.instanceType,
      instanceCount: openSearch.instanceCount,
      zoneAwarenessEnabled: zones > 1,
      zoneAwarenessConfig: zones > 1 ? { availabilityZoneCount: zones } : undefined,
    },
    ebsOptions: { ebsEnabled: true, volumeType: "gp3", volumeSize: openSearch.volumeGiB },
    encryptAtRest: { enabled: true, kmsKeyId: key.arn },
    nodeToNodeEncryption: { enabled: true },
    domainEndpointOptions: { enforceHttps: true, tlsSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10" },
    vpcOptions: { subnetIds: privateSubnetIds.slice(0, zones), securityGroupIds: [securityGroup.id] },
    advancedSecurityOptions: { enabled: true, internalUserDatabaseEnabled: false, masterUserOptions: { masterUserArn: admin.arn } },
    accessPolicies: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { AWS: admin.arn }, Action: "es:ESHttp*", Resource: `arn:aws:es:${ctx.study.region}:${account}:domain/${domainName}/*` },
      ],
    }),
    tags: { Name: domainName },
  });
  ctx.output("opensearch_endpoint", domain.endpoint, "OpenSearch domain endpoint (HTTPS, reachable from inside the VPC)");
  ctx.output("opensearch_dashboards_url", `https://${domain.dashboardEndpoint}`, "OpenSearch Dashboards (the study's Kibana); tunnel through the bastion with SSM port forwarding");
  ctx.output("opensearch_admin_role_arn", admin.arn, "Assume this role to administer the OpenSearch domain (its master user)");
  return domain;
}
