/**
 * Week 10: the service mesh, and the cluster-side security of the app namespace. Istio by Helm chart
 * (base, the CNI node agent, istiod, an ingress gateway) with STRICT mutual TLS in the app namespace,
 * or Amazon VPC Lattice through the AWS Gateway API controller. AWS App Mesh is never generated: it
 * reached end of support on 2026-09-30. Around either: NetworkPolicies that deny by default and Pod
 * Security Admission labels on the namespaces. (AWS-side security of week 10 lives in `security`.)
 */
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpclatticeServiceNetwork } from "@cdktf/provider-aws/lib/vpclattice-service-network";
import { VpclatticeServiceNetworkVpcAssociation } from "@cdktf/provider-aws/lib/vpclattice-service-network-vpc-association";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { NetworkPolicyV1 } from "@cdktf/provider-kubernetes/lib/network-policy-v1";
import { Fn, type ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";
import { stringify } from "yaml";
import type { BuildContext, DiagramEndpoint, DiagramExternal } from "../../lib/core/module";
import { shellWord } from "../../lib/core/shell";
import { KubernetesStudyStack } from "../../lib/core/stacks";
import { NLB_ANNOTATIONS } from "../../lib/kubernetes/load-balancer-annotations";
import { chartRelease, objectsChartFiles, objectsChartPath, objectsRelease, type KubernetesObject } from "../../lib/kubernetes/helm";
import { manifestFile, providerShape } from "../../lib/kubernetes/manifests";
import { eksModule } from "../eks/module";
import type { KubernetesApp } from "../kubernetes/exports";
import { kubernetesModule } from "../kubernetes/module";
import { networkModule } from "../network/module";
import type { ServiceMeshExports } from "./exports";
import type { PodSecurityLevel, ServiceMeshSettings } from "./settings";

/**
 * Istio's Helm repository since its move off Google Cloud: 1.31 and later are published only here, and
 * the old storage.googleapis.com repository is removed in December 2026 (istio.io blog, 2026-08-21).
 */
export const ISTIO_CHART_REPOSITORY = "https://blob.istio.io/istio-release/charts";
export const GATEWAY_CONTROLLER_REPOSITORY = "oci://public.ecr.aws/aws-application-networking-k8s";
export const GATEWAY_CONTROLLER_NAMESPACE = "aws-application-networking-system";
export const GATEWAY_CONTROLLER_SERVICE_ACCOUNT = "gateway-api-controller";
/** The IPv4 range of the VPC Lattice managed prefix list: Lattice reaches targets from these addresses. */
export const VPC_LATTICE_IPV4_RANGE = "169.254.171.0/24";
export const APP_MESH_END_OF_SUPPORT = "2026-09-30";

/** AWS's recommended inline policy for the AWS Gateway API controller (it manages Lattice services and their logs). */
export const GATEWAY_CONTROLLER_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: [
        "vpc-lattice:*",
        "ec2:DescribeVpcs",
        "ec2:DescribeSubnets",
        "ec2:DescribeTags",
        "ec2:DescribeSecurityGroups",
        "logs:CreateLogDelivery",
        "logs:GetLogDelivery",
        "logs:DescribeLogGroups",
        "logs:PutResourcePolicy",
        "logs:DescribeResourcePolicies",
        "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery",
        "logs:ListLogDeliveries",
        "tag:GetResources",
        "tag:TagResources",
        "tag:UntagResources",
      ],
      Resource: "*",
    },
    {
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: "arn:aws:iam::*:role/aws-service-role/vpc-lattice.amazonaws.com/AWSServiceRoleForVpcLattice",
      Condition: { StringLike: { "iam:AWSServiceName": "vpc-lattice.amazonaws.com" } },
    },
    {
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: "arn:aws:iam::*:role/aws-service-role/delivery.logs.amazonaws.com/AWSServiceRoleForLogDelivery",
      Condition: { StringLike: { "iam:AWSServiceName": "delivery.logs.amazonaws.com" } },
    },
  ],
};

export function buildServiceMesh(ctx: BuildContext<ServiceMeshSettings>): ServiceMeshExports {
  const { settings } = ctx;
  const kubernetes = ctx.use(kubernetesModule);
  const app = kubernetes.app;
  const workloads = ctx.workloads();
  const podSecurity: Record<string, PodSecurityLevel> = {};
  const psaLabels = (level: PodSecurityLevel) => ({
    "pod-security.kubernetes.io/enforce": level,
    "pod-security.kubernetes.io/enforce-version": "latest",
    "pod-security.kubernetes.io/warn": settings.podSecurity.warn,
    "pod-security.kubernetes.io/warn-version": "latest",
    "pod-security.kubernetes.io/audit": settings.podSecurity.warn,
    "pod-security.kubernetes.io/audit-version": "latest",
  });
  const namespace = (id: string, name: string, extraLabels: Record<string, string> = {}) => {
    podSecurity[name] = settings.podSecurity.enforce;
    return new NamespaceV1(workloads, id, { metadata: { name, labels: { ...psaLabels(settings.podSecurity.enforce), ...extraLabels } } });
  };

  const mesh = settings.provider === "istio" ? buildIstio(ctx, workloads, app, namespace) : buildVpcLattice(ctx, workloads, app, namespace);

  // The app namespace belongs to week 5, which already enforces the "restricted" profile there (the
  // Istio sidecar meets it: the CNI agent replaces the NET_ADMIN init container, and the pods run
  // with RuntimeDefault seccomp). Istio's injection label goes on week 5's own namespace resource,
  // so one resource owns the labels and no apply takes another's label away.
  if (settings.provider === "istio") kubernetes.labelNamespace("istio-injection", "enabled");

  if (settings.networkPolicies.enabled) buildNetworkPolicies(ctx, workloads, app);
  return { provider: settings.provider, podSecurity, serviceNetwork: mesh.serviceNetwork };
}

type NamespaceFactory = (id: string, name: string, extraLabels?: Record<string, string>) => NamespaceV1;

function buildIstio(ctx: BuildContext<ServiceMeshSettings>, workloads: Construct, app: KubernetesApp, namespace: NamespaceFactory): { serviceNetwork?: undefined } {
  const { istio } = ctx.settings;
  const system = namespace("istio-system", "istio-system");
  const chart = (id: string, chartName: string, ns: string, values: Record<string, unknown>, dependsOn: ITerraformDependable[]) =>
    chartRelease(workloads, id, { name: id, repository: ISTIO_CHART_REPOSITORY, chart: chartName, version: istio.version, namespace: ns, values, dependsOn });

  const base = chart("istio-base", "base", "istio-system", { defaultRevision: "default" }, [system]);
  // The CNI node agent sets up each pod's traffic redirection, so meshed pods need no NET_ADMIN
  // init container and pass the baseline Pod Security level. It runs in kube-system, which
  // privileged node agents already use.
  const cni = chart("istio-cni", "cni", "kube-system", { cni: { excludeNamespaces: ["kube-system", "istio-system"] } }, [base]);
  const istiod = chart("istiod", "istiod", "istio-system", { pilot: { cni: { enabled: true } }, meshConfig: { accessLogFile: "/dev/stdout" } }, [base, cni]);

  // Pods of the app namespace accept only mutual TLS from other sidecars.
  const objects: KubernetesObject[] = [
    {
      apiVersion: "security.istio.io/v1",
      kind: "PeerAuthentication",
      metadata: { name: "default", namespace: app.namespace },
      spec: { mtls: { mode: istio.mtlsMode } },
    },
  ];
  const objectsDependOn: ITerraformDependable[] = [istiod];
  if (istio.ingressGateway) {
    const ingress = namespace("istio-ingress", "istio-ingress");
    // With week 5's AWS Load Balancer Controller, the gateway gets the same kind of NLB as the app had;
    // a load balancer only for the ranges the config names (the chart's default LoadBalancer admits anyone).
    const controller = ctx.use(kubernetesModule).loadBalancerController;
    const sourceRanges = istio.ingressGatewaySourceRanges;
    const service =
      sourceRanges.length === 0
        ? { type: "ClusterIP" }
        : { type: "LoadBalancer", loadBalancerSourceRanges: [...sourceRanges], ...(controller ? { annotations: { ...NLB_ANNOTATIONS } } : {}) };
    const gateway = chart("istio-ingressgateway", "gateway", "istio-ingress", { service }, controller ? [istiod, ingress, controller] : [istiod, ingress]);
    objectsDependOn.push(gateway);
    // The way in: the load balancer Kubernetes makes for the gateway's Service (no Terraform resource),
    // or the learner's port forward; then the gateway to the app's sidecars.
    if (sourceRanges.length > 0) {
      const loadBalancer: DiagramExternal = { external: controller ? "diagram.kubernetesNlb" : "diagram.kubernetesLoadBalancer" };
      ctx.diagramFlow({ from: { actor: "internet" }, to: loadBalancer, label: "diagram.flow.allowedSources" });
      ctx.diagramFlow({ from: loadBalancer, to: gateway, label: "diagram.flow.http" });
    } else {
      ctx.diagramFlow({ from: { actor: "learner" }, to: gateway, label: "diagram.flow.gatewayPortForward" });
    }
    ctx.diagramFlow({ from: gateway, to: ctx.use(kubernetesModule).deployment, label: istio.mtlsMode === "STRICT" ? "diagram.flow.mtls" : "diagram.flow.mtlsPermissive" });
    if (sourceRanges.length > 0) {
      ctx.output(
        "istio_ingress_hostname_command",
        "kubectl -n istio-ingress get service istio-ingressgateway -o jsonpath='{.status.loadBalancer.ingress[0].hostname}'",
        "Prints the DNS name of the Istio ingress gateway: the app's address once STRICT mTLS is on",
        { stack: "workloads" },
      );
    }
    // With STRICT mTLS a plain load balancer can no longer reach the app's pods: traffic enters
    // through the gateway, which speaks mTLS to the sidecars.
    objects.push(
      {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: "app", namespace: app.namespace },
        spec: { selector: { istio: "ingressgateway" }, servers: [{ port: { number: 80, name: "http", protocol: "HTTP" }, hosts: ["*"] }] },
      },
      {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "app", namespace: app.namespace },
        spec: {
          hosts: ["*"],
          gateways: ["app"],
          http: [{ route: [{ destination: { host: `${app.serviceName}.${app.namespace}.svc.cluster.local`, port: { number: app.servicePort } } }] }],
        },
      },
    );
  }
  // Istio's own kinds, created by Helm once istiod (and its CRDs) are in: one apply on a new cluster.
  for (const [file, content] of Object.entries(objectsChartFiles())) ctx.writeFile(`${objectsChartPath(ctx.environment.name)}/${file}`, content);
  objectsRelease(workloads, "istio-app-config", { name: "istio-app-config", namespace: app.namespace, environmentName: ctx.environment.name, objects, dependsOn: [...objectsDependOn, ...app.dependable] });
  // The app's pods started before istiod: a restart brings them back with the sidecar injected.
  ctx.step({
    when: "after-apply",
    text: "steps.injectSidecars",
    params: { deployment: app.deploymentName, namespace: app.namespace },
    commands: [[`kubectl -n ${shellWord(app.namespace)} rollout restart deployment/${shellWord(app.deploymentName)}`], [`kubectl -n ${shellWord(app.namespace)} rollout status deployment/${shellWord(app.deploymentName)} --timeout=300s`]],
  });
  if (istio.ingressGateway && istio.ingressGatewaySourceRanges.length === 0) {
    // The secure default admits no one from outside the cluster: the page tells the learner how to reach the gateway anyway.
    ctx.step({ when: "after-apply", text: "steps.gatewayWithoutLoadBalancer", commands: [["kubectl -n istio-ingress port-forward service/istio-ingressgateway 8080:80"]] });
  }
  return {};
}

/**
 * Amazon VPC Lattice: a service network associated with the VPC (AWS stack), the AWS Gateway API
 * controller by chart with its pod identity role, and the Gateway API objects as a manifest file the
 * runbook applies once the Gateway API CRDs are installed.
 */
function buildVpcLattice(ctx: BuildContext<ServiceMeshSettings>, workloads: Construct, app: KubernetesApp, namespace: NamespaceFactory): { serviceNetwork: VpclatticeServiceNetwork } {
  const { scope, settings } = ctx;
  const cluster = ctx.use(eksModule);
  const network = ctx.use(networkModule);
  const serviceNetworkName = ctx.name("mesh");
  const serviceNetwork = new VpclatticeServiceNetwork(scope, "service-network", { name: serviceNetworkName, authType: "NONE" });
  const associationGroup = new SecurityGroup(scope, "lattice-association-sg", {
    name: ctx.name("lattice-clients"),
    description: "VPC Lattice service network association: HTTP(S) from inside the VPC",
    vpcId: network.vpc.id,
    ingress: [80, 443].map((port) => ({ description: `port ${port} from the VPC`, protocol: "tcp", fromPort: port, toPort: port, cidrBlocks: [network.vpcCidr] })),
    egress: [],
    tags: { Name: ctx.name("lattice-clients") },
  });
  new VpclatticeServiceNetworkVpcAssociation(scope, "service-network-vpc", {
    serviceNetworkIdentifier: serviceNetwork.id,
    vpcIdentifier: network.vpc.id,
    securityGroupIds: [associationGroup.id],
  });
  // Lattice reaches pods (IP targets) from its managed prefix list: open the app's port to it on the
  // cluster security group the nodes use.
  new VpcSecurityGroupIngressRule(scope, "nodes-from-lattice", {
    securityGroupId: cluster.cluster.vpcConfig.clusterSecurityGroupId,
    description: `App port ${app.containerPort} from VPC Lattice`,
    ipProtocol: "tcp",
    fromPort: app.containerPort,
    toPort: app.containerPort,
    cidrIpv4: VPC_LATTICE_IPV4_RANGE,
  });
  cluster.podIdentityRole(scope, "gateway-controller-role", {
    name: "gateway-api-controller",
    namespace: GATEWAY_CONTROLLER_NAMESPACE,
    serviceAccount: GATEWAY_CONTROLLER_SERVICE_ACCOUNT,
    policy: GATEWAY_CONTROLLER_POLICY,
  });

  const controllerNamespace = namespace("gateway-controller-namespace", GATEWAY_CONTROLLER_NAMESPACE);
  const eksCluster = KubernetesStudyStack.of(workloads).eksCluster;
  chartRelease(workloads, "gateway-api-controller", {
    name: "gateway-api-controller",
    repository: GATEWAY_CONTROLLER_REPOSITORY,
    chart: "aws-gateway-controller-chart",
    version: settings.vpcLattice.chartVersion,
    namespace: GATEWAY_CONTROLLER_NAMESPACE,
    // Read from the cluster by name in this stack: nothing comes from the AWS stack's state.
    values: {
      serviceAccount: { create: true, name: GATEWAY_CONTROLLER_SERVICE_ACCOUNT },
      awsRegion: ctx.study.region,
      clusterName: cluster.clusterName,
      clusterVpcId: eksCluster ? eksCluster.vpcConfig.get(0).vpcId : "",
      awsAccountId: eksCluster ? Fn.element(Fn.split(":", eksCluster.arn), 4) : "",
      defaultServiceNetwork: serviceNetworkName,
    },
    dependsOn: [controllerNamespace],
  });

  const manifestPath = `service-mesh/${ctx.environment.name}/vpc-lattice-gateway.yaml`;
  ctx.writeFile(manifestPath, latticeManifests(serviceNetworkName, app));
  // The controller watches Gateway API kinds from its first start: their CRDs go in before the -k8s
  // stack installs it (or its Helm release would wait for a controller that cannot start).
  ctx.step({
    when: "before-workloads",
    text: "steps.gatewayApiCrds",
    params: { version: settings.vpcLattice.gatewayApiVersion },
    commands: [[`kubectl apply --server-side -f ${shellWord(`https://github.com/kubernetes-sigs/gateway-api/releases/download/${settings.vpcLattice.gatewayApiVersion}/standard-install.yaml`)}`]],
  });
  ctx.step({ when: "after-apply", text: "steps.latticeGateway", commands: [[`kubectl apply -f ${shellWord(`out/${manifestPath}`)}`]] });
  // Lattice answers clients in the associated VPC only: the bastion, where there is one.
  const client: DiagramEndpoint = network.bastion ?? { external: "diagram.vpcClients", within: network.vpc };
  ctx.diagramFlow({ from: client, to: serviceNetwork, label: "diagram.flow.lattice" });
  ctx.diagramFlow({ from: serviceNetwork, to: ctx.use(kubernetesModule).deployment, label: "diagram.flow.latticeTargets" });
  ctx.output("vpc_lattice_service_network_id", serviceNetwork.id, "Amazon VPC Lattice service network of the mesh");
  return { serviceNetwork };
}

/** GatewayClass, Gateway (named like the service network) and an HTTPRoute to the app's Service. */
export function latticeManifests(serviceNetworkName: string, app: KubernetesApp): string {
  const documents = [
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: "amazon-vpc-lattice" },
      spec: { controllerName: "application-networking.k8s.aws/gateway-api-controller" },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: serviceNetworkName, namespace: app.namespace },
      spec: { gatewayClassName: "amazon-vpc-lattice", listeners: [{ name: "http", protocol: "HTTP", port: 80 }] },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: app.serviceName, namespace: app.namespace },
      spec: {
        parentRefs: [{ name: serviceNetworkName, sectionName: "http" }],
        rules: [{ backendRefs: [{ name: app.serviceName, kind: "Service", port: app.servicePort }] }],
      },
    },
  ];
  return manifestHeader() + documents.map((d) => stringify(d)).join("---\n");
}

function manifestHeader(): string {
  return "# Generated by devops-weeks (week 10, serviceMesh): edit study.yaml and re-run synth.\n";
}

/**
 * Default deny in both directions for every pod of the app namespace, then: DNS to CoreDNS, the app's
 * port from anywhere (its load balancer or gateway), traffic between pods of the namespace, and the
 * mesh's control plane. On EKS the VPC CNI enforces these once its network policy agent is on.
 */
function buildNetworkPolicies(ctx: BuildContext<ServiceMeshSettings>, workloads: Construct, app: KubernetesApp): void {
  // The VPC CNI ignores NetworkPolicies unless its agent is turned on: turn it on for this cluster.
  ctx.use(eksModule).enableNetworkPolicy();

  const objects = networkPolicyObjects(ctx.settings.provider, app);
  for (const object of objects) {
    new NetworkPolicyV1(workloads, `netpol-${object.metadata.name}`, { metadata: object.metadata, spec: providerShape(object.spec) as never, dependsOn: [...app.dependable] });
  }
  ctx.writeFile(`manifests/${ctx.environment.name}/60-network-policies.yaml`, manifestFile(10, "serviceMesh", objects));
}

/** The app namespace's NetworkPolicies, as Kubernetes reads them. */
export function networkPolicyObjects(provider: ServiceMeshSettings["provider"], app: KubernetesApp): KubernetesObject[] {
  const policy = (name: string, spec: Record<string, unknown>): KubernetesObject => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: app.namespace },
    spec: { podSelector: {}, ...spec },
  });
  const namespaceNamed = (name: string) => ({ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } } });
  const objects = [
    policy("default-deny-all", { policyTypes: ["Ingress", "Egress"] }),
    policy("allow-dns", {
      policyTypes: ["Egress"],
      egress: [
        {
          to: [{ ...namespaceNamed("kube-system"), podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
          ports: [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
          ],
        },
      ],
    }),
    // The app's port from anywhere: its load balancer (NLB to pod IPs), the mesh gateway, Lattice.
    policy("allow-app-port", {
      podSelector: { matchLabels: app.selector },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ port: app.containerPort, protocol: "TCP" }] }],
    }),
    policy("allow-same-namespace", {
      policyTypes: ["Ingress", "Egress"],
      ingress: [{ from: [{ podSelector: {} }] }],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
  ];
  if (provider === "istio") {
    // Sidecars fetch configuration and certificates from istiod; the ingress gateway reaches the pods.
    objects.push(
      policy("allow-istio", {
        policyTypes: ["Ingress", "Egress"],
        egress: [{ to: [namespaceNamed("istio-system")], ports: [{ port: 15012, protocol: "TCP" }, { port: 15017, protocol: "TCP" }] }],
        ingress: [{ from: [namespaceNamed("istio-ingress")] }],
      }),
    );
  }
  return objects;
}
