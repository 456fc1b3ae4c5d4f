/**
 * The eks module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { currentInstances, type AppliedState } from "../../lib/state/applied-state";
import { azCountOf } from "../../lib/core/config";
import { defineModule, type ClusterAccess, type RunbookCommand } from "../../lib/core/module";
import type { CoreConfig } from "../../lib/core/config";
import { shellWord } from "../../lib/core/shell";
import { networkModule } from "../network/module";
import { architectureOf } from "../../lib/aws/ec2";
import { EXTENDED_VERSIONS, STANDARD_VERSIONS, eksSettings, supportOf, type EksSettings, type EksVersion } from "./settings";
import type { EksExports } from "./exports";

export const eksModule = defineModule<EksSettings, EksExports>({
  id: "eks",
  week: 6,
  title: { ko: "Amazon EKS 클러스터 구성", en: "An Amazon EKS cluster" },
  requires: ["network"],
  settings: eksSettings,
  kubernetesTarget: (settings, study, environment) => ({ kind: "eks", clusterName: clusterNameOf(environment.name), region: study.region, access: clusterAccess(settings, study, environment.name) }),
  notices: (settings) =>
    settings.acceptClusterReplacement
      ? ["eks.acceptClusterReplacement is true: synth lets a change of eks.clusterCreatorIsAdmin through, and the next apply then destroys and recreates the cluster; set it back to false after that apply"]
      : [],
  validate(settings, study, environment, selection) {
    const problems: ConfigProblem[] = [...clusterReplacementProblems(settings, environment.name, selection.appliedState(environment.name))];
    const network = selection.settingsOf(networkModule);
    const bastion = network.bastion;
    if (network.nat.mode === "none") {
      problems.push({
        field: "network.nat.mode",
        value: "none",
        expected: "gateway or instance while week 6 (EKS) is on: the nodes in the private subnets pull images from ECR and reach the EKS API and other AWS endpoints through it",
      });
    }
    if (settings.endpoint.publicAccessCidrs.length === 0 && !bastion.enabled) {
      problems.push({
        field: "network.bastion.enabled",
        value: false,
        expected: "true while week 6 (EKS) is on with a private API (eks.endpoint.publicAccessCidrs: []): your machine reaches the API only through an SSM port forward via the bastion; or list your own address in eks.endpoint.publicAccessCidrs",
      });
    }
    const version = settings.kubernetesVersion as EksVersion;
    if (supportOf(version) === "extended" && !settings.allowExtendedSupport) {
      problems.push({
        field: "eks.kubernetesVersion",
        value: settings.kubernetesVersion,
        expected: `a version in standard support (${STANDARD_VERSIONS.join(", ")}); ${EXTENDED_VERSIONS.join(", ")} are in extended support, billed 0.60 USD per cluster hour instead of 0.10, and need eks.allowExtendedSupport: true`,
      });
    }
    if (settings.endpoint.publicAccessCidrs.some((cidr) => cidr.endsWith("/0")) && !settings.endpoint.allowPublicAccessFromInternet) {
      problems.push({
        field: "eks.endpoint.publicAccessCidrs",
        value: settings.endpoint.publicAccessCidrs,
        expected: "your own address as a /32 (the API open to the whole internet also needs eks.endpoint.allowPublicAccessFromInternet: true; with [] the API is reached from the bastion)",
      });
    }
    const { minSize, desiredSize, maxSize } = settings.nodeGroup;
    if (minSize > desiredSize || desiredSize > maxSize) {
      problems.push({
        field: "eks.nodeGroup",
        value: { minSize, desiredSize, maxSize },
        expected: "minSize <= desiredSize <= maxSize",
      });
    }
    const architectures = new Set(settings.nodeGroup.instanceTypes.map(architectureOf));
    if (architectures.size > 1) {
      problems.push({
        field: "eks.nodeGroup.instanceTypes",
        value: settings.nodeGroup.instanceTypes,
        expected: "instance types of one architecture (a node group runs one AMI type: all x86_64 such as t3.medium, or all Graviton such as t4g.medium)",
      });
    }
    const azCount = azCountOf(study);
    if (azCount < 2) {
      problems.push({ field: "availabilityZones", value: study.availabilityZones, expected: "at least 2 AZs when week 6 (EKS) is on: EKS needs subnets in two AZs" });
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildEks(ctx),
});

/**
 * EKS sets `bootstrap_cluster_creator_admin_permissions` only when it creates a cluster, and the aws
 * provider (5.100.0) marks it ForceNew: a value that differs from the one in the AWS stack's state
 * would make the next apply destroy the cluster, its nodes and add-ons and every workload on it, and
 * create a new one. Refused unless the config says so; with remote state synth cannot tell (the
 * week-6 runbook warns before the apply step instead).
 */
export function clusterReplacementProblems(settings: EksSettings, environmentName: string, applied: AppliedState): ConfigProblem[] {
  if (settings.acceptClusterReplacement || applied.kind !== "local") return [];
  for (const cluster of currentInstances(applied, "aws_eks_cluster")) {
    const [accessConfig] = (Array.isArray(cluster.attributes.access_config) ? cluster.attributes.access_config : []) as { bootstrap_cluster_creator_admin_permissions?: unknown }[];
    const recorded = accessConfig?.bootstrap_cluster_creator_admin_permissions;
    if (typeof recorded !== "boolean" || recorded === settings.clusterCreatorIsAdmin) continue;
    const name = typeof cluster.attributes.name === "string" ? cluster.attributes.name : clusterNameOf(environmentName);
    return [
      {
        field: "eks.clusterCreatorIsAdmin",
        value: settings.clusterCreatorIsAdmin,
        expected:
          `${recorded}, the value the cluster ${name} was created with (${applied.file}): EKS sets it only when it creates a cluster, so another value makes the next apply ` +
          "destroy and recreate the cluster and everything on it (nodes, add-ons, the -k8s stack's workloads and their load balancers); " +
          "to accept that, keep the new value and set eks.acceptClusterReplacement: true (and destroy the -k8s stack before that apply, so Kubernetes deletes its load balancers)",
      },
    ];
  }
  return [];
}

/** The cluster's name: `<project>-<environment>-eks`. */
export function clusterNameOf(environmentName: string): string {
  return `${environmentName}-eks`;
}

/** Outputs of the AWS stack the access steps read (the bastion's is week 1's). */
export const EKS_ACCESS_OUTPUTS = {
  clusterArn: "eks_cluster_arn",
  endpointHost: "eks_endpoint_host",
  bastionInstanceId: "bastion_instance_id",
} as const;

/**
 * How the learner's machine reaches the API. With the private endpoint (the default) an SSM port
 * forward through the bastion, which needs no open port: AWS-StartPortForwardingSessionToRemoteHost
 * to the endpoint on 443 (its name resolves to the VPC's private addresses), listening on
 * 127.0.0.1:<tunnelLocalPort>. kubectl and the -k8s stack's providers connect there and check the
 * certificate against the endpoint's name. With public CIDRs, straight to the endpoint.
 */
function clusterAccess(settings: EksSettings, study: Pick<CoreConfig, "region">, environmentName: string): ClusterAccess {
  const name = shellWord(clusterNameOf(environmentName));
  const region = shellWord(study.region);
  const updateKubeconfig: RunbookCommand = [`aws eks update-kubeconfig --region ${region} --name ${name} --alias ${name}`];
  if (settings.endpoint.publicAccessCidrs.length > 0) return { kind: "public", kubeconfig: [updateKubeconfig] };
  const localPort = settings.endpoint.tunnelLocalPort;
  return {
    kind: "tunnel",
    localPort,
    open: [
      `aws ssm start-session --region ${region} --target `,
      { output: EKS_ACCESS_OUTPUTS.bastionInstanceId },
      " --document-name AWS-StartPortForwardingSessionToRemoteHost --parameters host=",
      { output: EKS_ACCESS_OUTPUTS.endpointHost },
      `,portNumber=443,localPortNumber=${localPort}`,
    ],
    kubeconfig: [
      updateKubeconfig,
      ["kubectl config set-cluster ", { output: EKS_ACCESS_OUTPUTS.clusterArn }, ` --server=https://127.0.0.1:${localPort} --tls-server-name=`, { output: EKS_ACCESS_OUTPUTS.endpointHost }],
    ],
  };
}
