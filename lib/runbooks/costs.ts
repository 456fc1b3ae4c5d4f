/**
 * The cost table of one week: each billable resource synth produced for it, priced from
 * `prices.json` (hourly, and monthly = hourly x 730), plus usage-priced resources with a note
 * instead of a number. Load balancers that Kubernetes will create (Services of type LoadBalancer,
 * Ingresses) are listed too: Terraform does not own them, but the learner pays for them.
 */
import prices from "./prices.json";
import { argument, literal, prefixed, type StackResource } from "./inventory";
import type { Strings } from "./strings";
import type { ResourceCost } from "../core/module";
import { isKubernetesLoadBalancer } from "./kubernetes-load-balancers";

/** The modules' own cost declarations, merged by resource type (see `StudyModule.resourceCosts`). */
export type DeclaredCosts = Readonly<Record<string, ResourceCost>>;

export function declaredCostsOf(modules: readonly { readonly resourceCosts?: DeclaredCosts }[]): DeclaredCosts {
  return Object.assign({}, ...modules.map((module) => module.resourceCosts ?? {})) as DeclaredCosts;
}

type RegionPrices = (typeof prices.regions)["ap-northeast-2"];

export const PRICE_TABLE = { source: prices.source, date: prices.date, hoursPerMonth: prices.hoursPerMonth, currency: prices.currency };

export interface CostRow {
  readonly item: string;
  readonly name: string;
  /** Formatted USD per hour, or "-" for usage-priced items. */
  readonly hourly: string;
  readonly monthly: string;
  readonly note: string;
  /** The loud ones: NAT gateways, EKS control planes, load balancers. */
  readonly expensive: boolean;
  readonly hourlyValue: number;
}

export interface CostTable {
  readonly rows: readonly CostRow[];
  readonly expensive: readonly CostRow[];
  readonly totalHourly: string;
  readonly totalMonthly: string;
  /** The price table's region name, and a note when the study region is not in the table. */
  readonly priceRegion: string;
  readonly regionNotes: readonly string[];
}

export function priceRegion(region: string): { key: string; prices: RegionPrices; exact: boolean } {
  const table = prices.regions as Record<string, RegionPrices>;
  return table[region] ? { key: region, prices: table[region], exact: true } : { key: "ap-northeast-2", prices: table["ap-northeast-2"], exact: false };
}

/**
 * `azCount`: the AZs an internet-facing load balancer spans, each with a public IPv4 address of its own
 * (Kubernetes' load balancers span the cluster's subnets, one per AZ). @default 2
 */
export function weekCosts(resources: readonly StackResource[], region: string, strings: Strings, azCount = 2, declared: DeclaredCosts = {}): CostTable {
  const { key, prices: p, exact } = priceRegion(region);
  const rows: CostRow[] = [];
  const fixed = (item: string, name: string, hourly: number, note = "", expensive = false) =>
    rows.push({ item: strings.text(`cost.${item}`), name, hourly: usd(hourly, 4), monthly: usd(hourly * prices.hoursPerMonth, 2), note, expensive, hourlyValue: hourly });
  const usage = (item: string, name: string, note: string) => rows.push({ item: strings.text(`cost.${item}`), name, hourly: "-", monthly: "-", note, expensive: false, hourlyValue: 0 });
  const perMonth = (monthly: number) => monthly / prices.hoursPerMonth;
  const ec2 = (type: string | undefined) => (type ? (p.ec2Hour as Record<string, number>)[type] : undefined);
  // An internet-facing load balancer holds one public IPv4 address per AZ, billed like any other.
  const addresses = (name: string, count: number) => fixed("publicIpv4", `${name} (${count} × IPv4)`, p.publicIpv4Hour * count, strings.text("note.lbAddresses", { count }));

  for (const r of resources) {
    const name = displayName(r);
    switch (r.type) {
      case "aws_nat_gateway":
        fixed("natGateway", name, p.natGatewayHour, strings.text("note.natData", { price: usd(p.natGatewayPerGB, 3) }), true);
        break;
      case "aws_eip":
        fixed("publicIpv4", name, p.publicIpv4Hour, strings.text("note.publicIpv4"));
        break;
      case "aws_instance": {
        const type = literal(r.config["instance_type"]);
        const hourly = ec2(type);
        if (hourly !== undefined) fixed("ec2", `${name} (${type})`, hourly);
        else usage("ec2", `${name} (${type ?? "?"})`, strings.text("note.unknownType"));
        if (r.config["associate_public_ip_address"] === true) fixed("publicIpv4", name, p.publicIpv4Hour, strings.text("note.publicIpv4"));
        const size = Number(literal(argument(r.config, "root_block_device", "volume_size")) ?? 8);
        const gp2 = literal(argument(r.config, "root_block_device", "volume_type")) === "gp2";
        fixed("ebs", `${name} (${size} GiB ${gp2 ? "gp2" : "gp3"})`, perMonth(size * (gp2 ? p.ebsGp2GBMonth : p.ebsGp3GBMonth)));
        break;
      }
      case "aws_eks_cluster": {
        // A version past standard support bills the extended-support rate from its first hour.
        const extended = literal(argument(r.config, "upgrade_policy", "support_type")) === "EXTENDED";
        fixed("eksCluster", name, extended ? p.eksClusterExtendedHour : p.eksClusterHour, strings.text(extended ? "note.eksExtended" : "note.eksCluster"), true);
        break;
      }
      case "aws_eks_node_group": {
        const types = argument(r.config, "instance_types");
        const type = Array.isArray(types) ? literal(types[0]) : undefined;
        const desired = Number(literal(argument(r.config, "scaling_config", "desired_size")) ?? 1);
        const hourly = ec2(type);
        if (hourly !== undefined) fixed("eksNodes", `${name} (${desired} × ${type})`, hourly * desired, strings.text("note.nodeDisks"));
        else usage("eksNodes", `${name} (${desired} × ${type ?? "?"})`, strings.text("note.unknownType"));
        break;
      }
      case "aws_lb": {
        const network = literal(r.config["load_balancer_type"]) === "network";
        fixed(network ? "nlb" : "alb", name, network ? p.networkLoadBalancerHour : p.applicationLoadBalancerHour, strings.text("note.lbCapacity"), true);
        const subnets = argument(r.config, "subnets");
        if (r.config["internal"] !== true) addresses(name, Array.isArray(subnets) ? subnets.length : azCount);
        break;
      }
      case "aws_vpc_endpoint": {
        if (literal(r.config["vpc_endpoint_type"]) !== "Interface") break;
        const subnets = argument(r.config, "subnet_ids");
        const azs = Array.isArray(subnets) ? subnets.length : 1;
        fixed("interfaceEndpoint", `${name} (${azs} AZ)`, p.interfaceEndpointHourPerAz * azs, strings.text("note.perGB"));
        break;
      }
      case "aws_kms_key":
        fixed("kmsKey", name, perMonth(p.kmsKeyMonth), strings.text("note.kmsRequests"));
        break;
      case "aws_secretsmanager_secret":
        fixed("secret", name, perMonth(p.secretMonth));
        break;
      case "aws_cloudwatch_metric_alarm":
        fixed("alarm", name, perMonth(p.alarmMonth), strings.text("note.alarmFreeTier"));
        break;
      case "aws_cloudwatch_dashboard":
        fixed("dashboard", name, perMonth(p.dashboardMonth), strings.text("note.dashboardFreeTier"));
        break;
      case "aws_codepipeline":
        if ((literal(r.config["pipeline_type"]) ?? "V1") === "V1") fixed("codePipeline", name, perMonth(p.codePipelineV1Month));
        else usage("codePipeline", name, strings.text("note.pipelineV2"));
        break;
      case "aws_cloudwatch_log_group":
        usage("logGroup", name, strings.text("note.logs", { price: usd(p.logsIngestPerGB, 2) }));
        break;
      case "aws_flow_log":
        usage("flowLog", name, strings.text("note.flowLogs"));
        break;
      case "aws_ecr_repository":
        usage("ecr", name, strings.text("note.storage", { price: usd(p.ecrStorageGBMonth, 3) }));
        break;
      case "aws_s3_bucket":
        usage("s3", name, strings.text("note.storage", { price: usd(p.s3StandardGBMonth, 3) }));
        break;
      case "aws_codebuild_project":
        usage("codeBuild", name, strings.text("note.buildMinutes"));
        break;
      case "aws_lambda_function":
      case "aws_sns_topic":
      case "aws_sqs_queue":
        usage(r.type === "aws_lambda_function" ? "lambda" : r.type === "aws_sns_topic" ? "sns" : "sqs", name, strings.text("note.freeTier"));
        break;
      case "aws_budgets_budget":
      case "aws_budgets_budget_action":
        usage("budget", name, strings.text("note.budgets"));
        break;
      case "aws_scheduler_schedule":
        usage("scheduler", name, strings.text("note.scheduler"));
        break;
      case "aws_guardduty_detector":
      case "aws_inspector2_enabler":
        usage(r.type === "aws_guardduty_detector" ? "guardDuty" : "inspector", name, strings.text(r.type === "aws_guardduty_detector" ? "note.guardDutyTrial" : "note.inspectorTrial"));
        break;
      case "aws_cloudtrail":
        usage("cloudTrail", name, strings.text("note.cloudTrail"));
        break;
      case "aws_prometheus_workspace":
      case "aws_grafana_workspace":
      case "aws_kinesis_firehose_delivery_stream":
        usage("usageService", name, strings.text("note.usage"));
        break;
      // Billed by the hour while they exist, like an instance, though the price table has no number for them yet.
      case "aws_prometheus_scraper":
        usage("usageService", name, strings.text("note.prometheusCollector"));
        break;
      case "aws_opensearch_domain":
        usage("usageService", name, strings.text("note.openSearch"));
        break;
      case "kubernetes_service":
      case "kubernetes_service_v1":
      case "helm_release":
        // A Service of type LoadBalancer, or Istio's gateway chart unless its values make the Service a
        // ClusterIP (as they do while no source range is configured): an NLB and its addresses.
        if (isKubernetesLoadBalancer(r)) {
          fixed("k8sLoadBalancer", name, p.networkLoadBalancerHour, strings.text("note.k8sLoadBalancer"), true);
          addresses(name, azCount);
        }
        break;
      case "aws_eks_addon":
        if (literal(r.config["addon_name"]) === "amazon-cloudwatch-observability") usage("containerInsights", name, strings.text("note.containerInsights"));
        break;
      case "kubernetes_ingress_v1":
        fixed("k8sIngress", name, p.applicationLoadBalancerHour, strings.text("note.k8sLoadBalancer"), true);
        addresses(name, azCount);
        break;
      default: {
        const cost = declared[r.type];
        if (cost && "usage" in cost) {
          const lang = strings.lang as keyof typeof cost.usage;
          rows.push({ item: cost.usage[lang], name, hourly: "-", monthly: "-", note: cost.note[lang], expensive: false, hourlyValue: 0 });
        }
        break;
      }
    }
  }
  // Most expensive first; usage-priced items (no hourly number) after the fixed ones.
  rows.sort((a, b) => Number(b.hourly !== "-") - Number(a.hourly !== "-") || b.hourlyValue - a.hourlyValue);
  const total = rows.reduce((sum, row) => sum + row.hourlyValue, 0);
  const regionName = (prices.regions as Record<string, RegionPrices>)[key].name[strings.lang as "ko" | "en"] ?? key;
  return {
    rows,
    expensive: rows.filter((row) => row.expensive),
    totalHourly: usd(total, 4),
    totalMonthly: usd(total * prices.hoursPerMonth, 2),
    priceRegion: `${key} (${regionName})`,
    regionNotes: exact ? [] : [strings.text("note.otherRegion", { region, priced: key })],
  };
}

function displayName(r: StackResource): string {
  const tags = r.config["tags"] as Record<string, unknown> | undefined;
  return (
    literal(tags?.["Name"]) ??
    literal(r.config["name"]) ??
    literal(argument(r.config, "metadata", "name")) ??
    literal(r.config["cluster_name"]) ??
    literal(r.config["node_group_name"]) ??
    literal(r.config["function_name"]) ??
    literal(r.config["bucket"]) ??
    prefixed(r.config["bucket_prefix"]) ??
    literal(r.config["alarm_name"]) ??
    literal(r.config["dashboard_name"]) ??
    literal(r.config["description"]) ??
    r.localPath
  );
}

export function usd(value: number, decimals: number): string {
  return value.toFixed(decimals);
}

/**
 * Resource types that never bill by themselves: configuration of something priced above (policies,
 * rules, attachments, associations), identities, and free AWS constructs. Together with the types
 * `weekCosts` prices, every type a stack can hold is accounted for: the offline plans in the tests
 * fail on a type that is on neither list, so a new week cannot ship an unpriced resource.
 */
export const FREE_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  // identities and their policies
  "aws_iam_role", "aws_iam_role_policy", "aws_iam_role_policy_attachment", "aws_iam_instance_profile", "aws_iam_openid_connect_provider",
  "aws_iam_user", "aws_iam_user_policy", "aws_iam_user_login_profile", "aws_iam_user_group_membership", "aws_iam_group", "aws_iam_group_policy",
  "aws_iam_group_policy_attachment", "aws_iam_group_membership", "aws_iam_account_password_policy",
  // networking constructs without an hourly price (NAT, endpoints, addresses and load balancers are priced)
  "aws_vpc", "aws_subnet", "aws_route", "aws_route_table", "aws_route_table_association", "aws_internet_gateway", "aws_security_group",
  "aws_default_security_group", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule",
  "aws_lb_listener", "aws_lb_target_group", "aws_lb_target_group_attachment", "aws_launch_template",
  // configuration of priced resources
  "aws_kms_alias", "aws_kms_key_policy", "aws_sns_topic_policy", "aws_sns_topic_subscription", "aws_lambda_permission",
  "aws_s3_bucket_policy", "aws_s3_bucket_public_access_block", "aws_s3_bucket_ownership_controls", "aws_s3_bucket_versioning",
  "aws_s3_bucket_server_side_encryption_configuration", "aws_s3_bucket_lifecycle_configuration", "aws_s3_bucket_logging", "aws_s3_bucket_notification",
  "aws_ecr_lifecycle_policy", "aws_cloudwatch_log_metric_filter", "aws_cloudwatch_log_resource_policy", "aws_cloudwatch_event_target",
  "aws_guardduty_detector_feature", "aws_eks_access_entry", "aws_eks_access_policy_association", "aws_eks_pod_identity_association",
  "aws_vpclattice_service_network_vpc_association",
  // free services or free at the course's scale (EventBridge rules on AWS events, CodeDeploy on EC2, notification rules, State Manager)
  "aws_cloudwatch_event_rule", "aws_codedeploy_app", "aws_codedeploy_deployment_group", "aws_codestarnotifications_notification_rule",
  "aws_codestarconnections_connection", "aws_ssm_association", "aws_ssm_parameter",
  // AWS Organizations has no charge; a member account bills only for what runs in it (the learner's stacks)
  "aws_organizations_organizational_unit", "aws_organizations_account", "aws_organizations_policy", "aws_organizations_policy_attachment",
  // CloudFormation has no charge for AWS's own resource types (the StackSet makes one IAM role per account)
  "aws_cloudformation_stack_set", "aws_cloudformation_stack_set_instance",
  // IAM Identity Center has no charge
  "aws_identitystore_user", "aws_ssoadmin_permission_set", "aws_ssoadmin_managed_policy_attachment", "aws_ssoadmin_account_assignment",
  // EKS add-ons run on the nodes (priced); the add-on itself has no charge
  // usage-priced where the diagram of costs names them already (the service network bills per request and GB)
  "aws_vpclattice_service_network",
  // Kubernetes objects run on the nodes; a LoadBalancer Service or an Ingress is priced above
  "kubernetes_namespace_v1", "kubernetes_config_map_v1", "kubernetes_deployment_v1", "kubernetes_network_policy_v1", "kubernetes_horizontal_pod_autoscaler_v2",
  "kubernetes_pod_disruption_budget_v1", "kubernetes_cluster_role_v1", "kubernetes_cluster_role_binding_v1", "kubernetes_manifest",
]);

/** Types `weekCosts` gives a row (a price or a usage note); test/runbooks/costs checks each one does. */
export const PRICED_RESOURCE_TYPES: ReadonlySet<string> = new Set([
  "aws_nat_gateway", "aws_eip", "aws_instance", "aws_eks_cluster", "aws_eks_node_group", "aws_lb", "aws_vpc_endpoint", "aws_kms_key",
  "aws_secretsmanager_secret", "aws_cloudwatch_metric_alarm", "aws_cloudwatch_dashboard", "aws_codepipeline", "aws_cloudwatch_log_group",
  "aws_flow_log", "aws_ecr_repository", "aws_s3_bucket", "aws_codebuild_project", "aws_lambda_function", "aws_sns_topic", "aws_sqs_queue",
  "aws_budgets_budget", "aws_budgets_budget_action", "aws_scheduler_schedule", "aws_guardduty_detector", "aws_inspector2_enabler",
  "aws_cloudtrail", "aws_prometheus_workspace", "aws_prometheus_scraper", "aws_grafana_workspace", "aws_opensearch_domain", "aws_kinesis_firehose_delivery_stream",
  "kubernetes_service_v1", "kubernetes_service", "kubernetes_ingress_v1", "helm_release", "aws_eks_addon",
]);

/** Billable resource types of a stack that have neither a price nor a place on the free list. */
export function unpricedTypes(types: Iterable<string>, declared: DeclaredCosts = {}): string[] {
  return [...new Set(types)].filter((type) => !PRICED_RESOURCE_TYPES.has(type) && !FREE_RESOURCE_TYPES.has(type) && !declared[type]).sort();
}
