/**
 * The cost guard: from week 1, a monthly budget that mails at each alert threshold and when the
 * forecast passes the limit, and a brake AWS runs by itself at the brake's threshold:
 *  - an AWS Budgets action (RUN_SSM_DOCUMENTS, STOP_EC2_INSTANCES) stops the stand-alone instances of
 *    the course (bastion, Docker hosts, NAT instances);
 *  - the budget also tells an encrypted SNS topic, and a small function subscribed to it scales the
 *    EKS node groups to zero (stopping a node group's instance only makes Auto Scaling replace it).
 * What keeps billing after the brake (NAT gateway, EKS control plane, load balancers, addresses) is
 * listed on the week-1 page; `terraform destroy` ends it. Optionally, EventBridge Scheduler does the
 * same every night.
 */
import { join } from "node:path";
import { BudgetsBudgetAction } from "@cdktf/provider-aws/lib/budgets-budget-action";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import type { Construct } from "constructs";
import { archiveAsset, archiveSha256 } from "../../lib/aws/assets";
import { monthlyBudget } from "../../lib/aws/budget";
import { serviceKey } from "../../lib/aws/kms";
import { fitName } from "../../lib/aws/names";
import type { BuildContext } from "../../lib/core/module";
import { deployOptimizationModule } from "../deploy-optimization/module";
import { dockerHostModule } from "../docker-host/module";
import { eksModule } from "../eks/module";
import { networkModule } from "../network/module";
import type { CostGuardExports } from "./exports";
import type { CostGuardSettings } from "./settings";

interface NodeGroupRef {
  readonly cluster: string;
  readonly nodegroup: string;
  readonly arn: string;
}

export function buildCostGuard(ctx: BuildContext<CostGuardSettings>): CostGuardExports {
  const { scope, settings } = ctx;
  // In classroom mode each learner's budget is the classroom's (the instructor stack), on their tag.
  if (settings.emails.length === 0 || ctx.study.classroom) return {};
  const network = ctx.has("network") ? ctx.use(networkModule) : undefined;
  const instances = [
    ...(network ? [network.bastion, ...network.natInstances].filter((i) => i !== undefined) : []),
    ...(ctx.has("dockerHost") ? ctx.use(dockerHostModule).hosts.map((h) => h.host) : []),
  ];
  const nodeGroups: NodeGroupRef[] = [];
  if (ctx.has("eks")) {
    const eks = ctx.use(eksModule);
    nodeGroups.push({ cluster: eks.clusterName, nodegroup: eks.nodeGroup.nodeGroupName, arn: eks.nodeGroup.arn });
    const spot = ctx.has("deployOptimization") ? ctx.use(deployOptimizationModule).spotNodeGroup : undefined;
    if (spot) nodeGroups.push({ cluster: eks.clusterName, nodegroup: spot.nodeGroupName, arn: spot.arn });
  }

  const brakeTopic = settings.brake.enabled && nodeGroups.length > 0 ? buildBrakeTopic(scope, ctx) : undefined;
  const budgetName = ctx.name("monthly-cost");
  const budget = monthlyBudget(scope, "budget", {
    name: budgetName,
    limitUsd: settings.monthlyLimitUsd,
    emails: settings.emails,
    actualThresholds: settings.alertThresholds,
    topicsAt: brakeTopic ? { [settings.brake.atPercent]: [brakeTopic.arn] } : undefined,
  });
  if (brakeTopic) {
    // Budgets publishes only once the topic lets it; the budget waits for the policy.
    budget.node.addDependency(brakeTopic.policy);
    buildNodeGroupBrake(scope, ctx, brakeTopic.topic, nodeGroups);
  }
  if (settings.brake.enabled && instances.length > 0) {
    buildInstanceBrake(scope, ctx, budget.name, budget.accountId, instances.map((i) => i.instance.id));
  }
  if (settings.nightlyStop.enabled) buildNightlyStop(scope, ctx, instances.map((i) => i.instance.id), nodeGroups);
  ctx.output("budget_name", budget.name, `Monthly cost budget (${settings.monthlyLimitUsd} USD): mails at ${settings.alertThresholds.join("%, ")}% of actual spend and when the forecast passes 100%`);
  return { budgetName };
}

function buildBrakeTopic(scope: Construct, ctx: BuildContext<CostGuardSettings>): { topic: SnsTopic; arn: string; policy: SnsTopicPolicy } {
  // A key of its own: AWS Budgets cannot publish to a topic under the AWS-managed SNS key.
  const { key, account } = serviceKey(scope, "brake-key", { description: `${ctx.environment.name}: the cost guard's brake topic`, alias: ctx.name("cost-brake"), services: ["budgets.amazonaws.com"] });
  const topic = new SnsTopic(scope, "brake-topic", { name: ctx.name("cost-brake"), kmsMasterKeyId: key.arn });
  const policy = new SnsTopicPolicy(scope, "brake-topic-policy", {
    arn: topic.arn,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "BudgetsPublishes",
          Effect: "Allow",
          Principal: { Service: "budgets.amazonaws.com" },
          Action: "SNS:Publish",
          Resource: topic.arn,
          Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": `arn:aws:budgets::${account}:*` } },
        },
      ],
    }),
  });
  return { topic, arn: topic.arn, policy };
}

/** The function that scales the node groups to zero, subscribed to the brake topic. */
function buildNodeGroupBrake(scope: Construct, ctx: BuildContext<CostGuardSettings>, topic: SnsTopic, nodeGroups: readonly NodeGroupRef[]): void {
  const functionName = fitName(ctx.name("cost-brake"), 64);
  const logs = new CloudwatchLogGroup(scope, "brake-logs", { name: `/aws/lambda/${functionName}`, retentionInDays: 30 });
  const role = new IamRole(scope, "brake-role", {
    // IAM role names share Lambda's 64-character limit, so the function's name serves both.
    name: functionName,
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  });
  new IamRolePolicy(scope, "brake-policy", {
    name: "scale-node-groups-to-zero",
    role: role.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "ScaleTheCoursesNodeGroups", Effect: "Allow", Action: "eks:UpdateNodegroupConfig", Resource: nodeGroups.map((g) => g.arn) },
        { Sid: "WriteItsLog", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logs.arn}:*` },
      ],
    }),
  });
  const code = archiveAsset(scope, "brake-code", join(__dirname, "brake"));
  const brake = new LambdaFunction(scope, "brake", {
    functionName,
    description: "Cost guard: scales the course's EKS node groups to zero when the budget's brake threshold is passed",
    role: role.arn,
    runtime: "python3.12",
    handler: "index.handler",
    filename: code.path,
    sourceCodeHash: archiveSha256(join(__dirname, "brake")),
    timeout: 60,
    environment: { variables: { NODEGROUPS: JSON.stringify(nodeGroups.map(({ cluster, nodegroup }) => ({ cluster, nodegroup }))) } },
    dependsOn: [logs],
  });
  new LambdaPermission(scope, "brake-invoke", { statementId: "FromTheBrakeTopic", action: "lambda:InvokeFunction", functionName: brake.functionName, principal: "sns.amazonaws.com", sourceArn: topic.arn });
  new SnsTopicSubscription(scope, "brake-subscription", { topicArn: topic.arn, protocol: "lambda", endpoint: brake.arn });
}

/** AWS Budgets' own action: at the brake threshold it stops the instances through SSM Automation (AWS-StopEC2Instance). */
function buildInstanceBrake(scope: Construct, ctx: BuildContext<CostGuardSettings>, budgetName: string, accountId: string, instanceIds: readonly string[]): void {
  const region = ctx.study.region;
  const role = new IamRole(scope, "budget-action-role", {
    name: fitName(ctx.name("budget-action"), 64),
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": accountId } } }],
    }),
  });
  // AWS's documented permissions for this action (the managed policy
  // AWSBudgetsActions_RolePolicyForResourceAdministrationWithSSM), narrowed to stopping, to these
  // instances, and to calls made through SSM.
  new IamRolePolicy(scope, "budget-action-policy", {
    name: "stop-the-course-instances",
    role: role.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "RunTheStopRunbook", Effect: "Allow", Action: "ssm:StartAutomationExecution", Resource: `arn:aws:ssm:${region}:*:automation-definition/AWS-StopEC2Instance:*` },
        {
          Sid: "StopTheseInstances",
          Effect: "Allow",
          Action: "ec2:StopInstances",
          Resource: instanceIds.map((id) => `arn:aws:ec2:${region}:${accountId}:instance/${id}`),
          Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["ssm.amazonaws.com"] } },
        },
        // Describe calls have no resource-level permissions: AWS accepts only "*" for them.
        { Sid: "SeeTheirState", Effect: "Allow", Action: "ec2:DescribeInstanceStatus", Resource: "*", Condition: { "ForAnyValue:StringEquals": { "aws:CalledVia": ["ssm.amazonaws.com"] } } },
      ],
    }),
  });
  new BudgetsBudgetAction(scope, "budget-action", {
    budgetName,
    actionType: "RUN_SSM_DOCUMENTS",
    approvalModel: "AUTOMATIC",
    notificationType: "ACTUAL",
    executionRoleArn: role.arn,
    actionThreshold: { actionThresholdType: "PERCENTAGE", actionThresholdValue: ctx.settings.brake.atPercent },
    definition: { ssmActionDefinition: { actionSubType: "STOP_EC2_INSTANCES", instanceIds: [...instanceIds], region } },
    subscriber: ctx.settings.emails.map((address) => ({ address, subscriptionType: "EMAIL" })),
  });
}

/** Every night: stop the instances and scale the node groups to zero, with EventBridge Scheduler's AWS SDK targets. */
function buildNightlyStop(scope: Construct, ctx: BuildContext<CostGuardSettings>, instanceIds: readonly string[], nodeGroups: readonly NodeGroupRef[]): void {
  const { time, timezone } = ctx.settings.nightlyStop;
  const [hour, minute] = time.split(":").map(Number);
  const role = new IamRole(scope, "nightly-stop-role", {
    name: fitName(ctx.name("nightly-stop"), 64),
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  });
  const region = ctx.study.region;
  new IamRolePolicy(scope, "nightly-stop-policy", {
    name: "stop-for-the-night",
    role: role.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        ...(instanceIds.length > 0 ? [{ Sid: "StopTheseInstances", Effect: "Allow", Action: "ec2:StopInstances", Resource: instanceIds.map((id) => `arn:aws:ec2:${region}:*:instance/${id}`) }] : []),
        ...(nodeGroups.length > 0 ? [{ Sid: "ScaleTheseNodeGroups", Effect: "Allow", Action: "eks:UpdateNodegroupConfig", Resource: nodeGroups.map((g) => g.arn) }] : []),
      ],
    }),
  });
  const schedule = (id: string, target: string, input: unknown) =>
    new SchedulerSchedule(scope, id, {
      name: fitName(ctx.name(id), 64),
      description: `Cost guard: every night at ${time} (${timezone})`,
      scheduleExpression: `cron(${minute} ${hour} * * ? *)`,
      scheduleExpressionTimezone: timezone,
      flexibleTimeWindow: { mode: "OFF" },
      target: { arn: target, roleArn: role.arn, input: JSON.stringify(input), retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 } },
    });
  if (instanceIds.length > 0) schedule("nightly-stop-instances", "arn:aws:scheduler:::aws-sdk:ec2:stopInstances", { InstanceIds: instanceIds });
  nodeGroups.forEach((group, i) =>
    schedule(`nightly-stop-nodes-${i}`, "arn:aws:scheduler:::aws-sdk:eks:updateNodegroupConfig", { ClusterName: group.cluster, NodegroupName: group.nodegroup, ScalingConfig: { MinSize: 0, DesiredSize: 0 } }),
  );
}
