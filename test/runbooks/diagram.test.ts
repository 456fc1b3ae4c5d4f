/**
 * The week diagrams' Mermaid source: flows the modules declare (ctx.diagramFlow) drawn as thick
 * labeled edges in the order declared, their ends from other weeks drawn as context, actors outside
 * the region, a resource in several subnets drawn in each of them, and the same source on every synth.
 * The browser test (browser.test.ts) checks that Chromium draws it.
 */
import { describe, expect, it } from "vitest";
import type { FlowEnd, RecordedFlow } from "../../lib/environment";
import { DEFAULT_TEMPLATES_DIR } from "../../lib/runbooks";
import { weekDiagram } from "../../lib/runbooks/diagram";
import { referencesIn, type Inventory, type StackResource } from "../../lib/runbooks/inventory";
import { loadStrings } from "../../lib/runbooks/strings";
import { classesOf, enclosing, nodeIds } from "../support/mermaid";

const STACK = "env";
const en = loadStrings(DEFAULT_TEMPLATES_DIR, "en");

function resource(type: string, name: string, moduleId: string, localPath: string, config: Record<string, unknown>): StackResource {
  return { stack: STACK, type, logicalId: name, address: `${type}.${name}`, moduleId, localPath, config, references: referencesIn(config) };
}

/** A VPC with two private subnets (week 1, with the bastion), and week 6's cluster and node group in them. */
function inventoryOf(resources: StackResource[]): Inventory {
  const sorted = [...resources].sort((a, b) => (a.type + a.logicalId < b.type + b.logicalId ? -1 : 1));
  return { stacks: [{ stack: STACK, resources: sorted, outputs: {} }], resources: sorted, byAddress: (stack, address) => sorted.find((r) => r.stack === stack && r.address === address) };
}

const subnet = (name: string, zone: string, cidr: string) =>
  resource("aws_subnet", name, "network", `private-${zone}`, { vpc_id: "${aws_vpc.vpc.id}", availability_zone: zone, cidr_block: cidr, tags: { Name: `env-private-${zone}`, Tier: "private" } });
const RESOURCES = [
  resource("aws_vpc", "vpc", "network", "vpc", { cidr_block: "10.0.0.0/16", tags: { Name: "env-vpc" } }),
  subnet("private_a", "az-a", "10.0.128.0/20"),
  subnet("private_c", "az-c", "10.0.144.0/20"),
  resource("aws_iam_role", "bastion_role", "network", "bastion/role", { name: "env-bastion-role" }),
  resource("aws_instance", "bastion", "network", "bastion/instance", { subnet_id: "${aws_subnet.private_a.id}", instance_type: "t3.micro", tags: { Name: "env-bastion" } }),
  resource("aws_eks_cluster", "cluster", "eks", "cluster", { name: "env-eks", version: "1.35", vpc_config: [{ subnet_ids: ["${aws_subnet.private_a.id}", "${aws_subnet.private_c.id}"] }] }),
  resource("aws_eks_node_group", "nodes", "eks", "nodes", { cluster_name: "${aws_eks_cluster.cluster.name}", node_group_name: "env-nodes", subnet_ids: ["${aws_subnet.private_a.id}", "${aws_subnet.private_c.id}"] }),
];

const construct = (path: string): FlowEnd => ({ kind: "construct", stack: STACK, path: `${STACK}/${path}` });
const SSM: FlowEnd = { kind: "external", key: "diagram.ssmSessionManager", within: "region" };
const TUNNEL: RecordedFlow[] = [
  { from: { kind: "actor", actor: "learner" }, to: SSM, label: "diagram.flow.portForward", params: { port: 8443 } },
  { from: SSM, to: construct("network/bastion"), label: "diagram.flow.portForwardSession" },
  { from: construct("network/bastion"), to: construct("eks/cluster"), label: "diagram.flow.privateApi" },
];

const week6 = (flows: RecordedFlow[] = TUNNEL, resources = RESOURCES) => weekDiagram({ inventory: inventoryOf(resources), moduleIds: ["eks"], region: "ap-northeast-2", strings: en, flows });

describe("week diagrams from declared flows", () => {
  it("draws each declared flow as a thick labeled edge, in the order declared, after the reference edges", () => {
    const source = week6();
    const [bastion] = nodeIds(source, "env-bastion");
    const [cluster] = nodeIds(source, "env-eks");
    const flows = source.split("\n").filter((line) => line.includes("==>"));
    expect(flows).toEqual([
      '  learner ==>|"port forward 127.0.0.1:8443 (kubectl, terraform)"| x_ssmSessionManager',
      '  x_ssmSessionManager ==>|"AWS-StartPortForwardingSessionToRemoteHost"| ' + bastion,
      `  ${bastion} ==>|"HTTPS 443 (private endpoint)"| ${cluster}`,
    ]);
    const links = source.split("\n").filter((line) => / (-->|==>)/.test(line));
    expect(links.slice(-3)).toEqual(flows);
    expect(source).toContain(`linkStyle ${[0, 1, 2].map((i) => links.length - 3 + i).join(",")} stroke:#0969da`);
  });

  it("draws a flow's end from another week as context, in its place, and the actors and external nodes where they are", () => {
    const source = week6();
    const [bastion] = nodeIds(source, "env-bastion");
    expect(enclosing(source, bastion)).toEqual(["Private subnet 10.0.128.0/20", "AZ az-a", "VPC env-vpc · 10.0.0.0/16", "AWS region ap-northeast-2"]);
    expect(classesOf(source, "context")).toContain(bastion);
    expect(source).toMatch(/^ {2}learner\(\["Your computer"\]\)$/m);
    expect(enclosing(source, "learner")).toEqual([]);
    expect(classesOf(source, "actor")).toEqual(["learner"]);
    expect(enclosing(source, "x_ssmSessionManager")).toEqual(["AWS region ap-northeast-2"]);
    expect(classesOf(source, "external")).toEqual(["x_ssmSessionManager"]);
    // The week's own nodes are not context.
    for (const id of [...nodeIds(source, "env-eks"), ...nodeIds(source, "env-nodes")]) expect(classesOf(source, "context")).not.toContain(id);
  });

  it("draws a resource in several subnets once in each, the control plane once in the VPC", () => {
    const source = week6();
    const nodes = nodeIds(source, "env-nodes");
    expect(nodes).toHaveLength(2);
    expect(nodes.map((id) => enclosing(source, id)[0])).toEqual(["Private subnet 10.0.128.0/20", "Private subnet 10.0.144.0/20"]);
    expect(nodes[1]).toBe(`${nodes[0]}_2`);
    for (const id of nodes) expect(source).toMatch(new RegExp(`^\\s*${id}\\["[^"]*<br/>spread over 2 subnets"\\]`, "m"));
    const [cluster] = nodeIds(source, "env-eks");
    expect(nodeIds(source, "env-eks")).toHaveLength(1);
    expect(enclosing(source, cluster)[0]).toBe("VPC env-vpc · 10.0.0.0/16");
    for (const id of nodes) expect(source).toContain(`  ${id} --> ${cluster}`);
  });

  it("replaces the reference edge between two nodes with the flow between them, in either direction", () => {
    const reverse: RecordedFlow = { from: construct("eks/cluster"), to: construct("eks/nodes"), label: "diagram.flow.http" };
    const source = week6([reverse]);
    const [cluster] = nodeIds(source, "env-eks");
    expect(source).not.toMatch(/-->.*n\d+$/m);
    for (const id of nodeIds(source, "env-nodes")) expect(source).toContain(`  ${cluster} ==>|"HTTP 80"| ${id}`);
  });

  it("draws a week with flows only, and fails on a flow to a construct that draws nothing", () => {
    const onlyFlows = weekDiagram({ inventory: inventoryOf(RESOURCES), moduleIds: ["security"], region: "r", strings: en, flows: TUNNEL.slice(0, 2) });
    expect(onlyFlows).toContain("learner ==>");
    expect(() => week6([{ from: { kind: "actor", actor: "learner" }, to: construct("network/nowhere") }])).toThrow(/a diagram flow ends at env\/network\/nowhere, where the diagram draws no resource/);
  });

  it("is the same source on every call, whatever order the inventory lists its resources in", () => {
    const first = week6();
    expect(week6()).toBe(first);
    expect(weekDiagram({ inventory: { ...inventoryOf(RESOURCES), resources: [...inventoryOf(RESOURCES).resources] }, moduleIds: ["eks"], region: "ap-northeast-2", strings: en, flows: TUNNEL })).toBe(first);
  });
});
