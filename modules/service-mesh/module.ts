/**
 * The service-mesh module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import { defineModule } from "../../lib/module";
import { componentProblems } from "../../lib/kubernetes/compatibility";
import type { ConfigProblem } from "../../lib/errors";
import { eksModule } from "../eks/module";
import { serviceMeshSettings, type ServiceMeshSettings } from "./settings";
import type { ServiceMeshExports } from "./index";

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
  build: (ctx) => (require("./index") as typeof import("./index")).buildServiceMesh(ctx),
});
