/**
 * The cost table of one week: each billable resource synth produced for it, priced from
 * `prices.json` (hourly, and monthly = hourly x 730), plus usage-priced resources with a note
 * instead of a number. Load balancers that Kubernetes will create (Services of type LoadBalancer,
 * Ingresses) are listed too: Terraform does not own them, but the learner pays for them.
 */
import prices from "./prices.json";
import { argument, literal, prefixed, type StackResource } from "./inventory";
import type { Strings } from "./strings";

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

export function weekCosts(resources: readonly StackResource[], region: string, strings: Strings): CostTable {
  const { key, prices: p, exact } = priceRegion(region);
  const rows: CostRow[] = [];
  const fixed = (item: string, name: string, hourly: number, note = "", expensive = false) =>
    rows.push({ item: strings.text(`cost.${item}`), name, hourly: usd(hourly, 4), monthly: usd(hourly * prices.hoursPerMonth, 2), note, expensive, hourlyValue: hourly });
  const usage = (item: string, name: string, note: string) => rows.push({ item: strings.text(`cost.${item}`), name, hourly: "-", monthly: "-", note, expensive: false, hourlyValue: 0 });
  const perMonth = (monthly: number) => monthly / prices.hoursPerMonth;
  const ec2 = (type: string | undefined) => (type ? (p.ec2Hour as Record<string, number>)[type] : undefined);

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
      case "aws_eks_cluster":
        fixed("eksCluster", name, p.eksClusterHour, strings.text("note.eksCluster"), true);
        break;
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
      case "aws_guardduty_detector":
      case "aws_inspector2_enabler":
        usage(r.type === "aws_guardduty_detector" ? "guardDuty" : "inspector", name, strings.text("note.trial"));
        break;
      case "aws_cloudtrail":
        usage("cloudTrail", name, strings.text("note.cloudTrail"));
        break;
      case "aws_prometheus_workspace":
      case "aws_grafana_workspace":
      case "aws_opensearch_domain":
      case "aws_kinesis_firehose_delivery_stream":
        usage("usageService", name, strings.text("note.usage"));
        break;
      case "kubernetes_service":
      case "kubernetes_service_v1":
        if (literal(argument(r.config, "spec", "type")) === "LoadBalancer") {
          fixed("k8sLoadBalancer", name, p.networkLoadBalancerHour, strings.text("note.k8sLoadBalancer"), true);
        }
        break;
      case "kubernetes_ingress_v1":
        fixed("k8sIngress", name, p.applicationLoadBalancerHour, strings.text("note.k8sLoadBalancer"), true);
        break;
      default:
        break;
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
