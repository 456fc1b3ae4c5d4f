/** The `classroom` section of study.yaml (schema only; lib/classroom/plan.ts reads the roster and plans the class). */
import { z } from "zod";
import { isCidr } from "../aws/cidr";

/** An organization root (`r-`) or OU (`ou-`) id, as AWS Organizations writes them. */
const ORGANIZATION_PARENT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/;
/** An EC2 instance type, or a pattern of them with `*` and `?` (IAM's StringLike wildcards). */
const INSTANCE_TYPE_GLOB = /^[a-z0-9*?-]+\.[a-z0-9*?-]+$/;

/** `YYYY-MM-DD`, a day that exists (2026-02-30 does not). */
export function isCalendarDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

export const LEASE_DATE_EXPECTED = "a date YYYY-MM-DD that exists, such as 2026-12-20";

export const CLASSROOM_DEFAULTS = {
  vpcCidrPool: "10.0.0.0/8",
  vpcPrefixLength: 16,
  monthlyBudgetUsd: 30,
  alertThresholds: [50, 80, 100],
  /** Builds of a class-wide CodeBuild batch at once (lib/classroom/codebuild.ts). */
  codeBuildConcurrency: 10,
  /** Minutes a build of that batch may run: a learner's AWS stack with EKS takes about 15 to apply. */
  codeBuildTimeoutMinutes: 120,
  /** Jobs of the class-wide GitHub Actions matrix at once (lib/classroom/github-actions.ts). */
  gitHubActionsConcurrency: 10,
  /** Minutes a job of that matrix may run, like a CodeBuild build's. */
  gitHubActionsTimeoutMinutes: 120,
  /** The GitHub environment the matrix's jobs run in, and the only one the role trusts. */
  gitHubActionsEnvironment: "class-applies",
  /** A GitHub-hosted runner with the AWS CLI, unzip and jq, named by its version so an upgrade is a choice. */
  gitHubActionsRunner: "ubuntu-24.04",
} as const;

/**
 * `owner/name`: an owner is 1-39 letters, digits and hyphens, not starting with a hyphen; a repository name is
 * 1-100 letters, digits, `.`, `_` and `-`, not `.` or `..` (GitHub's own rules). Nothing else gets into the
 * role's trust policy, the workflow's YAML or a shell.
 */
const GITHUB_REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/**
 * A GitHub environment name, narrower than GitHub's rules (up to 255 characters, most punctuation): letters,
 * digits, `.`, `_` and `-`, so the name is the same word in the token's `sub` claim, the YAML and the
 * trust policy, and `*` or `?` cannot read as a pattern to anyone who turns StringEquals into StringLike.
 */
const GITHUB_ENVIRONMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
/** A runner label: GitHub-hosted (ubuntu-24.04) or a self-hosted runner's label. */
const GITHUB_RUNNER_LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** A managed policy a class-wide runner's role gets with isolation tag. */
const DEPLOY_POLICY_ARN = /^arn:aws:iam::(aws|\d{12}):policy\/[\w+=,.@/-]+$/;
const DEPLOY_POLICY_ARN_EXPECTED = "a managed policy ARN such as arn:aws:iam::aws:policy/AdministratorAccess";

export const classroomSchema = z.strictObject({
  /** The roster: a CSV file with the header `id,name,email` (optional columns `slot`, and `accountId` with isolation account), relative to study.yaml. */
  roster: z.string().min(1, "a path to the roster CSV file, such as roster.csv"),
  /**
   * With isolation tag, the range that learners' VPCs are carved from, one /vpcPrefixLength each (refused with
   * isolation account, where each account has its address space and every VPC is network.vpcCidr). @default 10.0.0.0/8
   */
  vpcCidrPool: z.string().refine(isCidr, "an IPv4 CIDR block with no host bits set, such as 10.0.0.0/8").optional(),
  /** With isolation tag, the size of each learner's VPC. @default 16 (256 learners fit in 10.0.0.0/8) */
  vpcPrefixLength: z.number().int().min(16).max(24).optional(),
  /**
   * Per learner: an IAM user in the `<project>-learners` group, access scoped to their Learner tag. Only with
   * `isolation: tag` (true there is refused with `account`: each learner has an account of their own).
   * @default - true with isolation tag, false with isolation account
   */
  iamUsers: z.boolean().optional(),
  /** Deny everything but setting up MFA until the learner signs in with MFA. @default true */
  requireMfa: z.boolean().default(true),
  /**
   * Each learner gets the course's guides with their own stacks and names (runbooks/<lang>/learners/<id>/),
   * 22 pages each with two languages, stamped from one learner's for learners of one shape (a few ms each;
   * about 0.2 s for one rendered on its own); false keeps the sheets only. @default true
   */
  learnerGuides: z.boolean().default(true),
  /**
   * How learners are kept apart: `tag`, in one AWS account (resources tagged per learner, IAM scoped by the tag),
   * or `account`, an AWS account per learner in an organizational unit of the class with guardrail SCPs
   * (lib/classroom/accounts.ts; the README's classroom section compares the two). @default tag
   */
  isolation: z.enum(["tag", "account"]).default("tag"),
  accounts: z
    .strictObject({
      /**
       * With `isolation: account`, where the class's OU goes: the organization's root (`r-…`, from
       * `aws organizations list-roots`) or an OU (`ou-…`). Required there, refused with `tag`. @default - none
       */
      parentId: z.string().regex(ORGANIZATION_PARENT_ID, "the id of an organization root (r-ab12) or organizational unit (ou-ab12-cd34ef56)").optional(),
      /** Name of the class's organizational unit. @default - the project name */
      unitName: z.string().regex(/^[\w .,@+=-]{1,128}$/, "1-128 letters, digits, spaces and . , @ + = - _").optional(),
      /**
       * Let `terraform destroy` close the learners' accounts. Off, destroy asks AWS to remove them from the organization
       * instead (refused until an account can stand alone), because closing cannot be undone after 90 days, AWS closes at
       * most 10% of the member accounts a month, and a closed account's email cannot make a new one. @default false
       */
      closeOnDeletion: z.boolean().default(false),
      /**
       * The learners apply their own stacks, signed in to their own account through Identity Center, as a learner
       * alone does: their state stays in the class's bucket under their own keys (the bootstrap stack's bucket policy
       * lets each learner's account reach its own stacks' keys only), and the instructor, the class-wide CodeBuild batch
       * and the lease still reach the same stacks through OrganizationAccountAccessRole when Terraform is given
       * `TF_VAR_act_through_instructor_role=true`. Requires `identityCenter` (or `signInRole`) and `state.backend: s3`. Off, the
       * instructor applies every learner's stacks. @default false
       */
      learnersApply: z.boolean().default(false),
      /**
       * For an organization without IAM Identity Center: each learner signs in as an IAM user of the management
       * account (a console password and MFA, never an access key) that may only assume `<project>-learner` in their
       * own account, which a CloudFormation StackSet puts in every account of the class's OU (StackSets' trusted
       * access must be on in the organization). Refused with `identityCenter`. @default false
       */
      signInRole: z.boolean().default(false),
      identityCenter: z
        .strictObject({
          /** The organization's IAM Identity Center instance: `InstanceArn` of `aws sso-admin list-instances`. */
          instanceArn: z.string().regex(/^arn:aws:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/, "an Identity Center instance ARN such as arn:aws:sso:::instance/ssoins-0123456789abcdef"),
          /** Its identity store: `IdentityStoreId` of the same command. */
          identityStoreId: z.string().regex(/^d-[0-9a-f]{10}$/, "an identity store id such as d-0123456789"),
          /** The Region Identity Center runs in (its console's), where the learners' AWS CLI signs in (`sso_region`). @default the study's region */
          region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region code such as ap-northeast-2").optional(),
          /**
           * The AWS managed policy learners get in their own account, under the guardrails. PowerUserAccess is everything
           * but IAM and Organizations: enough to look at and operate what the instructor applied, not to apply it (the
           * stacks create IAM roles); AdministratorAccess lets learners apply their own stacks (`learnersApply`).
           * @default arn:aws:iam::aws:policy/PowerUserAccess, arn:aws:iam::aws:policy/AdministratorAccess with learnersApply
           */
          managedPolicyArn: z.string().regex(/^arn:aws:iam::aws:policy\/[\w+=,.@/-]+$/, "an AWS managed policy ARN such as arn:aws:iam::aws:policy/PowerUserAccess").optional(),
        })
        .optional(),
    })
    .prefault({}),
  guardrails: z
    .strictObject({
      /** Regions besides `region` the learners' accounts may use (the SCP denies the others). @default [] */
      extraRegions: z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "an AWS region code such as us-east-1")).max(10).default([]),
      /**
       * EC2 instance types the learners' accounts may launch (`*` and `?` match), instead of the default list; every
       * instance type the config names must be in it. @default - t3, t3a and t4g nano to medium, and every instance type the config names
       */
      instanceTypes: z.array(z.string().regex(INSTANCE_TYPE_GLOB, "an instance type or pattern such as t3.micro or t4g.*")).min(1).max(40).optional(),
      /** Instance types (or patterns) added to the allow-list. @default [] */
      extraInstanceTypes: z.array(z.string().regex(INSTANCE_TYPE_GLOB, "an instance type or pattern such as m5.large or c6g.*")).max(40).default([]),
    })
    .prefault({}),
  budget: z
    .strictObject({
      /** Per learner: a monthly AWS Budgets cost budget filtered on their Learner tag, alerts by email. @default true */
      enabled: z.boolean().default(true),
      /** Monthly limit in USD. @default 30 */
      monthlyUsd: z.number().positive().max(100000).default(CLASSROOM_DEFAULTS.monthlyBudgetUsd),
      /** Alert at these percentages of the limit (actual spend; at most 4, plus one on the forecast reaching 100). @default [50, 80, 100] */
      alertThresholds: z.array(z.number().int().min(1).max(1000)).min(1).max(4).default([...CLASSROOM_DEFAULTS.alertThresholds]),
      /** Instructor addresses copied on every learner's alerts. @default [] */
      instructorEmails: z.array(z.email("an email address such as teacher@example.com")).max(9).default([]),
    })
    .prefault({}),
  applyOnCodeBuild: z
    .strictObject({
      /**
       * A CodeBuild project in the instructor's account (the instructor stack, or the organization stack with
       * isolation account) whose batch build plans, applies or destroys every learner's AWS stack in parallel
       * on AWS's builders, with the class's S3 state; requires `state.backend: s3` (lib/classroom/codebuild.ts). @default false
       */
      enabled: z.boolean().default(false),
      /**
       * Builds of the batch at once: the learners' stacks are dealt to this many builds (one learner each while the
       * class is no larger), each applying its stacks one after another. Within the account's CodeBuild quota of
       * concurrent builds (60 by default per Region, as low as 5 in a new account). @default 10
       */
      concurrency: z.number().int().min(1).max(50).default(CLASSROOM_DEFAULTS.codeBuildConcurrency),
      /** Minutes each build may run before CodeBuild stops it (CodeBuild allows 5 to 480). @default 120 */
      timeoutMinutes: z.number().int().min(5).max(480).default(CLASSROOM_DEFAULTS.codeBuildTimeoutMinutes),
      /** The builders' size: SMALL (3 GB, 2 vCPUs) is enough for Terraform. @default BUILD_GENERAL1_SMALL */
      computeType: z.enum(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"]).default("BUILD_GENERAL1_SMALL"),
      /**
       * With isolation tag, the managed policies the build role needs to create the learners' resources in this
       * account (such as arn:aws:iam::aws:policy/AdministratorAccess, or a narrower policy of your own): required
       * there, refused with isolation account, where the builds act only through each learner's
       * OrganizationAccountAccessRole. @default - none
       */
      deployPolicyArns: z.array(z.string().regex(DEPLOY_POLICY_ARN, DEPLOY_POLICY_ARN_EXPECTED)).min(1).max(9).optional(),
    })
    .prefault({}),
  applyOnGitHubActions: z
    .strictObject({
      /**
       * A workflow for a GitHub repository of the instructor's (synth writes it to out/github/class-applies.yml)
       * whose job matrix plans, applies or destroys every learner's AWS stack in parallel on GitHub's runners,
       * with the class's S3 state, signed in through GitHub's OIDC provider to a role in the instructor's
       * account (the instructor stack, or the organization stack with isolation account); requires
       * `state.backend: s3` (lib/classroom/github-actions.ts). @default false
       */
      enabled: z.boolean().default(false),
      /**
       * The repository whose workflow may assume the role, `owner/name` spelled as GitHub shows it (the token's
       * claim keeps GitHub's case, and the trust compares it exactly). Required when enabled. @default - none
       */
      repository: z.string().regex(GITHUB_REPOSITORY, "a GitHub repository owner/name such as octo-school/devops-class (letters, digits and - in the owner; letters, digits, . _ and - in the name)").optional(),
      /**
       * The GitHub environment the jobs run in; the role trusts `repo:<owner>/<name>:environment:<this>` only.
       * An environment and not a branch, because GitHub enforces its protection rules (required reviewers,
       * the branches that may deploy) before a job gets a token: anyone who can push could otherwise apply
       * to every learner's account. @default class-applies
       */
      environment: z.string().regex(GITHUB_ENVIRONMENT, "a GitHub environment name of 1-100 letters, digits, . _ and -, starting with a letter or digit, such as class-applies").default(CLASSROOM_DEFAULTS.gitHubActionsEnvironment),
      /**
       * Jobs of the matrix at once (its `max-parallel`): the learners' stacks are dealt to this many jobs (one
       * learner each while the class is no larger), each applying its stacks one after another. GitHub's Free
       * plan runs 20 hosted jobs at once per account, paid plans more. @default 10
       */
      concurrency: z.number().int().min(1).max(50).default(CLASSROOM_DEFAULTS.gitHubActionsConcurrency),
      /** Minutes each job may run (GitHub-hosted runners stop a job at 360); the role's sessions last as long. @default 120 */
      timeoutMinutes: z.number().int().min(5).max(360).default(CLASSROOM_DEFAULTS.gitHubActionsTimeoutMinutes),
      /** The runner label of the jobs: a GitHub-hosted image with the AWS CLI, unzip and jq, or a self-hosted runner's label. @default ubuntu-24.04 */
      runsOn: z.string().regex(GITHUB_RUNNER_LABEL, "a runner label of 1-64 letters, digits, . _ and -, such as ubuntu-24.04").default(CLASSROOM_DEFAULTS.gitHubActionsRunner),
      /**
       * The account's GitHub OIDC provider, when it has one already (an account holds one provider per URL:
       * `aws iam list-open-id-connect-providers`). @default - the stack creates it
       */
      oidcProviderArn: z.string().regex(/^arn:aws:iam::\d{12}:oidc-provider\/token\.actions\.githubusercontent\.com$/, "the ARN of the account's provider, such as arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com").optional(),
      /**
       * With isolation tag, the managed policies the role needs to create the learners' resources in this account,
       * as with applyOnCodeBuild: required there, refused with isolation account, where the jobs act only through
       * each learner's OrganizationAccountAccessRole. @default - none
       */
      deployPolicyArns: z.array(z.string().regex(DEPLOY_POLICY_ARN, DEPLOY_POLICY_ARN_EXPECTED)).min(1).max(9).optional(),
    })
    .prefault({}),
  lease: z
    .strictObject({
      /**
       * The day the class's leases end (the roster's `leaseEndsOn` column overrides it per learner): at midnight
       * in `timeZone`, a one-time EventBridge Scheduler schedule starts the class-wide CodeBuild batch in destroy
       * mode for those learners' AWS stacks, and with isolation account moves their accounts to a closed-course
       * OU. Requires `applyOnCodeBuild.enabled`. A day in the past is only reported (synth gives the same output
       * any day). @default - no lease
       */
      endsOn: z.string().refine(isCalendarDate, LEASE_DATE_EXPECTED).optional(),
      /** The IANA time zone of that midnight, such as Asia/Seoul. @default UTC */
      timeZone: z.string().regex(/^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2})$/, "an IANA time zone such as UTC or Asia/Seoul").default("UTC"),
    })
    .prefault({}),
});

export type ClassroomSettings = z.output<typeof classroomSchema>;
