/**
 * What week 6's cluster offers the other weeks (`ctx.use(eksModule)`): types only, so that the
 * registry entry (./module.ts) and other weeks name them without loading the build code (./build.ts).
 */
import type { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import type { EksCluster } from "@cdktf/provider-aws/lib/eks-cluster";
import type { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import type { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import type { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import type { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import type { ITerraformDependable } from "cdktf";
import type { Construct } from "constructs";

/** A role for one Kubernetes service account (pod identity or IRSA). */
export interface WorkloadRoleProps {
  /** Suffix of the role name: `<environment>-<name>` (shortened with a hash past IAM's 64 characters). */
  readonly name: string;
  readonly namespace: string;
  readonly serviceAccount: string;
  /** AWS managed (or other) policies to attach. */
  readonly managedPolicyArns?: readonly string[];
  /** An inline policy document (an object, JSON-encoded here). */
  readonly policy?: unknown;
}

export interface EksExports {
  readonly cluster: EksCluster;
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly privateSubnetIds: readonly string[];
  /** What a workload on the cluster waits for: the node group and every managed add-on. */
  readonly ready: readonly ITerraformDependable[];
  readonly kubernetesVersion: string;
  readonly region: string;
  readonly clusterRole: IamRole;
  readonly secretsKey: KmsKey;
  readonly logGroup: CloudwatchLogGroup;
  /** Extra security group on the control plane (HTTPS from the bastion); add rules for other clients. */
  readonly apiSecurityGroup: SecurityGroup;
  readonly nodeGroup: EksNodeGroup;
  readonly nodeRole: IamRole;
  readonly oidcProvider: IamOpenidConnectProvider;
  readonly oidcProviderArn: string;
  /** The cluster's OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/...). */
  readonly oidcIssuerUrl: string;
  /** The managed add-ons, by add-on name. */
  readonly addons: Readonly<Record<string, EksAddon>>;
  /**
   * A role that pods of one service account assume through EKS Pod Identity (the agent add-on is
   * installed): the role, its policies, and the pod identity association. The preferred way.
   */
  podIdentityRole(scope: Construct, id: string, props: WorkloadRoleProps): IamRole;
  /** The same through IRSA (the service account needs the `eks.amazonaws.com/role-arn` annotation). */
  irsaRole(scope: Construct, id: string, props: WorkloadRoleProps): IamRole;
  /**
   * Turns on the VPC CNI's network policy agent: without it the cluster accepts NetworkPolicies and
   * enforces none (week 10's policies).
   */
  enableNetworkPolicy(): void;
  /**
   * Leaves the node group's desired size to a node autoscaler (week 9's Cluster Autoscaler): Terraform
   * sets it at creation and ignores its changes from then on, instead of scaling the group back.
   */
  leaveDesiredSizeToAutoscaler(): void;
}
