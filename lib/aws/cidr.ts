/** Small, pure IPv4 CIDR arithmetic, so subnet plans are known at synth (for tests, diagrams and runbooks). */

export interface Ipv4Cidr {
  readonly network: number; // unsigned 32-bit network address
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything malformed or with host bits set. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  if ((address & ~maskOf(prefix)) >>> 0 !== 0) return undefined;
  return { network: address, prefix };
}

export function isCidr(text: string): boolean {
  return parseCidr(text) !== undefined;
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const a = cidr.network;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${cidr.prefix}`;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Like Terraform's `cidrsubnet(base, newPrefix - base.prefix, index)`. */
export function subnetAt(base: Ipv4Cidr, newPrefix: number, index: number): Ipv4Cidr {
  if (newPrefix < base.prefix || newPrefix > 32) {
    throw new RangeError(`prefix /${newPrefix} does not fit inside ${formatCidr(base)}`);
  }
  const slots = 2 ** (newPrefix - base.prefix);
  if (!Number.isInteger(index) || index < 0 || index >= slots) {
    throw new RangeError(`${formatCidr(base)} has ${slots} subnets of /${newPrefix}; index ${index} is outside`);
  }
  return { network: (base.network + index * 2 ** (32 - newPrefix)) >>> 0, prefix: newPrefix };
}

export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  const mask = maskOf(prefix);
  return (a.network & mask) >>> 0 === (b.network & mask) >>> 0;
}

export interface SubnetPlan {
  readonly publicCidrs: string[];
  readonly privateCidrs: string[];
}

/**
 * Public subnets take the lower half of the VPC's /`subnetPrefix` slots and private subnets the
 * upper half, one each per AZ, so adding an AZ later never renumbers existing subnets.
 * Returns an explanation instead of a plan when they cannot fit.
 */
export function planSubnets(vpcCidr: string, subnetPrefix: number, azCount: number): SubnetPlan | string {
  const vpc = parseCidr(vpcCidr);
  if (!vpc) return `${vpcCidr} is not an IPv4 CIDR block`;
  if (subnetPrefix <= vpc.prefix) return `subnets of /${subnetPrefix} are not smaller than the VPC ${vpcCidr}`;
  if (subnetPrefix > 28) return `AWS subnets are at most /28, got /${subnetPrefix}`;
  const half = 2 ** (subnetPrefix - vpc.prefix) / 2;
  if (azCount > half) {
    return `${vpcCidr} holds ${half * 2} subnets of /${subnetPrefix}, but ${azCount} AZs need ${azCount * 2} (one public and one private per AZ)`;
  }
  const pick = (offset: number) =>
    Array.from({ length: azCount }, (_, i) => formatCidr(subnetAt(vpc, subnetPrefix, offset + i)));
  return { publicCidrs: pick(0), privateCidrs: pick(half) };
}
