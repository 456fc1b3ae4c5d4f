/**
 * The service-mesh module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import { defineModule } from "../../lib/core/module";
import { componentProblems } from "../../lib/kubernetes/compatibility";
import type { ConfigProblem } from "../../lib/core/errors";
import { eksModule } from "../eks/module";
import { kubernetesModule } from "../kubernetes/module";
import { serviceMeshSettings, type ServiceMeshSettings } from "./settings";
import type { ServiceMeshExports } from "./exports";

export const serviceMeshModule = defineModule<ServiceMeshSettings, ServiceMeshExports>({
  id: "serviceMesh",
  week: 10,
  title: { ko: "서비스 메시(Istio 또는 VPC Lattice)와 클러스터 보안", en: "Service mesh (Istio or VPC Lattice) and cluster security" },
  requires: ["kubernetes", "eks"],
  settings: serviceMeshSettings,
  validate(settings, _study, _environment, selection) {
    const lattice = settings.provider === "vpc-lattice";
    const problems: ConfigProblem[] = componentProblems(selection.settingsOf(eksModule).kubernetesVersion, [
      ["istio", settings.istio.version, settings.provider === "istio"],
      ["gatewayControllerChart", settings.vpcLattice.chartVersion, lattice],
      ["gatewayApi", settings.vpcLattice.gatewayApiVersion, lattice],
    ]);
    const kubernetes = selection.settingsOf(kubernetesModule);
    const reserved = settings.provider === "istio" ? ["istio-system", "istio-ingress"] : ["aws-application-networking-system"];
    for (const [field, name] of [["kubernetes.namespace", kubernetes.namespace], ...kubernetes.extraNamespaces.map((n, i) => [`kubernetes.extraNamespaces[${i}]`, n])] as [string, string][]) {
      if (reserved.includes(name)) {
        problems.push({ field, value: name, expected: `a namespace of the study's own: ${name} belongs to ${settings.provider === "istio" ? "Istio" : "the VPC Lattice controller"} (week 10), with its own Pod Security labels` });
      }
    }
    const gatewayRanges = settings.istio.ingressGatewaySourceRanges;
    if (gatewayRanges.length > 0 && (settings.provider !== "istio" || !settings.istio.ingressGateway)) {
      // Ranges that open nothing would read as if the gateway were reachable.
      problems.push({
        field: "serviceMesh.istio.ingressGatewaySourceRanges",
        value: gatewayRanges,
        expected: settings.provider === "istio" ? "no ranges while serviceMesh.istio.ingressGateway is false (there is no gateway to admit them)" : "no ranges while serviceMesh.provider is vpc-lattice (Istio's gateway is not built)",
      });
    }
    if (gatewayRanges.some((cidr) => cidr.endsWith("/0")) && !settings.istio.ingressGatewayAllowPublicAccessFromInternet) {
      problems.push({
        field: "serviceMesh.istio.ingressGatewaySourceRanges",
        value: gatewayRanges,
        expected: "your own address as a /32 (the gateway open to the whole internet also needs serviceMesh.istio.ingressGatewayAllowPublicAccessFromInternet: true; with [] it has no load balancer and kubectl port-forward opens it)",
      });
    }
    const order = ["privileged", "baseline", "restricted"];
    if (order.indexOf(settings.podSecurity.warn) < order.indexOf(settings.podSecurity.enforce)) {
      problems.push({
        field: "serviceMesh.podSecurity.warn",
        value: settings.podSecurity.warn,
        expected: `a level at least as strict as enforce (${settings.podSecurity.enforce}): warnings for a looser level than the one enforced never fire`,
      });
    }
    return problems;
  },
  runbook: () => (require("./runbook") as typeof import("./runbook")).serviceMeshRunbook,
  build: (ctx) => (require("./build") as typeof import("./build")).buildServiceMesh(ctx),
});
