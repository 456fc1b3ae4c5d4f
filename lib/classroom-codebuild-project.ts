/**
 * The resources of `classroom.applyOnCodeBuild` (planned by lib/classroom-codebuild.ts): the CodeBuild
 * project with its batch configuration, its log group, the build role and the batch role. Added to the
 * instructor stack (isolation tag) or the organization stack (isolation account), both in the
 * instructor's account.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CodebuildProject } from "@cdktf/provider-aws/lib/codebuild-project";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { TerraformOutput } from "cdktf";
import type { Construct } from "constructs";
import { batchRolePolicy, buildRolePolicy, CODEBUILD_BUILDSPEC_PATH, CODEBUILD_IMAGE, CODEBUILD_LOG_RETENTION_DAYS, type CodeBuildPlan } from "./classroom-codebuild";
import { fitName } from "./names";

const CODEBUILD_TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "codebuild.amazonaws.com" }, Action: "sts:AssumeRole" }] });

/** `roleArns`: the learners' OrganizationAccountAccessRole ARNs the builds may assume (isolation account), none otherwise. */
export function classApplyProject(scope: Construct, plan: CodeBuildPlan, roleArns: readonly string[]): CodebuildProject {
  const logs = new CloudwatchLogGroup(scope, "class-applies-logs", { name: plan.logGroupName, retentionInDays: CODEBUILD_LOG_RETENTION_DAYS });
  const buildRole = new IamRole(scope, "class-applies-role", {
    name: fitName(`${plan.projectName}-build`, 64),
    description: "The class-wide CodeBuild batch: the learners' stacks, their state and report, nothing else",
    assumeRolePolicy: CODEBUILD_TRUST,
  });
  new IamRolePolicy(scope, "class-applies-role-policy", { name: "learner-stacks", role: buildRole.id, policy: JSON.stringify(buildRolePolicy(plan, logs.arn, roleArns)) });
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
  new TerraformOutput(scope, "class_applies_project", { description: "The class-wide CodeBuild project: aws codebuild start-build-batch --project-name <this>", value: project.name });
  return project;
}
