/**
 * The learner-facing parts of a week computed from the synthesized resources: commands (with the
 * real stack directories and outputs), checks with what to expect, which troubleshooting tips and
 * teardown warnings apply, and the cheaper options the config offers. Wording lives in the
 * templates and `strings.json`; this file decides what applies and fills in names.
 */
import { argument, literal, prefixed, type StackResource } from "./inventory";
import type { CostTable } from "./costs";
import type { Check, Command, OutputRef, PageNote, StackRef, WeekFacts } from "./facts";
import prices from "./prices.json";
import { usd } from "./costs";
import { shellWord } from "../core/shell";
import { isKubernetesLoadBalancer } from "./kubernetes-load-balancers";
import {
  alarmsInsufficientDataTip,
  baseImageTip,
  codeDeployAgentTip,
  containerInsightsTip,
  githubConnectionTip,
  guardDutyDetectorTip,
  istioCrdTip,
  sidecarTip,
  webhookParameterTip,
  webhookRejectedTip,
  type Tip,
} from "./tips";

export type { Check, Command, OutputRef, StackRef, WeekFacts } from "./facts";

const K8S_NAMESPACE = new Set(["kubernetes_namespace", "kubernetes_namespace_v1"]);

export function outputCommand(ref: OutputRef): string {
  return `terraform -chdir=${ref.dir} output -raw ${ref.output}`;
}

/** Commands the week's outputs already spell out (`*_command`), with resource ids read from other outputs. */
export function commandsFromOutputs(facts: WeekFacts): Command[] {
  const commands: Command[] = [];
  for (const ref of facts.outputs.filter((o) => o.output.endsWith("_command"))) {
    const stack = facts.inventory.stacks.find((s) => s.stack === ref.name);
    const value = stack?.outputs[ref.output]?.value;
    const resolved = typeof value === "string" ? resolveExpressions(value, ref, stack?.outputs ?? {}) : undefined;
    commands.push({ description: ref.description, command: resolved ?? `eval "$(${outputCommand(ref)})"` });
  }
  return commands;
}

/** `${aws_instance.x.id}` -> `$(terraform -chdir=... output -raw bastion_instance_id)` when an output holds exactly that. */
function resolveExpressions(value: string, ref: StackRef, outputs: Readonly<Record<string, { value: unknown }>>): string | undefined {
  let unresolved = false;
  const text = value.replace(/\$\{([^}]+)\}/g, (whole) => {
    const holder = Object.entries(outputs).find(([, o]) => o.value === whole);
    if (!holder) {
      unresolved = true;
      return whole;
    }
    return `"$(terraform -chdir=${ref.dir} output -raw ${holder[0]})"`;
  });
  return unresolved ? undefined : text;
}

/**
 * What the learner runs against the cluster once it is reachable (the page's access steps point
 * kubectl at it first): the nodes, and the pods of every namespace the week puts objects in.
 */
export function kubernetesCommands(facts: WeekFacts): Command[] {
  const s = facts.strings;
  const commands: Command[] = [];
  if (facts.resources.some((r) => r.type === "aws_eks_cluster")) commands.push({ description: s.text("steps.nodes"), command: "kubectl get nodes -o wide" });
  for (const namespace of namespacesOf(facts)) {
    commands.push({ description: s.text("steps.pods", { namespace }), command: `kubectl get pods -n ${shellWord(namespace)}` });
  }
  return commands;
}

/** The week's objects as plain manifests: the `kubectl apply -f` path instead of the Kubernetes stack. */
export function manifestAlternative(facts: WeekFacts): Command[] {
  const manifests = facts.files.filter((f) => f.manifest);
  if (manifests.length === 0) return [];
  return [{ description: facts.strings.text("steps.applyManifest"), command: `kubectl apply ${manifests.map((f) => `-f ${shellWord(f.path)}`).join(" ")}` }];
}

/** Whether the week talks to a cluster: it creates one, puts objects in one, or reads one. */
export function needsCluster(facts: WeekFacts): boolean {
  return facts.resources.some((r) => r.type === "aws_eks_cluster" || r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) || facts.files.some((f) => f.manifest);
}

export function namespacesOf(facts: WeekFacts): string[] {
  const names = new Set<string>();
  for (const r of facts.resources) {
    if (K8S_NAMESPACE.has(r.type)) {
      const name = literal(argument(r.config, "metadata", "name"));
      if (name) names.add(name);
    } else {
      const name = namespaceOf(r);
      if (name) names.add(name);
    }
  }
  return [...names].sort();
}

/** The namespace a Kubernetes object or a Helm release goes into, when the stack names it literally. */
function namespaceOf(r: StackResource): string | undefined {
  if (!r.type.startsWith("kubernetes_") && r.type !== "helm_release") return undefined;
  return literal(argument(r.config, "metadata", "namespace")) ?? literal(r.config["namespace"]);
}

/** Checks for the week's resources, each with the command and what the learner should see. */
export function checksFor(facts: WeekFacts, weekChecks: readonly Check[] = []): Check[] {
  const s = facts.strings;
  const checks: Check[] = [];
  const region = `--region ${facts.region}`;
  const idOutput = (r: StackResource) => {
    const ref = facts.outputs.find((o) => o.name === r.stack && facts.inventory.stacks.find((st) => st.stack === r.stack)?.outputs[o.output]?.value === `\${${r.address}.id}`);
    return ref ? `"$(${outputCommand(ref)})"` : undefined;
  };
  const of = (type: string) => facts.resources.filter((r) => r.type === type);
  const nameOf = (r: StackResource) => literal((r.config["tags"] as Record<string, unknown> | undefined)?.["Name"]) ?? literal(r.config["name"]) ?? r.localPath;

  for (const vpc of of("aws_vpc")) {
    const subnets = facts.inventory.resources.filter((r) => r.type === "aws_subnet" && r.references.includes(vpc.address));
    const cidrs = subnets.map((r) => `${literal(r.config["availability_zone"])} ${literal(r.config["cidr_block"])}`).sort();
    checks.push({
      title: s.text("checks.vpc.title"),
      command: `aws ec2 describe-subnets ${region} --filters Name=tag:Name,Values=${nameOf(vpc).replace(/-vpc$/, "")}-* --query 'Subnets[].[AvailabilityZone,CidrBlock,Tags[?Key==\`Name\`]|[0].Value]' --output table`,
      expect: s.text("checks.vpc.expect", { count: subnets.length, cidrs: cidrs.join(", ") }),
    });
  }
  for (const gateway of of("aws_nat_gateway")) {
    checks.push({
      title: s.text("checks.natGateway.title", { name: nameOf(gateway) }),
      command: `aws ec2 describe-nat-gateways ${region} --filter Name=tag:Name,Values=${nameOf(gateway)} --query 'NatGateways[].[State,SubnetId]' --output text`,
      expect: s.text("checks.natGateway.expect"),
    });
  }
  for (const instance of of("aws_instance")) {
    const id = idOutput(instance);
    const nat = instance.config["source_dest_check"] === false;
    checks.push({
      title: s.text(nat ? "checks.natInstance.title" : "checks.ssm.title", { name: nameOf(instance) }),
      command: id
        ? `aws ssm describe-instance-information ${region} --filters Key=InstanceIds,Values=${id} --query 'InstanceInformationList[].[InstanceId,PingStatus]' --output text`
        : `aws ec2 describe-instances ${region} --filters Name=tag:Name,Values=${nameOf(instance)} --query 'Reservations[].Instances[].[InstanceId,State.Name,SourceDestCheck]' --output text`,
      expect: s.text(id ? "checks.ssm.expect" : nat ? "checks.natInstance.expect" : "checks.instance.expect"),
    });
  }
  for (const group of of("aws_cloudwatch_log_group")) {
    const name = literal(group.config["name"]);
    if (!name) continue;
    checks.push({
      title: s.text("checks.logGroup.title", { name }),
      command: `aws logs describe-log-groups ${region} --log-group-name-prefix ${name} --query 'logGroups[].[logGroupName,retentionInDays]' --output text`,
      expect: s.text("checks.logGroup.expect", { days: literal(group.config["retention_in_days"]) ?? "-" }),
    });
  }
  for (const repo of of("aws_ecr_repository")) {
    const name = literal(repo.config["name"]);
    if (name) checks.push({ title: s.text("checks.ecr.title", { name }), command: `aws ecr describe-images ${region} --repository-name ${name} --query 'imageDetails[].imageTags' --output text`, expect: s.text("checks.ecr.expect") });
  }
  for (const lb of of("aws_lb")) {
    const name = literal(lb.config["name"]);
    if (name) checks.push({ title: s.text("checks.lb.title", { name }), command: `aws elbv2 describe-load-balancers ${region} --names ${name} --query 'LoadBalancers[].[State.Code,DNSName]' --output text`, expect: s.text("checks.lb.expect") });
  }
  for (const pipeline of of("aws_codepipeline")) {
    const name = literal(pipeline.config["name"]);
    if (name) checks.push({ title: s.text("checks.pipeline.title", { name }), command: `aws codepipeline get-pipeline-state ${region} --name ${name} --query 'stageStates[].[stageName,latestExecution.status]' --output text`, expect: s.text("checks.pipeline.expect") });
  }
  for (const topic of of("aws_sns_topic")) {
    const name = literal(topic.config["name"]);
    if (name) checks.push({ title: s.text("checks.sns.title", { name }), command: `aws sns list-topics ${region} --query "Topics[?ends_with(TopicArn, ':${name}')]" --output text`, expect: s.text("checks.sns.expect") });
  }
  for (const fn of of("aws_lambda_function")) {
    const name = literal(fn.config["function_name"]);
    if (name) checks.push({ title: s.text("checks.lambda.title", { name }), command: `aws lambda get-function ${region} --function-name ${name} --query 'Configuration.[State,LastUpdateStatus]' --output text`, expect: s.text("checks.lambda.expect") });
  }
  for (const cluster of of("aws_eks_cluster")) {
    const name = literal(cluster.config["name"]);
    if (name) {
      checks.push({ title: s.text("checks.eks.title", { name }), command: `aws eks describe-cluster ${region} --name ${name} --query 'cluster.[status,version]' --output text`, expect: s.text("checks.eks.expect") });
    }
  }
  for (const group of of("aws_eks_node_group")) {
    const desired = literal(argument(group.config, "scaling_config", "desired_size")) ?? "?";
    checks.push({ title: s.text("checks.nodes.title"), command: "kubectl get nodes", expect: s.text("checks.nodes.expect", { count: desired }) });
  }
  for (const namespace of namespacesOf(facts)) {
    // An external address only where Kubernetes makes a load balancer: the defaults give ClusterIP Services.
    const exposed = facts.resources.some((r) => isKubernetesLoadBalancer(r) && namespaceOf(r) === namespace);
    checks.push({ title: s.text("checks.pods.title", { namespace }), command: `kubectl get pods,svc -n ${namespace}`, expect: s.text(exposed ? "checks.pods.expect" : "checks.pods.expectClusterIp") });
  }
  for (const trail of of("aws_cloudtrail")) {
    const name = literal(trail.config["name"]);
    if (name) checks.push({ title: s.text("checks.trail.title", { name }), command: `aws cloudtrail get-trail-status ${region} --name ${name} --query IsLogging`, expect: s.text("checks.trail.expect") });
  }
  for (const detector of of("aws_guardduty_detector")) {
    const id = idOutput(detector);
    if (id) checks.push({ title: s.text("checks.guardDuty.title"), command: `aws guardduty get-detector ${region} --detector-id ${id} --query Status --output text`, expect: s.text("checks.guardDuty.expect") });
  }
  // The week's own checks (week 10's mesh) come here, after the account's and before the alarms.
  checks.push(...weekChecks);
  for (const alarm of of("aws_cloudwatch_metric_alarm").slice(0, 1)) {
    const prefix = literal(alarm.config["alarm_name"]);
    if (prefix) checks.push({ title: s.text("checks.alarms.title"), command: `aws cloudwatch describe-alarms ${region} --alarm-name-prefix ${prefix.split("-").slice(0, 3).join("-")} --query 'MetricAlarms[].[AlarmName,StateValue]' --output table`, expect: s.text("checks.alarms.expect") });
  }
  return checks;
}

/**
 * Tips for the failures learners actually hit, picked by what the week contains: a partial name, and
 * for the tips that show commands, the values they fill in (lib/runbooks/tips.ts). A tip about a
 * resource appears only on the week that creates it, and only when the config creates it (the GitHub
 * connection with `cicd.source.provider: github`, the webhook's parameter with `notifications.webhook`).
 */
export function troubleshootingFor(facts: WeekFacts): Tip[] {
  const has = (type: string) => facts.resources.some((r) => r.type === type);
  const k8s = facts.resources.some((r) => r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) || facts.files.some((f) => f.manifest);
  const eks = has("aws_eks_cluster") || (k8s && facts.kubernetes?.kind === "eks");
  const loadBalancers = k8s && facts.resources.some((r) => isKubernetesLoadBalancer(r));
  const tips = ["terraform-init"];
  if (has("aws_instance")) tips.push("ssm-offline");
  if (has("aws_nat_gateway") || facts.resources.some((r) => r.type === "aws_instance" && r.config["source_dest_check"] === false)) tips.push("private-no-internet");
  if (has("aws_ecr_repository")) tips.push("ecr-denied");
  if (eks) tips.push("kubectl-unauthorized", "addons-degraded");
  if (eks || loadBalancers) tips.push("lb-pending", "destroy-blocked");
  const named = [
    // Week 3, in the order a run meets them: Source, Build, Deploy.
    githubConnectionTip(facts),
    baseImageTip(facts),
    codeDeployAgentTip(facts),
    // Week 4.
    webhookParameterTip(facts),
    webhookRejectedTip(facts),
    // Week 7.
    alarmsInsufficientDataTip(facts),
    containerInsightsTip(facts),
    // Week 10.
    guardDutyDetectorTip(facts),
    istioCrdTip(facts),
    sidecarTip(facts),
  ].filter((tip): tip is Tip => tip !== undefined);
  return [...tips.map((tip) => ({ partial: `tips/${tip}` })), ...named];
}


/**
 * Warnings shown before the AWS stack's apply step, as partials of the week's template. With the s3
 * backend synth cannot compare eks.clusterCreatorIsAdmin with the state (it does with local state and
 * refuses a change): the page says how to spot the cluster's replacement in the plan before applying it.
 */
export function applyWarningsFor(facts: WeekFacts, backend: "local" | "s3", awsStackDir: string): PageNote[] {
  if (backend !== "s3") return [];
  return facts.resources
    .filter((r) => r.type === "aws_eks_cluster")
    .map((cluster) => {
      const name = literal(cluster.config["name"]) ?? cluster.localPath;
      const chdir = `-chdir=${shellWord(awsStackDir)}`;
      return {
        partial: "clusterReplacementWarning",
        cluster: name,
        address: cluster.address,
        check: `terraform ${chdir} show -no-color tfplan | grep -F ${shellWord(`${cluster.address} must be replaced`)}`,
        // The EKS API does not return the value (the provider keeps the one it created the cluster with): the state has it.
        applied: `terraform ${chdir} state show ${shellWord(cluster.address)} | grep -F bootstrap_cluster_creator_admin_permissions`,
      };
    });
}


/** What stays behind after `terraform destroy`, or blocks it, for this week's resources. */
export function lingeringFor(facts: WeekFacts): string[] {
  const s = facts.strings;
  const items: string[] = [];
  const of = (type: string) => facts.resources.filter((r) => r.type === type);
  const k8s = facts.resources.some((r) => r.type.startsWith("kubernetes_") || r.type.startsWith("helm_")) || facts.files.some((f) => f.manifest);
  if (of("aws_eks_cluster").length > 0 || (k8s && facts.kubernetes?.kind === "eks")) items.push(s.text("linger.k8sLoadBalancers", { region: facts.region }));
  for (const repo of of("aws_ecr_repository")) {
    const name = literal(repo.config["name"]) ?? repo.localPath;
    items.push(s.text(repo.config["force_delete"] === true ? "linger.ecrForced" : "linger.ecr", { name, region: facts.region }));
  }
  for (const bucket of of("aws_s3_bucket")) {
    const name = literal(bucket.config["bucket"]) ?? prefixed(bucket.config["bucket_prefix"]) ?? bucket.localPath;
    const versioned = facts.inventory.resources.some(
      (v) => v.type === "aws_s3_bucket_versioning" && v.references.includes(bucket.address) && literal(argument(v.config, "versioning_configuration", "status")) === "Enabled",
    );
    items.push(s.text(bucket.config["force_destroy"] === true ? "linger.s3Forced" : versioned ? "linger.s3Versioned" : "linger.s3", { name }));
  }
  for (const cluster of of("aws_eks_cluster")) {
    const name = literal(cluster.config["name"]);
    const managed = name && facts.inventory.resources.some((r) => r.type === "aws_cloudwatch_log_group" && literal(r.config["name"]) === `/aws/eks/${name}/cluster`);
    if (name && !managed) items.push(s.text("linger.eksLogs", { name }));
    items.push(s.text("linger.ebsVolumes", { region: facts.region }));
  }
  for (const fn of of("aws_lambda_function")) {
    const name = literal(fn.config["function_name"]);
    const managed = name && facts.inventory.resources.some((r) => r.type === "aws_cloudwatch_log_group" && literal(r.config["name"]) === `/aws/lambda/${name}`);
    if (name && !managed) items.push(s.text("linger.lambdaLogs", { name }));
  }
  if (of("aws_cloudwatch_log_group").length > 0) items.push(s.text("linger.logGroups"));
  if (of("aws_kms_key").length > 0) items.push(s.text("linger.kms"));
  return items;
}

/** The cheaper options the config offers, with what they save according to the price table. */
export function cheaperOptions(facts: WeekFacts, costs: CostTable, weekOptions: readonly string[] = []): string[] {
  const s = facts.strings;
  // The week's own options first (week 1's NAT arithmetic), then what follows from the resources.
  const options: string[] = [...weekOptions];
  const gateways = facts.resources.filter((r) => r.type === "aws_nat_gateway").length;
  // EKS and an Application Load Balancer refuse fewer than two AZs: never offer what would not apply.
  const fewestAzs = facts.inventory.resources.some((r) => r.type === "aws_eks_cluster" || (r.type === "aws_lb" && literal(r.config["load_balancer_type"]) !== "network")) ? 2 : 1;
  if (facts.availabilityZones.length > fewestAzs && (gateways > 1 || facts.resources.some((r) => r.type === "aws_lb" || r.type === "aws_eks_node_group"))) {
    options.push(s.text("cheaper.fewerAzs", { count: facts.availabilityZones.length, fewest: fewestAzs }));
  }
  if (costs.expensive.length > 0) options.push(s.text("cheaper.destroyDaily", { monthly: usd(costs.expensive.reduce((sum, r) => sum + r.hourlyValue, 0) * prices.hoursPerMonth, 2), daily: usd(costs.expensive.reduce((sum, r) => sum + r.hourlyValue, 0) * 8, 2) }));
  return options;
}


