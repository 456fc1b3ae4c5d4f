import { beforeAll, describe, expect, test } from "vitest";
import type { EksExports } from "../../modules/eks";
import { synthConfig, type Synthesized } from "../support/synth";
import { planStackOffline, type PlanResult, type PlannedResource } from "../support/terraform";

const AWS_STACK = "devops-weeks-dev";
/** Resources weeks 5-6 declared (their logical names start with the module id), so other weeks' resources do not interfere. */
const ours = (plan: PlanResult, type: string): PlannedResource[] => plan.byType(type).filter((r) => /^(eks|kubernetes)_/.test(r.name));
const one = (plan: PlanResult, type: string): PlannedResource => {
  const found = ours(plan, type);
  expect(found, `exactly one ${type} of weeks 5-6`).toHaveLength(1);
  return found[0];
};
const policyOf = (resource: PlannedResource) => JSON.parse(resource.values.policy as string);

describe("weeks 1-6 with default settings, the AWS stack planned offline by real Terraform", () => {
  let synth: Synthesized;
  let plan: PlanResult;

  beforeAll(() => {
    synth = synthConfig({ weeks: "1-6" });
    plan = planStackOffline(synth.stackDir(AWS_STACK));
  });

  test("the cluster runs the default version in the private subnets, API private, standard support only", () => {
    const cluster = one(plan, "aws_eks_cluster");
    expect(cluster.values).toMatchObject({
      name: "devops-weeks-dev-eks",
      version: "1.35",
      bootstrap_self_managed_addons: false,
      upgrade_policy: [{ support_type: "STANDARD" }],
    });
    const [vpcConfig] = cluster.values.vpc_config as Record<string, unknown>[];
    expect(vpcConfig).toMatchObject({ endpoint_private_access: true, endpoint_public_access: false });
    // Load balancers find their subnets by these tags (week 1 sets them).
    const subnets = Object.values(synth.resources(AWS_STACK, "aws_subnet")).map((s) => s.tags as Record<string, string>);
    expect(subnets.filter((t) => t.Tier === "private").every((t) => t["kubernetes.io/role/internal-elb"] === "1")).toBe(true);
    expect(subnets.filter((t) => t.Tier === "public").every((t) => t["kubernetes.io/role/elb"] === "1")).toBe(true);
    expect(subnets).toHaveLength(4);
    expect(synth.resources(AWS_STACK, "aws_eks_cluster")["eks_cluster_55B0C966"] ?? Object.values(synth.resources(AWS_STACK, "aws_eks_cluster"))[0]).toMatchObject({
      vpc_config: { subnet_ids: [expect.stringContaining("private-ap-northeast-2a"), expect.stringContaining("private-ap-northeast-2c")] },
    });
  });

  test("control-plane logs go to a log group we create first, with a retention", () => {
    const cluster = one(plan, "aws_eks_cluster");
    expect(cluster.values.enabled_cluster_log_types).toEqual(["api", "audit", "authenticator", "controllerManager", "scheduler"]);
    const group = plan.byType("aws_cloudwatch_log_group").find((g) => g.values.name === "/aws/eks/devops-weeks-dev-eks/cluster");
    expect(group?.values.retention_in_days).toBe(30);
    const synthesized = Object.values(synth.resources(AWS_STACK, "aws_eks_cluster"))[0];
    expect(synthesized.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_cloudwatch_log_group\.eks_control-plane-logs/)]));
  });

  test("secrets are envelope-encrypted with a KMS key that rotates, and the cluster role may use only that key", () => {
    const cluster = one(plan, "aws_eks_cluster");
    expect(cluster.values.encryption_config).toEqual([{ resources: ["secrets"], provider: [expect.any(Object)] }]);
    const key = one(plan, "aws_kms_key");
    expect(key.values).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 7 });
    const kmsPolicy = plan.byType("aws_iam_role_policy").find((p) => p.values.name === "encrypt-secrets");
    expect(kmsPolicy).toBeDefined();
    const synthesizedPolicy = JSON.parse(Object.values(synth.resources(AWS_STACK, "aws_iam_role_policy")).find((p) => p.name === "encrypt-secrets")!.policy as string);
    expect(synthesizedPolicy.Statement[0].Resource).toMatch(/^\$\{aws_kms_key\.eks_secrets-key_\w+\.arn\}$/);
  });

  test("authentication is by access entries: the bastion's role gets cluster admin", () => {
    expect(one(plan, "aws_eks_cluster").values.access_config).toEqual([{ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: true }]);
    const entries = synth.resources(AWS_STACK, "aws_eks_access_entry");
    expect(Object.values(entries).map((e) => e.principal_arn)).toEqual([expect.stringMatching(/^\$\{aws_iam_role\.network_bastion_role_\w+\.arn\}$/)]);
    const associations = ours(plan, "aws_eks_access_policy_association");
    expect(associations).toHaveLength(1);
    expect(associations[0].values).toMatchObject({
      policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      access_scope: [{ type: "cluster", namespaces: null }],
    });
  });

  test("the managed node group scales 1-2-3 on on-demand t3.medium in the private subnets", () => {
    const nodes = one(plan, "aws_eks_node_group");
    expect(nodes.values).toMatchObject({
      node_group_name: "devops-weeks-dev-eks-nodes",
      instance_types: ["t3.medium"],
      capacity_type: "ON_DEMAND",
      ami_type: "AL2023_x86_64_STANDARD",
      scaling_config: [{ min_size: 1, desired_size: 2, max_size: 3 }],
      update_config: [{ max_unavailable: 1, max_unavailable_percentage: null }],
    });
  });

  test("the nodes' launch template requires IMDSv2 with hop limit 1 and encrypts a gp3 root volume", () => {
    const template = plan.byType("aws_launch_template").find((t) => t.values.name === "devops-weeks-dev-eks-nodes")!;
    expect(template.values.metadata_options).toEqual([expect.objectContaining({ http_endpoint: "enabled", http_tokens: "required", http_put_response_hop_limit: 1 })]);
    expect(template.values.block_device_mappings).toEqual([
      expect.objectContaining({ device_name: "/dev/xvda", ebs: [expect.objectContaining({ volume_type: "gp3", volume_size: 20, encrypted: "true" })] }),
    ]);
    expect(template.values.image_id).toBeNull();
  });

  test("the node role carries the worker and registry policies; the VPC CNI gets its own through IRSA", () => {
    const attachments = ours(plan, "aws_iam_role_policy_attachment").map((a) => a.values.policy_arn as string);
    expect(attachments).toEqual(
      expect.arrayContaining([
        "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy",
        "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
        "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
      ]),
    );
    const cniRole = Object.values(synth.resources(AWS_STACK, "aws_iam_role")).find((r) => r.name === "devops-weeks-dev-eks-vpc-cni")!;
    // The condition keys are Terraform interpolations (the issuer's host), evaluated at apply time.
    const evaluated = (cniRole.assume_role_policy as string).replace(/\$\{replace\(aws_eks_cluster\.eks_cluster_\w+\.identity\[0\]\.oidc\[0\]\.issuer, "https:\/\/", ""\)\}/g, "ISSUER");
    const trust = JSON.parse(evaluated).Statement[0];
    expect(Object.keys(trust.Condition.StringEquals)).toEqual(["ISSUER:sub", "ISSUER:aud"]);
    expect(trust.Principal.Federated).toMatch(/aws_iam_openid_connect_provider\.eks_oidc-provider_\w+\.arn/);
    expect(Object.values(trust.Condition.StringEquals)).toEqual(["system:serviceaccount:kube-system:aws-node", "sts.amazonaws.com"]);
    expect(one(plan, "aws_iam_openid_connect_provider").values.client_id_list).toEqual(["sts.amazonaws.com"]);
  });

  test("the managed add-ons are installed; CoreDNS and the EBS CSI driver after the nodes, EBS CSI through pod identity", () => {
    const addons = ours(plan, "aws_eks_addon");
    expect(addons.map((a) => a.values.addon_name).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    const ebs = addons.find((a) => a.values.addon_name === "aws-ebs-csi-driver")!;
    expect(ebs.values.pod_identity_association).toEqual([expect.objectContaining({ service_account: "ebs-csi-controller-sa" })]);
    const synthesized = Object.values(synth.resources(AWS_STACK, "aws_eks_addon"));
    const dependsOn = (name: string) => synthesized.find((a) => a.addon_name === name)!.depends_on as string[];
    expect(dependsOn("coredns")).toEqual([expect.stringMatching(/^aws_eks_node_group\./)]);
    const nodeGroup = Object.values(synth.resources(AWS_STACK, "aws_eks_node_group"))[0];
    expect((nodeGroup.depends_on as string[]).filter((d) => d.startsWith("aws_eks_addon."))).toHaveLength(3);
  });

  test("week 5's load balancer controller gets a pod identity role scoped by the controller's tags and the study VPC", () => {
    const association = one(plan, "aws_eks_pod_identity_association");
    expect(association.values).toMatchObject({ namespace: "kube-system", service_account: "aws-load-balancer-controller", cluster_name: "devops-weeks-dev-eks" });
    const inline = Object.values(synth.resources(AWS_STACK, "aws_iam_role_policy")).find((p) => p.name === "lb-controller")!;
    const statements = JSON.parse(inline.policy as string).Statement as { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: unknown }[];
    expect(statements.every((s) => s.Action !== "*" && !(Array.isArray(s.Action) && s.Action.includes("*")))).toBe(true);
    const nodeRules = statements.find((s) => s.Sid === "ManageNodeSecurityGroupRules")!;
    expect(nodeRules.Condition).toEqual({ ArnLike: { "ec2:Vpc": expect.stringMatching(/^arn:aws:ec2:ap-northeast-2:\*:vpc\/\$\{aws_vpc\.network_vpc_\w+\.id\}$/) } });
    const deletes = statements.find((s) => s.Sid === "ModifyOwnLoadBalancers")!;
    expect(deletes.Condition).toEqual({ Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } });
  });

  test("the bastion may describe only this cluster, reaches its private API on 443, and installs a checksum-verified kubectl", () => {
    const describe = Object.values(synth.resources(AWS_STACK, "aws_iam_role_policy")).find((p) => p.name === "describe-eks-cluster")!;
    expect(policyOf({ values: describe } as PlannedResource).Statement).toEqual([{ Effect: "Allow", Action: ["eks:DescribeCluster"], Resource: expect.stringMatching(/aws_eks_cluster\.eks_cluster_\w+\.arn/) }]);
    expect(one(plan, "aws_vpc_security_group_ingress_rule").values).toMatchObject({ from_port: 443, to_port: 443, ip_protocol: "tcp", cidr_ipv4: null });
    // kubectl reaches the bastion through an SSM association, so turning week 6 on does not replace it.
    const bastion = synth.result.built[0].exports.get("network") as { bastion: { renderUserData(): string } };
    expect(bastion.bastion.renderUserData()).not.toContain("kubectl");
    const association = plan.byType("aws_ssm_association").find((a) => a.values.association_name === "devops-weeks-dev-bastion-kubectl")!.values as { name: string; parameters: { commands: string } };
    expect(association.name).toBe("AWS-RunShellScript");
    const script = association.parameters.commands;
    expect(script).toContain("https://dl.k8s.io/release/stable-1.35.txt");
    expect(script).toMatch(/sha256sum --check --strict/);
    expect(script).toContain("dnf install -y awscli-2");
    expect(script).toContain("aws eks update-kubeconfig --region ap-northeast-2 --name devops-weeks-dev-eks");
  });

  test("outputs name the cluster, its ARN and the endpoint's host name, which the SSM tunnel reaches", () => {
    const outputs = synth.stack(AWS_STACK).output as Record<string, { value: string }>;
    expect(outputs.eks_endpoint_host.value).toMatch(/^\$\{replace\(aws_eks_cluster\.eks_cluster_\w+\.endpoint, "https:\/\/", ""\)\}$/);
    expect(outputs.eks_cluster_arn.value).toMatch(/aws_eks_cluster\.eks_cluster_\w+\.arn/);
    expect(outputs.eks_cluster_name.value).toMatch(/aws_eks_cluster\.eks_cluster_\w+\.name/);
    expect(plan.raw.planned_values).toBeDefined();
    expect(plan.resources.length).toBeGreaterThan(100);
  });
});

describe("week 6 with the options a learner changes, planned offline", () => {
  let synth: Synthesized;
  let plan: PlanResult;
  const admin = "arn:aws:iam::123456789012:role/StudyAdmin";

  beforeAll(() => {
    synth = synthConfig({
      weeks: "6",
      eks: {
        kubernetesVersion: "1.33",
        allowExtendedSupport: true,
        endpoint: { publicAccessCidrs: ["203.0.113.10/32"] },
        adminPrincipalArns: [admin],
        clusterCreatorIsAdmin: false,
        logs: { types: ["api", "audit", "authenticator", "scheduler"], retentionDays: 7 },
        nodeGroup: { instanceTypes: ["t4g.medium", "m7g.medium"], capacityType: "SPOT", minSize: 0, desiredSize: 1, maxSize: 4, diskSizeGiB: 30, metadataHopLimit: 2 },
      },
    });
    plan = planStackOffline(synth.stackDir(AWS_STACK));
  });

  test("week 6 alone pulls in the network and says so", () => {
    expect(synth.log).toContain("week 1 (network) added: week 6 (eks) requires it");
  });

  test("a public endpoint opens only for the listed ranges; extended support is chosen explicitly", () => {
    const cluster = one(plan, "aws_eks_cluster");
    expect(cluster.values.vpc_config).toEqual([expect.objectContaining({ endpoint_private_access: true, endpoint_public_access: true, public_access_cidrs: ["203.0.113.10/32"] })]);
    expect(cluster.values).toMatchObject({ version: "1.33", upgrade_policy: [{ support_type: "EXTENDED" }], enabled_cluster_log_types: ["api", "audit", "authenticator", "scheduler"] });
    expect(cluster.values.access_config).toEqual([{ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false }]);
    expect(plan.byType("aws_cloudwatch_log_group").find((g) => g.values.name === "/aws/eks/devops-weeks-dev-eks/cluster")!.values.retention_in_days).toBe(7);
  });

  test("admin principals from the config get access entries and cluster admin, beside the bastion", () => {
    const principals = ours(plan, "aws_eks_access_policy_association").map((a) => a.values.principal_arn);
    expect(principals).toContain(admin);
    expect(ours(plan, "aws_eks_access_entry")).toHaveLength(2);
  });

  test("Graviton spot nodes get the ARM AMI type and the configured scaling, disk and hop limit", () => {
    expect(one(plan, "aws_eks_node_group").values).toMatchObject({
      instance_types: ["t4g.medium", "m7g.medium"],
      capacity_type: "SPOT",
      ami_type: "AL2023_ARM_64_STANDARD",
      scaling_config: [{ min_size: 0, desired_size: 1, max_size: 4 }],
    });
    const template = plan.byType("aws_launch_template").find((t) => t.values.name === "devops-weeks-dev-eks-nodes")!;
    expect(template.values.metadata_options).toEqual([expect.objectContaining({ http_tokens: "required", http_put_response_hop_limit: 2 })]);
    expect(template.values.block_device_mappings).toEqual([expect.objectContaining({ ebs: [expect.objectContaining({ volume_size: 30, encrypted: "true" })] })]);
  });

  test("without week 5 there is no workloads stack and no load balancer controller role", () => {
    expect(synth.result.environments[0].stacks.kubernetes).toBeUndefined();
    expect(ours(plan, "aws_eks_pod_identity_association")).toHaveLength(0);
  });
});

test("every IAM role and name of weeks 5-6 fits AWS's limits even with the longest project and environment names", () => {
  const synth = synthConfig({ weeks: "1,5,6", project: "p".repeat(24), environment: "e".repeat(24) });
  const stack = `${"p".repeat(24)}-${"e".repeat(24)}`;
  const roles = Object.values(synth.resources(stack, "aws_iam_role")).map((r) => r.name as string);
  expect(roles.length).toBeGreaterThan(5);
  for (const name of roles) expect(name.length, name).toBeLessThanOrEqual(64);
  const nodeGroup = Object.values(synth.resources(stack, "aws_eks_node_group"))[0];
  expect((nodeGroup.node_group_name as string).length).toBeLessThanOrEqual(63);
  expect(Object.values(synth.resources(stack, "aws_eks_cluster"))[0].name).toBe(`${stack}-eks`);
  // The role helpers later weeks use shorten a name past 64 characters, keeping it unique and stable.
  const eks = synth.result.built[0].exports.get("eks") as EksExports;
  const scope = synth.result.built[0].awsStack;
  const role = eks.podIdentityRole(scope, "long-role", { name: "a-rather-long-workload-name", namespace: "x", serviceAccount: "y" });
  expect(role.nameInput).toMatch(new RegExp(`^${stack}-a-rat-[0-9a-f]{8}$`));
  expect(role.nameInput!.length).toBe(64);
});
