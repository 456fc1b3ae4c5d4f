/**
 * Week 6: Amazon EKS. A cluster in the week-1 private subnets (API private, public only for the
 * ranges the config names), control-plane logs with a retention, secrets encrypted with a rotating
 * KMS key, admins by access entries, a managed node group with IMDSv2 and encrypted gp3 disks,
 * the OIDC provider for IRSA, and the managed add-ons a study cluster needs. The bastion gets
 * kubectl and the AWS CLI.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { createHash } from "node:crypto";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { architectureOf } from "../../lib/aws/ec2";
import type { BuildContext } from "../../lib/core/module";
import { literalValues } from "../../lib/core/terraform-text";
import { networkModule, SESSION_MANAGER } from "../network/module";
import { bastionToolsScript } from "./bastion-tools";
import type { EksExports, WorkloadRoleProps } from "./exports";
import { supportOf, type EksSettings, type EksVersion } from "./settings";

export const CLUSTER_ADMIN_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy";
const MANAGED = (name: string) => `arn:aws:iam::aws:policy/${name}`;

import { EKS_ACCESS_OUTPUTS } from "./module";

export function buildEks(ctx: BuildContext<EksSettings>): EksExports {
  const { scope, settings } = ctx;
  const network = ctx.use(networkModule);
  const name = ctx.name("eks");
  const region = ctx.study.region;
  const version = settings.kubernetesVersion;
  const extended = supportOf(version as EksVersion) === "extended";
  const privateSubnetIds = network.privateSubnets.map((s) => s.id);

  // Created by us, before the cluster: otherwise EKS creates it on first log line, with no retention,
  // and Terraform would then fail to create it.
  const logGroup = new CloudwatchLogGroup(scope, "control-plane-logs", { name: `/aws/eks/${name}/cluster`, retentionInDays: settings.logs.retentionDays });

  const secretsKey = new KmsKey(scope, "secrets-key", {
    description: `Envelope encryption of Kubernetes secrets in ${name}`,
    enableKeyRotation: true,
    deletionWindowInDays: 7,
    tags: { Name: `${name}-secrets` },
  });
  new KmsAlias(scope, "secrets-key-alias", { name: `alias/${name}-secrets`, targetKeyId: secretsKey.keyId });

  const clusterRole = new IamRole(scope, "cluster-role", {
    name: `${name}-cluster`,
    assumeRolePolicy: trustPolicy({ Service: "eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"]),
  });
  const clusterPolicy = new IamRolePolicyAttachment(scope, "cluster-policy", { role: clusterRole.name, policyArn: MANAGED("AmazonEKSClusterPolicy") });
  const clusterKmsPolicy = new IamRolePolicy(scope, "cluster-kms-policy", {
    name: "encrypt-secrets",
    role: clusterRole.id,
    policy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"], Resource: secretsKey.arn }],
    }),
  });

  // The control plane's ENIs get this group besides the one EKS manages: it admits the bastion.
  const apiSecurityGroup = new SecurityGroup(scope, "api-sg", {
    name: `${name}-api-access`,
    description: "EKS API: HTTPS from the bastion (nodes use the cluster security group)",
    vpcId: network.vpc.id,
    tags: { Name: `${name}-api-access` },
  });
  if (network.bastion) {
    new VpcSecurityGroupIngressRule(scope, "api-from-bastion", {
      securityGroupId: apiSecurityGroup.id,
      description: "kubectl from the bastion",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      referencedSecurityGroupId: Fn.element(network.bastion.instance.vpcSecurityGroupIds, 0),
    });
  }

  const publicCidrs = settings.endpoint.publicAccessCidrs;
  const cluster = new EksCluster(scope, "cluster", {
    name,
    version,
    roleArn: clusterRole.arn,
    vpcConfig: {
      subnetIds: privateSubnetIds,
      endpointPrivateAccess: true,
      endpointPublicAccess: publicCidrs.length > 0,
      publicAccessCidrs: publicCidrs.length > 0 ? [...publicCidrs] : undefined,
      securityGroupIds: [apiSecurityGroup.id],
    },
    enabledClusterLogTypes: [...settings.logs.types],
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
    accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: settings.clusterCreatorIsAdmin },
    // The add-ons below are EKS-managed instead of the self-managed copies EKS would otherwise install.
    bootstrapSelfManagedAddons: false,
    // STANDARD: when standard support ends, EKS upgrades the cluster rather than billing extended support.
    upgradePolicy: { supportType: extended ? "EXTENDED" : "STANDARD" },
    tags: { Name: name },
    dependsOn: [logGroup, clusterPolicy, clusterKmsPolicy],
  });

  const oidcIssuerUrl = cluster.identity.get(0).oidc.get(0).issuer;
  const oidcProvider = new IamOpenidConnectProvider(scope, "oidc-provider", {
    url: oidcIssuerUrl,
    clientIdList: ["sts.amazonaws.com"],
    tags: { Name: `${name}-irsa` },
  });
  const issuerHost = Fn.replace(oidcIssuerUrl, "https://", "");

  // IAM role names stop at 64 characters; a long <project>-<environment> keeps a readable prefix and a stable hash.
  const roleName = (suffix: string) => {
    const full = ctx.name(suffix);
    return full.length <= 64 ? full : `${full.slice(0, 55)}-${createHash("sha256").update(full).digest("hex").slice(0, 8)}`;
  };

  const attachPolicies = (id: string, role: IamRole, props: WorkloadRoleProps, roleScope: Construct) => {
    (props.managedPolicyArns ?? []).forEach((arn, i) => new IamRolePolicyAttachment(roleScope, `${id}-managed-${i}`, { role: role.name, policyArn: arn }));
    if (props.policy !== undefined) new IamRolePolicy(roleScope, `${id}-inline`, { name: props.name, role: role.id, policy: JSON.stringify(props.policy) });
  };

  const irsaRole = (roleScope: Construct, id: string, props: WorkloadRoleProps) => {
    const role = new IamRole(roleScope, id, {
      name: roleName(props.name),
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: oidcProvider.arn },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: {
                [`${issuerHost}:sub`]: `system:serviceaccount:${props.namespace}:${props.serviceAccount}`,
                [`${issuerHost}:aud`]: "sts.amazonaws.com",
              },
            },
          },
        ],
      }),
    });
    attachPolicies(id, role, props, roleScope);
    return role;
  };

  const addons: Record<string, EksAddon> = {};
  const addon = (addonName: string, extra: Partial<ConstructorParameters<typeof EksAddon>[2]> = {}) =>
    (addons[addonName] = new EksAddon(scope, `addon-${addonName}`, {
      clusterName: cluster.name,
      addonName,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      ...extra,
    }));

  // The VPC CNI gets its AWS permissions through IRSA, so the node role does not carry them.
  const cniRole = irsaRole(scope, "vpc-cni-role", {
    name: "eks-vpc-cni",
    namespace: "kube-system",
    serviceAccount: "aws-node",
    managedPolicyArns: [MANAGED("AmazonEKS_CNI_Policy")],
  });
  // Networking and the pod identity agent come up before the nodes, so the nodes join Ready.
  const beforeNodes = [
    addon("vpc-cni", { serviceAccountRoleArn: cniRole.arn }),
    addon("kube-proxy"),
    addon("eks-pod-identity-agent"),
  ];

  const podIdentityRole = (roleScope: Construct, id: string, props: WorkloadRoleProps) => {
    const role = new IamRole(roleScope, id, {
      name: roleName(props.name),
      assumeRolePolicy: trustPolicy({ Service: "pods.eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"]),
    });
    attachPolicies(id, role, props, roleScope);
    new EksPodIdentityAssociation(roleScope, `${id}-association`, {
      clusterName: cluster.name,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: role.arn,
      dependsOn: [addons["eks-pod-identity-agent"]],
    });
    return role;
  };

  const nodeRole = new IamRole(scope, "node-role", {
    name: `${name}-node`,
    assumeRolePolicy: trustPolicy({ Service: "ec2.amazonaws.com" }, ["sts:AssumeRole"]),
  });
  const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"].map(
    (policy) => new IamRolePolicyAttachment(scope, `node-${policy}`, { role: nodeRole.name, policyArn: MANAGED(policy) }),
  );

  const ng = settings.nodeGroup;
  const architecture = architectureOf(ng.instanceTypes[0]);
  const launchTemplate = new LaunchTemplate(scope, "node-template", {
    name: `${name}-nodes`,
    description: "EKS nodes: IMDSv2 required, encrypted gp3 root volume",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: ng.metadataHopLimit },
    blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: ng.diskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
    tagSpecifications: [
      { resourceType: "instance", tags: literalValues({ ...ctx.environment.tags, Name: `${name}-node` }) },
      { resourceType: "volume", tags: literalValues({ ...ctx.environment.tags, Name: `${name}-node` }) },
    ],
    updateDefaultVersion: true,
  });

  const nodeGroup = new EksNodeGroup(scope, "nodes", {
    clusterName: cluster.name,
    nodeGroupName: `${name}-nodes`,
    version: cluster.version,
    nodeRoleArn: nodeRole.arn,
    subnetIds: privateSubnetIds,
    amiType: architecture === "arm64" ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD",
    instanceTypes: [...ng.instanceTypes],
    capacityType: ng.capacityType,
    scalingConfig: { minSize: ng.minSize, desiredSize: ng.desiredSize, maxSize: ng.maxSize },
    updateConfig: { maxUnavailable: 1 },
    launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
    tags: { Name: `${name}-nodes` },
    dependsOn: [...nodePolicies, ...beforeNodes],
  });

  // CoreDNS and the EBS CSI controller are Deployments: they need nodes to become ACTIVE.
  addon("coredns", { dependsOn: [nodeGroup] });
  const ebsCsiRole = new IamRole(scope, "ebs-csi-role", {
    name: `${name}-ebs-csi`,
    assumeRolePolicy: trustPolicy({ Service: "pods.eks.amazonaws.com" }, ["sts:AssumeRole", "sts:TagSession"]),
  });
  new IamRolePolicyAttachment(scope, "ebs-csi-policy", { role: ebsCsiRole.name, policyArn: MANAGED("service-role/AmazonEBSCSIDriverPolicy") });
  addon("aws-ebs-csi-driver", {
    podIdentityAssociation: [{ roleArn: ebsCsiRole.arn, serviceAccount: "ebs-csi-controller-sa" }],
    dependsOn: [nodeGroup, addons["eks-pod-identity-agent"]],
  });

  const adminPrincipals: { id: string; arn: string }[] = settings.adminPrincipalArns.map((arn, i) => ({ id: `admin-${i}`, arn }));
  if (network.bastion) {
    adminPrincipals.unshift({ id: "bastion", arn: network.bastion.role.arn });
    // update-kubeconfig reads the cluster's endpoint and CA: DescribeCluster on this cluster only.
    new IamRolePolicy(scope, "bastion-describe-cluster", {
      name: "describe-eks-cluster",
      role: network.bastion.role.id,
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["eks:DescribeCluster"], Resource: cluster.arn }] }),
    });
    network.bastion.runScript(scope, "bastion-kubectl", {
      name: "kubectl",
      title: "Week 6: kubectl and the AWS CLI for EKS",
      script: bastionToolsScript({ kubernetesVersion: version, clusterName: name, region }),
    });
  }
  for (const principal of adminPrincipals) {
    const entry = new EksAccessEntry(scope, `access-${principal.id}`, { clusterName: cluster.name, principalArn: principal.arn, type: "STANDARD" });
    new EksAccessPolicyAssociation(scope, `access-${principal.id}-admin`, {
      clusterName: cluster.name,
      principalArn: entry.principalArn,
      policyArn: CLUSTER_ADMIN_POLICY,
      accessScope: { type: "cluster" },
    });
  }

  // The learner's way to the API: through the SSM port forward and the bastion to the private endpoint,
  // or straight to the public one from the ranges the config names.
  const target = ctx.kubernetesTarget;
  if (target.kind === "eks" && target.access.kind === "tunnel" && network.bastion) {
    ctx.diagramFlow({ from: { actor: "learner" }, to: SESSION_MANAGER, label: "diagram.flow.portForward", params: { port: target.access.localPort } });
    ctx.diagramFlow({ from: SESSION_MANAGER, to: network.bastion, label: "diagram.flow.portForwardSession" });
    ctx.diagramFlow({ from: network.bastion, to: cluster, label: "diagram.flow.privateApi" });
  } else if (publicCidrs.length > 0) {
    ctx.diagramFlow({ from: { actor: "learner" }, to: cluster, label: "diagram.flow.publicApi" });
  }

  ctx.output("eks_cluster_name", cluster.name, "Name of the EKS cluster");
  ctx.output(EKS_ACCESS_OUTPUTS.clusterArn, cluster.arn, "ARN of the EKS cluster (the name of its kubeconfig entry)");
  ctx.output("eks_kubernetes_version", cluster.version, "Kubernetes version of the EKS control plane");
  // The endpoint's name without https://: the host the SSM port forward reaches, and the name clients
  // check the API server's certificate against when they connect through 127.0.0.1.
  ctx.output(EKS_ACCESS_OUTPUTS.endpointHost, Fn.replace(cluster.endpoint, "https://", ""), "Host name of the cluster's API endpoint (private: reached through the SSM port forward)");

  return {
    cluster,
    clusterName: name,
    clusterArn: cluster.arn,
    privateSubnetIds,
    ready: [nodeGroup, ...Object.values(addons)],
    kubernetesVersion: version,
    region,
    clusterRole,
    secretsKey,
    logGroup,
    apiSecurityGroup,
    nodeGroup,
    nodeRole,
    oidcProvider,
    oidcProviderArn: oidcProvider.arn,
    oidcIssuerUrl,
    addons,
    podIdentityRole,
    irsaRole,
    enableNetworkPolicy: () => addons["vpc-cni"].addOverride("configuration_values", JSON.stringify({ enableNetworkPolicy: "true" })),
    leaveDesiredSizeToAutoscaler: () => nodeGroup.addOverride("lifecycle.ignore_changes", ["scaling_config[0].desired_size"]),
  };
}

function trustPolicy(principal: Record<string, string>, actions: string[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: principal, Action: actions }] });
}
