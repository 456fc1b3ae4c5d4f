/**
 * The guardrails of a class in account isolation: service control policies (SCPs) on the class's
 * organizational unit, so that whatever a learner's account holds (its own administrators included),
 * these actions stay denied. Each guardrail is one named statement (its `Sid`); the comment above it
 * says why. Pure: the organization stack (lib/classroom/organization.ts) turns them into
 * `aws_organizations_policy` resources, and synth refuses a document AWS would refuse (invalid JSON,
 * or over the SCP size limit) before anyone applies it.
 *
 * SCPs do not grant anything: the OU keeps AWS's `FullAWSAccess` policy, and these deny on top of it.
 * They never apply to the management account, nor to service-linked roles.
 */
import type { ClassroomSettings } from "./settings";
import type { StudyConfig } from "../core/config";
import type { ConfigProblem } from "../core/errors";

/**
 * The most characters an SCP document may have: AWS Organizations quotas, "Maximum size of a policy
 * document: service control policies 5,120 characters" (orgs_reference_limits.html, read 2026-12-01).
 * Whitespace: the page's note says the console drops the whitespace between JSON elements before
 * counting, while the API (so Terraform) keeps and counts the document as sent; hashicorp/terraform-provider-aws
 * issue 12597 is a policy the console took and the API refused for its size. So the documents go minified,
 * and the check counts UTF-8 bytes, never fewer than the characters (Classmethod's support note,
 * 2023-01-24, reports the limit as 5,120 bytes).
 */
export const SCP_MAX_SIZE = 5120;

/** SCPs attached directly to one OU, `FullAWSAccess` included (AWS Organizations quotas). */
export const SCP_MAX_ATTACHED = 5;

/** The instance types a class may launch without configuring any: t3, t3a and t4g, nano to medium. */
export const DEFAULT_ALLOWED_INSTANCE_TYPES: readonly string[] = ["t3", "t3a", "t4g"].flatMap((family) => ["nano", "micro", "small", "medium"].map((size) => `${family}.${size}`));

/**
 * The role the management account's instructor uses in every learner account (created with the account,
 * trusted by the management account only). It is exempt from the guardrails that protect the audit
 * services, so that `terraform destroy` of a learner's stacks can remove the course's own trail.
 */
export const INSTRUCTOR_ROLE_NAME = "OrganizationAccountAccessRole";

/**
 * Actions of global services, exempt from the region guardrail: their requests go to one endpoint
 * (mostly in us-east-1) whatever region the learner works in. Source: AWS Organizations User Guide,
 * "Deny access to AWS based on the requested AWS Region" (orgs_manage_policies_scps_examples_general.html),
 * whose policy is aws-samples/service-control-policy-examples
 * Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json; read 2026-12-01. AWS's
 * list, less the services the course never calls (a4b, chime, mobileanalytics, fms, shield,
 * importexport, route53-recovery-*, wellarchitected), so the policy stays well within the size limit.
 */
export const GLOBAL_SERVICE_ACTIONS: readonly string[] = [
  "acm:*",
  "aws-marketplace-management:*",
  "aws-marketplace:*",
  "aws-portal:*",
  "budgets:*",
  "ce:*",
  "cloudfront:*",
  "config:*",
  "cur:*",
  "directconnect:*",
  "ec2:DescribeRegions",
  "ec2:DescribeTransitGateways",
  "ec2:DescribeVpnGateways",
  "globalaccelerator:*",
  "health:*",
  "iam:*",
  "kms:*",
  "networkmanager:*",
  "organizations:*",
  "pricing:*",
  "route53:*",
  "route53domains:*",
  "s3:GetAccountPublic*",
  "s3:ListAllMyBuckets",
  "s3:ListMultiRegionAccessPoints",
  "s3:PutAccountPublic*",
  "sts:*",
  "support:*",
  "trustedadvisor:*",
  "waf-regional:*",
  "waf:*",
  "wafv2:*",
];

/** What changes or removes a role: the guardrails keep the instructor's role, and the learners' sign-in role, as they were made. */
const ROLE_CHANGING_ACTIONS: readonly string[] = ["iam:AttachRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary", "iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:PutRolePermissionsBoundary", "iam:PutRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole"];

export interface ScpStatement {
  readonly Sid: string;
  readonly Effect: "Deny";
  readonly Action?: string | readonly string[];
  readonly NotAction?: readonly string[];
  readonly Resource: string | readonly string[];
  readonly Condition?: Record<string, Record<string, string | readonly string[]>>;
}

export interface GuardrailPolicy {
  /** `<project>-<suffix>`, the policy's name in AWS Organizations. */
  readonly name: string;
  readonly description: string;
  readonly document: { readonly Version: "2012-10-17"; readonly Statement: readonly ScpStatement[] };
}

/** Every instance type the config names, whichever weeks are on now: the allow-list must not change week by week. */
export function configuredInstanceTypes(config: StudyConfig): { field: string; type: string }[] {
  const settings = config.settings as Record<string, Record<string, unknown> | undefined>;
  const found: { field: string; type: string }[] = [];
  const add = (field: string, value: unknown) => {
    for (const type of Array.isArray(value) ? value : [value]) if (typeof type === "string") found.push({ field, type });
  };
  const at = (module: string, ...path: string[]) => path.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], settings[module]);
  if (at("network", "nat", "mode") === "instance") add("network.nat.instanceType", at("network", "nat", "instanceType"));
  if (at("network", "bastion", "enabled") !== false) add("network.bastion.instanceType", at("network", "bastion", "instanceType"));
  add("dockerHost.instanceType", at("dockerHost", "instanceType"));
  add("eks.nodeGroup.instanceTypes", at("eks", "nodeGroup", "instanceTypes"));
  if (at("deployOptimization", "spotNodeGroup", "enabled") === true) add("deployOptimization.spotNodeGroup.instanceTypes", at("deployOptimization", "spotNodeGroup", "instanceTypes"));
  return found;
}

/** IAM's StringLike: `*` any run of characters, `?` one. */
export function matchesPattern(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);
  return regex.test(value);
}

/** The allow-list the instance-type guardrail uses: the configured list (or the default one and the config's types), then the extra ones. */
export function allowedInstanceTypes(config: StudyConfig, guardrails: ClassroomSettings["guardrails"]): string[] {
  const base = guardrails.instanceTypes ?? [...DEFAULT_ALLOWED_INSTANCE_TYPES, ...configuredInstanceTypes(config).map((c) => c.type)];
  return [...new Set([...base, ...guardrails.extraInstanceTypes])];
}

/** A configured instance type the allow-list leaves out would be refused by EC2 in every learner account. */
export function instanceTypeProblems(config: StudyConfig, guardrails: ClassroomSettings["guardrails"]): ConfigProblem[] {
  const allowed = allowedInstanceTypes(config, guardrails);
  const excluded = configuredInstanceTypes(config).filter((c) => !allowed.some((pattern) => matchesPattern(pattern, c.type)));
  if (excluded.length === 0) return [];
  return [
    {
      field: "classroom.guardrails.instanceTypes",
      value: guardrails.instanceTypes,
      expected: `a list that allows every instance type the config launches, or no list (the default one adds them); missing: ${excluded.map((c) => `${c.type} (${c.field})`).join(", ")}`,
    },
  ];
}

/**
 * The class's guardrails, as two SCPs (AWS allows five on an OU, FullAWSAccess included, and 5,120
 * characters each): where and what the learners may run, and what keeps their accounts governable.
 */
export function guardrailPolicies(config: StudyConfig, settings: ClassroomSettings): GuardrailPolicy[] {
  const project = config.core.project;
  const regions = [...new Set([config.core.region, ...settings.guardrails.extraRegions])];
  const notTheInstructor = { ArnNotLike: { "aws:PrincipalARN": `arn:aws:iam::*:role/${INSTRUCTOR_ROLE_NAME}` } };
  const scope: GuardrailPolicy = {
    name: `${project}-class-scope`,
    description: `${project} class: only ${regions.join(", ")}, and only small instance types`,
    document: {
      Version: "2012-10-17",
      Statement: [
        // Everything the course builds lives in its region: a resource left running elsewhere is one
        // nobody looks for. Global services are exempt (their requests all go to one region).
        { Sid: "DenyOtherRegions", Effect: "Deny", NotAction: GLOBAL_SERVICE_ACTIONS, Resource: "*", Condition: { StringNotEquals: { "aws:RequestedRegion": regions } } },
        // A p5.48xlarge costs more in an hour than the class's budget in a month: only the sizes the
        // course needs (and the ones the config names) may start.
        {
          Sid: "DenyLargeInstanceTypes",
          Effect: "Deny",
          Action: "ec2:RunInstances",
          Resource: "arn:aws:ec2:*:*:instance/*",
          Condition: { StringNotLike: { "ec2:InstanceType": allowedInstanceTypes(config, settings.guardrails) } },
        },
      ],
    },
  };
  const governance: GuardrailPolicy = {
    name: `${project}-class-governance`,
    description: `${project} class: stay in the organization, keep the audit trail, no root user, no commitments`,
    document: {
      Version: "2012-10-17",
      Statement: [
        // An account that leaves takes itself out of every guardrail and budget action.
        { Sid: "DenyLeavingOrganization", Effect: "Deny", Action: "organizations:LeaveOrganization", Resource: "*" },
        // The instructor's way into every account: a learner with IAM rights could otherwise lock them out.
        {
          Sid: "DenyChangingInstructorRole",
          Effect: "Deny",
          Action: ROLE_CHANGING_ACTIONS,
          Resource: `arn:aws:iam::*:role/${INSTRUCTOR_ROLE_NAME}`,
          Condition: notTheInstructor,
        },
        // The learners' way in without Identity Center (accounts.signInRole): its trust names who may use it. Only
        // the instructor's role and the StackSet that keeps it (its stacksets-exec-* role) may change it.
        ...(settings.accounts.signInRole
          ? [
              {
                Sid: "DenyChangingLearnerRole",
                Effect: "Deny" as const,
                Action: ROLE_CHANGING_ACTIONS,
                Resource: `arn:aws:iam::*:role/${project}-learner`,
                Condition: { ArnNotLike: { "aws:PrincipalARN": [`arn:aws:iam::*:role/${INSTRUCTOR_ROLE_NAME}`, "arn:aws:iam::*:role/stacksets-exec-*"] } },
              },
            ]
          : []),
        ...(settings.accounts.learnersApply ? [] : keepTheAuditTrail(notTheInstructor)),
        // The root user's password is the account's email's: nobody of the class should use it, and
        // nothing it does could be told apart from the account itself.
        { Sid: "DenyRootUser", Effect: "Deny", Action: "*", Resource: "*", Condition: { StringLike: { "aws:PrincipalArn": "arn:aws:iam::*:root" } } },
        // A reservation or a savings plan bills for one to three years, long after the course.
        {
          Sid: "DenyReservationsAndSavingsPlans",
          Effect: "Deny",
          Action: [
            "ec2:PurchaseReservedInstancesOffering",
            "ec2:AcceptReservedInstancesExchangeQuote",
            "ec2:PurchaseHostReservation",
            "ec2:PurchaseScheduledInstances",
            "ec2:PurchaseCapacityBlock",
            "rds:PurchaseReservedDBInstancesOffering",
            "elasticache:PurchaseReservedCacheNodesOffering",
            "es:PurchaseReservedInstanceOffering",
            "redshift:PurchaseReservedNodeOffering",
            "dynamodb:PurchaseReservedCapacityOfferings",
            "memorydb:PurchaseReservedNodesOffering",
            "savingsplans:CreateSavingsPlan",
          ],
          Resource: "*",
        },
      ],
    },
  };
  return [scope, governance];
}

/**
 * The account's record of what happened, for the learner and the instructor alike: only the instructor's
 * role may stop it, since destroying a learner's stacks removes the course's own trail (and week 10's
 * detector). Left out when the learners apply their own stacks (`accounts.learnersApply`): their own
 * `terraform destroy` must be able to remove what their stacks made, and an SCP cannot tell the course's
 * trail from another one the learner could name the same.
 */
function keepTheAuditTrail(notTheInstructor: NonNullable<ScpStatement["Condition"]>): ScpStatement[] {
  return [
    { Sid: "DenyStoppingCloudTrail", Effect: "Deny", Action: ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail"], Resource: "*", Condition: notTheInstructor },
    // Threat detection stays on, and stays reporting to the organization's administrator.
    {
      Sid: "DenyStoppingGuardDuty",
      Effect: "Deny",
      Action: ["guardduty:DeleteDetector", "guardduty:UpdateDetector", "guardduty:DisassociateFromAdministratorAccount", "guardduty:DisassociateFromMasterAccount"],
      Resource: "*",
      Condition: notTheInstructor,
    },
    // The configuration history of the account's resources stays recorded.
    { Sid: "DenyStoppingConfig", Effect: "Deny", Action: ["config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder", "config:DeleteDeliveryChannel"], Resource: "*", Condition: notTheInstructor },
  ];
}

/**
 * What a learner's account can no longer start once its budget's action has attached this SCP (at
 * 100 % of the month's budget): new instances, clusters, node groups, NAT gateways, load balancers,
 * databases. What already runs keeps running (and billing) until the instructor stops or destroys it:
 * the README says so. Stopping, scaling down, deleting and reading stay allowed (scaling a node group
 * is not denied, so the cost guard's way of scaling it to zero still works).
 */
export function spendingBrakePolicy(config: StudyConfig): GuardrailPolicy {
  return {
    name: `${config.core.project}-class-budget-brake`,
    description: `${config.core.project} class: attached by the budget action when a learner's account reaches its monthly budget`,
    document: {
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "DenyNewSpendingOverBudget",
          Effect: "Deny",
          Action: [
            "ec2:RunInstances",
            "ec2:StartInstances",
            "ec2:CreateNatGateway",
            "ec2:AllocateAddress",
            "ec2:CreateVpcEndpoint",
            "eks:CreateCluster",
            "eks:CreateNodegroup",
            "autoscaling:CreateAutoScalingGroup",
            "elasticloadbalancing:CreateLoadBalancer",
            "rds:CreateDBInstance",
            "rds:CreateDBCluster",
            "rds:StartDBInstance",
            "es:CreateDomain",
            "lambda:CreateFunction",
            "codebuild:StartBuild",
          ],
          Resource: "*",
        },
      ],
    },
  };
}

/** The document as sent to AWS: minified JSON (the API counts every character it is given). */
export function scpContent(policy: GuardrailPolicy): string {
  return JSON.stringify(policy.document);
}

/** A document AWS would refuse: not one JSON object with a Version and statements, a statement without a unique Sid, or over the size limit. */
export function scpProblems(policies: readonly GuardrailPolicy[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const policy of policies) {
    const field = `classroom.guardrails (SCP ${policy.name})`;
    const content = scpContent(policy);
    let parsed: { Version?: unknown; Statement?: { Sid?: unknown }[] };
    try {
      parsed = JSON.parse(content) as typeof parsed;
    } catch {
      problems.push({ field, value: content.slice(0, 80), expected: "a policy document that is valid JSON" });
      continue;
    }
    const sids = (parsed.Statement ?? []).map((s) => s.Sid);
    if (parsed.Version !== "2012-10-17" || sids.length === 0 || sids.some((sid) => typeof sid !== "string" || !/^[A-Za-z0-9]+$/.test(sid)) || new Set(sids).size !== sids.length) {
      problems.push({ field, value: sids, expected: 'Version "2012-10-17" and at least one statement, each with its own alphanumeric Sid' });
    }
    const size = Buffer.byteLength(content, "utf8");
    if (size > SCP_MAX_SIZE) {
      problems.push({ field, value: `${size} characters`, expected: `at most ${SCP_MAX_SIZE} characters, AWS's limit for an SCP: fewer classroom.guardrails.instanceTypes or extraRegions (patterns such as t3.* take less room)` });
    }
  }
  return problems;
}
