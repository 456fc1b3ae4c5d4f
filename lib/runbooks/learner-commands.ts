/**
 * Which commands a learner of a class may run themselves. In classroom mode a learner's IAM user can
 * look, start and stop their own instances, open SSM sessions to them, read their cluster's description,
 * their log groups and their budget (lib/classroom/stacks.ts `learnerPolicy`), and no more: Terraform
 * (it reads and writes the class's state), the pipeline, S3 and the Kubernetes API of an EKS cluster
 * (learners have no access entry) are the instructor's. Each command block of a learner's page is either
 * one their policy allows, or marked as the instructor's.
 *
 * The check reads the AWS CLI calls of a command (`aws <service> <operation>`, as IAM actions) against
 * the policy's Allow statements by action; resources and conditions are not evaluated (they narrow
 * what is allowed to the learner's own tagged resources, which the page's names are).
 */

/** IAM service prefixes where the CLI's service name differs. */
const SERVICE_PREFIX: Readonly<Record<string, string>> = {
  s3api: "s3",
  elbv2: "elasticloadbalancing",
  "codestar-connections": "codestar-connections",
  "resourcegroupstaggingapi": "tag",
};

/** CLI operations that are not the IAM action of the same name. */
const OPERATION_ACTIONS: Readonly<Record<string, readonly string[]>> = {
  "eks update-kubeconfig": ["eks:DescribeCluster"],
  "logs tail": ["logs:DescribeLogGroups", "logs:FilterLogEvents"],
  "s3 cp": ["s3:GetObject", "s3:PutObject"],
  "s3 sync": ["s3:ListBucket", "s3:GetObject", "s3:PutObject"],
  "s3 ls": ["s3:ListBucket"],
  "s3 rm": ["s3:DeleteObject"],
  "ecr get-login-password": ["ecr:GetAuthorizationToken"],
  // Needs no permission: AWS answers it for any valid credentials.
  "sts get-caller-identity": [],
};

/** The IAM actions of every AWS CLI call in a shell command. */
export function awsActionsOf(command: string): string[] {
  const actions: string[] = [];
  for (const match of command.matchAll(/(?:^|[\s;|&(`$"])aws\s+(?:--[a-z-]+\s+\S+\s+)*([a-z0-9-]+)\s+([a-z0-9-]+)/g)) {
    const [service, operation] = [match[1], match[2]];
    const special = OPERATION_ACTIONS[`${service} ${operation}`];
    if (special) actions.push(...special);
    else actions.push(`${SERVICE_PREFIX[service] ?? service}:${operation.split("-").map((w) => w[0].toUpperCase() + w.slice(1)).join("")}`);
  }
  return actions;
}

interface PolicyStatement {
  readonly Effect: string;
  readonly Action?: string | readonly string[];
}

/** Whether an Allow statement of the policy names the action (IAM's `*` and `?` wildcards, case-insensitive). */
export function policyAllows(policy: { readonly Statement: readonly PolicyStatement[] }, action: string): boolean {
  return policy.Statement.some((statement) => {
    if (statement.Effect !== "Allow" || statement.Action === undefined) return false;
    const patterns = typeof statement.Action === "string" ? [statement.Action] : statement.Action;
    return patterns.some((pattern) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i").test(action));
  });
}

export interface LearnerAbilities {
  /** The learner's IAM policies (their own and their group's). */
  readonly policies: readonly { readonly Statement: readonly PolicyStatement[] }[];
  /** Whether kubectl and helm reach a cluster the learner may use (a local one), or only the instructor's EKS. */
  readonly kubernetes: boolean;
  /**
   * The learner applies their own stacks in an account of their own (classroom `accounts.learnersApply`):
   * Terraform, the cluster and the account's AWS CLI commands are all theirs, under the guardrails.
   */
  readonly ownAccount?: boolean;
}

/** Why a command is the instructor's, or undefined when the learner may run it. */
export function instructorOnly(command: string, abilities: LearnerAbilities): string | undefined {
  if (abilities.ownAccount) return undefined;
  if (/(^|[\s;|&(`$"])terraform\s/.test(command)) return "terraform";
  if (!abilities.kubernetes && /(^|[\s;|&(`$"])(kubectl|helm|istioctl)\s/.test(command)) return "kubernetes";
  const refused = awsActionsOf(command).find((action) => !abilities.policies.some((policy) => policyAllows(policy, action)));
  return refused;
}

/**
 * The learner's page with a note before each command block they cannot run themselves. Blocks inside
 * list items keep their indentation, so the note stays in the step.
 */
export function markInstructorCommands(markdown: string, abilities: LearnerAbilities, note: string): string {
  const lines = markdown.split("\n");
  const result: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^(\s*)```(sh|bash)\s*$/.exec(lines[i]);
    if (!fence) {
      result.push(lines[i]);
      continue;
    }
    const end = lines.findIndex((line, j) => j > i && line.trim() === "```");
    const body = lines.slice(i + 1, end < 0 ? lines.length : end).join("\n");
    if (instructorOnly(body, abilities) !== undefined) result.push(`${fence[1]}> ${note}`, "");
    result.push(lines[i]);
  }
  return result.join("\n");
}
