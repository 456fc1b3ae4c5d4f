/**
 * Class-wide applies on AWS's own builders (`classroom.applyOnCodeBuild`): a CodeBuild project in the
 * instructor's account whose **batch build** (a `build-list`) plans, applies or destroys every learner's AWS
 * stack, in parallel, each build with the class's S3 state and its lock. The instructor zips out/, uploads it
 * to the state bucket and starts the batch; each build writes one line per stack (`ok` or `FAILED`) to a
 * report in the same bucket.
 *
 * Pure: the plan, the buildspec, the script each build runs, the role's policy documents and the checks.
 * The resources are lib/classroom/codebuild-project.ts's, in the instructor stack (isolation tag) or the
 * organization stack (isolation account); synth writes the two files below into out/ (they travel in the zip).
 *
 * Why the builds are dealt out, and not one per learner whatever the class: `build_batch_config.restrictions.
 * maximum_builds_allowed` caps how many builds a batch may have (a batch with more fails), not how many run
 * at once, and a project's `concurrent_build_limit` makes builds over it fail rather than wait. So the
 * buildspec lists at most `concurrency` builds: one per learner while the class is no larger, otherwise
 * each build takes every concurrency-th learner and applies their stacks one after another. At most
 * `concurrency` builds exist, so at most that many run, and the restriction refuses a hand-edited list
 * with more.
 *
 * Why a report in S3, and not only the batch's own list of builds: a build may hold several learners' stacks,
 * the batch's list says only whether the build as a whole passed, and it is gone with the batch's history; one
 * object per stack (`<reportPrefix>/<action>/<stack>.txt`) says which stack failed, and a stack whose line
 * still says `started` is one the batch never finished (a timeout).
 */
import { stateKey, TERRAFORM_MINIMUM_VERSION } from "../state/backend";
import { ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE } from "../core/module";
import type { ClassroomSettings } from "./settings";
import type { StudyConfig } from "../core/config";
import type { ConfigProblem } from "../core/errors";
import type { LeasePlan } from "./lease";

/** Where the buildspec and the script go, inside out/ (so at the root of the uploaded zip). */
export const CODEBUILD_BUILDSPEC_PATH = "codebuild/class-buildspec.yml";
export const CODEBUILD_SCRIPT_PATH = "codebuild/class-stacks.sh";
/** The image of week 3's build project: Amazon Linux 2023 with curl, unzip, gpg and the AWS CLI. */
export const CODEBUILD_IMAGE = "aws/codebuild/amazonlinux-x86_64-standard:5.0";
/** Days CloudWatch Logs keeps the builds' logs. */
export const CODEBUILD_LOG_RETENTION_DAYS = 30;
/**
 * HashiCorp's release signing key (https://www.hashicorp.com/trust/security, "HashiCorp's PGP keys"): the
 * build imports the key from hashicorp.com, refuses it unless it has this fingerprint, and refuses a
 * SHA256SUMS file this key did not sign, then the zip whose checksum is not in it.
 */
export const HASHICORP_RELEASE_KEY_FINGERPRINT = "C874011F0AB405110D02105534365D9472D7468F";

export interface CodeBuildPlan {
  readonly project: string;
  readonly projectName: string;
  /** The stack the project is in: the instructor stack, or the organization stack with isolation account. */
  readonly stack: string;
  readonly bucket: string;
  readonly stateRegion: string;
  readonly keyPrefix: string;
  /** The zip of out/ the instructor uploads: the source of every build. */
  readonly sourceKey: string;
  /** Each stack's line: `<reportPrefix>/<action>/<stack>.txt`. */
  readonly reportPrefix: string;
  readonly logGroupName: string;
  /** The builds of the batch: an identifier and the stacks it runs, in order. */
  readonly builds: readonly { readonly identifier: string; readonly stacks: readonly string[] }[];
  /** Every learner AWS stack the builds may touch (the state keys the role may write). */
  readonly stacks: readonly string[];
  /** State keys the role may never write: the instructor's, the organization's and the -k8s stacks'. */
  readonly protectedStatePatterns: readonly string[];
  readonly concurrency: number;
  readonly timeoutMinutes: number;
  readonly computeType: string;
  readonly deployPolicyArns: readonly string[];
  readonly terraformVersion: string;
  /** With `accounts.learnersApply`: the learners' stacks act through the instructor's role only when asked, so every build asks. */
  readonly actThroughInstructorRole: boolean;
  /** The leases' schedules (lib/classroom/lease.ts), with `classroom.lease` or the roster's leaseEndsOn column. */
  readonly lease?: LeasePlan;
}

/** The switches of `classroom.applyOnCodeBuild` that contradict the rest of the config. */
export function codeBuildProblems(config: StudyConfig, settings: ClassroomSettings): ConfigProblem[] {
  return classRunnerProblems("applyOnCodeBuild", settings.applyOnCodeBuild, config, settings.isolation, { role: "the build role", actors: "the builds", unit: "build", machine: "the builder" });
}

/**
 * The rules every class-wide runner shares, CodeBuild's or GitHub Actions': S3 state (a runner's local state
 * file would vanish with it), and `deployPolicyArns` required with isolation tag (the runner creates the
 * learners' resources in this account itself), refused with isolation account (it acts only through each
 * learner's OrganizationAccountAccessRole).
 */
export function classRunnerProblems(
  section: string,
  given: { readonly enabled: boolean; readonly deployPolicyArns?: readonly string[] },
  config: StudyConfig,
  isolation: ClassroomSettings["isolation"],
  words: { role: string; actors: string; unit: string; machine: string },
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (given.enabled && config.core.state.backend !== "s3") {
    problems.push({
      field: `classroom.${section}.enabled`,
      value: true,
      expected: `state.backend: s3 with it (each ${words.unit} keeps its stacks' state and lock in the class's bucket; a local state file would vanish with ${words.machine})`,
    });
  }
  const field = `classroom.${section}.deployPolicyArns`;
  if (given.enabled && isolation === "tag" && given.deployPolicyArns === undefined) {
    problems.push({
      field,
      value: undefined,
      expected: `with classroom.isolation tag, the managed policies ${words.role} needs to create the learners' resources in this account, such as [arn:aws:iam::aws:policy/AdministratorAccess] or a narrower policy of your own`,
    });
  }
  if (isolation === "account" && given.deployPolicyArns !== undefined) {
    problems.push({ field, value: given.deployPolicyArns, expected: `no value with classroom.isolation account: ${words.actors} act in each learner's account through its OrganizationAccountAccessRole only` });
  }
  return problems;
}

/** The builds of the batch: one per learner stack up to `concurrency`, then every concurrency-th stack per build. */
export function dealBuilds(learnerIds: readonly string[], stackOf: (id: string) => string, concurrency: number): { identifier: string; stacks: string[] }[] {
  if (learnerIds.length <= concurrency) return learnerIds.map((id) => ({ identifier: `learner_${id.replace(/-/g, "_")}`, stacks: [stackOf(id)] }));
  const width = String(concurrency).length;
  return Array.from({ length: concurrency }, (_, lane) => ({
    identifier: `builds_${String(lane + 1).padStart(width, "0")}_of_${concurrency}`,
    stacks: learnerIds.filter((_, index) => index % concurrency === lane).map(stackOf),
  }));
}

/** The zip of out/ the instructor uploads, the source of every class-wide run (CodeBuild's and GitHub Actions'). */
export function classSourceKey(keyPrefix: string): string {
  return `${keyPrefix}/codebuild/out.zip`;
}

/** Where every class-wide run writes each stack's line, whichever runner ran it. */
export function classReportPrefix(keyPrefix: string): string {
  return `${keyPrefix}/codebuild/reports`;
}

export function planCodeBuild(config: StudyConfig, settings: ClassroomSettings, learnerIds: readonly string[], stack: string): CodeBuildPlan {
  const { project, region } = config.core;
  const state = config.core.state;
  const keyPrefix = state.keyPrefix ?? project;
  const given = settings.applyOnCodeBuild;
  const projectName = `${project}-class-applies`;
  const stackOf = (id: string) => `${project}-${id}`;
  return {
    project,
    projectName,
    stack,
    bucket: state.bucket!,
    stateRegion: state.region ?? region,
    keyPrefix,
    sourceKey: classSourceKey(keyPrefix),
    reportPrefix: classReportPrefix(keyPrefix),
    logGroupName: `/aws/codebuild/${projectName}`,
    builds: dealBuilds(learnerIds, stackOf, given.concurrency),
    stacks: learnerIds.map(stackOf),
    protectedStatePatterns: [`${keyPrefix}/${project}-instructor/*`, `${keyPrefix}/${project}-organization/*`, `${keyPrefix}/${project}-*-k8s/*`],
    concurrency: given.concurrency,
    timeoutMinutes: given.timeoutMinutes,
    computeType: given.computeType,
    deployPolicyArns: given.deployPolicyArns ?? [],
    terraformVersion: TERRAFORM_MINIMUM_VERSION,
    actThroughInstructorRole: settings.accounts.learnersApply,
  };
}

// ---- the files in out/ ------------------------------------------------------------------------------

const GENERATED = "Generated by devops-weeks (lib/classroom/codebuild.ts) from study.yaml and the roster: edit those and synth again.";

/** The batch buildspec: the build list, then the phases every build runs (install Terraform, run its stacks). */
export function codeBuildBuildspec(plan: CodeBuildPlan): string {
  const v = plan.terraformVersion;
  const release = `https://releases.hashicorp.com/terraform/${v}`;
  const document = {
    version: 0.2,
    env: {
      shell: "bash",
      variables: {
        // plan (the default), apply or destroy: aws codebuild start-build-batch --environment-variables-override name=ACTION,value=apply,type=PLAINTEXT
        ACTION: "plan",
        TERRAFORM_VERSION: v,
        REPORT_URI: `s3://${plan.bucket}/${plan.reportPrefix}`,
        TF_IN_AUTOMATION: "1",
        TF_INPUT: "0",
        // The learners apply these stacks with their own credentials; the builds act through each account's OrganizationAccountAccessRole.
        ...(plan.actThroughInstructorRole ? { [`TF_VAR_${ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE}`]: "true" } : {}),
      },
    },
    batch: {
      "fast-fail": false,
      "build-list": plan.builds.map((build) => ({ identifier: build.identifier, env: { variables: { STACKS: build.stacks.join(" ") } }, "ignore-failure": false })),
    },
    phases: {
      install: {
        "on-failure": "ABORT",
        // One shell runs every command of the buildspec, so the steps in /tmp stay in subshells.
        commands: [
          `curl -fsSL --retry 5 -o /tmp/hashicorp.asc https://www.hashicorp.com/.well-known/pgp-key.txt`,
          `gpg --batch --quiet --import /tmp/hashicorp.asc`,
          `gpg --batch --with-colons --fingerprint ${HASHICORP_RELEASE_KEY_FINGERPRINT} | grep -q '^fpr:*:${HASHICORP_RELEASE_KEY_FINGERPRINT}:'`,
          `(cd /tmp && curl -fsSL --retry 5 -O ${release}/terraform_${v}_SHA256SUMS -O ${release}/terraform_${v}_SHA256SUMS.sig -O ${release}/terraform_${v}_linux_amd64.zip)`,
          `(cd /tmp && gpg --batch --status-fd 1 --verify terraform_${v}_SHA256SUMS.sig terraform_${v}_SHA256SUMS | grep -q '^\\[GNUPG:\\] VALIDSIG .* ${HASHICORP_RELEASE_KEY_FINGERPRINT}$')`,
          `(cd /tmp && grep ' terraform_${v}_linux_amd64.zip$' terraform_${v}_SHA256SUMS | sha256sum -c -)`,
          `unzip -o -q /tmp/terraform_${v}_linux_amd64.zip -d /usr/local/bin terraform && terraform version`,
        ],
      },
      build: { commands: [`cd "$CODEBUILD_SRC_DIR" && bash ${CODEBUILD_SCRIPT_PATH}`] },
    },
  };
  // Loaded here: a synth without the batch has no use for the YAML writer.
  const { stringify } = require("yaml") as typeof import("yaml");
  return `# ${GENERATED}\n# Start: aws codebuild start-build-batch --project-name ${plan.projectName} (README, "Applying a class").\n${stringify(document, { lineWidth: 0 })}`;
}

/**
 * What each build of the CodeBuild batch, and each job of the GitHub Actions matrix, runs: ACTION on each
 * stack of STACKS in turn, a report line per stack, exit 1 when any failed.
 */
export function classStacksScript(): string {
  return `#!/usr/bin/env bash
# ${GENERATED}
# Runs in each build of the class-wide CodeBuild batch or job of the GitHub Actions matrix, from the root of the
# uploaded out/: ACTION (plan, apply or destroy) on each stack of STACKS, one after another. A stack that fails
# is reported and the next one runs anyway; each stack's result is one line in \${REPORT_URI}/<action>/<stack>.txt
# ("started" while it runs, then "ok" or "FAILED"), and on GitHub a row of the job's summary too; the build or
# job fails when any of its stacks did.
set -uo pipefail
action="\${ACTION:-plan}"
case "$action" in
  plan) run=(terraform plan -input=false -no-color -lock-timeout=5m) ;;
  apply) run=(terraform apply -input=false -no-color -auto-approve -lock-timeout=5m) ;;
  destroy) run=(terraform destroy -input=false -no-color -auto-approve -lock-timeout=5m) ;;
  *) echo "ACTION must be plan, apply or destroy, not '$action'" >&2; exit 2 ;;
esac
# A lease's schedule (lib/classroom/lease.ts) sets ONLY_STACKS, the stacks whose lease ends that day, and with
# isolation account CLOSE_ACCOUNTS ("<stack>=<account id>" pairs), CLASS_UNIT_ID and CLOSED_UNIT_ID: once a
# stack is destroyed, its account moves from the class's OU to the closed-course OU.
only=" \${ONLY_STACKS:-} "
account_of() { local pair; for pair in \${CLOSE_ACCOUNTS:-}; do if [[ "\${pair%%=*}" == "$1" ]]; then echo "\${pair#*=}"; return; fi; done; }
close_account() {
  local parent
  parent=$(aws organizations list-parents --child-id "$1" --output json | jq -r '.Parents[0].Id') || return 1
  if [[ "$parent" == "\${CLOSED_UNIT_ID}" ]]; then echo "[$2] account $1 is in the closed-course OU already"; return 0; fi
  if [[ "$parent" != "\${CLASS_UNIT_ID}" ]]; then echo "[$2] account $1 is in $parent, neither the class's OU nor the closed-course OU: left there" >&2; return 1; fi
  aws organizations move-account --account-id "$1" --source-parent-id "\${CLASS_UNIT_ID}" --destination-parent-id "\${CLOSED_UNIT_ID}" && echo "[$2] account $1 moved to the closed-course OU"
}
# Which run wrote a line: the CodeBuild build, or the GitHub Actions run and its attempt.
run_id="\${CODEBUILD_BUILD_ID:-\${GITHUB_RUN_ID:+github-run-\${GITHUB_RUN_ID}.\${GITHUB_RUN_ATTEMPT:-1}}}"
report() { printf '%-8s %s %s %s %s\\n' "$1" "$2" "$action" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "\${run_id:-local}" | aws s3 cp - "\${REPORT_URI}/\${action}/$2.txt" --only-show-errors; }
summarize() { if [[ -n "\${GITHUB_STEP_SUMMARY:-}" ]]; then printf '%s\\n' "$1" >> "$GITHUB_STEP_SUMMARY"; fi; }
summarize "| Stack | \${action} |"
summarize "| --- | --- |"
failed=0
for stack in \${STACKS}; do
  if [[ -n "\${ONLY_STACKS:-}" && "$only" != *" $stack "* ]]; then continue; fi
  report started "$stack" || echo "could not write the report of $stack" >&2
  if [[ -d "stacks/$stack" ]] && (cd "stacks/$stack" && terraform init -input=false -no-color && "\${run[@]}") 2>&1 | sed -u "s/^/[$stack] /"; then
    status=ok
  else
    status=FAILED
    failed=1
  fi
  account="$(account_of "$stack")"
  if [[ "$status" == ok && "$action" == destroy && -n "$account" ]] && ! close_account "$account" "$stack"; then
    status=FAILED
    failed=1
  fi
  report "$status" "$stack" || { echo "could not write the report of $stack" >&2; failed=1; }
  summarize "| \\\`$stack\\\` | $status |"
  echo "$status $stack"
done
exit "$failed"
`;
}

/** The files synth writes into out/ (paths relative to it). */
export function codeBuildFiles(plan: CodeBuildPlan): { path: string; content: string; executable: boolean }[] {
  if (plan.builds.length === 0) return [];
  return [
    { path: CODEBUILD_BUILDSPEC_PATH, content: codeBuildBuildspec(plan), executable: false },
    { path: CODEBUILD_SCRIPT_PATH, content: classStacksScript(), executable: true },
  ];
}

// ---- the roles' policies ----------------------------------------------------------------------------

/** What a role that runs the learners' stacks needs to know of a class-wide runner: CodeBuild's plan, or GitHub Actions'. */
export type ClassStateAccess = Pick<CodeBuildPlan, "bucket" | "keyPrefix" | "project" | "sourceKey" | "reportPrefix" | "protectedStatePatterns">;

/**
 * What any runner of the learners' stacks may do in the state bucket: read the uploaded zip, list the class's
 * state folder, read and write the learners' AWS stacks' state and lock objects (never the instructor's, the
 * organization's or the -k8s stacks'), and write the report.
 */
export function classStateStatements(access: ClassStateAccess): Record<string, unknown>[] {
  const bucket = `arn:aws:s3:::${access.bucket}`;
  return [
    { Sid: "ReadTheUploadedStacks", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${bucket}/${access.sourceKey}` },
    { Sid: "FindTheStateBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:GetBucketVersioning"], Resource: bucket },
    { Sid: "ListTheClassState", Effect: "Allow", Action: "s3:ListBucket", Resource: bucket, Condition: { StringLike: { "s3:prefix": [`${access.keyPrefix}/*`, "env:/*"] } } },
    {
      Sid: "LearnerStacksState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: [`${bucket}/${access.keyPrefix}/${access.project}-*/terraform.tfstate`],
    },
    {
      Sid: "LearnerStacksLock",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: [`${bucket}/${access.keyPrefix}/${access.project}-*/terraform.tfstate.tflock`],
    },
    { Sid: "NotTheOtherStacksState", Effect: "Deny", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: access.protectedStatePatterns.map((pattern) => `${bucket}/${pattern}`) },
    { Sid: "WriteTheReport", Effect: "Allow", Action: "s3:PutObject", Resource: `${bucket}/${access.reportPrefix}/*` },
  ];
}

/** With isolation account: assume `roleArns` (each learner's OrganizationAccountAccessRole) and nothing else; none otherwise. */
export function learnerAccountStatements(roleArns: readonly string[]): Record<string, unknown>[] {
  return roleArns.length > 0 ? [{ Sid: "ActInLearnerAccounts", Effect: "Allow", Action: "sts:AssumeRole", Resource: [...roleArns] }] : [];
}

/**
 * The build role: the class's state and report (classStateStatements), its own log group, and with isolation
 * account the learners' OrganizationAccountAccessRole. With isolation tag, the deploy policies come on top
 * (attached, not in this document).
 */
export function buildRolePolicy(plan: CodeBuildPlan, logGroupArn: string, roleArns: readonly string[], extra: readonly Record<string, unknown>[] = []): Record<string, unknown> {
  const statements: Record<string, unknown>[] = [
    ...classStateStatements(plan),
    { Sid: "WriteBuildLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [logGroupArn, `${logGroupArn}:*`] },
    ...learnerAccountStatements(roleArns),
  ];
  return { Version: "2012-10-17", Statement: [...statements, ...extra] };
}

/**
 * With leases in isolation account: find where a learner's account is (ListParents has no resource-level
 * permissions) and move it from the class's OU to the closed-course OU, and only between those two.
 */
export function leaseMovePolicyStatements(classUnitArn: string, closedUnitArn: string): Record<string, unknown>[] {
  return [
    { Sid: "FindTheLearnerAccountsOu", Effect: "Allow", Action: "organizations:ListParents", Resource: "*" },
    { Sid: "CloseTheCourse", Effect: "Allow", Action: "organizations:MoveAccount", Resource: [classUnitArn, closedUnitArn, "arn:aws:organizations::*:account/o-*/*"] },
  ];
}

/** IAM's limit on the inline policies of one role, all together (IAM and AWS STS quotas; whitespace not counted). */
export const ROLE_INLINE_POLICY_MAX_SIZE = 10_240;

/** What the size checks resolve references to: values of their real length (a 12-digit account id, an OU's ARN). */
export const STAND_IN_ACCOUNT = "123456789012";

/** One role ARN per learner stack, as the organization stack will give them, for a size check. */
export function standInLearnerRoleArns(stacks: readonly string[], accountIsolation: boolean): string[] {
  return accountIsolation ? stacks.map(() => `arn:aws:iam::${STAND_IN_ACCOUNT}:role/OrganizationAccountAccessRole`) : [];
}

/** A role policy over IAM's limit, refused on `field` with the size it would take and what to do instead. */
export function rolePolicySizeProblems(field: string, policy: Record<string, unknown>, learners: number, role: string, remedy: string): ConfigProblem[] {
  const size = JSON.stringify(policy).length;
  if (size <= ROLE_INLINE_POLICY_MAX_SIZE) return [];
  return [
    {
      field,
      value: `${learners} learners`,
      expected: `a class whose ${role} policy fits IAM's ${ROLE_INLINE_POLICY_MAX_SIZE} characters (it would take about ${size}: one OrganizationAccountAccessRole ARN per learner); ${remedy}`,
    },
  ];
}

/**
 * The build role's policy as AWS will count it, the references resolved to values of their real length (a
 * 12-digit account id, an OU's ARN): with isolation account it grows by one role ARN per learner.
 */
export function buildRolePolicyProblems(plan: CodeBuildPlan, options: { accountIsolation: boolean; region: string }): ConfigProblem[] {
  const logGroupArn = `arn:aws:logs:${options.region}:${STAND_IN_ACCOUNT}:log-group:${plan.logGroupName}`;
  const unitArn = `arn:aws:organizations::${STAND_IN_ACCOUNT}:ou/o-abcdefghij/ou-ab12-abcdefgh`;
  const extra = options.accountIsolation && plan.lease ? leaseMovePolicyStatements(unitArn, unitArn) : [];
  const policy = buildRolePolicy(plan, logGroupArn, standInLearnerRoleArns(plan.stacks, options.accountIsolation), extra);
  return rolePolicySizeProblems("classroom.applyOnCodeBuild.enabled", policy, plan.stacks.length, "build role", "split the class into two projects, or use scripts/terraform-all.sh");
}

/** The batch role (CodeBuild's own, apart from the build's so a build cannot start more builds): start, stop and retry this project's builds. */
export function batchRolePolicy(projectArn: string): Record<string, unknown> {
  return { Version: "2012-10-17", Statement: [{ Sid: "RunTheBatch", Effect: "Allow", Action: ["codebuild:StartBuild", "codebuild:StopBuild", "codebuild:RetryBuild"], Resource: projectArn }] };
}

/** A state key of a learner stack, for the runbook and tests. */
export function learnerStateKey(plan: CodeBuildPlan, stack: string): string {
  return stateKey({ keyPrefix: plan.keyPrefix }, stack);
}
