/** The cost table knows every type it claims to price, and the free list and the priced list do not overlap. */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FREE_RESOURCE_TYPES, PRICED_RESOURCE_TYPES, weekCosts } from "../../lib/runbooks/costs";
import type { StackResource } from "../../lib/runbooks/inventory";
import { loadStrings } from "../../lib/runbooks/strings";

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
};

describe("the price table's coverage", () => {
  test.each([...PRICED_RESOURCE_TYPES])("%s gets a row in the cost table", (type) => {
    const resource: StackResource = { stack: "s", type, logicalId: "x", address: `${type}.x`, moduleId: "m", localPath: "x", config: { name: "x", ...CONFIG[type] }, references: [] };
    expect(weekCosts([resource], "ap-northeast-2", strings).rows.length).toBeGreaterThan(0);
  });

  test("no type is both priced and free", () => {
    expect([...PRICED_RESOURCE_TYPES].filter((t) => FREE_RESOURCE_TYPES.has(t))).toEqual([]);
  });
});
