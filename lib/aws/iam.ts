/**
 * IAM pieces any week builds: a policy document from typed statements, and the role an EKS add-on's
 * service account assumes through EKS Pod Identity. Pod Identity rather than IRSA: the role trusts one
 * service principal, needs no OIDC provider, and the add-on makes its own association, so the `-k8s`
 * stack reads nothing from the AWS stack's state.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { Construct } from "constructs";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** The statements as an IAM policy document, JSON-encoded. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * A role for the service account of an EKS add-on, which makes its own pod identity association
 * (`podIdentityAssociation` on the aws_eks_addon); its managed policies are attached as
 * `<id>-managed-<i>`.
 */
export function addonRole(scope: Construct, id: string, name: string, managedPolicyArns: readonly string[]): IamRole {
  const role = new IamRole(scope, id, {
    name,
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    }),
  });
  managedPolicyArns.forEach((arn, i) => new IamRolePolicyAttachment(scope, `${id}-managed-${i}`, { role: role.name, policyArn: arn }));
  return role;
}
