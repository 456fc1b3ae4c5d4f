/**
 * Week 5: Kubernetes workloads. Namespaces with Pod Security "restricted", an nginx Deployment
 * (requests/limits, readiness and liveness probes, a rolling update that never drops capacity), a
 * ConfigMap with its page and a Service of type LoadBalancer, in the `<environment>-k8s` stack. On
 * EKS (week 6 on) the AWS Load Balancer Controller serves the Service with an NLB; otherwise the stack
 * targets a local kind or minikube cluster from the kubeconfig, at no AWS cost. The same objects are
 * written as plain manifests to out/manifests/<environment>/ for the `kubectl apply -f` path.
 */
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Release } from "@cdktf/provider-helm/lib/release";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import type { BuildContext } from "../../lib/core/module";
import { shellWord } from "../../lib/core/shell";
import { literalValues } from "../../lib/core/terraform-text";
import { KubernetesStudyStack } from "../../lib/core/stacks";
import { eksModule } from "../eks/module";
import { networkModule } from "../network/module";
import type { DeploymentTuning, KubernetesApp, KubernetesExports } from "./exports";
import loadBalancerControllerPolicy from "./load-balancer-controller-policy.json";
import type { KubernetesSettings } from "./settings";
import type { IProbe } from "kubernetes-models/v1/Probe" with { "resolution-mode": "import" };
import { buildWorkloads, hasLoadBalancer, type Manifest, type Workloads } from "./workloads";

export { buildWorkloads, hasLoadBalancer, type Manifest } from "./workloads";

export const LOAD_BALANCER_CONTROLLER = {
  repository: "https://aws.github.io/eks-charts",
  chart: "aws-load-balancer-controller",
  namespace: "kube-system",
  serviceAccount: "aws-load-balancer-controller",
} as const;

export function buildKubernetes(ctx: BuildContext<KubernetesSettings>): KubernetesExports {
  const { settings } = ctx;
  const onEks = ctx.kubernetesTarget.kind === "eks" && ctx.has("eks");
  const withController = onEks && settings.loadBalancerController.enabled;
  const workloads = buildWorkloads(settings, { awsLoadBalancerController: withController });
  const scope = ctx.workloads();

  const manifests = manifestFiles(workloads, settings.app.name);
  for (const [file, content] of Object.entries(manifests)) ctx.writeFile(`manifests/${ctx.environment.name}/${file}`, content);

  const loadBalancerController = withController ? buildLoadBalancerController(ctx, scope) : undefined;

  const namespaces = workloads.namespaces.map(
    (ns) => new NamespaceV1(scope, `namespace-${ns.metadata!.name}`, { metadata: { name: ns.metadata!.name, labels: ns.metadata!.labels } }),
  );
  const appNamespace = namespaces[0];
  const configMap = new ConfigMapV1(scope, "config-map", {
    metadata: { ...metadataOf(workloads.configMap), namespace: appNamespace.metadata.name },
    // The page is the config's message: literal for Terraform (the manifests get it as written).
    data: literalValues(workloads.configMap.data),
  });
  const deployment = new DeploymentV1(scope, "deployment", {
    metadata: { ...metadataOf(workloads.deployment), namespace: appNamespace.metadata.name },
    spec: deploymentSpec(workloads),
    dependsOn: [configMap],
  });
  const serviceSpec = workloads.service.spec!;
  const loadBalancer = hasLoadBalancer(settings);
  const service = new ServiceV1(scope, "service", {
    metadata: { ...metadataOf(workloads.service), namespace: appNamespace.metadata.name },
    spec: {
      type: serviceSpec.type,
      selector: serviceSpec.selector,
      port: serviceSpec.ports!.map((p) => ({ name: p.name, port: p.port, targetPort: String(p.targetPort), protocol: p.protocol })),
      loadBalancerSourceRanges: serviceSpec.loadBalancerSourceRanges,
    },
    // kind and minikube give no load balancer without extra tools (cloud-provider-kind, minikube tunnel):
    // waiting for one there would hang the apply.
    waitForLoadBalancer: onEks && loadBalancer,
    // The controller's webhook must be up before the Service exists, or the Service gets a legacy CLB.
    dependsOn: loadBalancerController ? [loadBalancerController] : undefined,
  });

  const namespace = settings.namespace;
  const name = settings.app.name;
  if (onEks && loadBalancer) {
    ctx.output(`${underscore(name)}_load_balancer_hostname`, service.status.get(0).loadBalancer.get(0).ingress.get(0).hostname, "DNS name of the Service's load balancer (ready a few minutes after apply)", { stack: "workloads" });
  }
  ctx.output(
    `${underscore(name)}_port_forward_command`,
    `kubectl -n ${namespace} port-forward service/${name} 8080:${settings.service.port}`,
    "Opens the app on http://localhost:8080 without a load balancer",
    { stack: "workloads" },
  );
  if (!loadBalancer) {
    // The secure default admits no one from outside the cluster: the page tells the learner how to see it anyway.
    ctx.step({
      when: "after-apply",
      text: "steps.appWithoutLoadBalancer",
      params: { service: name, namespace },
      commands: [[`kubectl -n ${shellWord(namespace)} port-forward service/${shellWord(name)} 8080:${settings.service.port}`]],
    });
  }

  const [container] = workloads.pod.containers;
  const app: KubernetesApp = {
    namespace,
    deploymentName: name,
    serviceName: name,
    configMapName: name,
    // Copies: a week that puts both into one manifest must not get a YAML alias for a shared object.
    labels: { ...workloads.labels },
    selector: { ...workloads.selector },
    image: container.image!,
    containerPort: container.ports![0].containerPort,
    servicePort: serviceSpec.ports![0].port,
    dependable: [deployment, service],
  };
  const labelNamespace = (key: string, value: string) => {
    // addOverride reads a `.` as a step into a nested block.
    if (key.includes(".")) throw new Error(`labelNamespace: the label key "${key}" holds a ".", which the override path cannot carry`);
    appNamespace.addOverride(`metadata.labels.${key}`, value);
  };
  const tune = (tuning: DeploymentTuning) => tuneDeployment(deployment, app.selector, tuning);
  return { namespace, namespaces, appName: name, deployment, service, configMap, manifests, loadBalancerController, app, labelNamespace, tuneDeployment: tune };
}

/**
 * Fields a later week sets on the Deployment, in the provider's names: readiness before availability,
 * a progress deadline, spreading of the app's own pods, and replicas left to an autoscaler.
 */
function tuneDeployment(deployment: DeploymentV1, selector: Readonly<Record<string, string>>, tuning: DeploymentTuning): void {
  deployment.addOverride("spec.min_ready_seconds", tuning.minReadySeconds);
  deployment.addOverride("spec.progress_deadline_seconds", tuning.progressDeadlineSeconds);
  if (tuning.topologySpread && tuning.topologySpread.length > 0) {
    deployment.addOverride(
      "spec.template.spec.topology_spread_constraint",
      tuning.topologySpread.map((spread) => ({
        max_skew: spread.maxSkew,
        topology_key: spread.topologyKey,
        when_unsatisfiable: spread.whenUnsatisfiable,
        label_selector: [{ match_labels: selector }],
      })),
    );
  }
  if (tuning.replicasFromAutoscaler) deployment.addOverride("lifecycle.ignore_changes", ["spec[0].replicas"]);
}

/** The controller's IAM role through EKS Pod Identity (AWS stack), and its Helm chart (k8s stack). */
function buildLoadBalancerController(ctx: BuildContext<KubernetesSettings>, scope: Construct): Release {
  const eks = ctx.use(eksModule);
  const network = ctx.use(networkModule);
  eks.podIdentityRole(ctx.scope, "load-balancer-controller-role", {
    // Short: IAM role names stop at 64 characters, and <project>-<environment>- may take 49.
    name: "lb-controller",
    namespace: LOAD_BALANCER_CONTROLLER.namespace,
    serviceAccount: LOAD_BALANCER_CONTROLLER.serviceAccount,
    policy: scopedControllerPolicy(ctx.study.region, network.vpc.id),
  });
  const cluster = KubernetesStudyStack.of(scope).eksCluster;
  if (!cluster) throw new Error("the -k8s stack targets EKS but has no cluster data source");
  return new Release(scope, "aws-load-balancer-controller", {
    name: "aws-load-balancer-controller",
    repository: LOAD_BALANCER_CONTROLLER.repository,
    chart: LOAD_BALANCER_CONTROLLER.chart,
    version: ctx.settings.loadBalancerController.chartVersion,
    namespace: LOAD_BALANCER_CONTROLLER.namespace,
    atomic: true,
    cleanupOnFail: true,
    wait: true,
    timeout: 600,
    values: [
      stringify({
        clusterName: eks.clusterName,
        region: ctx.study.region,
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER.serviceAccount },
        // Pod identity gives the credentials, so the pods need no IMDS (node hop limit 1).
        replicaCount: 2,
      }),
    ],
    // Read from the cluster in this stack, not from the AWS stack's state.
    set: [{ name: "vpcId", value: cluster.vpcConfig.get(0).vpcId }],
  });
}

/**
 * The controller's policy (load-balancer-controller-policy.json: written for this project from the
 * permissions the AWS Load Balancer Controller v2.14 documents in docs/install/iam_policy.json of
 * kubernetes-sigs/aws-load-balancer-controller; compare with that file when raising chartVersion).
 * The one write it cannot scope by the controller's own tags, opening ports on the nodes' security
 * groups, is narrowed here to security groups in the study VPC.
 */
function scopedControllerPolicy(region: string, vpcId: string): unknown {
  const statements = (loadBalancerControllerPolicy.Statement as Record<string, unknown>[]).map((statement) =>
    statement.Sid === "ManageNodeSecurityGroupRules"
      ? { ...statement, Resource: `arn:aws:ec2:${region}:*:security-group/*`, Condition: { ArnLike: { "ec2:Vpc": `arn:aws:ec2:${region}:*:vpc/${vpcId}` } } }
      : statement,
  );
  return { ...loadBalancerControllerPolicy, Statement: statements };
}

function manifestFiles(workloads: Workloads, appName: string): Record<string, string> {
  const yaml = (docs: Manifest[]) => docs.map((doc) => stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false })).join("---\n");
  return {
    "00-namespaces.yaml": yaml(workloads.namespaces),
    [`10-${appName}-configmap.yaml`]: yaml([workloads.configMap]),
    [`20-${appName}-deployment.yaml`]: yaml([workloads.deployment]),
    [`30-${appName}-service.yaml`]: yaml([workloads.service]),
  };
}

function metadataOf(manifest: Manifest) {
  const metadata = manifest.metadata!;
  return { name: metadata.name, labels: metadata.labels, annotations: metadata.annotations };
}

/** The Deployment's fields in the Kubernetes provider's shape (lists named in the singular, counts as strings). */
function deploymentSpec(workloads: Workloads) {
  const spec = workloads.deployment.spec!;
  const rollingUpdate = spec.strategy!.rollingUpdate!;
  const pod = workloads.pod;
  const [container] = pod.containers;
  const probe = (p: IProbe) => ({
    httpGet: { path: p.httpGet!.path, port: String(p.httpGet!.port) },
    initialDelaySeconds: p.initialDelaySeconds,
    periodSeconds: p.periodSeconds,
    timeoutSeconds: p.timeoutSeconds,
    failureThreshold: p.failureThreshold,
  });
  return {
    replicas: String(spec.replicas),
    revisionHistoryLimit: spec.revisionHistoryLimit,
    selector: { matchLabels: workloads.selector },
    strategy: { type: spec.strategy!.type, rollingUpdate: { maxSurge: String(rollingUpdate.maxSurge), maxUnavailable: String(rollingUpdate.maxUnavailable) } },
    template: {
      metadata: { labels: workloads.labels, annotations: workloads.podAnnotations },
      spec: {
        automountServiceAccountToken: pod.automountServiceAccountToken,
        securityContext: {
          runAsNonRoot: pod.securityContext!.runAsNonRoot,
          // The provider takes user and group ids as strings.
          runAsUser: String(pod.securityContext!.runAsUser),
          runAsGroup: String(pod.securityContext!.runAsGroup),
          seccompProfile: { type: pod.securityContext!.seccompProfile!.type },
        },
        container: [
          {
            name: container.name,
            image: container.image,
            imagePullPolicy: container.imagePullPolicy,
            port: container.ports!.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol })),
            resources: { requests: quantities(container.resources!.requests!), limits: quantities(container.resources!.limits!) },
            readinessProbe: probe(container.readinessProbe!),
            livenessProbe: probe(container.livenessProbe!),
            securityContext: {
              allowPrivilegeEscalation: container.securityContext!.allowPrivilegeEscalation,
              readOnlyRootFilesystem: container.securityContext!.readOnlyRootFilesystem,
              capabilities: { drop: container.securityContext!.capabilities!.drop },
            },
            volumeMount: container.volumeMounts!.map((m) => ({ name: m.name, mountPath: m.mountPath, readOnly: m.readOnly })),
          },
        ],
        volume: pod.volumes!.map((v) => (v.configMap ? { name: v.name, configMap: { name: v.configMap.name } } : { name: v.name, emptyDir: {} })),
      },
    },
  };
}

function quantities(values: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]));
}

function underscore(name: string): string {
  return name.replace(/-/g, "_");
}

