/**
 * The eks module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/errors";
import { azCountOf } from "../../lib/config";
import { defineModule } from "../../lib/module";
import { architectureOf } from "../../lib/ec2";
import { EKS_VERSIONS, EXTENDED_VERSIONS, STANDARD_VERSIONS, eksSettings, type EksSettings, type EksVersion } from "./settings";
import type { EksExports } from "./index";

export const eksModule = defineModule<EksSettings, EksExports>({
  id: "eks",
  week: 6,
  title: { ko: "Amazon EKS 클러스터 구성", en: "An Amazon EKS cluster" },
  requires: ["network"],
  settings: eksSettings,
  kubernetesTarget: (_settings, study, environment) => ({ kind: "eks", clusterName: `${environment.name}-eks`, region: study.region }),
  validate(settings, study) {
    const problems: ConfigProblem[] = [];
    const version = settings.kubernetesVersion as EksVersion;
    if (EKS_VERSIONS[version]?.support === "extended" && !settings.allowExtendedSupport) {
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
  build: (ctx) => (require("./index") as typeof import("./index")).buildEks(ctx),
});
