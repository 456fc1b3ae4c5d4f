import { describe, expect, test } from "vitest";
import { formatCidr, overlaps, parseCidr, planSubnets, subnetAt } from "../../lib/aws/cidr";

describe("cidr arithmetic", () => {
  test("parses and formats, refusing malformed blocks and host bits", () => {
    expect(formatCidr(parseCidr("10.0.0.0/16")!)).toBe("10.0.0.0/16");
    expect(parseCidr("10.0.0.0/33")).toBeUndefined();
    expect(parseCidr("10.0.0.256/24")).toBeUndefined();
    expect(parseCidr("10.0.0.1/24")).toBeUndefined();
    expect(parseCidr("10.0.0.0")).toBeUndefined();
  });

  test("cidrsubnet works like Terraform's", () => {
    const vpc = parseCidr("10.0.0.0/16")!;
    expect(formatCidr(subnetAt(vpc, 20, 0))).toBe("10.0.0.0/20");
    expect(formatCidr(subnetAt(vpc, 20, 9))).toBe("10.0.144.0/20");
    expect(formatCidr(subnetAt(parseCidr("172.16.0.0/12")!, 16, 15))).toBe("172.31.0.0/16");
    expect(() => subnetAt(vpc, 20, 16)).toThrow(/16 subnets of \/20; index 16 is outside/);
  });

  test("public subnets take the lower half, private the upper half, none overlapping", () => {
    const plan = planSubnets("10.0.0.0/16", 20, 3);
    expect(plan).toEqual({
      publicCidrs: ["10.0.0.0/20", "10.0.16.0/20", "10.0.32.0/20"],
      privateCidrs: ["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"],
    });
    if (typeof plan === "string") return;
    const all = [...plan.publicCidrs, ...plan.privateCidrs].map((c) => parseCidr(c)!);
    for (const [i, a] of all.entries()) for (const b of all.slice(i + 1)) expect(overlaps(a, b)).toBe(false);
  });

  test("says why subnets cannot fit", () => {
    expect(planSubnets("10.0.0.0/24", 26, 3)).toMatch(/holds 4 subnets of \/26, but 3 AZs need 6/);
    expect(planSubnets("10.0.0.0/16", 16, 2)).toMatch(/not smaller than the VPC/);
    expect(planSubnets("10.0.0.0/16", 29, 2)).toMatch(/at most \/28/);
  });
});
