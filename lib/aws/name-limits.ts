/**
 * The limits AWS puts on the names synth derives (`<project>-<environment>-...`), by resource type and
 * argument, from each service's quotas and API reference (checked 2026-12-01). Synth checks every
 * stack it wrote against this table before out/ changes: a name AWS would refuse only at apply is
 * refused at synth, naming the field it comes from and the limit.
 */
import type { ConfigProblem } from "../core/errors";

export interface NameLimit {
  readonly type: string;
  readonly argument: string;
  readonly max: number;
  readonly min?: number;
  /** Characters (and shape) AWS accepts, with the phrase a message uses for them. */
  readonly pattern?: readonly [RegExp, string];
}

const IAM_NAME: readonly [RegExp, string] = [/^[\w+=,.@-]+$/, "letters, digits and + = , . @ _ -"];
const LB_NAME: readonly [RegExp, string] = [/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, "letters, digits and hyphens, not starting or ending with a hyphen"];

export const NAME_LIMITS: readonly NameLimit[] = [
  { type: "aws_iam_role", argument: "name", max: 64, pattern: IAM_NAME },
  { type: "aws_iam_role", argument: "name_prefix", max: 38, pattern: IAM_NAME },
  { type: "aws_iam_instance_profile", argument: "name", max: 128, pattern: IAM_NAME },
  { type: "aws_iam_role_policy", argument: "name", max: 128, pattern: IAM_NAME },
  { type: "aws_iam_group", argument: "name", max: 128, pattern: IAM_NAME },
  { type: "aws_iam_user", argument: "name", max: 64, pattern: IAM_NAME },
  { type: "aws_s3_bucket", argument: "bucket", min: 3, max: 63, pattern: [/^(?!.*\.\.)(?!xn--)[a-z0-9][a-z0-9.-]*[a-z0-9]$/, "lowercase letters, digits, dots and hyphens, no two dots in a row"] },
  { type: "aws_s3_bucket", argument: "bucket_prefix", max: 37 },
  { type: "aws_lb", argument: "name", max: 32, pattern: LB_NAME },
  { type: "aws_lb_target_group", argument: "name", max: 32, pattern: LB_NAME },
  { type: "aws_lambda_function", argument: "function_name", max: 64, pattern: [/^[\w-]+$/, "letters, digits, hyphens and underscores"] },
  { type: "aws_cloudwatch_event_rule", argument: "name", max: 64, pattern: [/^[\w.-]+$/, "letters, digits and . _ -"] },
  { type: "aws_cloudwatch_event_rule", argument: "description", max: 512 },
  { type: "aws_cloudwatch_event_target", argument: "target_id", max: 64 },
  { type: "aws_cloudwatch_log_group", argument: "name", max: 512 },
  { type: "aws_cloudwatch_metric_alarm", argument: "alarm_name", max: 255 },
  { type: "aws_cloudwatch_log_metric_filter", argument: "name", max: 512 },
  { type: "aws_cloudwatch_log_resource_policy", argument: "policy_name", max: 255 },
  { type: "aws_cloudwatch_dashboard", argument: "dashboard_name", max: 255 },
  { type: "aws_security_group", argument: "name", max: 255 },
  { type: "aws_launch_template", argument: "name", min: 3, max: 128 },
  { type: "aws_ssm_association", argument: "association_name", min: 3, max: 128, pattern: [/^[\w.-]+$/, "letters, digits and . _ -"] },
  { type: "aws_kms_alias", argument: "name", max: 256 },
  { type: "aws_codebuild_project", argument: "name", min: 2, max: 150 },
  { type: "aws_codepipeline", argument: "name", max: 100 },
  { type: "aws_codedeploy_app", argument: "name", max: 100 },
  { type: "aws_codedeploy_deployment_group", argument: "deployment_group_name", max: 100 },
  { type: "aws_codestarconnections_connection", argument: "name", max: 32 },
  { type: "aws_sns_topic", argument: "name", max: 256 },
  { type: "aws_budgets_budget", argument: "name", max: 100 },
  { type: "aws_eks_cluster", argument: "name", max: 100 },
  { type: "aws_eks_node_group", argument: "node_group_name", max: 63 },
  { type: "aws_cloudtrail", argument: "name", min: 3, max: 128 },
  { type: "aws_ecr_repository", argument: "name", min: 2, max: 256 },
  { type: "aws_opensearch_domain", argument: "domain_name", min: 3, max: 28, pattern: [/^[a-z][a-z0-9-]+$/, "lowercase letters, digits and hyphens, starting with a letter"] },
  { type: "aws_vpclattice_service_network", argument: "name", min: 3, max: 63 },
  { type: "aws_prometheus_workspace", argument: "alias", max: 100 },
  { type: "aws_prometheus_scraper", argument: "alias", max: 100 },
  { type: "aws_scheduler_schedule", argument: "name", max: 64 },
];

/** A resource of a synthesized stack: its type and its arguments (the inventory's StackResource). */
interface ResourceLike {
  readonly type: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * The names among a synthesized stack's resources that AWS would refuse. A name made from `<project>-<environment>`
 * is blamed on those fields; a name the config gave as it is (`cicd.artifacts.bucketName`) on that field
 * (`fieldHolding` finds it); anything else on the resource it belongs to.
 */
export function nameLimitProblems(
  resources: readonly ResourceLike[],
  study: { readonly project: string; readonly environment: string },
  fieldHolding: (value: string) => string | undefined = () => undefined,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const prefix = `${study.project}-${study.environment}`;
  for (const limit of NAME_LIMITS) {
    for (const resource of resources.filter((r) => r.type === limit.type)) {
      const value = resource.config[limit.argument];
      // A name only known at apply (it holds a reference) is AWS's to make, not ours.
      if (typeof value !== "string" || value.includes("${")) continue;
      const what = `the ${limit.type.replace(/^aws_/, "").replace(/_/g, " ")} ${limit.argument.replace(/_/g, " ")} ${value}`;
      const tooLong = value.length > limit.max;
      const tooShort = limit.min !== undefined && value.length < limit.min;
      const badCharacters = limit.pattern && !limit.pattern[0].test(value);
      if (!tooLong && !tooShort && !badCharacters) continue;
      const rule = tooLong || tooShort ? `has ${value.length} characters, AWS allows ${limit.min ?? 1}-${limit.max}` : `is not one AWS accepts: it allows only ${limit.pattern![1]}`;
      const fromPrefix = value.includes(prefix);
      const field = fromPrefix ? undefined : fieldHolding(value);
      problems.push({
        field: fromPrefix ? "environment" : (field ?? limit.type),
        value: fromPrefix ? study.environment : value,
        expected: fromPrefix ? `a shorter project or environment: ${what} ${rule}` : `a name AWS accepts: ${what} ${rule}`,
      });
    }
  }
  return problems;
}

/** AWS's limit on the tags of one resource, default tags included (EC2, IAM, S3 and the others the study uses). */
export const MAX_TAGS_PER_RESOURCE = 50;

/**
 * Resources that would carry more tags than AWS allows: their own (`Name`, `Tier`, Kubernetes' subnet
 * roles) together with the provider's default tags (`Project`, `Environment`, `ManagedBy`, `Learner`
 * in classroom mode, and the config's `tags`). Blamed on `tags`, the one list the learner controls.
 */
export function tagCountProblems(resources: readonly ResourceLike[], defaultTags: Readonly<Record<string, string>>, userTags: Readonly<Record<string, string>>): ConfigProblem[] {
  let worst: { readonly type: string; readonly own: number; readonly total: number } | undefined;
  for (const resource of resources) {
    const own = resource.config["tags"];
    if (!own || typeof own !== "object") continue;
    const total = new Set([...Object.keys(defaultTags), ...Object.keys(own)]).size;
    if (total > MAX_TAGS_PER_RESOURCE && (!worst || total > worst.total)) worst = { type: resource.type, own: Object.keys(own).length, total };
  }
  if (!worst) return [];
  const room = Object.keys(userTags).length - (worst.total - MAX_TAGS_PER_RESOURCE);
  return [
    {
      field: "tags",
      value: `${Object.keys(userTags).length} tags`,
      expected: `at most ${Math.max(room, 0)} tags here: a ${worst.type.replace(/^aws_/, "").replace(/_/g, " ")} would carry ${worst.total} (${worst.own} of its own and the default ones), and AWS allows ${MAX_TAGS_PER_RESOURCE} on a resource`,
    },
  ];
}
