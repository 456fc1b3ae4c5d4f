/**
 * The week diagrams' Mermaid source: flows the modules declare (ctx.diagramFlow) drawn as thick
 * labeled edges in the order declared, their ends from other weeks drawn as context, actors outside
 * the region, a resource in several subnets drawn in each of them, and the same source on every synth.
 * The browser test (browser.test.ts) checks that Chromium draws it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { FlowEnd, RecordedFlow } from "../../lib/core/environment";
import { DEFAULT_TEMPLATES_DIR } from "../../lib/runbooks";
import { weekDiagram } from "../../lib/runbooks/diagram";
import { referencesIn, type Inventory, type StackResource } from "../../lib/runbooks/inventory";
import { loadStrings } from "../../lib/runbooks/strings";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { classesOf, enclosing, mermaidSource, nodeIds } from "../support/mermaid";
import { synthConfig, type Synthesized } from "../support/synth";

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

const mermaidOf = (synth: Synthesized, page: string) => mermaidSource(readFileSync(join(synth.outdir, "runbooks", page), "utf8"));

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

describe("the modules' flows in an all-weeks synth", () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthConfig(ALL_WEEKS_CONFIG);
  });

  it("week 1: the learner's shell through Session Manager to the bastion in a private subnet", () => {
    const source = mermaidOf(synth, "en/week-01.md");
    const [bastion] = nodeIds(source, "devops-weeks-dev-bastion");
    expect(source).toContain('  learner ==>|"shell: aws ssm start-session"| x_ssmSessionManager');
    expect(source).toContain(`  x_ssmSessionManager ==>|"session (no open port)"| ${bastion}`);
    expect(enclosing(source, bastion)[0]).toMatch(/^Private subnet /);
  });

  it("week 6: the tunnel through week 1's bastion (context) to the private API, and the node group in both private subnets", () => {
    const source = mermaidOf(synth, "en/week-06.md");
    const [bastion] = nodeIds(source, "devops-weeks-dev-bastion");
    const [cluster] = nodeIds(source, "devops-weeks-dev-eks<br/>");
    expect(classesOf(source, "context")).toContain(bastion);
    expect(source).toContain('  learner ==>|"port forward 127.0.0.1:8443 (kubectl, terraform)"| x_ssmSessionManager');
    expect(source).toContain(`  ${bastion} ==>|"HTTPS 443 (private endpoint)"| ${cluster}`);
    const nodeGroups = nodeIds(source, "devops-weeks-dev-eks-nodes");
    expect(nodeGroups.map((id) => enclosing(source, id)[0])).toEqual(["Private subnet 10.0.128.0/20", "Private subnet 10.0.144.0/20"]);
  });

  it("week 3: from the learner's upload through the pipeline, CodeBuild and ECR to week 2's Docker host", () => {
    const source = mermaidOf(synth, "en/week-03.md");
    const id = (text: string) => nodeIds(source, text)[0];
    const [bucket, pipeline, build, ecr, deploy, host] = ["devops-weeks-dev-source-ap-northeast-2", "CodePipeline", "CodeBuild", "ECR repository", "CodeDeploy", "devops-weeks-dev-docker-host"].map(id);
    const chain = [`learner ==>|"upload source/app.zip"| ${bucket}`, `${bucket} ==>|"Source stage"| ${pipeline}`, `${pipeline} ==>|"Build stage"| ${build}`, `${build} ==>|"image push"| ${ecr}`];
    for (const edge of [...chain, `${pipeline} ==>|"Deploy stage (appspec, image.env)"| ${deploy}`, `${deploy} ==>|"deployment"| ${host}`, `${ecr} ==>|"image pull"| ${host}`]) expect(source).toContain(`  ${edge}`);
    expect(classesOf(source, "context")).toEqual(expect.arrayContaining([ecr, host]));
  });

  it("week 10: the learner's port forward to the ingress gateway, and mTLS from it to week 5's pods", () => {
    const source = mermaidOf(synth, "en/week-10.md");
    const [gateway] = nodeIds(source, "istio-ingressgateway");
    const [pods] = nodeIds(source, "Deployment<br/>web");
    expect(source).toContain(`  learner ==>|"kubectl port-forward 8080:80"| ${gateway}`);
    expect(source).toContain(`  ${gateway} ==>|"mTLS (STRICT)"| ${pods}`);
    expect(classesOf(source, "context")).toContain(pods);
    expect(enclosing(source, pods)[0]).toBe("namespace devops-weeks");
  });

  it("is the same source on a second synth of the same config", () => {
    const again = synthConfig(ALL_WEEKS_CONFIG);
    for (const page of ["en/week-01.md", "ko/week-03.md", "en/week-06.md", "ko/week-10.md"]) expect(mermaidOf(again, page), page).toBe(mermaidOf(synth, page));
  });
});

describe("the modules' flows with other options", () => {
  it("a GitHub source, blue/green and a load balancer: git push to the connection, deployment to the idle color, the load balancer in both public subnets", () => {
    const synth = synthConfig({
      ...ALL_WEEKS_CONFIG,
      weeks: "1-3",
      cicd: { source: { provider: "github", repository: "octocat/hello-docker" } },
      dockerHost: { loadBalancer: { enabled: true }, blueGreen: { enabled: true } },
    });
    const week3 = mermaidOf(synth, "en/week-03.md");
    const [connection] = nodeIds(week3, "Source connection");
    expect(week3).toMatch(/^ {2}x_github\("GitHub"\)$/m);
    expect(week3).toContain('  learner ==>|"git push (main)"| x_github');
    expect(week3).toContain(`  x_github ==>|"change detected"| ${connection}`);
    const [deploy] = nodeIds(week3, "CodeDeploy");
    const idle = week3.split("\n").find((line) => line.startsWith(`  ${deploy} ==>|"deployment"|`));
    expect(nodeIds(week3, "docker-host-green").map((host) => `  ${deploy} ==>|"deployment"| ${host}`)).toContain(idle);
    const week2 = mermaidOf(synth, "en/week-02.md");
    const balancers = nodeIds(week2, "Load balancer");
    expect(balancers.map((id) => enclosing(week2, id)[0])).toEqual(["Public subnet 10.0.0.0/20", "Public subnet 10.0.16.0/20"]);
    for (const id of balancers) expect(week2).toContain(`  internet --> ${id}`);
  });

  it("Istio's gateway with source ranges: the internet through the load balancer Kubernetes makes; VPC Lattice: the bastion through the service network", () => {
    const istio = mermaidOf(synthConfig({ ...ALL_WEEKS_CONFIG, serviceMesh: { istio: { ingressGatewaySourceRanges: ["203.0.113.10/32"], mtlsMode: "PERMISSIVE" } } }), "en/week-10.md");
    const [gateway] = nodeIds(istio, "istio-ingressgateway");
    expect(istio).toContain('  internet ==>|"HTTP 80 (allowed source ranges only)"| x_kubernetesNlb');
    expect(istio).toContain(`  x_kubernetesNlb ==>|"HTTP 80"| ${gateway}`);
    expect(istio).toMatch(/==>\|"mTLS or plain text \(PERMISSIVE\)"\|/);
    const lattice = mermaidOf(synthConfig({ ...ALL_WEEKS_CONFIG, serviceMesh: { provider: "vpc-lattice" } }), "en/week-10.md");
    const [bastion] = nodeIds(lattice, "devops-weeks-dev-bastion");
    const [network] = nodeIds(lattice, "VPC Lattice service network");
    expect(lattice).toContain(`  ${bastion} ==>|"HTTP 80 (VPC Lattice)"| ${network}`);
    expect(lattice).toMatch(new RegExp(`  ${network} ==>\\|"HTTP to pod IPs"\\| n\\d+`));
  });
});
