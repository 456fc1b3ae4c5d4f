/**
 * The values of the troubleshooting tips that name real things: each function reads the week's
 * synthesized resources and returns the tip (its partial under templates/<lang>/partials/tips/ and the
 * commands it shows, with the names synth produced), or nothing when the week has no such resource.
 * `troubleshootingFor` in steps.ts decides the order; wording lives in the partials.
 */
// js-yaml, as the config reader: the `yaml` package costs every synth ~55 ms of CPU to load, for this one parse.
import { load as parseYaml } from "js-yaml";
import { shellWord } from "../core/shell";
import { argument, literal, type StackResource } from "./inventory";
import type { WeekFacts } from "./facts";

/** A tip: the partial that words it, and the values it shows. */
export interface Tip {
  readonly partial: string;
  readonly [value: string]: unknown;
}

/** The namespace the amazon-cloudwatch-observability add-on installs its agents into (fixed by the add-on). */
export const CLOUDWATCH_OBSERVABILITY_NAMESPACE = "amazon-cloudwatch";
/** The CodeDeploy agent's own log on the host, and the log of the deployments' hook scripts. */
export const CODEDEPLOY_AGENT_LOG = "/var/log/aws/codedeploy-agent/codedeploy-agent.log";
export const CODEDEPLOY_DEPLOYMENTS_LOG = "/opt/codedeploy-agent/deployment-root/deployment-logs/codedeploy-agent-deployments.log";

const REFERENCE = /^\$\{([a-z0-9_]+\.[A-Za-z0-9_-]+)\.([a-z_]+)(?:\[0\]\.([a-z_]+))?\}$/;

/** The directory of a stack as the page writes it (`out/stacks/<name>`), from the week's output references. */
export function stackDirOf(facts: WeekFacts, stack: string): string {
  const known = facts.outputs.find((o) => o.name === stack)?.dir ?? facts.outputs[0]?.dir;
  return known ? known.replace(/[^/]+$/, stack) : `out/stacks/${stack}`;
}

/** `"$(terraform -chdir=<stack> output -raw <name>)"` for the output (of any stack) whose value is exactly `expression`. */
export function outputReading(facts: WeekFacts, expression: unknown): string | undefined {
  for (const stack of facts.inventory.stacks) {
    const found = Object.entries(stack.outputs).find(([, o]) => o.value === expression);
    if (found) return `"$(terraform -chdir=${shellWord(stackDirOf(facts, stack.stack))} output -raw ${found[0]})"`;
  }
  return undefined;
}

/** A literal argument, or the literal `name` (or `metadata[0].name`) of the resource a `${type.x.name}` reference points at. */
export function resolvedName(facts: WeekFacts, stack: string, value: unknown): string | undefined {
  const direct = literal(value);
  if (direct !== undefined) return direct;
  const match = typeof value === "string" ? REFERENCE.exec(value) : null;
  if (!match) return undefined;
  const target = facts.inventory.byAddress(stack, match[1]);
  if (!target) return undefined;
  return match[2] === "metadata" ? literal(argument(target.config, "metadata", match[3] ?? "name")) : literal(target.config[match[2]]);
}

const region = (facts: WeekFacts) => `--region ${shellWord(facts.region)}`;
const of = (facts: WeekFacts, type: string) => facts.resources.filter((r) => r.type === type);

function pipelineName(facts: WeekFacts): string | undefined {
  const pipeline = of(facts, "aws_codepipeline")[0];
  return pipeline ? literal(pipeline.config["name"]) : undefined;
}

function startPipeline(facts: WeekFacts): string | undefined {
  const name = pipelineName(facts);
  return name ? `aws codepipeline start-pipeline-execution ${region(facts)} --name ${shellWord(name)}` : undefined;
}

/** Week 3, GitHub source: the connection is created PENDING and waits for a person to approve it. */
export function githubConnectionTip(facts: WeekFacts): Tip | undefined {
  const connection = of(facts, "aws_codestarconnections_connection")[0];
  const name = connection ? literal(connection.config["name"]) : undefined;
  const arn = connection ? outputReading(facts, `\${${connection.address}.arn}`) : undefined;
  const start = startPipeline(facts);
  if (!name || !arn || !start) return undefined;
  const stages = (of(facts, "aws_codepipeline")[0]?.config["stage"] ?? []) as { action?: { configuration?: Record<string, unknown> }[] }[];
  const repository = stages.flatMap((s) => s.action ?? []).map((a) => literal(a.configuration?.["FullRepositoryId"])).find(Boolean) ?? "-";
  return {
    partial: "tips/github-connection-pending",
    connection: name,
    repository,
    statusCommand: `aws codestar-connections get-connection ${region(facts)} --connection-arn ${arn} --query Connection.ConnectionStatus --output text`,
    startCommand: start,
  };
}

/** Week 3: `docker build` cannot pull the Dockerfile's base image (a registry's pull limit, a tag that does not exist). */
export function baseImageTip(facts: WeekFacts): Tip | undefined {
  const project = of(facts, "aws_codebuild_project")[0];
  const group = project ? resolvedName(facts, project.stack, argument(project.config, "logs_config", "cloudwatch_logs", "group_name")) : undefined;
  const start = startPipeline(facts);
  if (!group || !start) return undefined;
  return {
    partial: "tips/build-base-image",
    logsCommand: `aws logs tail ${shellWord(group)} ${region(facts)} --since 2h | grep -E 'toomanyrequests|manifest unknown|pull access denied'`,
    startCommand: start,
  };
}

/** Week 3: the Deploy stage fails because the CodeDeploy agent is missing or stopped on a host. */
export function codeDeployAgentTip(facts: WeekFacts): Tip | undefined {
  if (of(facts, "aws_codedeploy_deployment_group").length === 0) return undefined;
  const hosts = of(facts, "aws_ssm_association").flatMap((association) => {
    const name = literal(association.config["association_name"]);
    const target = (argument(association.config, "targets", "values") as unknown[] | undefined)?.[0];
    const instance = typeof target === "string" ? outputReading(facts, target) : undefined;
    const host = typeof target === "string" ? REFERENCE.exec(target)?.[1] : undefined;
    const hostName = host ? literal((facts.inventory.byAddress(association.stack, host)?.config["tags"] as Record<string, unknown> | undefined)?.["Name"]) : undefined;
    if (!name || !instance) return [];
    return [
      {
        host: hostName ?? name,
        sessionCommand: `aws ssm start-session ${region(facts)} --target ${instance}`,
        associationCommand: `aws ssm describe-instance-associations-status ${region(facts)} --instance-id ${instance} --query 'InstanceAssociationStatusInfos[].[AssociationName,Status,DetailedStatus]' --output text`,
        rerunCommand: `aws ssm start-associations-once ${region(facts)} --association-ids "$(aws ssm list-associations ${region(facts)} --association-filter-list key=AssociationName,value=${shellWord(name)} --query 'Associations[0].AssociationId' --output text)"`,
      },
    ];
  });
  if (hosts.length === 0) return undefined;
  return {
    partial: "tips/codedeploy-agent",
    hosts,
    hostCommands: [
      "sudo systemctl status codedeploy-agent --no-pager",
      `sudo tail -n 50 ${CODEDEPLOY_AGENT_LOG}`,
      `sudo tail -n 50 ${CODEDEPLOY_DEPLOYMENTS_LOG}`,
      "sudo systemctl restart codedeploy-agent",
    ].join("\n"),
    agentLog: CODEDEPLOY_AGENT_LOG,
  };
}

/** Week 4: the notifier and what it reads the webhook URL from, when the week posts to a webhook. */
function webhookNotifier(facts: WeekFacts) {
  for (const fn of of(facts, "aws_lambda_function")) {
    const parameter = literal(argument(fn.config, "environment", "variables", "WEBHOOK_PARAMETER_NAME"));
    const functionName = literal(fn.config["function_name"]);
    if (!parameter || !functionName) continue;
    // Lambda writes to /aws/lambda/<function> unless the function names a log group of its own.
    const logGroup = resolvedName(facts, fn.stack, argument(fn.config, "logging_config", "log_group")) ?? `/aws/lambda/${functionName}`;
    const put = Object.entries(facts.inventory.stacks.find((s) => s.stack === fn.stack)?.outputs ?? {}).find(([name]) => name === "webhook_put_parameter_command");
    // The week's own topic (deploy events and alarms), not another week's the function also hears.
    const subscriptions = facts.resources.filter((r) => r.type === "aws_sns_topic_subscription" && r.config["endpoint"] === `\${${fn.address}.arn}`);
    const ownTopic = (r: StackResource) => {
      const topic = typeof r.config["topic_arn"] === "string" ? REFERENCE.exec(r.config["topic_arn"])?.[1] : undefined;
      return topic !== undefined && facts.inventory.byAddress(r.stack, topic)?.moduleId === fn.moduleId;
    };
    const subscription = subscriptions.find(ownTopic) ?? subscriptions[0];
    return {
      parameter,
      functionName,
      logGroup,
      putCommand: literal(put?.[1].value),
      topic: subscription ? outputReading(facts, subscription.config["topic_arn"]) : undefined,
    };
  }
  return undefined;
}

/** Week 4: the webhook URL's SSM parameter is not there yet, so nothing reaches the chat. */
export function webhookParameterTip(facts: WeekFacts): Tip | undefined {
  const notifier = webhookNotifier(facts);
  if (!notifier?.putCommand) return undefined;
  return {
    partial: "tips/webhook-parameter-missing",
    parameter: notifier.parameter,
    functionName: notifier.functionName,
    putCommand: notifier.putCommand,
    checkCommand: `aws ssm describe-parameters ${region(facts)} --parameter-filters Key=Name,Values=${shellWord(notifier.parameter)} --query 'Parameters[].[Name,Type,LastModifiedDate]' --output text`,
    testCommand: notifier.topic
      ? `aws sns publish ${region(facts)} --topic-arn ${notifier.topic} --subject 'devops-weeks test' --message 'Hello from devops-weeks'`
      : `aws lambda invoke ${region(facts)} --function-name ${shellWord(notifier.functionName)} --cli-binary-format raw-in-base64-out --payload '{"Records":[{"Sns":{"MessageId":"test","Subject":"devops-weeks test","Message":"Hello from devops-weeks"}}]}' /tmp/notifier-test.json`,
    findCommand: `aws logs tail ${shellWord(notifier.logGroup)} ${region(facts)} --since 1h --filter-pattern '"does not exist yet"'`,
    tailCommand: `aws logs tail ${shellWord(notifier.logGroup)} ${region(facts)} --since 5m`,
  };
}

/** Week 4: the chat answers 403 or 404 (a revoked or wrong webhook URL, a removed channel). */
export function webhookRejectedTip(facts: WeekFacts): Tip | undefined {
  const notifier = webhookNotifier(facts);
  if (!notifier?.putCommand) return undefined;
  return {
    partial: "tips/webhook-rejected",
    logsCommand: `aws logs tail ${shellWord(notifier.logGroup)} ${region(facts)} --since 1h --filter-pattern '"the webhook answered HTTP"'`,
    putCommand: notifier.putCommand,
  };
}

/** Week 7 (and any week with alarms): alarms that stay INSUFFICIENT_DATA, with a metric the learner can look up by the alarm's own dimensions. */
export function alarmsInsufficientDataTip(facts: WeekFacts): Tip | undefined {
  const alarms = of(facts, "aws_cloudwatch_metric_alarm");
  const names = alarms.map((a) => literal(a.config["alarm_name"])).filter((n): n is string => n !== undefined);
  if (names.length === 0) return undefined;
  const prefix = commonPrefix(names);
  const byDimensions = alarms.find((a) => {
    const dimensions = a.config["dimensions"] as Record<string, unknown> | undefined;
    return literal(a.config["namespace"]) && literal(a.config["metric_name"]) && dimensions && Object.values(dimensions).every((v) => literal(v) !== undefined);
  });
  const metric = byDimensions
    ? {
        alarm: literal(byDimensions.config["alarm_name"])!,
        period: literal(byDimensions.config["period"]) ?? "?",
        evaluationPeriods: literal(byDimensions.config["evaluation_periods"]) ?? "?",
        command:
          `aws cloudwatch list-metrics ${region(facts)} --namespace ${shellWord(literal(byDimensions.config["namespace"])!)} --metric-name ${shellWord(literal(byDimensions.config["metric_name"])!)} ` +
          `--dimensions ${Object.entries(byDimensions.config["dimensions"] as Record<string, string>)
            .map(([name, value]) => shellWord(`Name=${name},Value=${value}`))
            .join(" ")} --query 'Metrics[].Dimensions' --output text`,
      }
    : undefined;
  return {
    partial: "tips/alarms-insufficient-data",
    stateCommand: `aws cloudwatch describe-alarms ${region(facts)} --alarm-name-prefix ${shellWord(prefix)} --state-value INSUFFICIENT_DATA --query 'MetricAlarms[].[AlarmName,StateReason]' --output text`,
    metric: metric ? [metric] : [],
    notBreaching: alarms.every((a) => a.config["treat_missing_data"] === "notBreaching") ? [{}] : [],
  };
}

/** Week 7: Container Insights shows nothing, because the add-on's agent pods are not running or cannot write. */
export function containerInsightsTip(facts: WeekFacts): Tip | undefined {
  const addon = of(facts, "aws_eks_addon").find((a) => literal(a.config["addon_name"]) === "amazon-cloudwatch-observability");
  const cluster = addon ? literal(addon.config["cluster_name"]) : undefined;
  if (!addon || !cluster) return undefined;
  const serviceAccount = literal(argument(addon.config, "pod_identity_association", "service_account")) ?? "cloudwatch-agent";
  const namespace = shellWord(CLOUDWATCH_OBSERVABILITY_NAMESPACE);
  return {
    partial: "tips/container-insights-empty",
    cluster,
    namespace: CLOUDWATCH_OBSERVABILITY_NAMESPACE,
    addonCommand: `aws eks describe-addon ${region(facts)} --cluster-name ${shellWord(cluster)} --addon-name amazon-cloudwatch-observability --query 'addon.[status,health.issues]' --output text`,
    podsCommand: `kubectl get pods -n ${namespace} -o wide`,
    logsCommand: `kubectl logs -n ${namespace} daemonset/cloudwatch-agent --tail=50`,
    identityCommand: `aws eks list-pod-identity-associations ${region(facts)} --cluster-name ${shellWord(cluster)} --namespace ${namespace} --service-account ${shellWord(serviceAccount)} --query 'associations[].associationArn' --output text`,
  };
}

/** Week 10: the account already has a GuardDuty detector (one per account and region), so creating one fails. */
export function guardDutyDetectorTip(facts: WeekFacts): Tip | undefined {
  const detector = of(facts, "aws_guardduty_detector")[0];
  if (!detector) return undefined;
  const chdir = `-chdir=${shellWord(stackDirOf(facts, detector.stack))}`;
  return {
    partial: "tips/guardduty-detector-exists",
    address: detector.address,
    listCommand: `aws guardduty list-detectors ${region(facts)} --query 'DetectorIds[0]' --output text`,
    importCommand: `terraform ${chdir} import ${shellWord(detector.address)} "$(aws guardduty list-detectors ${region(facts)} --query 'DetectorIds[0]' --output text)"`,
    planCommand: `terraform ${chdir} plan -out=tfplan`,
    forgetCommand: `terraform ${chdir} state rm ${shellWord(detector.address)}`,
  };
}

/** A Kubernetes object in the values of an objects release (lib/kubernetes/helm.ts). */
export interface ChartObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: Record<string, unknown>;
}

/** The objects an objects chart release creates, read back from its values; none for any other release. */
/** Parsed once per release: every week's page asks (a chart's values can be a long YAML document). */
const chartObjectsOf = new WeakMap<StackResource, ChartObject[]>();

export function chartObjects(release: StackResource): ChartObject[] {
  let objects = chartObjectsOf.get(release);
  if (!objects) chartObjectsOf.set(release, (objects = parseChartObjects(release)));
  return objects;
}

function parseChartObjects(release: StackResource): ChartObject[] {
  const values = release.config["values"];
  const text = Array.isArray(values) && typeof values[0] === "string" ? values[0] : undefined;
  if (!text) return [];
  try {
    const parsed = parseYaml(text.replaceAll("$${", "${")) as { objects?: unknown } | null;
    return Array.isArray(parsed?.objects) ? (parsed.objects as ChartObject[]).filter((o) => o && typeof o.kind === "string" && typeof o.apiVersion === "string") : [];
  } catch {
    return [];
  }
}

/** The week's Istio objects, the release that creates them, and Istio's charts, which it waits for. */
export function istioOf(facts: WeekFacts): { objects: ChartObject[]; release: StackResource; charts: StackResource[] } | undefined {
  for (const release of of(facts, "helm_release")) {
    const objects = chartObjects(release).filter((o) => /\.istio\.io\//.test(o.apiVersion));
    if (objects.length === 0) continue;
    // Istio's own charts, from Istio's repository, in the order they install: the objects release comes after them.
    const charts = installOrder(of(facts, "helm_release").filter((r) => r.stack === release.stack && /istio/.test(literal(r.config["repository"]) ?? "")));
    return { objects, release, charts };
  }
  return undefined;
}

/** The CRD that defines an object's kind: `peerauthentications.security.istio.io`. */
export function crdOf(object: ChartObject): string {
  return `${object.kind.toLowerCase()}s.${object.apiVersion.split("/")[0]}`;
}

/** Week 10: Istio's kinds are unknown on the first apply (a chart before the objects did not finish). */
export function istioCrdTip(facts: WeekFacts): Tip | undefined {
  const istio = istioOf(facts);
  if (!istio) return undefined;
  const crds = [...new Set(istio.objects.map(crdOf))];
  const system = literal(istio.charts.find((c) => literal(c.config["chart"]) === "istiod")?.config["namespace"]) ?? "istio-system";
  const chdir = `-chdir=${shellWord(stackDirOf(facts, istio.release.stack))}`;
  const first = istio.objects[0];
  return {
    partial: "tips/istio-crds",
    release: literal(istio.release.config["name"]) ?? istio.release.localPath,
    charts: istio.charts.map((c) => literal(c.config["name"]) ?? c.localPath).join(", "),
    kind: first.kind,
    apiVersion: first.apiVersion,
    checkCommand: [`kubectl get crd ${crds.map(shellWord).join(" ")}`, `kubectl get pods -n ${shellWord(system)}`].join("\n"),
    applyCommand: [`terraform ${chdir} plan -out=tfplan`, `terraform ${chdir} apply tfplan`].join("\n"),
  };
}

/** A Deployment in a namespace the mesh injects sidecars into, with what the checks and tips need of it. */
export interface MeshWorkload {
  readonly namespace: string;
  readonly deployment: string;
  /** `-l` selector of its pods: `k=v,k2=v2`. */
  readonly selector: string;
  readonly container: string;
  readonly image?: string;
}

/** Deployments of the namespaces labeled `istio-injection=enabled`, from every stack. */
export function meshWorkloads(facts: WeekFacts): MeshWorkload[] {
  const injected = new Set(
    facts.inventory.resources
      .filter((r) => (r.type === "kubernetes_namespace_v1" || r.type === "kubernetes_namespace") && literal((argument(r.config, "metadata", "labels") as Record<string, unknown> | undefined)?.["istio-injection"]) === "enabled")
      .map((r) => literal(argument(r.config, "metadata", "name")))
      .filter((n): n is string => n !== undefined),
  );
  return facts.inventory.resources
    .filter((r) => r.type === "kubernetes_deployment_v1" || r.type === "kubernetes_deployment")
    .flatMap((r) => {
      const namespace = resolvedName(facts, r.stack, argument(r.config, "metadata", "namespace"));
      const deployment = literal(argument(r.config, "metadata", "name"));
      const labels = argument(r.config, "spec", "selector", "match_labels") as Record<string, unknown> | undefined;
      const containers = argument(r.config, "spec", "template", "spec", "container");
      const container = (Array.isArray(containers) ? containers[0] : containers) as Record<string, unknown> | undefined;
      if (!namespace || !injected.has(namespace) || !deployment || !labels || !container) return [];
      const selector = Object.entries(labels)
        .map(([k, v]) => `${k}=${literal(v) ?? ""}`)
        .join(",");
      return [{ namespace, deployment, selector, container: literal(container["name"]) ?? deployment, image: literal(container["image"]) }];
    });
}

/** Week 10: pods without the sidecar (namespace label missing, pods older than the label or istiod). */
export function sidecarTip(facts: WeekFacts): Tip | undefined {
  const istio = istioOf(facts);
  const workloads = meshWorkloads(facts);
  if (!istio || workloads.length === 0) return undefined;
  const namespaces = [...new Set(workloads.map((w) => w.namespace))];
  const system = literal(istio.charts.find((c) => literal(c.config["chart"]) === "istiod")?.config["namespace"]) ?? "istio-system";
  return {
    partial: "tips/sidecar-missing",
    namespace: namespaces.join(", "),
    labelCommand: namespaces.map((ns) => `kubectl get namespace ${shellWord(ns)} -L istio-injection`).join("\n"),
    istiodCommand: `kubectl get pods -n ${shellWord(system)} -l app=istiod`,
    restartCommand: workloads
      .flatMap((w) => [`kubectl -n ${shellWord(w.namespace)} rollout restart deployment/${shellWord(w.deployment)}`, `kubectl -n ${shellWord(w.namespace)} rollout status deployment/${shellWord(w.deployment)} --timeout=300s`])
      .join("\n"),
  };
}

/** Releases ordered so that each comes after the releases it depends on (ties in their given order). */
function installOrder(releases: readonly StackResource[]): StackResource[] {
  const ordered: StackResource[] = [];
  const pending = [...releases];
  while (pending.length > 0) {
    const next = pending.findIndex((r) => ((r.config["depends_on"] as string[] | undefined) ?? []).every((d) => !pending.some((p) => p.address === d)));
    ordered.push(...pending.splice(next < 0 ? 0 : next, 1));
  }
  return ordered;
}

function commonPrefix(names: readonly string[]): string {
  let prefix = names[0];
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
