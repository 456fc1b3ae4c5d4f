/**
 * The stacks beside the learners' environments: the state bucket (backend s3, `bootstrap.ts`) and the
 * classroom's `<project>-instructor` stack. Loaded by synth only when one of them is built, so a plain
 * study synth does not load their provider classes.
 */
import { monthlyBudget } from "../aws/budget";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserGroupMembership } from "@cdktf/provider-aws/lib/iam-user-group-membership";
import { IamUserPolicy } from "@cdktf/provider-aws/lib/iam-user-policy";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { useStateBackend, type ResolvedState } from "../state/backend";
import { BootstrapStack } from "../state/bootstrap";
import { learnerStateStatements } from "./learner-state";
import type { ClassroomPlan, LearnerPlan } from "./plan";
import type { StudyConfig } from "../core/config";

// ---- the instructor stack --------------------------------------------------------------------------

/**
 * `<project>-instructor`: the learners' IAM group (MFA required) and one IAM user per learner with a
 * policy scoped to their `Learner` tag, and a monthly AWS Budgets budget per learner filtered on the
 * same tag, alerting the learner (and the instructors) by email. Console passwords are not created
 * here (they would sit in state): the instructor sets them with `aws iam create-login-profile`.
 */
export class InstructorStack extends TerraformStack {
  constructor(scope: Construct, config: StudyConfig, classroom: ClassroomPlan) {
    const name = classroom.instructorStack!;
    super(scope, name);
    const { project, region, tags } = config.core;
    const settings = classroom.settings;
    useStateBackend(this, name);
    new AwsProvider(this, "aws", { region, defaultTags: [{ tags: { Project: project, ManagedBy: "devops-weeks", Role: "instructor", ...tags } }] });

    let group: IamGroup | undefined;
    if (settings.iamUsers) {
      group = new IamGroup(this, "learners-group", { name: classroom.learnersGroup!, path: `/${project}/` });
      new IamGroupPolicy(this, "learners-self-service", { name: "self-service", group: group.name, policy: JSON.stringify(selfServicePolicy(settings.requireMfa)) });
    }
    for (const learner of classroom.learners) {
      if (group && learner.iamUserName) {
        const user = new IamUser(this, `user-${learner.id}`, { name: learner.iamUserName, path: `/${project}/`, tags: { Learner: learner.id }, forceDestroy: true });
        new IamUserGroupMembership(this, `user-${learner.id}-groups`, { user: user.name, groups: [group.name] });
        new IamUserPolicy(this, `user-${learner.id}-own-environment`, { name: "own-environment", user: user.name, policy: JSON.stringify(learnerPolicy(learner, region)) });
      }
      if (learner.budget) {
        const budget = learner.budget;
        monthlyBudget(this, `budget-${learner.id}`, {
          name: budget.name,
          limitUsd: budget.monthlyUsd,
          emails: budget.emails,
          actualThresholds: budget.alertThresholds,
          // Cost allocation by the Learner tag: activate it once in Billing > Cost allocation tags.
          costFilterTag: { key: "Learner", value: learner.id },
          tags: { Learner: learner.id },
        });
      }
    }
    // Account isolation puts the project in the organization stack instead (lib/classroom/organization.ts).
    if (classroom.codeBuild && !classroom.accounts) (require("./codebuild-project") as typeof import("./codebuild-project")).classApplyProject(this, classroom.codeBuild, []);
    if (classroom.gitHubActions && !classroom.accounts) (require("./github-actions-role") as typeof import("./github-actions-role")).classApplyGitHubRole(this, classroom.gitHubActions, []);
    new TerraformOutput(this, "learners", {
      description: "Per learner: environment (stack) name, IAM user and budget name",
      value: Object.fromEntries(classroom.learners.map((l) => [l.id, { environment: l.environment.name, iam_user: l.iamUserName ?? "", budget: l.budget?.name ?? "", vpc_cidr: l.environment.vpcCidr }])),
    });
  }
}

/** Terraform would read `${aws:username}` as interpolation: `$${` writes a literal `${`. */
const USERNAME = "$${aws:username}";

/** On the learners' group: manage their own password and MFA device; with requireMfa, nothing else until signed in with MFA. */
export function selfServicePolicy(requireMfa: boolean): Record<string, unknown> {
  const selfActions = ["iam:GetUser", "iam:ChangePassword", "iam:GetLoginProfile", "iam:ListMFADevices", "iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:ResyncMFADevice", "iam:ListAccessKeys"];
  const statements: Record<string, unknown>[] = [
    { Sid: "ReadAccountPasswordPolicy", Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy"], Resource: "*" },
    { Sid: "ManageOwnSignIn", Effect: "Allow", Action: selfActions, Resource: [`arn:aws:iam::*:user/*/${USERNAME}`, `arn:aws:iam::*:mfa/${USERNAME}`] },
  ];
  if (requireMfa) {
    statements.push({
      Sid: "DenyAllButMfaSetupWithoutMfa",
      Effect: "Deny",
      NotAction: [...selfActions, "iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices", "sts:GetSessionToken"],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/**
 * On each learner's user: see (describe/list actions, which AWS cannot scope to resources), and act only
 * on resources tagged `Learner=<their id>`: start/stop/reboot their instances, open SSM sessions to
 * them, read their EKS cluster and their log groups, view their own budget.
 */
export function learnerPolicy(learner: LearnerPlan, region: string): Record<string, unknown> {
  const own = { StringEquals: { "aws:ResourceTag/Learner": learner.id } };
  const statements: Record<string, unknown>[] = [
    {
      Sid: "ReadOnlyListing",
      Effect: "Allow",
      Action: ["ec2:Describe*", "ssm:DescribeInstanceInformation", "ssm:DescribeSessions", "ssm:GetConnectionStatus", "eks:ListClusters", "logs:DescribeLogGroups", "logs:GetQueryResults", "cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms"],
      Resource: "*",
    },
    { Sid: "OperateOwnInstances", Effect: "Allow", Action: ["ec2:StartInstances", "ec2:StopInstances", "ec2:RebootInstances"], Resource: `arn:aws:ec2:${region}:*:instance/*`, Condition: own },
    { Sid: "SessionToOwnInstances", Effect: "Allow", Action: ["ssm:StartSession"], Resource: `arn:aws:ec2:${region}:*:instance/*`, Condition: { StringEquals: { "ssm:resourceTag/Learner": learner.id } } },
    {
      Sid: "SessionDocuments",
      Effect: "Allow",
      Action: ["ssm:StartSession"],
      Resource: [`arn:aws:ssm:${region}:*:document/SSM-SessionManagerRunShell`, `arn:aws:ssm:${region}::document/AWS-StartPortForwardingSession`],
    },
    { Sid: "OwnSessions", Effect: "Allow", Action: ["ssm:TerminateSession", "ssm:ResumeSession"], Resource: `arn:aws:ssm:${region}:*:session/${USERNAME}-*` },
    { Sid: "OwnCluster", Effect: "Allow", Action: ["eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup", "eks:AccessKubernetesApi"], Resource: `arn:aws:eks:${region}:*:cluster/*`, Condition: own },
    {
      Sid: "OwnLogs",
      Effect: "Allow",
      Action: ["logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartQuery"],
      Resource: [`arn:aws:logs:${region}:*:log-group:/devops-weeks/${learner.environment.name}/*`, `arn:aws:logs:${region}:*:log-group:/devops-weeks/${learner.environment.name}/*:log-stream:*`],
    },
  ];
  if (learner.budget) statements.push({ Sid: "OwnBudget", Effect: "Allow", Action: ["budgets:ViewBudget"], Resource: `arn:aws:budgets::*:budget/${learner.budget.name}` });
  return { Version: "2012-10-17", Statement: statements };
}

/** The stacks beside the environments: the state bucket (backend s3), the instructor stack and the organization stack (classroom). */
export function buildSharedStacks(app: Construct, config: StudyConfig, state: ResolvedState, classroom: ClassroomPlan | undefined): void {
  if (state.backend === "s3") {
    const learnerState = classroom?.learnerState;
    const grants = learnerState ? (bucketArn: string) => learnerStateStatements(bucketArn, state, learnerState) : undefined;
    new BootstrapStack(app, config.core.project, state, config.core.tags, grants);
  }
  if (classroom?.instructorStack) new InstructorStack(app, config, classroom);
  // Account isolation only: the Organizations classes load with it.
  if (classroom?.accounts) new (require("./organization") as typeof import("./organization")).OrganizationStack(app, config, classroom);
}
