/**
 * The network stack, planned by real Terraform (offline, provider hashicorp/aws 5.100.0 from the
 * machine's mirror), for the NAT modes and AZ counts learners pick.
 */
import { describe, expect, test } from "vitest";
import { planStackOffline, type PlanResult, type PlannedResource } from "../support/terraform";
import { synthConfig } from "../support/synth";

const STACK = "devops-weeks-dev";

function planOf(config: Record<string, unknown>): PlanResult {
  const synthesized = synthConfig(config, { weeks: "1" });
  return planStackOffline(synthesized.stackDir(STACK));
}

const countOf = (plan: PlanResult, type: string) => plan.byType(type).length;
const cidrsOf = (subnets: PlannedResource[], tier: string) =>
  subnets.filter((s) => (s.values.tags as Record<string, string>).Tier === tier).map((s) => s.values.cidr_block).sort();

function expectSecureInstances(plan: PlanResult): void {
  for (const instance of plan.byType("aws_instance")) {
    expect(instance.values.metadata_options, instance.address).toEqual([expect.objectContaining({ http_tokens: "required", http_endpoint: "enabled" })]);
    expect(instance.values.root_block_device, instance.address).toEqual([expect.objectContaining({ encrypted: true, volume_type: "gp3" })]);
  }
  for (const template of plan.byType("aws_launch_template")) {
    expect(template.values.metadata_options, template.address).toEqual([expect.objectContaining({ http_tokens: "required" })]);
    expect(template.values.image_id).toMatch(/^resolve:ssm:\/aws\/service\/ami-amazon-linux-latest\/al2023-ami-kernel-default-(x86_64|arm64)$/);
  }
}

function expectNoSshFromTheWorld(plan: PlanResult): void {
  for (const group of plan.byType("aws_security_group")) {
    for (const rule of (group.values.ingress as { from_port: number; to_port: number; cidr_blocks: string[] }[]) ?? []) {
      const coversSsh = rule.from_port <= 22 && rule.to_port >= 22;
      if (coversSsh) expect(rule.cidr_blocks, group.address).not.toContain("0.0.0.0/0");
    }
  }
}

describe("week 1 network, planned offline by terraform", () => {
  test("default: two AZs, one shared NAT gateway, flow logs, SSM bastion with no inbound", () => {
    const plan = planOf({});
    expect(countOf(plan, "aws_vpc")).toBe(1);
    expect(plan.byType("aws_vpc")[0].values).toMatchObject({ cidr_block: "10.0.0.0/16", enable_dns_hostnames: true });
    const subnets = plan.byType("aws_subnet");
    expect(cidrsOf(subnets, "public")).toEqual(["10.0.0.0/20", "10.0.16.0/20"]);
    expect(cidrsOf(subnets, "private")).toEqual(["10.0.128.0/20", "10.0.144.0/20"]);
    expect(subnets.map((s) => s.values.availability_zone).sort()).toEqual(["ap-northeast-2a", "ap-northeast-2a", "ap-northeast-2c", "ap-northeast-2c"]);
    expect(countOf(plan, "aws_nat_gateway")).toBe(1);
    expect(countOf(plan, "aws_eip")).toBe(1);
    expect(countOf(plan, "aws_internet_gateway")).toBe(1);
    // one public and one shared private table, each with a default route
    expect(countOf(plan, "aws_route_table")).toBe(2);
    expect(plan.byType("aws_route").map((r) => r.values.destination_cidr_block)).toEqual(["0.0.0.0/0", "0.0.0.0/0"]);
    expect(countOf(plan, "aws_route_table_association")).toBe(4);
    // A free S3 gateway endpoint on the private route table: ECR layers and S3 transfers skip the NAT.
    const [endpoint] = plan.byType("aws_vpc_endpoint");
    expect(endpoint.values).toMatchObject({ service_name: "com.amazonaws.ap-northeast-2.s3", vpc_endpoint_type: "Gateway" });
    const privateTable = plan.byType("aws_route_table").find((t) => (t.values.tags as Record<string, string>).Name === "devops-weeks-dev-private")!;
    expect(privateTable).toBeDefined();
    expect(countOf(plan, "aws_vpc_endpoint")).toBe(1);

    const flowLog = plan.byType("aws_flow_log")[0].values;
    expect(flowLog).toMatchObject({ traffic_type: "ALL", log_destination_type: "cloud-watch-logs" });
    expect(plan.byType("aws_cloudwatch_log_group")[0].values).toMatchObject({ name: "/devops-weeks/devops-weeks-dev/vpc-flow-logs", retention_in_days: 30 });

    const defaultGroup = plan.byType("aws_default_security_group")[0].values;
    expect(defaultGroup.ingress).toEqual([]);
    expect(defaultGroup.egress).toEqual([]);

    const bastionGroup = plan.byType("aws_security_group").find((g) => g.values.name === "devops-weeks-dev-bastion")!;
    expect(bastionGroup.values.ingress).toEqual([]);
    expect(countOf(plan, "aws_instance")).toBe(1);
    // No public address: Session Manager reaches the bastion through the NAT (CKV_AWS_88).
    expect(plan.byType("aws_instance")[0].values).toMatchObject({ associate_public_ip_address: false, instance_type: "t3.micro", user_data_replace_on_change: true });
    const bastionSubnet = (synthConfig({}, { weeks: "1" }).resources(STACK, "aws_instance") as Record<string, { subnet_id: string }>);
    expect(Object.values(bastionSubnet)[0].subnet_id).toMatch(/aws_subnet\.network_private-ap-northeast-2a_/);
    expect(plan.byType("aws_iam_role_policy_attachment").map((a) => a.values.policy_arn)).toContain("arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore");
    expectSecureInstances(plan);
    expectNoSshFromTheWorld(plan);

    // every resource that takes tags carries the study's default tags through the provider
    for (const resource of plan.resources) {
      if (resource.values.tags_all === undefined) continue;
      expect(resource.values.tags_all, resource.address).toMatchObject({ Project: "devops-weeks", Environment: "dev", ManagedBy: "devops-weeks" });
    }
    expect(Object.keys((plan.raw.planned_values as { outputs: object }).outputs).sort()).toEqual([
      "bastion_instance_id",
      "bastion_ssm_command",
      // week 1's security alerts and the trail they read
      "cloudtrail_arn",
      "cloudtrail_bucket",
      "private_subnet_ids",
      "public_subnet_ids",
      "security_alerts_topic_arn",
      "vpc_id",
    ]);
  });

  test("NAT instances, one per AZ across three AZs, with SSH from one address", () => {
    const plan = planOf({
      availabilityZones: 3,
      network: { nat: { mode: "instance", perAz: true }, bastion: { sshIngressCidrs: ["203.0.113.10/32"], keyPairName: "study-key" } },
    });
    expect(countOf(plan, "aws_nat_gateway")).toBe(0);
    expect(countOf(plan, "aws_eip")).toBe(0);
    const instances = plan.byType("aws_instance");
    const natInstances = instances.filter((i) => (i.values.tags as Record<string, string>).Name.includes("-nat-"));
    expect(natInstances).toHaveLength(3);
    for (const nat of natInstances) expect(nat.values).toMatchObject({ source_dest_check: false, associate_public_ip_address: true });
    // a private route table per AZ, each leaving through its own NAT instance
    expect(countOf(plan, "aws_route_table")).toBe(4);
    const privateRoutes = plan.byType("aws_route").filter((r) => r.address.includes("_private-"));
    expect(privateRoutes).toHaveLength(3);
    expect(new Set(privateRoutes.map((r) => r.address.replace(/.*_private-(ap-northeast-2[a-z])-.*/, "$1")))).toEqual(new Set(["ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c"]));
    expect(cidrsOf(plan.byType("aws_subnet"), "private")).toEqual(["10.0.128.0/20", "10.0.144.0/20", "10.0.160.0/20"]);

    const natGroup = plan.byType("aws_security_group").find((g) => g.values.name === "devops-weeks-dev-nat-instance")!;
    for (const rule of natGroup.values.ingress as { cidr_blocks: string[] }[]) expect(rule.cidr_blocks).toEqual(["10.0.0.0/16"]);
    const bastionGroup = plan.byType("aws_security_group").find((g) => g.values.name === "devops-weeks-dev-bastion")!;
    expect(bastionGroup.values.ingress).toEqual([expect.objectContaining({ from_port: 22, to_port: 22, cidr_blocks: ["203.0.113.10/32"] })]);
    const sshBastion = instances.find((i) => (i.values.tags as Record<string, string>).Name.endsWith("-bastion"))!;
    expect(sshBastion.values.key_name).toBe("study-key");
    // SSH from a named address is the one case with a public address (and a public subnet).
    expect(sshBastion.values.associate_public_ip_address).toBe(true);
    expectSecureInstances(plan);
    expectNoSshFromTheWorld(plan);
  });

  test("no NAT: private subnets get no default route; flow logs and the bastion can be turned off explicitly", () => {
    const plan = planOf({ network: { nat: { mode: "none" }, flowLogs: { enabled: false }, bastion: { enabled: false } } });
    expect(countOf(plan, "aws_nat_gateway")).toBe(0);
    expect(countOf(plan, "aws_instance")).toBe(0);
    expect(countOf(plan, "aws_flow_log")).toBe(0);
    // only the public default route: private subnets stay private
    expect(plan.byType("aws_route")).toHaveLength(1);
    expect(plan.byType("aws_route")[0].address).toMatch(/^aws_route\.network_public-default-route_/);
    expect(countOf(plan, "aws_subnet")).toBe(4);
  });
});

describe("week 1 network, synthesized", () => {
  test("no NAT and the bastion on: Session Manager's three endpoints in the private subnets, or a refusal without them", () => {
    const synthesized = synthConfig({ network: { nat: { mode: "none" }, endpoints: { ssm: true } } }, { weeks: "1" });
    const endpoints = Object.values(synthesized.resources(STACK, "aws_vpc_endpoint")).filter((e) => e.vpc_endpoint_type === "Interface");
    expect(endpoints.map((e) => e.service_name).sort()).toEqual(["com.amazonaws.ap-northeast-2.ec2messages", "com.amazonaws.ap-northeast-2.ssm", "com.amazonaws.ap-northeast-2.ssmmessages"]);
    for (const endpoint of endpoints) expect(endpoint).toMatchObject({ private_dns_enabled: true });
    expect(() => synthConfig({ network: { nat: { mode: "none" } } }, { weeks: "1" })).toThrow(/network\.endpoints\.ssm = false is not valid; expected true while the bastion is on and nat\.mode is none/);
  });

  test("NAT gateways per AZ give each private subnet its own route table and gateway", () => {
    const synthesized = synthConfig({ availabilityZones: 3, network: { nat: { mode: "gateway", perAz: true } } }, { weeks: "1" });
    expect(Object.keys(synthesized.resources(STACK, "aws_nat_gateway"))).toHaveLength(3);
    expect(Object.keys(synthesized.resources(STACK, "aws_eip"))).toHaveLength(3);
    const privateRoutes = Object.values(synthesized.resources(STACK, "aws_route")).filter((r) => r.nat_gateway_id);
    expect(new Set(privateRoutes.map((r) => r.nat_gateway_id)).size).toBe(3);
  });

  test("an arm64 instance type gets the arm64 Amazon Linux image", () => {
    const synthesized = synthConfig({ network: { bastion: { instanceType: "t4g.micro" } } }, { weeks: "1" });
    const templates = Object.values(synthesized.resources(STACK, "aws_launch_template"));
    expect(templates.map((t) => t.image_id)).toEqual(["resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"]);
  });
});
