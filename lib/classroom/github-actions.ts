/**
 * Class-wide applies on GitHub's runners (`classroom.applyOnGitHubActions`), for an instructor who keeps the
 * class in a GitHub repository: a workflow whose job matrix plans, applies or destroys every learner's AWS
 * stack, `concurrency` jobs at once, each job signed in through GitHub's OIDC provider to one role in the
 * instructor's account. It mirrors `applyOnCodeBuild` (lib/classroom/codebuild.ts): the same lanes
 * (`dealBuilds`), the same zip of out/ in the state bucket, the same per-stack script and report, the same
 * state statements in the role's policy.
 *
 * Pure: the plan, the workflow, the role's trust and policy and the checks. The resources are
 * lib/classroom/github-actions-role.ts's, in the stack the CodeBuild project would be in; synth writes the
 * workflow and the script into out/github/ (the instructor copies the workflow to .github/workflows/).
 *
 * Why the jobs download out.zip from the state bucket, and not check out out/ from the repository: out/
 * holds the roster's names and email addresses (the learners' sheets, the budgets' subscribers), which do
 * not belong in a repository, and the CodeBuild path reads the same zip, so one upload serves both.
 *
 * Why the role trusts one GitHub environment, and not a branch: GitHub enforces an environment's protection
 * rules (required reviewers, the branches that may deploy to it) before a job of it gets a token, so an
 * apply to every learner's account waits for a second person; with a branch in the trust, anyone who can push
 * to that branch could apply, or destroy, the class.
 */
import { ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE } from "../core/module";
import { TERRAFORM_MINIMUM_VERSION } from "../state/backend";
import { commentPinnedVersions, CONFIGURE_AWS_CREDENTIALS, SETUP_TERRAFORM } from "../github/pinned-actions";
import {
  classReportPrefix,
  classSourceKey,
  classStateStatements,
  classStacksScript,
  dealBuilds,
  classRunnerProblems,
  learnerAccountStatements,
  rolePolicySizeProblems,
  standInLearnerRoleArns,
  type ClassStateAccess,
} from "./codebuild";
import type { ClassroomSettings } from "./settings";
import type { StudyConfig } from "../core/config";
import type { ConfigProblem } from "../core/errors";
import { fitName } from "../aws/names";

/** Where the workflow and the script go, inside out/ (so at the root of the uploaded zip too). */
export const GITHUB_WORKFLOW_PATH = "github/class-applies.yml";
export const GITHUB_SCRIPT_PATH = "github/class-stacks.sh";
/** The issuer of GitHub Actions' OIDC tokens, and the audience configure-aws-credentials asks for. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface GitHubActionsPlan extends ClassStateAccess {
  /** The stack the role is in: the instructor stack, or the organization stack with isolation account. */
  readonly stack: string;
  readonly roleName: string;
  /** `owner/name`. */
  readonly repository: string;
  readonly environment: string;
  /** The token's `sub` claim the role trusts, exactly: `repo:<owner>/<name>:environment:<environment>`. */
  readonly subject: string;
  /** The account's existing provider; undefined: the stack creates one. */
  readonly oidcProviderArn?: string;
  readonly stateRegion: string;
  /** The matrix: an identifier and the stacks it runs, in order (the CodeBuild batch's builds). */
  readonly jobs: readonly { readonly identifier: string; readonly stacks: readonly string[] }[];
  /** Every learner AWS stack the jobs may touch. */
  readonly stacks: readonly string[];
  readonly concurrency: number;
  readonly timeoutMinutes: number;
  /** How long the role's sessions last: a job's timeout, at least IAM's one-hour minimum. */
  readonly sessionSeconds: number;
  readonly runsOn: string;
  readonly deployPolicyArns: readonly string[];
  readonly terraformVersion: string;
  /** With `accounts.learnersApply`: the learners' stacks act through the instructor's role only when asked, so every job asks. */
  readonly actThroughInstructorRole: boolean;
}

/** The switches of `classroom.applyOnGitHubActions` that contradict the rest of the config. */
export function gitHubActionsProblems(config: StudyConfig, settings: ClassroomSettings): ConfigProblem[] {
  const given = settings.applyOnGitHubActions;
  const problems = classRunnerProblems("applyOnGitHubActions", given, config, settings.isolation, { role: "the role", actors: "the jobs", unit: "job", machine: "the runner" });
  if (given.enabled && given.repository === undefined) {
    problems.push({
      field: "classroom.applyOnGitHubActions.repository",
      value: undefined,
      expected: "the GitHub repository whose workflow may assume the role, owner/name such as octo-school/devops-class",
    });
  }
  return problems;
}

export function planGitHubActions(config: StudyConfig, settings: ClassroomSettings, learnerIds: readonly string[], stack: string): GitHubActionsPlan {
  const { project, region } = config.core;
  const state = config.core.state;
  const keyPrefix = state.keyPrefix ?? project;
  const given = settings.applyOnGitHubActions;
  const repository = given.repository!;
  const stackOf = (id: string) => `${project}-${id}`;
  return {
    project,
    stack,
    roleName: fitName(`${project}-class-applies-github`, 64),
    repository,
    environment: given.environment,
    subject: `repo:${repository}:environment:${given.environment}`,
    ...(given.oidcProviderArn ? { oidcProviderArn: given.oidcProviderArn } : {}),
    bucket: state.bucket!,
    stateRegion: state.region ?? region,
    keyPrefix,
    sourceKey: classSourceKey(keyPrefix),
    reportPrefix: classReportPrefix(keyPrefix),
    jobs: dealBuilds(learnerIds, stackOf, given.concurrency),
    stacks: learnerIds.map(stackOf),
    protectedStatePatterns: [`${keyPrefix}/${project}-instructor/*`, `${keyPrefix}/${project}-organization/*`, `${keyPrefix}/${project}-*-k8s/*`],
    concurrency: given.concurrency,
    timeoutMinutes: given.timeoutMinutes,
    sessionSeconds: Math.max(3600, given.timeoutMinutes * 60),
    runsOn: given.runsOn,
    deployPolicyArns: given.deployPolicyArns ?? [],
    terraformVersion: TERRAFORM_MINIMUM_VERSION,
    actThroughInstructorRole: settings.accounts.learnersApply,
  };
}

// ---- the role ---------------------------------------------------------------------------------------

/**
 * Who may assume the role: a token of GitHub's provider, for STS, from a job of the repository's one
 * environment. Both claims are compared with StringEquals: no pattern could match another repository,
 * another environment, or a pull request's job.
 */
export function gitHubTrustPolicy(plan: GitHubActionsPlan, providerArn: string): Record<string, unknown> {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsOfTheClassEnvironment",
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE, [`${GITHUB_OIDC_HOST}:sub`]: plan.subject } },
      },
    ],
  };
}

/**
 * The role's inline policy: the CodeBuild build role's state and report statements, and with isolation account
 * the learners' OrganizationAccountAccessRole; no log group (the logs stay in GitHub). With isolation tag,
 * the deploy policies come on top (attached, not in this document).
 */
export function gitHubRolePolicy(plan: GitHubActionsPlan, roleArns: readonly string[]): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: [...classStateStatements(plan), ...learnerAccountStatements(roleArns)] };
}

/** The role's policy as AWS will count it: with isolation account it grows by one role ARN per learner. */
export function gitHubRolePolicyProblems(plan: GitHubActionsPlan, options: { accountIsolation: boolean }): ConfigProblem[] {
  const policy = gitHubRolePolicy(plan, standInLearnerRoleArns(plan.stacks, options.accountIsolation));
  return rolePolicySizeProblems("classroom.applyOnGitHubActions.enabled", policy, plan.stacks.length, "GitHub Actions role", "split the class into two configs (two roles, two workflows), or use scripts/terraform-all.sh");
}

// ---- the files in out/ ------------------------------------------------------------------------------

const GENERATED = "Generated by devops-weeks (lib/classroom/github-actions.ts) from study.yaml and the roster: edit those and synth again.";

/**
 * The workflow. Every value synth puts in it goes through the YAML writer, and each `run:` reads the
 * run's input and the plan's values from environment variables only, never from a `${{ }}` in the
 * script (GitHub's guidance on script injection).
 */
export function gitHubWorkflow(plan: GitHubActionsPlan): string {
  const document = {
    name: `Class applies (${plan.project})`,
    "run-name": "${{ inputs.action }} the learners' AWS stacks",
    on: {
      workflow_dispatch: {
        inputs: {
          action: { description: "What to do with every learner's AWS stack", type: "choice", options: ["plan", "apply", "destroy"], default: "plan", required: true },
        },
      },
    },
    // Only what the jobs use: a token for AWS, and nothing of the repository's to write.
    permissions: { "id-token": "write", contents: "read" },
    // One class-wide run at a time: a destroy queued behind an apply waits for it rather than racing it.
    concurrency: { group: `class-applies-${plan.project}`, "cancel-in-progress": false },
    jobs: {
      stacks: {
        name: "${{ matrix.lane }}",
        "runs-on": plan.runsOn,
        environment: plan.environment,
        "timeout-minutes": plan.timeoutMinutes,
        strategy: {
          "fail-fast": false,
          "max-parallel": plan.concurrency,
          matrix: { include: plan.jobs.map((job) => ({ lane: job.identifier, stacks: job.stacks.join(" ") })) },
        },
        env: {
          ACTION: "${{ inputs.action }}",
          STACKS: "${{ matrix.stacks }}",
          SOURCE_URI: `s3://${plan.bucket}/${plan.sourceKey}`,
          REPORT_URI: `s3://${plan.bucket}/${plan.reportPrefix}`,
          TF_IN_AUTOMATION: "1",
          TF_INPUT: "0",
          // The learners apply these stacks with their own credentials; the jobs act through each account's OrganizationAccountAccessRole.
          ...(plan.actThroughInstructorRole ? { [`TF_VAR_${ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE}`]: "true" } : {}),
        },
        steps: [
          {
            name: "Sign in to AWS as the class's role",
            uses: CONFIGURE_AWS_CREDENTIALS.uses,
            with: {
              // The environment's variable: the output github_class_applies_role_arn of the stack that holds the role.
              "role-to-assume": "${{ vars.CLASS_APPLIES_ROLE_ARN }}",
              "aws-region": plan.stateRegion,
              "role-session-name": "class-applies-${{ github.run_id }}",
              "role-duration-seconds": plan.sessionSeconds,
            },
          },
          { name: "Install Terraform", uses: SETUP_TERRAFORM.uses, with: { terraform_version: plan.terraformVersion, terraform_wrapper: false } },
          { name: "Download the uploaded out/", run: 'aws s3 cp "$SOURCE_URI" out.zip --only-show-errors\nunzip -q out.zip -d out\n' },
          { name: "Run the lane's stacks", "working-directory": "out", run: `bash ${GITHUB_SCRIPT_PATH}\n` },
        ],
      },
    },
  };
  // Loaded here: a synth without the workflow has no use for the YAML writer.
  const { Document } = require("yaml") as typeof import("yaml");
  const yaml = new Document(document);
  commentPinnedVersions(yaml);
  return [
    `# ${GENERATED}`,
    `# Copy it to .github/workflows/class-applies.yml in ${plan.repository}, and run it from the Actions tab`,
    `# (README, "Applying a class on GitHub Actions"); the jobs run in the environment ${plan.environment}.`,
    yaml.toString({ lineWidth: 0 }),
  ].join("\n");
}

/** The files synth writes into out/ (paths relative to it). */
export function gitHubActionsFiles(plan: GitHubActionsPlan): { path: string; content: string; executable: boolean }[] {
  if (plan.jobs.length === 0) return [];
  return [
    { path: GITHUB_WORKFLOW_PATH, content: gitHubWorkflow(plan), executable: false },
    { path: GITHUB_SCRIPT_PATH, content: classStacksScript(), executable: true },
  ];
}
