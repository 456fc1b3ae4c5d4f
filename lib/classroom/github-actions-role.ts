/**
 * The resources of `classroom.applyOnGitHubActions` (planned by lib/classroom/github-actions.ts): GitHub's
 * OIDC provider (unless the account has one) and the role the workflow's jobs assume. Added to the stack the
 * CodeBuild project would be in: the instructor stack (isolation tag) or the organization stack (isolation
 * account), both in the instructor's account.
 */
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { gitHubRolePolicy, gitHubTrustPolicy, GITHUB_OIDC_AUDIENCE, GITHUB_OIDC_HOST, type GitHubActionsPlan } from "./github-actions";

/** `roleArns`: the learners' OrganizationAccountAccessRole ARNs the jobs may assume (isolation account), none otherwise. */
export function classApplyGitHubRole(scope: Construct, plan: GitHubActionsPlan, roleArns: readonly string[]): IamRole {
  // No thumbprint_list: optional in hashicorp/aws 5.100.0 (its schema, and the request in
  // hashicorp/terraform-provider-aws#35112; the offline plan in test/classroom/github-actions.test.ts has
  // none), and IAM verifies GitHub's certificate against its own library of trusted root CAs, not thumbprints
  // (the IAM API reference of CreateOpenIDConnectProvider and UpdateOpenIDConnectProviderThumbprint, read
  // 2026-12-01): a thumbprint here would only go stale.
  const providerArn =
    plan.oidcProviderArn ??
    new IamOpenidConnectProvider(scope, "class-applies-github-oidc", { url: `https://${GITHUB_OIDC_HOST}`, clientIdList: [GITHUB_OIDC_AUDIENCE], tags: { Name: "github-actions" } }).arn;
  const role = new IamRole(scope, "class-applies-github-role", {
    name: plan.roleName,
    description: `The class-wide GitHub Actions matrix of ${plan.repository} in its environment ${plan.environment}: the learners' stacks, their state and report`,
    assumeRolePolicy: JSON.stringify(gitHubTrustPolicy(plan, providerArn)),
    // A job's credentials last its whole timeout: configure-aws-credentials asks for this many seconds.
    maxSessionDuration: plan.sessionSeconds,
  });
  new IamRolePolicy(scope, "class-applies-github-role-policy", { name: "learner-stacks", role: role.id, policy: JSON.stringify(gitHubRolePolicy(plan, roleArns)) });
  plan.deployPolicyArns.forEach((policyArn, index) => new IamRolePolicyAttachment(scope, `class-applies-github-role-deploy-${index}`, { role: role.name, policyArn }));
  new TerraformOutput(scope, "github_class_applies_role_arn", {
    description: `The role of the class-wide workflow: the variable CLASS_APPLIES_ROLE_ARN of the environment ${plan.environment} in ${plan.repository}`,
    value: role.arn,
  });
  return role;
}
