/**
 * The learners' way into their own account when the organization has no IAM Identity Center
 * (`classroom.accounts.signInRole`): each learner is an IAM user of the management account with a console
 * password and MFA, never an access key, allowed nothing there but to assume `<project>-learner` in their
 * own account. A CloudFormation StackSet of the organization puts that role in every account of the class's
 * OU, now and as accounts join it, so no stack needs a provider per account (a Terraform provider per
 * learner would start an AWS provider process per learner).
 *
 * One template serves every account: the role trusts the management account's users of the class's path
 * whose tag `LearnerAccount` is this account's id, and only with MFA. Each user carries that tag, so a
 * learner's password opens their own account and no other. From the command line the learner signs in
 * with `aws login` (AWS CLI 2.32 or later: console credentials, temporary, no key to store) and assumes the
 * role with their MFA code; Terraform, which cannot ask for an MFA code, reads the exported temporary
 * credentials.
 */
import { CloudformationStackSet } from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { CloudformationStackSetInstance } from "@cdktf/provider-aws/lib/cloudformation-stack-set-instance";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { Fn, TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { literalText } from "../core/terraform-text";
import { selfServicePolicy } from "./stacks";
import type { SignInRolePlan } from "./accounts";

/** The tag on each learner's IAM user that names their account: the role in that account trusts only it. */
export const LEARNER_ACCOUNT_TAG = "LearnerAccount";
/** AWS's managed policy for `aws login` (signin:AuthorizeOAuth2Access and signin:CreateOAuth2Token), of 2025-11-19. */
export const SIGN_IN_LOCAL_DEVELOPMENT_POLICY_ARN = "arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess";
/** Eight hours: a class day, as Identity Center's permission set. */
const SESSION_SECONDS = 28_800;


/**
 * The learners' group policy in the management account: assume the learner role of the account named by
 * their own user's tag, with MFA (the trust asks for it too). Nothing else but their own password and MFA
 * device (selfServicePolicy), and `aws login`.
 */
export function ownAccountRolePolicy(plan: SignInRolePlan): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AssumeTheLearnerRoleOfOwnAccount",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        // Terraform would read ${...} as its own: $${ writes the policy variable as IAM reads it.
        Resource: `arn:aws:iam::$\${aws:PrincipalTag/${LEARNER_ACCOUNT_TAG}}:role/${plan.roleName}`,
        Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } },
      },
    ],
  };
}

/** The StackSet's CloudFormation template: the learner role, the same in every account of the OU. */
export function learnerRoleTemplate(plan: SignInRolePlan): Record<string, unknown> {
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `The class's learner role: the learner whose IAM user in the management account is tagged ${LEARNER_ACCOUNT_TAG}=<this account>, with MFA`,
    Parameters: { ManagementAccountId: { Type: "String", AllowedPattern: "^\\d{12}$", Description: "The organization's management account, where the learners' IAM users are" } },
    Resources: {
      LearnerRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: plan.roleName,
          Description: "A learner of the class, in their own account only",
          MaxSessionDuration: SESSION_SECONDS,
          ManagedPolicyArns: [plan.managedPolicyArn],
          AssumeRolePolicyDocument: {
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "TheLearnerOfThisAccountWithMfa",
                Effect: "Allow",
                Principal: { AWS: { "Fn::Sub": "arn:aws:iam::${ManagementAccountId}:root" } },
                Action: "sts:AssumeRole",
                Condition: {
                  StringEquals: { [`aws:PrincipalTag/${LEARNER_ACCOUNT_TAG}`]: { Ref: "AWS::AccountId" } },
                  ArnLike: { "aws:PrincipalArn": { "Fn::Sub": `arn:aws:iam::\${ManagementAccountId}:user${plan.userPath}*` } },
                  Bool: { "aws:MultiFactorAuthPresent": "true" },
                },
              },
            ],
          },
        },
      },
    },
  };
}

export interface SignInLearner {
  readonly id: string;
  readonly userName: string;
  /** The learner's account id: a reference to the organization stack's account. */
  readonly accountId: string;
}

/** The users, their group, the StackSet and its instances on the class's OU, in the management account. */
export function learnerSignInRole(scope: Construct, plan: SignInRolePlan, learners: readonly SignInLearner[], unit: { id: string }, region: string): void {
  const group = new IamGroup(scope, "learners-sign-in", { name: plan.groupName, path: plan.userPath });
  new IamGroupPolicy(scope, "learners-sign-in-self-service", { name: "self-service", group: group.name, policy: JSON.stringify(selfServicePolicy(plan.requireMfa)) });
  new IamGroupPolicy(scope, "learners-sign-in-own-account", { name: "own-account-role", group: group.name, policy: JSON.stringify(ownAccountRolePolicy(plan)) });
  new IamGroupPolicyAttachment(scope, "learners-sign-in-cli", { group: group.name, policyArn: SIGN_IN_LOCAL_DEVELOPMENT_POLICY_ARN });
  for (const learner of learners) {
    // No login profile here: its password would sit in state. The instructor sets a first one (README).
    const user = new IamUser(scope, `sign-in-${learner.id}`, { name: learner.userName, path: plan.userPath, tags: { Learner: learner.id, [LEARNER_ACCOUNT_TAG]: learner.accountId }, forceDestroy: true });
    new IamUserGroupMembership(scope, `sign-in-${learner.id}-groups`, { user: user.name, groups: [group.name] });
  }
  const stackSet = new CloudformationStackSet(scope, "learner-role-stack-set", {
    name: plan.stackSetName,
    description: "The learner role in every account of the class's OU (classroom.accounts.signInRole)",
    permissionModel: "SERVICE_MANAGED",
    autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
    capabilities: ["CAPABILITY_NAMED_IAM"],
    // The group's ARN names the management account; no data source, so the plan needs no AWS call.
    parameters: { ManagementAccountId: Fn.element(Fn.split(":", group.arn), 4) },
    templateBody: literalText(JSON.stringify(learnerRoleTemplate(plan))),
    // With SERVICE_MANAGED and auto_deployment AWS fills in administration_role_arn, which provider 5.x
    // reads back as a change on every plan (hashicorp/terraform-provider-aws#23464, fixed in #45992 of 2026-01).
    lifecycle: { ignoreChanges: ["administration_role_arn"] },
  });
  new CloudformationStackSetInstance(scope, "learner-role-in-class-unit", { stackSetName: stackSet.name, deploymentTargets: { organizationalUnitIds: [unit.id] }, region });
  new TerraformOutput(scope, "learner_sign_in_users", {
    description: "Per learner: their IAM user in this (the management) account; set a first password with aws iam create-login-profile --password-reset-required",
    value: Object.fromEntries(learners.map((l) => [l.id, l.userName])),
  });
}
