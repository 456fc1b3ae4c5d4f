/**
 * The one table of what runs on which Kubernetes version: the EKS release calendar, Istio, every Helm
 * chart a week installs, the Cluster Autoscaler image and the EKS add-ons. Each entry names its source
 * and the date it was read; the weeks take their defaults from here for the default Kubernetes
 * version, and refuse at synth a version the table does not list for the cluster's, naming the field,
 * the value and what is supported.
 *
 * Bumping a pin means: read the project's own support page again, change the entry and its date, and
 * run `npm test` (the plans and the schema checks use the new defaults).
 */

/** When every entry below was last read against its source. */
export const COMPATIBILITY_CHECKED = "2026-12-01";

export interface Source {
  readonly url: string;
  /** The date the source was read. */
  readonly checked: string;
  readonly note?: string;
}

// ---- EKS ------------------------------------------------------------------------------------------

export interface EksRelease {
  /** Last day of standard support (0.10 USD per cluster hour). */
  readonly standardUntil: string;
  /** Last day of extended support (0.60 USD per cluster hour); the cluster is upgraded after it. */
  readonly extendedUntil: string;
}

/**
 * Kubernetes versions a new EKS cluster can run. 1.32-1.34 from the EKS user guide's calendar; 1.35
 * and 1.36 from the same calendar as endoflife.date and AWS's sample tables reproduce it (the stored
 * copy of the guide ends at 1.34).
 */
export const EKS_RELEASES = {
  "1.32": { standardUntil: "2026-03-23", extendedUntil: "2027-03-23" },
  "1.33": { standardUntil: "2026-07-29", extendedUntil: "2027-07-29" },
  "1.34": { standardUntil: "2026-12-02", extendedUntil: "2027-12-02" },
  "1.35": { standardUntil: "2027-03-27", extendedUntil: "2028-03-27" },
  "1.36": { standardUntil: "2027-08-02", extendedUntil: "2028-08-02" },
} as const satisfies Record<string, EksRelease>;

export const EKS_RELEASES_SOURCE: Source = {
  url: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
  checked: COMPATIBILITY_CHECKED,
  note: "1.35 and 1.36 as reproduced by https://endoflife.date/amazon-eks (2026-08-22)",
};

export type KubernetesVersion = keyof typeof EKS_RELEASES;
export const KUBERNETES_VERSIONS = Object.keys(EKS_RELEASES) as KubernetesVersion[];

/** The course's default: in standard support through the spring 2027 cohort's first months. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = "1.35";

/**
 * A version counts as in standard support only if it stays there for at least a month after the table
 * was checked: a cohort that starts on 1.34 (standard support ends 2026-12-02) would pay the extended
 * rate within a day. Computed from the table's date, never from today's, so the output is the same on
 * every machine.
 */
const STANDARD_SUPPORT_MARGIN_DAYS = 30;

export function supportOf(version: KubernetesVersion): "standard" | "extended" {
  const margin = Date.parse(COMPATIBILITY_CHECKED) + STANDARD_SUPPORT_MARGIN_DAYS * 86_400_000;
  return Date.parse(EKS_RELEASES[version].standardUntil) >= margin ? "standard" : "extended";
}

export const STANDARD_VERSIONS = KUBERNETES_VERSIONS.filter((v) => supportOf(v) === "standard");
export const EXTENDED_VERSIONS = KUBERNETES_VERSIONS.filter((v) => supportOf(v) === "extended");

// ---- components -------------------------------------------------------------------------------------

/** A run of releases of one component (`1.31` covers 1.31.0, 1.31.1, ...) and what it runs on. */
export interface ReleaseLine {
  /** A version prefix: `1.31` matches 1.31.x, `3.` matches every 3.x. A leading `v` is ignored. */
  readonly line: string;
  /** Kubernetes minors this line supports, or the lowest one (`{ from: "1.31" }`). */
  readonly kubernetes: readonly KubernetesVersion[] | { readonly from: string };
  /** Why the line is refused even on a Kubernetes version it runs on (end of life, an end-of-support base image). */
  readonly refused?: string;
}

export interface Component {
  readonly title: string;
  /** The config field that picks the version. */
  readonly field: string;
  /** The default, for every Kubernetes version the table lists. */
  readonly default: string;
  readonly lines: readonly ReleaseLine[];
  readonly source: Source;
}

const range = (from: KubernetesVersion, to: KubernetesVersion): KubernetesVersion[] => KUBERNETES_VERSIONS.filter((v) => minor(v) >= minor(from) && minor(v) <= minor(to));

export const COMPONENTS = {
  istio: {
    title: "Istio",
    field: "serviceMesh.istio.version",
    default: "1.31.1",
    lines: [
      { line: "1.26", kubernetes: range("1.32", "1.33"), refused: "end of life since 2025-12-22" },
      { line: "1.27", kubernetes: range("1.32", "1.33"), refused: "end of life since 2026-04-07" },
      { line: "1.28", kubernetes: range("1.32", "1.34"), refused: "end of life since 2026-07-01" },
      { line: "1.29", kubernetes: range("1.32", "1.35"), refused: "end of life since 2026-10-12" },
      { line: "1.30", kubernetes: range("1.32", "1.36") },
      { line: "1.31", kubernetes: range("1.32", "1.36") },
    ],
    source: {
      url: "https://istio.io/latest/docs/releases/supported-releases/",
      checked: COMPATIBILITY_CHECKED,
      note: "1.31.0 announcement: supported on Kubernetes 1.32 to 1.36; charts only at https://blob.istio.io/istio-release/charts from 1.31 on",
    },
  },
  awsLoadBalancerController: {
    title: "AWS Load Balancer Controller chart",
    field: "kubernetes.loadBalancerController.chartVersion",
    default: "3.5.0",
    lines: [
      { line: "1.", kubernetes: { from: "1.22" }, refused: "it carries controller v2, and v3 is the maintained line" },
      { line: "3.", kubernetes: { from: "1.22" } },
    ],
    source: {
      url: "https://github.com/aws/eks-charts/tree/master/stable/aws-load-balancer-controller",
      checked: COMPATIBILITY_CHECKED,
      note: "the controller's docs/deploy/installation.md: v2.5.0+ requires Kubernetes 1.22+; its iam_policy.json is unchanged from v2.14.0 to v3.5.0",
    },
  },
  clusterAutoscalerChart: {
    title: "Cluster Autoscaler chart",
    field: "deployOptimization.nodeAutoscaling.chartVersion",
    default: "9.59.0",
    lines: [{ line: "9.", kubernetes: { from: "1.32" } }],
    source: {
      url: "https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler/charts/cluster-autoscaler",
      checked: COMPATIBILITY_CHECKED,
      note: "the chart has no kubeVersion; the image below is set to the cluster's minor",
    },
  },
  metricsServerChart: {
    title: "metrics-server chart",
    field: "monitoring.metricsServer.chartVersion",
    default: "3.13.1",
    lines: [
      { line: "3.12", kubernetes: { from: "1.27" } },
      { line: "3.13", kubernetes: { from: "1.31" } },
    ],
    source: {
      url: "https://github.com/kubernetes-sigs/metrics-server#compatibility-matrix",
      checked: COMPATIBILITY_CHECKED,
      note: "chart 3.12.x = metrics-server 0.7.x (Kubernetes 1.27+), 3.13.x = 0.8.x (1.31+)",
    },
  },
  fluentBitChart: {
    title: "aws-for-fluent-bit chart",
    field: "logging.fluentBit.chartVersion",
    default: "0.2.0",
    lines: [
      { line: "0.1.", kubernetes: { from: "1.32" }, refused: "it runs aws-for-fluent-bit 2.x on Amazon Linux 2, out of support since 2026-06-30" },
      { line: "0.2.", kubernetes: { from: "1.32" } },
    ],
    source: {
      url: "https://github.com/aws/eks-charts/tree/master/stable/aws-for-fluent-bit",
      checked: COMPATIBILITY_CHECKED,
      note: "0.2.0 = image 3.2.1 (Fluent Bit 4.2.2 on Amazon Linux 2023), same values as 0.1.x",
    },
  },
  kubePrometheusStackChart: {
    title: "kube-prometheus-stack chart",
    field: "monitoring.prometheus.chartVersion",
    default: "88.5.3",
    lines: [{ line: "88.", kubernetes: { from: "1.25" } }],
    source: {
      url: "https://github.com/prometheus-community/helm-charts/blob/main/charts/kube-prometheus-stack/Chart.yaml",
      checked: COMPATIBILITY_CHECKED,
      note: "kubeVersion >=1.25.0-0; older majors need manual CRD upgrades to reach it",
    },
  },
  gatewayControllerChart: {
    title: "AWS Gateway API controller (VPC Lattice) chart",
    field: "serviceMesh.vpcLattice.chartVersion",
    default: "v2.1.3",
    lines: [
      { line: "1.", kubernetes: { from: "1.22" }, refused: "it needs Gateway API v1.1-v1.2, and v2.1 is the maintained line" },
      { line: "2.1", kubernetes: { from: "1.31" } },
    ],
    source: {
      url: "https://github.com/aws/aws-application-networking-k8s/blob/main/docs/guides/upgrading-v2-0-x-to-v2-1-y.md",
      checked: COMPATIBILITY_CHECKED,
      note: "v2.1 is built against Gateway API v1.5 and needs Kubernetes 1.31 or later",
    },
  },
  gatewayApi: {
    title: "Kubernetes Gateway API CRDs",
    field: "serviceMesh.vpcLattice.gatewayApiVersion",
    default: "v1.5.1",
    lines: [{ line: "1.5", kubernetes: { from: "1.31" } }],
    source: {
      url: "https://github.com/kubernetes-sigs/gateway-api/releases",
      checked: COMPATIBILITY_CHECKED,
      note: "the VPC Lattice controller v2.1 accepts only the v1.5 CRD bundle",
    },
  },
} as const satisfies Record<string, Component>;

export type ComponentId = keyof typeof COMPONENTS;

/**
 * The Cluster Autoscaler image by Kubernetes minor: its minor must match the cluster's (the
 * autoscaler README's release rule), from the release tags of kubernetes/autoscaler.
 */
export const CLUSTER_AUTOSCALER_IMAGES: Readonly<Record<KubernetesVersion, string>> = {
  "1.32": "v1.32.0",
  "1.33": "v1.33.0",
  "1.34": "v1.34.2",
  "1.35": "v1.35.0",
  "1.36": "v1.36.0",
};

export const CLUSTER_AUTOSCALER_SOURCE: Source = {
  url: "https://github.com/kubernetes/autoscaler/tree/master/cluster-autoscaler#releases",
  checked: COMPATIBILITY_CHECKED,
  note: "v1.34.2 and v1.35.0 are the charts' own defaults (9.53.0, 9.59.0); newer patch tags exist but their images were not checked from here",
};

/**
 * The EKS add-ons (vpc-cni, kube-proxy, coredns, eks-pod-identity-agent, aws-ebs-csi-driver,
 * amazon-cloudwatch-observability, metrics-server) are not pinned: EKS installs the default version
 * of each for the cluster's Kubernetes version (`aws eks describe-addon-versions`).
 */
export const EKS_ADDONS_SOURCE: Source = {
  url: "https://docs.aws.amazon.com/eks/latest/userguide/eks-add-ons.html",
  checked: COMPATIBILITY_CHECKED,
  note: "no addon_version: EKS picks the default for the cluster version",
};

/** kubectl on the bastion follows the cluster's minor (supported within one minor of the API server). */
export const KUBECTL_SOURCE: Source = { url: "https://kubernetes.io/releases/version-skew-policy/", checked: COMPATIBILITY_CHECKED };

// ---- checks -------------------------------------------------------------------------------------

export interface Incompatibility {
  readonly field: string;
  readonly value: string;
  readonly expected: string;
}

/** Why a component's version does not fit the cluster's Kubernetes version, or undefined when it does. */
export function checkComponent(id: ComponentId, version: string, kubernetesVersion: string): Incompatibility | undefined {
  const component: Component = COMPONENTS[id];
  const bare = version.replace(/^v/, "");
  const line = component.lines.find((l) => bare === l.line || bare.startsWith(l.line.endsWith(".") ? l.line : `${l.line}.`));
  const supported = component.lines.filter((l) => !l.refused).map((l) => `${bareLine(l)}.x`);
  const where = `${component.title} (lib/kubernetes/compatibility.ts, from ${component.source.url}, checked ${component.source.checked})`;
  if (!line) {
    return { field: component.field, value: version, expected: `a release the compatibility table lists for ${where}: ${supported.join(", ")}; the default is ${component.default}` };
  }
  if (line.refused) return { field: component.field, value: version, expected: `a supported release of ${component.title}, ${supported.join(" or ")} (the default is ${component.default}): ${bareLine(line)}.x is refused, ${line.refused}` };
  if (!runsOn(line, kubernetesVersion)) {
    return { field: component.field, value: version, expected: `a release that supports Kubernetes ${kubernetesVersion} (eks.kubernetesVersion): ${describeKubernetes(line)} for ${component.title} ${bareLine(line)}.x per ${where}` };
  }
  return undefined;
}

function bareLine(line: ReleaseLine): string {
  return line.line.replace(/\.$/, "");
}

function runsOn(line: ReleaseLine, kubernetesVersion: string): boolean {
  if ("from" in line.kubernetes) return minor(kubernetesVersion) >= minor(line.kubernetes.from);
  return (line.kubernetes as readonly string[]).includes(kubernetesVersion);
}

function describeKubernetes(line: ReleaseLine): string {
  if ("from" in line.kubernetes) return `Kubernetes ${line.kubernetes.from} or later`;
  const versions = line.kubernetes as readonly string[];
  return `Kubernetes ${versions[0]}-${versions[versions.length - 1]}`;
}

/** `1.35` -> 35, for comparing Kubernetes minors (all are 1.x). */
function minor(version: string): number {
  return Number(version.split(".")[1]);
}

/** The problems of the components a module installs, each `[component, configured version, installed?]`. */
export function componentProblems(kubernetesVersion: string, components: readonly (readonly [ComponentId, string, boolean])[]): Incompatibility[] {
  return components.flatMap(([id, version, installed]) => {
    const problem = installed ? checkComponent(id, version, kubernetesVersion) : undefined;
    return problem ? [problem] : [];
  });
}
