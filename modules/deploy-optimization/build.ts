/**
 * Week 9: deploy optimization. The week-5 app scales on CPU (HorizontalPodAutoscaler), keeps pods
 * through node drains (PodDisruptionBudget), spreads over AZs and nodes, and rolls out with tuned
 * settings; the cluster's nodes scale with the Cluster Autoscaler; a Spot node group and a canary
 * Deployment are options. The Docker-host path's blue/green is described in the README.
 */
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { HorizontalPodAutoscalerV2 } from "@cdktf/provider-kubernetes/lib/horizontal-pod-autoscaler-v2";
import { PodDisruptionBudgetV1 } from "@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1";
import { Token } from "cdktf";
import type { Construct } from "constructs";
import { architectureOf } from "../../lib/aws/ec2";
import type { BuildContext } from "../../lib/core/module";
import { literalValues } from "../../lib/core/terraform-text";
import { imagePullPolicyFor } from "../../lib/containers/image-reference";
import { CLUSTER_AUTOSCALER_IMAGES, type KubernetesVersion } from "../../lib/kubernetes/compatibility";
import { chartRelease, type KubernetesObject } from "../../lib/kubernetes/helm";
import { manifestFile, providerShape } from "../../lib/kubernetes/manifests";
import { APP_CONTAINER_SECURITY_CONTEXT, APP_POD_SECURITY_CONTEXT } from "../../lib/kubernetes/security-contexts";
import { eksModule } from "../eks/module";
import type { KubernetesApp, TopologySpread } from "../kubernetes/exports";
import { kubernetesModule } from "../kubernetes/module";
import { monitoringModule } from "../monitoring/module";
import type { DeployOptimizationExports } from "./exports";
import type { DeployOptimizationSettings } from "./settings";

export const CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = "cluster-autoscaler";
export const SPOT_LABEL = "devops-weeks/capacity";
export const TRACK_LABEL = "devops-weeks/track";

export function buildDeployOptimization(ctx: BuildContext<DeployOptimizationSettings>): DeployOptimizationExports {
  const { settings } = ctx;
  const kubernetes = ctx.use(kubernetesModule);
  const app = kubernetes.app;
  const workloads = ctx.workloads();

  // Week 5 owns the Deployment; this week tunes it in place: readiness before availability, a
  // progress deadline, pods spread over AZs then nodes, and replicas left to the HPA once it runs.
  kubernetes.tuneDeployment({
    minReadySeconds: settings.rollout.minReadySeconds,
    progressDeadlineSeconds: settings.rollout.progressDeadlineSeconds,
    topologySpread: settings.topologySpread.enabled ? topologySpread(settings.topologySpread.maxSkew) : undefined,
    replicasFromAutoscaler: settings.hpa.enabled,
  });
  // The HPA reads CPU use from metrics-server: week 7 installs it; without week 7, this week does.
  const monitoring = ctx.has("monitoring") ? ctx.use(monitoringModule) : undefined;
  if (settings.hpa.enabled && !monitoring?.metricsServer) {
    const cluster = ctx.use(eksModule);
    new EksAddon(ctx.scope, "metrics-server", {
      clusterName: cluster.clusterName,
      addonName: "metrics-server",
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      dependsOn: [...cluster.ready],
    });
  }
  const objects = appObjects(settings, app);
  let hpa: HorizontalPodAutoscalerV2 | undefined;
  let canary: DeploymentV1 | undefined;
  for (const object of objects) {
    const base = { metadata: object.metadata, dependsOn: [...app.dependable] };
    if (object.kind === "HorizontalPodAutoscaler") {
      hpa = new HorizontalPodAutoscalerV2(workloads, "app-hpa", { ...base, spec: providerShape(object.spec, HPA_SHAPE) as never });
    } else if (object.kind === "PodDisruptionBudget") {
      new PodDisruptionBudgetV1(workloads, "app-pdb", { ...base, spec: providerShape(object.spec) as never });
    } else if (object.kind === "Deployment") {
      canary = new DeploymentV1(workloads, "app-canary", { ...base, spec: providerShape(object.spec, DEPLOYMENT_SHAPE) as never });
    }
  }
  if (objects.length > 0) ctx.writeFile(`manifests/${ctx.environment.name}/50-${app.deploymentName}-week9.yaml`, manifestFile(9, "deployOptimization", objects));
  if (settings.nodeAutoscaling.tool === "cluster-autoscaler") buildClusterAutoscaler(ctx, workloads);
  const spotNodeGroup = settings.spotNodeGroup.enabled ? buildSpotNodeGroup(ctx) : undefined;
  return { hpa, spotNodeGroup, canary };
}

/** The provider calls the HPA's repeated blocks metric and policy, and makes scaleUp/scaleDown block lists. */
const HPA_SHAPE = { rename: { metrics: "metric", policies: "policy" }, wrap: ["scaleUp", "scaleDown"] };
const DEPLOYMENT_SHAPE = { rename: { containers: "container", ports: "port", volumeMounts: "volumeMount", volumes: "volume" } };

/** Week 9's objects in the app namespace, as Kubernetes reads them (also written to out/manifests/). */
export function appObjects(settings: DeployOptimizationSettings, app: KubernetesApp): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  const metadata = (name: string, labels = app.labels) => ({ name, namespace: app.namespace, labels });
  if (settings.hpa.enabled) objects.push(hpaObject(settings.hpa, app, metadata(app.deploymentName)));
  if (settings.podDisruptionBudget.enabled) {
    objects.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: metadata(app.deploymentName),
      spec: { minAvailable: settings.podDisruptionBudget.minAvailable, selector: { matchLabels: app.selector } },
    });
  }
  if (settings.canary.enabled) objects.push(canaryObject(settings.canary, app));
  return objects;
}

/** AZ first (an AZ outage leaves pods elsewhere), then node; ScheduleAnyway so a small cluster still schedules. */
export function topologySpread(maxSkew: number): TopologySpread[] {
  return ["topology.kubernetes.io/zone", "kubernetes.io/hostname"].map((topologyKey) => ({ topologyKey, maxSkew, whenUnsatisfiable: "ScheduleAnyway" }));
}

function hpaObject(hpa: DeployOptimizationSettings["hpa"], app: KubernetesApp, metadata: KubernetesObject["metadata"]): KubernetesObject {
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata,
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app.deploymentName },
      minReplicas: hpa.minReplicas,
      maxReplicas: hpa.maxReplicas,
      metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: hpa.cpuUtilizationPercent } } }],
      behavior: {
        // Up fast (double, or +2 pods, per 30 s), down slowly (one pod a minute after the window).
        scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 30 }, { type: "Pods", value: 2, periodSeconds: 30 }] },
        scaleDown: { stabilizationWindowSeconds: hpa.scaleDownStabilizationSeconds, selectPolicy: "Min", policies: [{ type: "Pods", value: 1, periodSeconds: 60 }] },
      },
    },
  };
}

/**
 * Cluster Autoscaler rather than Karpenter: it scales the managed node groups week 6 already has
 * (their Auto Scaling groups carry the discovery tags), needs one chart and one role, and a learner
 * can read its decisions in one log. Its role may change only Auto Scaling groups tagged for this cluster.
 */
function buildClusterAutoscaler(ctx: BuildContext<DeployOptimizationSettings>, workloads: Construct): void {
  const { scope, settings } = ctx;
  const cluster = ctx.use(eksModule);
  cluster.podIdentityRole(scope, "cluster-autoscaler-role", {
    name: "cluster-autoscaler",
    namespace: "kube-system",
    serviceAccount: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
    policy: clusterAutoscalerPolicy(cluster.clusterName),
  });
  // Terraform keeps the node group's size it was given; the autoscaler changes desired size from now on.
  cluster.leaveDesiredSizeToAutoscaler();
  chartRelease(workloads, "cluster-autoscaler", {
    name: "cluster-autoscaler",
    repository: "https://kubernetes.github.io/autoscaler",
    chart: "cluster-autoscaler",
    version: settings.nodeAutoscaling.chartVersion,
    namespace: "kube-system",
    values: {
      autoDiscovery: { clusterName: cluster.clusterName },
      awsRegion: ctx.study.region,
      cloudProvider: "aws",
      // The autoscaler's minor version follows the cluster's (lib/kubernetes/compatibility.ts).
      image: { tag: CLUSTER_AUTOSCALER_IMAGES[cluster.kubernetesVersion as KubernetesVersion] },
      rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT } },
      extraArgs: {
        "balance-similar-node-groups": true,
        "skip-nodes-with-system-pods": false,
        expander: "least-waste",
        "scale-down-unneeded-time": `${settings.nodeAutoscaling.scaleDownUnneededMinutes}m`,
      },
      podDisruptionBudget: { maxUnavailable: 1 },
    },
  });
  ctx.output("cluster_autoscaler_logs_command", "kubectl -n kube-system logs deployment/cluster-autoscaler-aws-cluster-autoscaler --tail=50", "Shows the Cluster Autoscaler's latest scaling decisions");
}

/** The Cluster Autoscaler's AWS permissions: read anything, change only this cluster's tagged groups. */
export function clusterAutoscalerPolicy(clusterName: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "Discover",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
          "eks:DescribeNodegroup",
        ],
        Resource: "*",
      },
      {
        Sid: "ScaleOwnGroupsOnly",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
    ],
  };
}

/** A Spot node group beside week 6's, same secure launch template settings, labelled so workloads can choose it. */
function buildSpotNodeGroup(ctx: BuildContext<DeployOptimizationSettings>): EksNodeGroup {
  const { scope, settings } = ctx;
  const spot = settings.spotNodeGroup;
  const cluster = ctx.use(eksModule);
  const name = `${cluster.clusterName}-spot`;
  const template = new LaunchTemplate(scope, "spot-node-template", {
    name,
    description: "EKS Spot nodes: IMDSv2 required, encrypted gp3 root volume",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
    tagSpecifications: [
      { resourceType: "instance", tags: literalValues({ ...ctx.environment.tags, Name: `${name}-node` }) },
      { resourceType: "volume", tags: literalValues({ ...ctx.environment.tags, Name: `${name}-node` }) },
    ],
    updateDefaultVersion: true,
  });
  const group = new EksNodeGroup(scope, "spot-nodes", {
    clusterName: cluster.clusterName,
    nodeGroupName: name,
    version: cluster.cluster.version,
    nodeRoleArn: cluster.nodeRole.arn,
    subnetIds: [...cluster.privateSubnetIds],
    amiType: architectureOf(spot.instanceTypes[0]) === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
    instanceTypes: [...spot.instanceTypes],
    capacityType: "SPOT",
    scalingConfig: { minSize: spot.minSize, desiredSize: spot.desiredSize, maxSize: spot.maxSize },
    updateConfig: { maxUnavailable: 1 },
    labels: { [SPOT_LABEL]: "spot" },
    launchTemplate: { id: template.id, version: Token.asString(template.latestVersion) },
    tags: { Name: name },
    dependsOn: [cluster.nodeGroup],
    lifecycle: { ignoreChanges: ["scaling_config[0].desired_size"] },
  });
  return group;
}

/**
 * The canary recipe: a second Deployment with the new image and the app's labels plus a track label.
 * Week 5's Service selects by the app's labels only, so it sends each request to any ready pod of
 * either Deployment: the canary's share of traffic is its share of the replicas.
 */
function canaryObject(canary: DeployOptimizationSettings["canary"], app: KubernetesApp): KubernetesObject {
  const selector = { ...app.selector, [TRACK_LABEL]: "canary" };
  const labels = { ...app.labels, [TRACK_LABEL]: "canary" };
  const image = canary.image ?? app.image;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: `${app.deploymentName}-canary`, namespace: app.namespace, labels },
    spec: {
      replicas: canary.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels },
        spec: {
          automountServiceAccountToken: false,
          // The same hardening as week 5's pods: the namespace admits only what Pod Security "restricted" allows.
          securityContext: { ...APP_POD_SECURITY_CONTEXT, seccompProfile: { ...APP_POD_SECURITY_CONTEXT.seccompProfile } },
          containers: [
            {
              name: "app",
              image,
              imagePullPolicy: imagePullPolicyFor(image),
              ports: [{ name: "http", containerPort: app.containerPort, protocol: "TCP" }],
              resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
              readinessProbe: { httpGet: { path: "/", port: "http" }, initialDelaySeconds: 2, periodSeconds: 5 },
              securityContext: { ...APP_CONTAINER_SECURITY_CONTEXT, capabilities: { drop: [...APP_CONTAINER_SECURITY_CONTEXT.capabilities.drop] } },
              volumeMounts: [
                { name: "tmp", mountPath: "/tmp" },
                ...(app.configMapName ? [{ name: "html", mountPath: "/usr/share/nginx/html", readOnly: true }] : []),
              ],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: {} }, ...(app.configMapName ? [{ name: "html", configMap: { name: app.configMapName } }] : [])],
        },
      },
    },
  };
}
