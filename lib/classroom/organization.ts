/**
 * `<project>-organization`: what a class in account isolation needs in the organization's management
 * account, applied by the instructor before any learner's stacks (lib/classroom/accounts.ts plans it):
 *  - an organizational unit for the class, under `classroom.accounts.parentId`;
 *  - one member account per learner, with the roster's email, and OrganizationAccountAccessRole, the
 *    role the learner's stacks assume from the management account;
 *  - the guardrail SCPs (lib/classroom/guardrails.ts) attached to the OU;
 *  - per learner (with `classroom.budget.enabled`), a monthly budget on the learner's account, mailing
 *    the learner and the instructors, and at 100 % a Budgets action that attaches the brake SCP to
 *    that account;
 *  - with `classroom.accounts.identityCenter`, the learners' sign-in: an Identity Center user each, and
 *    the class's permission set assigned to them in their own account only (no long-lived keys).
 *
 * Why the budgets live here, filtered on `LinkedAccount`, and not in the learners' accounts: a budget
 * action can attach an SCP only from the management account, and an SCP is the one deny that an
 * administrator of the learner's account cannot lift; nor can they edit or delete a budget they cannot
 * see. The budgets need no account id from the roster either: the account is in this stack.
 */
import { BudgetsBudgetAction } from "@cdktf/provider-aws/lib/budgets-budget-action";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IdentitystoreUser } from "@cdktf/provider-aws/lib/identitystore-user";
import { OrganizationsAccount } from "@cdktf/provider-aws/lib/organizations-account";
import { OrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/organizations-organizational-unit";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SsoadminAccountAssignment } from "@cdktf/provider-aws/lib/ssoadmin-account-assignment";
import { SsoadminManagedPolicyAttachment } from "@cdktf/provider-aws/lib/ssoadmin-managed-policy-attachment";
import { SsoadminPermissionSet } from "@cdktf/provider-aws/lib/ssoadmin-permission-set";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { monthlyBudget } from "../aws/budget";
import { useStateBackend } from "../state/backend";
import type { ClassroomPlan } from "./plan";
import { INSTRUCTOR_ROLE_NAME, signInUserName } from "./accounts";
import { scpContent } from "./guardrails";
import type { StudyConfig } from "../core/config";
import { fitName } from "../aws/names";

/**
 * Identity Center wants a given and a family name: "Lee, Junho" is family, given; otherwise the last word
 * is the family name ("Kim Minji" gives Kim and Minji); a single word is both.
 */
export function nameParts(name: string): { givenName: string; familyName: string } {
  const comma = name.indexOf(",");
  if (comma > 0 && name.slice(comma + 1).trim() !== "") return { familyName: name.slice(0, comma).trim(), givenName: name.slice(comma + 1).trim() };
  const words = name.trim().split(/\s+/);
  return words.length > 1 ? { givenName: words.slice(0, -1).join(" "), familyName: words[words.length - 1] } : { givenName: words[0], familyName: words[0] };
}

export class OrganizationStack extends TerraformStack {
  constructor(scope: Construct, config: StudyConfig, classroom: ClassroomPlan) {
    const plan = classroom.accounts!;
    super(scope, plan.stack);
    const { project, region, tags } = config.core;
    useStateBackend(this, plan.stack);
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Project: project, ManagedBy: "devops-weeks", Role: "organization", ...tags } }] });

    const unit = new OrganizationsOrganizationalUnit(this, "class-unit", { name: plan.unitName, parentId: plan.parentId });

    const accounts = classroom.learners.map(
      (learner) =>
        new OrganizationsAccount(this, `account-${learner.id}`, {
          name: learner.account!.name,
          email: learner.account!.email,
          parentId: unit.id,
          roleName: INSTRUCTOR_ROLE_NAME,
          // Off by default (classroom.accounts.closeOnDeletion): a destroy then asks AWS to remove the account
          // from the organization rather than close it. Closing cannot be undone after 90 days, AWS closes at
          // most 10 % of the member accounts a month, and a closed account's email cannot make a new one.
          closeOnDeletion: plan.closeOnDeletion,
          tags: { Learner: learner.id },
          // AWS reads role_name only when it creates the account: the API cannot return it, so Terraform would
          // show a change on every plan after an import. The provider's docs advise ignoring it.
          lifecycle: { ignoreChanges: ["role_name"] },
        }),
    );

    plan.guardrails.forEach((policy, index) => {
      const scp = new OrganizationsPolicy(this, `guardrail-${index}`, { name: policy.name, description: policy.description, type: "SERVICE_CONTROL_POLICY", content: scpContent(policy) });
      new OrganizationsPolicyAttachment(this, `guardrail-${index}-on-class-unit`, { policyId: scp.id, targetId: unit.id });
    });

    if (plan.brake && classroom.learners.some((l) => l.budget)) this.budgets(config, classroom, accounts);
    if (plan.identityCenter) this.signIn(classroom, accounts);
    // Without Identity Center: IAM users here, and a StackSet's role in each account (lib/classroom/sign-in-role.ts).
    if (plan.signInRole) {
      const signInRole = require("./sign-in-role") as typeof import("./sign-in-role");
      const learners = classroom.learners.map((l, i) => ({ id: l.id, userName: signInUserName(project, l.id), accountId: accounts[i].id }));
      signInRole.learnerSignInRole(this, plan.signInRole, learners, unit, region);
    }

    // The class-wide CodeBuild batch and GitHub Actions matrix may act in the learners' accounts through their instructor role, and only there.
    const roleArnsOf = (stacks: readonly string[]) => classroom.learners.flatMap((l, i) => (stacks.includes(l.awsStack) ? [`arn:aws:iam::${accounts[i].id}:role/${INSTRUCTOR_ROLE_NAME}`] : []));
    if (classroom.codeBuild) {
      const accountIdOf = (id: string) => accounts[classroom.learners.findIndex((l) => l.id === id)].id;
      (require("./codebuild-project") as typeof import("./codebuild-project")).classApplyProject(this, classroom.codeBuild, roleArnsOf(classroom.codeBuild.stacks), { parentId: plan.parentId, unitId: unit.id, unitArn: unit.arn, accountIdOf });
    }
    if (classroom.gitHubActions) (require("./github-actions-role") as typeof import("./github-actions-role")).classApplyGitHubRole(this, classroom.gitHubActions, roleArnsOf(classroom.gitHubActions.stacks));
    new TerraformOutput(this, "account_ids", {
      description: "Per learner: the id of their AWS account, for the roster's accountId column",
      value: Object.fromEntries(classroom.learners.map((l, i) => [l.id, accounts[i].id])),
    });
    new TerraformOutput(this, "class_unit_id", { description: "The class's organizational unit", value: unit.id });
  }

  /**
   * Per learner, with IAM Identity Center: a user in its identity store (their roster email is the user name)
   * and the class's permission set assigned in their own account only. No password is set here (it would sit
   * in state): Identity Center sends none to users created through the API, so the instructor sends each one
   * from the console (Users, the user, Reset password, Send an email).
   */
  private signIn(classroom: ClassroomPlan, accounts: readonly OrganizationsAccount[]): void {
    const center = classroom.accounts!.identityCenter!;
    const permissionSet = new SsoadminPermissionSet(this, "learner-permission-set", {
      name: center.permissionSetName,
      description: "A learner of the class, in their own account only",
      instanceArn: center.instanceArn,
      sessionDuration: "PT8H",
    });
    new SsoadminManagedPolicyAttachment(this, "learner-permission-set-policy", { instanceArn: center.instanceArn, permissionSetArn: permissionSet.arn, managedPolicyArn: center.managedPolicyArn });
    classroom.learners.forEach((learner, index) => {
      const { givenName, familyName } = nameParts(learner.name);
      const user = new IdentitystoreUser(this, `learner-${learner.id}`, {
        identityStoreId: center.identityStoreId,
        userName: learner.email,
        displayName: learner.name,
        name: { givenName, familyName },
        emails: { value: learner.email, primary: true, type: "work" },
      });
      new SsoadminAccountAssignment(this, `learner-${learner.id}-in-own-account`, {
        instanceArn: center.instanceArn,
        permissionSetArn: permissionSet.arn,
        principalId: user.userId,
        principalType: "USER",
        targetId: accounts[index].id,
        targetType: "AWS_ACCOUNT",
      });
    });
  }

  /** Per learner: the month's budget on their account, and the brake a Budgets action applies at 100 %. */
  private budgets(config: StudyConfig, classroom: ClassroomPlan, accounts: readonly OrganizationsAccount[]): void {
    const plan = classroom.accounts!;
    const brake = new OrganizationsPolicy(this, "budget-brake", { name: plan.brake!.name, description: plan.brake!.description, type: "SERVICE_CONTROL_POLICY", content: scpContent(plan.brake!) });
    const budgets = classroom.learners.map((learner, index) =>
      learner.budget
        ? monthlyBudget(this, `budget-${learner.id}`, {
            name: learner.budget.name,
            limitUsd: learner.budget.monthlyUsd,
            emails: learner.budget.emails,
            actualThresholds: learner.budget.alertThresholds,
            linkedAccount: accounts[index].id,
            tags: { Learner: learner.id },
          })
        : undefined,
    );
    const first = budgets.find((b) => b !== undefined)!;
    // As the cost guard's brake does (modules/cost-guard): a role only AWS Budgets may assume, for this
    // account's budgets, allowed exactly what the action does (attach and, when the instructor resets
    // the action, detach the brake on the learners' accounts).
    const role = new IamRole(this, "budget-action-role", {
      name: fitName(`${config.core.project}-class-budget-brake`, 64),
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        // Every budget here is the management account's: any one of them names it.
        Statement: [{ Effect: "Allow", Principal: { Service: "budgets.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": first.accountId } } }],
      }),
    });
    new IamRolePolicy(this, "budget-action-policy", {
      name: "attach-the-budget-brake",
      role: role.id,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Sid: "AttachTheBrakeToLearnerAccounts", Effect: "Allow", Action: ["organizations:AttachPolicy", "organizations:DetachPolicy"], Resource: [brake.arn, ...accounts.map((a) => a.arn)] }],
      }),
    });
    classroom.learners.forEach((learner, index) => {
      if (!learner.budget) return;
      new BudgetsBudgetAction(this, `budget-${learner.id}-brake`, {
        budgetName: budgets[index]!.name,
        actionType: "APPLY_SCP_POLICY",
        approvalModel: "AUTOMATIC",
        notificationType: "ACTUAL",
        executionRoleArn: role.arn,
        actionThreshold: { actionThresholdType: "PERCENTAGE", actionThresholdValue: 100 },
        definition: { scpActionDefinition: { policyId: brake.id, targetIds: [accounts[index].id] } },
        subscriber: learner.budget.emails.map((address) => ({ address, subscriptionType: "EMAIL" })),
      });
    });
  }
}
