/** The cost table knows every type it claims to price, and the free list and the priced list do not overlap. */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FREE_RESOURCE_TYPES, PRICED_RESOURCE_TYPES, unpricedTypes, weekCosts } from "../../lib/runbooks/costs";
import type { StackResource } from "../../lib/runbooks/inventory";
import { loadStrings } from "../../lib/runbooks/strings";
import { OPTION_CONFIGS } from "../support/option-configs";
import { synthConfig } from "../support/synth";
import { stackNamesOf } from "../../lib/core/environment";

const strings = loadStrings(join(__dirname, "..", "..", "templates"), "en");

/** The arguments that make a type billable (a load balancer of a kind, an interface endpoint, a LoadBalancer Service). */
const CONFIG: Record<string, Record<string, unknown>> = {
  aws_instance: { instance_type: "t3.micro" },
  aws_eks_node_group: { instance_types: ["t3.medium"], scaling_config: { desired_size: 2 } },
  aws_lb: { load_balancer_type: "application" },
  aws_vpc_endpoint: { vpc_endpoint_type: "Interface", subnet_ids: ["a", "b"] },
  aws_codepipeline: { pipeline_type: "V2" },
  kubernetes_service_v1: { spec: { type: "LoadBalancer" } },
  kubernetes_service: { spec: { type: "LoadBalancer" } },
  helm_release: { chart: "gateway", repository: "https://blob.istio.io/istio-release/charts" },
  aws_eks_addon: { addon_name: "amazon-cloudwatch-observability" },
};

describe("the price table's coverage", () => {
  test("an internet-facing load balancer pays for a public IPv4 address in each AZ, a Kubernetes one too", () => {
    const lb: StackResource = { stack: "s", type: "aws_lb", logicalId: "x", address: "aws_lb.x", moduleId: "m", localPath: "x", config: { name: "web", load_balancer_type: "application", subnets: ["a", "b", "c"] }, references: [] };
    const service: StackResource = { ...lb, type: "kubernetes_service_v1", address: "kubernetes_service_v1.x", config: { metadata: { name: "web" }, spec: { type: "LoadBalancer" } } };
    const rows = weekCosts([lb, service], "ap-northeast-2", strings, 2).rows;
    expect(rows.filter((r) => r.item === "Public IPv4 address").map((r) => [r.name, r.hourly])).toEqual([
      ["web (3 × IPv4)", "0.0150"],
      ["web (2 × IPv4)", "0.0100"],
    ]);
  });

  test.each([...PRICED_RESOURCE_TYPES])("%s gets a row in the cost table", (type) => {
    const resource: StackResource = { stack: "s", type, logicalId: "x", address: `${type}.x`, moduleId: "m", localPath: "x", config: { name: "x", ...CONFIG[type] }, references: [] };
    expect(weekCosts([resource], "ap-northeast-2", strings).rows.length).toBeGreaterThan(0);
  });

  test("a cluster in extended support is priced at the extended rate", () => {
    const cluster = (supportType: string): StackResource => ({ stack: "s", type: "aws_eks_cluster", logicalId: "x", address: "aws_eks_cluster.x", moduleId: "m", localPath: "x", config: { name: "c", upgrade_policy: { support_type: supportType } }, references: [] });
    expect(weekCosts([cluster("STANDARD")], "ap-northeast-2", strings).rows[0].hourly).toBe("0.1000");
    expect(weekCosts([cluster("EXTENDED")], "ap-northeast-2", strings).rows[0].hourly).toBe("0.6000");
  });

  test("no type is both priced and free", () => {
    expect([...PRICED_RESOURCE_TYPES].filter((t) => FREE_RESOURCE_TYPES.has(t))).toEqual([]);
  });
});

describe("prices.json", () => {
  test("every price has its source page and the date it was read, and the table has one date", async () => {
    const prices = (await import("../../lib/runbooks/prices.json")).default as { date: string; sources: Record<string, { url: string; read: string }>; regions: Record<string, Record<string, unknown>> };
    for (const [region, table] of Object.entries(prices.regions)) {
      for (const key of Object.keys(table).filter((k) => k !== "name")) {
        expect(prices.sources[key]?.url, `${region}.${key}`).toMatch(/^https:\/\/aws\.amazon\.com\//);
        expect(prices.sources[key].read, `${region}.${key}`).toBe(prices.date);
      }
    }
  });
});

describe("every stack synth writes, the Kubernetes stack too, holds only priced or free types", () => {
  // The offline plans check the AWS stacks; the -k8s stack cannot be planned here (no kubernetes or helm
  // provider binaries), so its JSON is read, for every option config the page tests use.
  test.each(Object.entries(OPTION_CONFIGS))("%s", (_name, config) => {
    const synth = synthConfig(config);
    const stacks = synth.result.environments.flatMap(stackNamesOf);
    expect(stacks.length).toBeGreaterThan(0);
    for (const stack of stacks) expect(unpricedTypes(Object.keys(synth.stack(stack).resource ?? {})), stack).toEqual([]);
  });
});
