/**
 * Week 10: account security. GuardDuty with EKS protection, a multi-region CloudTrail trail
 * encrypted with a rotating customer-managed KMS key into a private, versioned bucket with access
 * logs, Amazon Inspector, and (optionally) one IAM user
 * per learner in a group that can do nothing without MFA.
 *
 * Nothing here reads the account id through a data source (aws_caller_identity would make the
 * offline plan fail): when the config does not give it, Terraform reads it at apply time from the
 * ARN of a resource this module creates, e.g. `arn:aws:kms:<region>:<account>:key/<id>`.
 */
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { GuarddutyDetectorFeature } from "@cdktf/provider-aws/lib/guardduty-detector-feature";
import { IamAccountPasswordPolicy } from "@cdktf/provider-aws/lib/iam-account-password-policy";
import { IamGroup } from "@cdktf/provider-aws/lib/iam-group";
import { IamGroupMembership } from "@cdktf/provider-aws/lib/iam-group-membership";
import { IamGroupPolicy } from "@cdktf/provider-aws/lib/iam-group-policy";
import { IamGroupPolicyAttachment } from "@cdktf/provider-aws/lib/iam-group-policy-attachment";
import { IamUser } from "@cdktf/provider-aws/lib/iam-user";
import { IamUserLoginProfile } from "@cdktf/provider-aws/lib/iam-user-login-profile";
import { Inspector2Enabler } from "@cdktf/provider-aws/lib/inspector2-enabler";
import type { Construct } from "constructs";
import type { BuildContext } from "../../lib/core/module";
import { securityAlertsModule } from "../security-alerts/module";
import type { SecurityExports } from "./exports";
import type { SecuritySettings } from "./settings";

interface Arns {
  partition: string;
  account: string;
}

export function buildSecurity(ctx: BuildContext<SecuritySettings>): SecurityExports {
  const { scope, settings } = ctx;
  const exports: { -readonly [K in keyof SecurityExports]: SecurityExports[K] } = {};
  let arns: Arns | undefined = settings.accountId ? { partition: partitionOf(ctx.study.region), account: settings.accountId } : undefined;

  // The trail is week 1's since the security alerts read its events; it exists whenever cloudTrail.enabled is.
  const trail = ctx.use(securityAlertsModule).trail;
  if (trail) {
    arns ??= trail.arns;
    Object.assign(exports, { trailArn: trail.trailArn, trailKey: trail.key, trailBucketName: trail.bucketName });
  }

  if (settings.guardDuty.enabled) {
    const detector = buildGuardDuty(scope, ctx);
    arns ??= { partition: partitionOf(ctx.study.region), account: detector.accountId };
    exports.guardDutyDetectorId = detector.id;
  }

  if (settings.inspector.enabled) {
    // validate() guarantees an account source when Inspector is on.
    new Inspector2Enabler(scope, "inspector", { accountIds: [arns!.account], resourceTypes: [...settings.inspector.resourceTypes] });
  }

  if (settings.learners.enabled) exports.learnerGroupName = buildLearners(scope, ctx);
  return exports;
}

/** Only the partition is fixed by the region; everything else about an ARN comes from AWS. */
function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

function buildGuardDuty(scope: Construct, ctx: BuildContext<SecuritySettings>): GuarddutyDetector {
  const { guardDuty } = ctx.settings;
  // Protection plans are set one by one with detector features; the detector's `datasources` block is deprecated.
  const detector = new GuarddutyDetector(scope, "guardduty", { enable: true, findingPublishingFrequency: guardDuty.findingPublishingFrequency });
  const status = (on: boolean) => (on ? "ENABLED" : "DISABLED");
  new GuarddutyDetectorFeature(scope, "guardduty-eks-audit-logs", { detectorId: detector.id, name: "EKS_AUDIT_LOGS", status: status(guardDuty.eksAuditLogs) });
  // RUNTIME_MONITORING supersedes EKS_RUNTIME_MONITORING (AWS refuses both at once); the EKS add-on
  // carrying the agent is managed by GuardDuty, the EC2 and Fargate agents are left off.
  new GuarddutyDetectorFeature(scope, "guardduty-runtime-monitoring", {
    detectorId: detector.id,
    name: "RUNTIME_MONITORING",
    status: status(guardDuty.runtimeMonitoring),
    additionalConfiguration: [
      { name: "EKS_ADDON_MANAGEMENT", status: status(guardDuty.runtimeMonitoring) },
      { name: "ECS_FARGATE_AGENT_MANAGEMENT", status: "DISABLED" },
      { name: "EC2_AGENT_MANAGEMENT", status: "DISABLED" },
    ],
  });
  new GuarddutyDetectorFeature(scope, "guardduty-s3-data-events", { detectorId: detector.id, name: "S3_DATA_EVENTS", status: status(guardDuty.s3DataEvents) });
  new GuarddutyDetectorFeature(scope, "guardduty-ebs-malware-protection", { detectorId: detector.id, name: "EBS_MALWARE_PROTECTION", status: status(guardDuty.malwareProtection) });
  ctx.output("guardduty_detector_id", detector.id, "GuardDuty detector; findings are in the GuardDuty console of this region");
  return detector;
}

/**
 * AWS's documented "self-manage MFA" policy: a learner may set up their own MFA device and password;
 * everything else is denied until they sign in with MFA. `$${aws:username}` is Terraform's escape for
 * the IAM policy variable `${aws:username}`.
 */
export const REQUIRE_MFA_POLICY = {
  Version: "2012-10-17",
  Statement: [
    { Sid: "AllowViewAccountInfo", Effect: "Allow", Action: ["iam:GetAccountPasswordPolicy", "iam:ListVirtualMFADevices"], Resource: "*" },
    { Sid: "AllowManageOwnPasswords", Effect: "Allow", Action: ["iam:ChangePassword", "iam:GetUser"], Resource: "arn:aws:iam::*:user/$${aws:username}" },
    { Sid: "AllowManageOwnVirtualMFADevice", Effect: "Allow", Action: ["iam:CreateVirtualMFADevice"], Resource: "arn:aws:iam::*:mfa/*" },
    {
      Sid: "AllowManageOwnUserMFA",
      Effect: "Allow",
      Action: ["iam:DeactivateMFADevice", "iam:EnableMFADevice", "iam:ListMFADevices", "iam:ResyncMFADevice"],
      Resource: "arn:aws:iam::*:user/$${aws:username}",
    },
    {
      Sid: "DenyAllExceptListedIfNoMFA",
      Effect: "Deny",
      NotAction: ["iam:CreateVirtualMFADevice", "iam:EnableMFADevice", "iam:GetUser", "iam:ChangePassword", "iam:ListMFADevices", "iam:ListVirtualMFADevices", "iam:ResyncMFADevice", "sts:GetSessionToken"],
      Resource: "*",
      Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
    },
  ],
};

/**
 * A construct id for an IAM user name: IAM allows + = , . @ which construct ids do not, so each becomes
 * _x<hex code>_ (`kim.lee` is `kim_x2e_lee`), and `kim.lee` and `kim_lee` stay two users; names of
 * letters, digits, - and _ keep the ids they always had.
 */
function constructIdOf(name: string): string {
  return name.replace(/[^\w-]/g, (c) => `_x${c.charCodeAt(0).toString(16)}_`);
}

function buildLearners(scope: Construct, ctx: BuildContext<SecuritySettings>): string {
  const { learners } = ctx.settings;
  const group = new IamGroup(scope, "learners", { name: ctx.name(learners.groupName) });
  new IamGroupPolicy(scope, "learners-require-mfa", { name: "require-mfa", group: group.name, policy: JSON.stringify(REQUIRE_MFA_POLICY) });
  learners.policyArns.forEach((arn, i) => new IamGroupPolicyAttachment(scope, `learners-policy-${i}`, { group: group.name, policyArn: arn }));
  const users = learners.users.map((name) => new IamUser(scope, `learner-${constructIdOf(name)}`, { name, forceDestroy: true, tags: { Learner: name } }));
  new IamGroupMembership(scope, "learners-membership", { name: ctx.name(`${learners.groupName}-membership`), group: group.name, users: users.map((u) => u.name) });
  if (learners.consoleAccess) {
    const profiles = users.map((user, i) => new IamUserLoginProfile(scope, `learner-login-${constructIdOf(learners.users[i])}`, { user: user.name, passwordResetRequired: true, passwordLength: 20, lifecycle: { ignoreChanges: ["password_reset_required", "password_length"] } }));
    // Sensitive: Terraform shows them only on `terraform output -json learner_initial_passwords`.
    ctx.output(
      "learner_initial_passwords",
      Object.fromEntries(profiles.map((p, i) => [learners.users[i], p.password])),
      {
        en: "First sign-in passwords of the learner IAM users (each must change it at first sign-in and set up MFA)",
        ko: "학습자 IAM 사용자의 첫 로그인 비밀번호 (첫 로그인 때 바꾸고 MFA를 설정해야 함)",
      },
      { sensitive: true },
    );
  }
  if (learners.passwordPolicy) {
    new IamAccountPasswordPolicy(scope, "password-policy", {
      minimumPasswordLength: 14,
      requireLowercaseCharacters: true,
      requireUppercaseCharacters: true,
      requireNumbers: true,
      requireSymbols: true,
      allowUsersToChangePassword: true,
      maxPasswordAge: 90,
      passwordReusePrevention: 24,
    });
  }
  ctx.output("learner_group_name", group.name, "IAM group of the learners; nothing but MFA setup works until they sign in with MFA");
  return group.name;
}
