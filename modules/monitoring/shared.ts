/**
 * Pieces weeks 7-10 share: an IAM role for one Kubernetes service account through EKS Pod Identity,
 * the alarm destination (week 4's SNS topic when that week is on), and a Helm release with the
 * study's conventions. Pod Identity rather than IRSA: the role trusts one service principal, needs no
 * OIDC provider, and the chart needs no role ARN annotation, so the `-k8s` stack reads nothing from
 * the AWS stack's state.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { Fn, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { parse as parseYaml, stringify } from "yaml";
import type { BuildContext } from "../../lib/module";
import type { EksExports } from "../eks/exports";
import type { DockerHostExports } from "../docker-host/exports";
import type { NetworkExports } from "../network/exports";
import type { KubernetesExports } from "../kubernetes/exports";
import { cicdModule } from "../cicd/module";
import { dockerHostModule } from "../docker-host/module";
import { eksModule } from "../eks/module";
import { kubernetesModule } from "../kubernetes/module";
import { networkModule } from "../network/module";
import { notificationsModule } from "../notifications/module";
import type { AppInfo } from "./exports";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The week-6 cluster as weeks 7-10 use it. */
export function clusterOf(ctx: BuildContext<unknown>): EksExports & { readonly name: string; readonly arn: string; readonly ready: ITerraformDependable[] } {
  const eks = ctx.use(eksModule);
  return { ...eks, name: eks.clusterName, arn: eks.clusterArn, ready: [...eks.ready] };
}

export function networkOf(ctx: BuildContext<unknown>): { vpcId: string; vpcCidr: string; privateSubnetIds: string[]; network: NetworkExports } {
  const network = ctx.use(networkModule);
  return { vpcId: network.vpc.id, vpcCidr: network.vpcCidr, privateSubnetIds: network.privateSubnets.map((s) => s.id), network };
}

/** A role for the service account of an EKS add-on, which makes its own pod identity association. */
export function addonRole(scope: Construct, id: string, name: string, managedPolicyArns: readonly string[]): IamRole {
  const role = new IamRole(scope, id, {
    name,
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    }),
  });
  managedPolicyArns.forEach((arn, i) => new IamRolePolicyAttachment(scope, `${id}-managed-${i}`, { role: role.name, policyArn: arn }));
  return role;
}

/** SNS topic ARNs alarms notify: week 4's topic when that week is on, otherwise none (alarms still show in the console). */
export function alarmActions(ctx: BuildContext<unknown>): string[] {
  return ctx.has("notifications") ? [ctx.use(notificationsModule).topicArn] : [];
}

export { chartRelease, type ChartProps } from "../../lib/kubernetes/helm";

/** The account id at apply time, from the ARN of a resource in this stack (no aws_caller_identity: plans stay offline). */
export function accountIdFrom(arn: string): string {
  return Fn.element(Fn.split(":", arn), 4) as string;
}

/** The week-2 Docker hosts (one, or blue and green), when week 2 is on. */
export function dockerHostsOf(ctx: BuildContext<unknown>): DockerHostExports["hosts"] {
  return ctx.has("dockerHost") ? ctx.use(dockerHostModule).hosts : [];
}

/** The week-2 Application Load Balancer, when week 2 is on with its load balancer. */
export function loadBalancerOf(ctx: BuildContext<unknown>): { name: string; arnSuffix: string } | undefined {
  if (!ctx.has("dockerHost")) return undefined;
  const balancer = ctx.use(dockerHostModule).loadBalancer;
  return balancer ? { name: balancer.name, arnSuffix: balancer.arnSuffix } : undefined;
}

/** The week-3 pipeline, when week 3 is on. */
export function pipelineOf(ctx: BuildContext<unknown>): { name: string } | undefined {
  return ctx.has("cicd") ? { name: ctx.use(cicdModule).pipelineName } : undefined;
}

interface ManifestShape {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    selector?: { matchLabels?: Record<string, string> } & Record<string, string>;
    template?: { spec?: { containers?: { image: string; ports?: { containerPort: number }[] }[] } };
    ports?: { port: number }[];
  };
}

/**
 * The week-5 app, when week 5 is on. Literal values come from the plain manifests week 5 writes
 * (the same objects its Terraform resources are made from), so they can go into names and policies.
 */
export function appOf(ctx: BuildContext<unknown>): AppInfo | undefined {
  if (!ctx.has("kubernetes")) return undefined;
  const k8s = ctx.use(kubernetesModule);
  // Several weeks ask for the same environment's app: parse its manifests once (a class synthesizes 100 environments).
  const known = appInfoCache.get(k8s);
  if (known) return known;
  const info = readAppInfo(k8s);
  appInfoCache.set(k8s, info);
  return info;
}

const appInfoCache = new WeakMap<KubernetesExports, AppInfo>();

function readAppInfo(k8s: KubernetesExports): AppInfo {
  const manifest = (suffix: string): ManifestShape => {
    const file = Object.keys(k8s.manifests).find((name) => name.endsWith(`-${k8s.appName}-${suffix}.yaml`));
    return file ? (parseYaml(k8s.manifests[file]) as ManifestShape) : {};
  };
  const deployment = manifest("deployment");
  const service = manifest("service");
  const container = deployment.spec?.template?.spec?.containers?.[0];
  const selector = deployment.spec?.selector?.matchLabels ?? { "app.kubernetes.io/name": k8s.appName };
  return {
    namespace: k8s.namespace,
    deploymentName: k8s.appName,
    serviceName: k8s.appName,
    configMapName: k8s.configMap ? k8s.appName : undefined,
    labels: deployment.metadata?.labels ?? selector,
    selector,
    image: container?.image ?? "",
    containerPort: container?.ports?.[0]?.containerPort ?? 8080,
    servicePort: service.spec?.ports?.[0]?.port ?? 80,
    namespaceResource: k8s.namespaces?.find((ns) => (ns as unknown as { metadata: { name: string } }).metadata.name === k8s.namespace) ?? k8s.namespaces?.[0],
    deployment: k8s.deployment,
    dependable: [k8s.deployment, k8s.service],
  };
}

/**
 * A Kubernetes object's fields in the shape the kubernetes provider's cdktf classes take: the same
 * camelCase names, except where the provider names a repeated block in the singular (containers ->
 * container) or makes a nested object a one-element block list (HPA scaleUp). Weeks 9-10 write each
 * object once, as a manifest (validated in tests, applied by kubectl if you like), and map it here.
 */
export function providerShape(value: unknown, rules: { rename?: Record<string, string>; wrap?: readonly string[] } = {}): unknown {
  if (Array.isArray(value)) return value.map((item) => providerShape(item, rules));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    const shaped = providerShape(child, rules);
    out[rules.rename?.[key] ?? key] = rules.wrap?.includes(key) && !Array.isArray(shaped) ? [shaped] : shaped;
  }
  return out;
}

import type { KubernetesObject } from "../../lib/kubernetes/helm";

/** Objects as one multi-document YAML file, marked as generated. */
export function manifestFile(week: number, moduleId: string, objects: readonly KubernetesObject[]): string {
  return `# Generated by devops-weeks (week ${week}, ${moduleId}): edit study.yaml and re-run synth.\n` + objects.map((o) => stringify(o, { lineWidth: 0 })).join("---\n");
}

