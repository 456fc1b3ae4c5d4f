/**
 * What week 1's network offers the other weeks (`ctx.use(networkModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
import type { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import type { Subnet } from "@cdktf/provider-aws/lib/subnet";
import type { Vpc } from "@cdktf/provider-aws/lib/vpc";
import type { ManagedInstance } from "../../lib/constructs/managed-instance";
import type { NetworkSettings } from "./settings";

export interface NetworkExports {
  readonly vpc: Vpc;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly publicSubnets: readonly Subnet[];
  readonly privateSubnets: readonly Subnet[];
  readonly publicSubnetCidrs: readonly string[];
  readonly privateSubnetCidrs: readonly string[];
  readonly natMode: NetworkSettings["nat"]["mode"];
  /** Undefined when the config turns the bastion off. Later weeks add tools with `runScript`. */
  readonly bastion?: ManagedInstance;
  /** The NAT instances, with `nat.mode: instance` (none otherwise). */
  readonly natInstances: readonly ManagedInstance[];
  /** The NAT gateways with the AZ of each, in AZ order, with `nat.mode: gateway` (none otherwise). */
  readonly natGateways: readonly NatGatewayInAz[];
}

export interface NatGatewayInAz {
  readonly availabilityZone: string;
  readonly gateway: NatGateway;
}
