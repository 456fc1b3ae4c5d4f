/**
 * What week 10's service mesh offers the other weeks (`ctx.use(serviceMeshModule)`): types only, so
 * that the registry entry (./module.ts) and other weeks name them without loading the build code
 * (./build.ts).
 */
import type { VpclatticeServiceNetwork } from "@cdktf/provider-aws/lib/vpclattice-service-network";
import type { PodSecurityLevel, ServiceMeshSettings } from "./settings";

export interface ServiceMeshExports {
  readonly provider: ServiceMeshSettings["provider"];
  /** Namespaces that carry Pod Security Admission labels, with the enforced level. */
  readonly podSecurity: Readonly<Record<string, PodSecurityLevel>>;
  readonly serviceNetwork?: VpclatticeServiceNetwork;
}
