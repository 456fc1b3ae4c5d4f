/**
 * The resources of `classroom.applyOnCodeBuild` (planned by lib/classroom/codebuild.ts): the CodeBuild
 * project with its batch configuration, its log group, the build role and the batch role. Added to the
 * instructor stack (isolation tag) or the organization stack (isolation account), both in the
 * instructor's account.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { OrganizationsOrganizationalUnit } from "@cdktf/provider-aws/lib/organizations-organizational-unit";
import { OrganizationsPolicy } from "@cdktf/provider-aws/lib/organizations-policy";
import { OrganizationsPolicyAttachment } from "@cdktf/provider-aws/lib/organizations-policy-attachment";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { scpContent } from "./guardrails";
import { batchRolePolicy, buildRolePolicy, leaseMovePolicyStatements, CODEBUILD_BUILDSPEC_PATH, CODEBUILD_IMAGE, CODEBUILD_LOG_RETENTION_DAYS, type CodeBuildPlan } from "./codebuild";
import { fitName } from "../aws/names";

const CODEBUILD_TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }] });

/** With isolation account: the class's OU, where it hangs, and each learner's account id (a reference into the organization stack). */
export interface ClassOrganization {
  readonly parentId: string;
  readonly unitId: string;
  readonly unitArn: string;
  accountIdOf(learnerId: string): string;
}

/**
 * `roleArns`: the learners' OrganizationAccountAccessRole ARNs the builds may assume (isolation account), none
 * otherwise; `organization`: with isolation account, for the lease's closed-course OU and the moves into it.
 */
export function classApplyProject(scope: Construct, plan: CodeBuildPlan, roleArns: readonly string[], organization?: ClassOrganization): CodebuildProject {
  const closed = plan.lease?.closedUnit && organization ? closedCourseUnit(scope, plan, organization) : undefined;
  const logs = new CloudwatchLogGroup(scope, "class-applies-logs", { name: plan.logGroupName, retentionInDays: CODEBUILD_LOG_RETENTION_DAYS });
  const buildRole = new IamRole(scope, "class-applies-role", {
    name: fitName(`${plan.projectName}-build`, 64),
    description: "The class-wide CodeBuild batch: the learners' stacks, their state and report, nothing else",
    assumeRolePolicy: CODEBUILD_TRUST,
  });
  new IamRolePolicy(scope, "class-applies-role-policy", { name: "learner-stacks", role: buildRole.id, policy: JSON.stringify(buildRolePolicy(plan, logs.arn, roleArns, closed && organization ? leaseMovePolicyStatements(organization.unitArn, closed.arn) : [])) });
  plan.deployPolicyArns.forEach((policyArn, index) => new IamRolePolicyAttachment(scope, `class-applies-role-deploy-${index}`, { role: buildRole.name, policyArn }));

  const batchRole = new IamRole(scope, "class-applies-batch-role", {
    name: fitName(`${plan.projectName}-batch`, 64),
    description: "CodeBuild's batch of the class-wide applies: starts, stops and retries that project's builds",
    assumeRolePolicy: CODEBUILD_TRUST,
  });
  const project = new CodebuildProject(scope, "class-applies", {
    name: plan.projectName,
    description: `Plans, applies or destroys every learner's AWS stack (${plan.stacks.length} now), ${plan.builds.length} builds at once, from s3://${plan.bucket}/${plan.sourceKey}`,
    serviceRole: buildRole.arn,
    buildTimeout: plan.timeoutMinutes,
    artifacts: { type: "NO_ARTIFACTS" },
    // The zip of out/ the instructor uploads: the stacks and, at its root, the buildspec synth wrote beside them.
    source: { type: "S3", location: `${plan.bucket}/${plan.sourceKey}`, buildspec: CODEBUILD_BUILDSPEC_PATH },
    environment: {
      type: "LINUX_CONTAINER",
      computeType: plan.computeType,
      image: CODEBUILD_IMAGE,
      imagePullCredentialsType: "CODEBUILD",
      environmentVariable: [{ name: "ACTION", value: "plan" }],
    },
    logsConfig: { cloudwatchLogs: { status: "ENABLED", groupName: logs.name } },
    buildBatchConfig: {
      serviceRole: batchRole.arn,
      combineArtifacts: false,
      // The builds run side by side: the batch takes about as long as its longest build, plus queueing.
      timeoutInMins: plan.timeoutMinutes + 60,
      restrictions: { maximumBuildsAllowed: plan.concurrency, computeTypesAllowed: [plan.computeType] },
    },
  });
  new IamRolePolicy(scope, "class-applies-batch-role-policy", { name: "run-the-batch", role: batchRole.id, policy: JSON.stringify(batchRolePolicy(project.arn)) });
  if (plan.lease) leaseSchedules(scope, plan, project, closed && organization ? { organization, closedUnitId: closed.id } : undefined);
  new TerraformOutput(scope, "class_applies_project", { description: "The class-wide CodeBuild project: aws codebuild start-build-batch --project-name <this>", value: project.name });
  return project;
}

/** The OU a learner's account goes to when the lease ends, beside the class's, under its SCP. */
function closedCourseUnit(scope: Construct, plan: CodeBuildPlan, organization: ClassOrganization): OrganizationsOrganizationalUnit {
  const closed = plan.lease!.closedUnit!;
  const unit = new OrganizationsOrganizationalUnit(scope, "closed-course-unit", { name: closed.name, parentId: organization.parentId });
  const policy = new OrganizationsPolicy(scope, "closed-course", { name: closed.policy.name, description: closed.policy.description, type: "SERVICE_CONTROL_POLICY", content: scpContent(closed.policy) });
  new OrganizationsPolicyAttachment(scope, "closed-course-on-unit", { policyId: policy.id, targetId: unit.id });
  return unit;
}

/**
 * One one-time schedule per day a lease ends: it starts the batch with ACTION=destroy for that day's stacks
 * only (ONLY_STACKS) and, with isolation account, the accounts to move once each stack is gone
 * (CLOSE_ACCOUNTS, `<stack>=<account id>` pairs). Scheduler's role may start this project's batches, nothing else.
 */
function leaseSchedules(scope: Construct, plan: CodeBuildPlan, project: CodebuildProject, close: { organization: ClassOrganization; closedUnitId: string } | undefined): void {
  const lease = plan.lease!;
  const role = new IamRole(scope, "lease-scheduler-role", {
    name: fitName(`${plan.projectName}-lease`, 64),
    description: "EventBridge Scheduler: starts the class-wide CodeBuild batch when a lease ends",
    assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
  });
  new IamRolePolicy(scope, "lease-scheduler-role-policy", {
    name: "start-the-batch",
    role: role.id,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "StartTheBatch", Effect: "Allow", Action: "codebuild:StartBuildBatch", Resource: project.arn }] }),
  });
  for (const group of lease.groups) {
    const variables: Record<string, string> = { ACTION: "destroy", ONLY_STACKS: group.stacks.join(" ") };
    if (close) {
      variables.CLOSE_ACCOUNTS = group.learnerIds.map((id, index) => `${group.stacks[index]}=${close.organization.accountIdOf(id)}`).join(" ");
      variables.CLASS_UNIT_ID = close.organization.unitId;
      variables.CLOSED_UNIT_ID = close.closedUnitId;
    }
    new SchedulerSchedule(scope, `lease-${group.date}`, {
      name: fitName(`${plan.projectName}-lease-${group.date}`, 64),
      description: `The lease of ${group.stacks.length} learner(s) ends: destroy ${group.stacks.join(", ")}`.slice(0, 512),
      scheduleExpression: `at(${group.date}T00:00:00)`,
      scheduleExpressionTimezone: lease.timeZone,
      flexibleTimeWindow: { mode: "OFF" },
      target: {
        // Scheduler's universal target: the CodeBuild API's StartBuildBatch, its parameters as the API names them.
        arn: "arn:aws:scheduler:::aws-sdk:codebuild:startBuildBatch",
        roleArn: role.arn,
        input: JSON.stringify({ ProjectName: plan.projectName, EnvironmentVariablesOverride: Object.entries(variables).map(([Name, Value]) => ({ Name, Value, Type: "PLAINTEXT" })) }),
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
      },
    });
  }
}
