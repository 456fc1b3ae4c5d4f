/**
 * Classroom account isolation (`classroom.isolation: account`): an organization stack with the class's
 * OU, one member account per learner, the guardrail SCPs and a budget with a brake per account; the
 * learners' environments only once their account id is in the roster, each through a provider that
 * assumes the account's OrganizationAccountAccessRole. Planned offline by real Terraform (two stacks),
 * the SCPs checked against AWS's size limit, and the settings that contradict the isolation refused.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_ALLOWED_INSTANCE_TYPES, GLOBAL_SERVICE_ACTIONS, SCP_MAX_SIZE, scpContent, scpProblems, type GuardrailPolicy } from "../../lib/classroom/guardrails";
import { planStackOffline, type PlanResult } from "../support/terraform";
import type { Synthesized } from "../support/synth";
import { refusedClassSynth, synthClass } from "./roster";

const ROSTER = "id,name,email,accountId\nkim,Kim Minji,minji@example.com,111111111111\nlee,\"Lee, Junho\",junho@example.com,222222222222\npark,Park Seoyeon,seoyeon@example.com,\n";
const IDENTITY_CENTER = { instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef", identityStoreId: "d-0123456789" };
const ACCOUNT_MODE = { classroom: { isolation: "account", accounts: { parentId: "r-ab12", identityCenter: IDENTITY_CENTER }, budget: { instructorEmails: ["teacher@example.com"] } } };
const ORG = "devops-weeks-organization";

type Resources = Record<string, Record<string, unknown>>;

const refusal = refusedClassSynth;

describe("a class of three learners in account isolation, two of them with an account id", () => {
  let synthesized: Synthesized;
  let org: Record<string, Resources>;

  beforeAll(() => {
    synthesized = synthClass(ROSTER, ACCOUNT_MODE);
    org = synthesized.stack(ORG).resource as Record<string, Resources>;
  });

  test("writes the organization stack and the environments of the learners with an account, and says once who waits", () => {
    expect(readdirSync(join(synthesized.outdir, "stacks")).sort()).toEqual(["devops-weeks-kim", "devops-weeks-lee", ORG]);
    const notices = synthesized.log.filter((line) => line.includes("accountId"));
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/1 of 3 learners \(park\) have no accountId in the roster yet, so no environment stacks for them/);
    expect(notices[0]).toMatch(/terraform -chdir=out\/stacks\/devops-weeks-organization output -json account_ids/);
  });

  test("puts an OU under the configured root and one account per learner in it, never closed by a destroy", () => {
    const units = Object.values(org.aws_organizations_organizational_unit);
    expect(units).toHaveLength(1);
    expect(units[0]).toMatchObject({ name: "devops-weeks", parent_id: "r-ab12" });
    const accounts = org.aws_organizations_account;
    expect(Object.keys(accounts).sort()).toEqual(["account-kim", "account-lee", "account-park"]);
    expect(accounts["account-lee"]).toMatchObject({
      name: "devops-weeks-lee",
      email: "junho@example.com",
      parent_id: "${aws_organizations_organizational_unit.class-unit.id}",
      role_name: "OrganizationAccountAccessRole",
      close_on_deletion: false,
      lifecycle: { ignore_changes: ["role_name"] },
    });
  });

  test("attaches the guardrail SCPs to the OU, each a named statement per guardrail", () => {
    const policies = org.aws_organizations_policy;
    const attached = Object.values(org.aws_organizations_policy_attachment).map((a) => a.policy_id);
    expect(attached.sort()).toEqual(["${aws_organizations_policy.guardrail-0.id}", "${aws_organizations_policy.guardrail-1.id}"]);
    for (const attachment of Object.values(org.aws_organizations_policy_attachment)) expect(attachment.target_id).toBe("${aws_organizations_organizational_unit.class-unit.id}");
    const statements = ["guardrail-0", "guardrail-1"].flatMap((id) => {
      expect(policies[id].type).toBe("SERVICE_CONTROL_POLICY");
      return (JSON.parse(policies[id].content as string) as { Statement: { Sid: string }[] }).Statement;
    });
    expect(statements.map((s) => s.Sid)).toEqual([
      "DenyOtherRegions",
      "DenyLargeInstanceTypes",
      "DenyLeavingOrganization",
      "DenyChangingInstructorRole",
      "DenyStoppingCloudTrail",
      "DenyStoppingGuardDuty",
      "DenyStoppingConfig",
      "DenyRootUser",
      "DenyReservationsAndSavingsPlans",
    ]);
    const region = statements[0] as unknown as { NotAction: string[]; Condition: { StringNotEquals: { "aws:RequestedRegion": string[] } } };
    expect(region.Condition.StringNotEquals["aws:RequestedRegion"]).toEqual(["ap-northeast-2"]);
    for (const global of ["iam:*", "organizations:*", "route53:*", "cloudfront:*", "support:*", "sts:*", "budgets:*", "ce:*", "health:*"]) expect(region.NotAction).toContain(global);
    const types = (statements[1] as unknown as { Condition: { StringNotLike: { "ec2:InstanceType": string[] } } }).Condition.StringNotLike["ec2:InstanceType"];
    expect(types).toEqual(expect.arrayContaining([...DEFAULT_ALLOWED_INSTANCE_TYPES, "t3.micro", "t3.medium"]));
  });

  test("budgets each learner's account from the management account, and brakes it at 100 % with an SCP", () => {
    const budgets = org.aws_budgets_budget;
    expect(Object.keys(budgets).sort()).toEqual(["budget-kim", "budget-lee", "budget-park"]);
    expect(budgets["budget-kim"].cost_filter).toEqual([{ name: "LinkedAccount", values: ["${aws_organizations_account.account-kim.id}"] }]);
    const emails = (budgets["budget-kim"].notification as { subscriber_email_addresses: string[] }[])[0].subscriber_email_addresses;
    expect(emails).toEqual(["minji@example.com", "teacher@example.com"]);
    const action = org.aws_budgets_budget_action["budget-kim-brake"];
    expect(action).toMatchObject({
      action_type: "APPLY_SCP_POLICY",
      approval_model: "AUTOMATIC",
      action_threshold: { action_threshold_type: "PERCENTAGE", action_threshold_value: 100 },
      definition: { scp_action_definition: { policy_id: "${aws_organizations_policy.budget-brake.id}", target_ids: ["${aws_organizations_account.account-kim.id}"] } },
    });
    // The brake is attached by the action only, never to the OU.
    expect(Object.values(org.aws_organizations_policy_attachment).map((a) => a.policy_id)).not.toContain("${aws_organizations_policy.budget-brake.id}");
  });

  test("signs each learner in with Identity Center, the class's permission set assigned in their own account only", () => {
    expect(Object.values(org.aws_ssoadmin_permission_set)).toEqual([expect.objectContaining({ name: "devops-weeks-learner", instance_arn: IDENTITY_CENTER.instanceArn, session_duration: "PT8H" })]);
    expect(Object.values(org.aws_ssoadmin_managed_policy_attachment)[0].managed_policy_arn).toBe("arn:aws:iam::aws:policy/PowerUserAccess");
    expect(org.aws_identitystore_user["learner-lee"]).toMatchObject({ identity_store_id: "d-0123456789", user_name: "junho@example.com", display_name: "Lee, Junho", name: { given_name: "Junho", family_name: "Lee" } });
    expect(org.aws_ssoadmin_account_assignment["learner-lee-in-own-account"]).toMatchObject({
      principal_id: "${aws_identitystore_user.learner-lee.user_id}",
      principal_type: "USER",
      target_id: "${aws_organizations_account.account-lee.id}",
      target_type: "AWS_ACCOUNT",
    });
  });

  test("makes each learner's stack assume the role in their own account, with no instructor stack nor IAM users", () => {
    for (const [id, account] of [["kim", "111111111111"], ["lee", "222222222222"]]) {
      const providers = (synthesized.stack(`devops-weeks-${id}`).provider as { aws: { assume_role: { role_arn: string }[] }[] }).aws;
      for (const provider of providers) expect(provider.assume_role).toEqual([{ role_arn: `arn:aws:iam::${account}:role/OrganizationAccountAccessRole`, session_name: `devops-weeks-${id}` }]);
    }
    expect(existsSync(synthesized.stackDir("devops-weeks-instructor"))).toBe(false);
    expect(synthesized.result.classroom!.learners.map((l) => l.iamUserName)).toEqual([undefined, undefined, undefined]);
  });

  test("tells each learner, in their sheet, which account is theirs, how its budget brakes, and how to reach it", () => {
    const sheet = (lang: string, id: string) => readFileSync(join(synthesized.outdir, "runbooks", lang, "learners", `${id}.md`), "utf8");
    const kim = sheet("en", "kim");
    expect(kim).toMatch(/an AWS account of your own, `devops-weeks-kim` \(111111111111\)/);
    expect(kim).toMatch(/counted on your account\./);
    expect(kim).toContain("aws configure set profile.devops-weeks-kim.role_arn arn:aws:iam::111111111111:role/OrganizationAccountAccessRole");
    expect(kim).not.toMatch(/Learner=kim|IAM user/);
    expect(kim).toMatch(/choose the account `devops-weeks-kim`\nand `devops-weeks-learner`/);
    const park = sheet("en", "park");
    expect(park).toMatch(/Your account is being created/);
    expect(park).not.toMatch(/\.\/park\/index\.md|profile\./);
    expect(sheet("ko", "kim")).toMatch(/전용 AWS 계정 `devops-weeks-kim`\(111111111111\)/);
  });

  describe("planned offline by real Terraform", () => {
    let organization: PlanResult;
    let learner: PlanResult;
    beforeAll(() => {
      organization = planStackOffline(synthesized.stackDir(ORG));
      learner = planStackOffline(synthesized.stackDir("devops-weeks-kim"));
    }, 240_000);

    test("the organization stack plans the OU, the accounts, the SCPs and the budgets with their brakes", () => {
      expect(organization.byType("aws_organizations_organizational_unit")).toHaveLength(1);
      expect(organization.byType("aws_organizations_account")).toHaveLength(3);
      expect(organization.byType("aws_organizations_policy")).toHaveLength(3);
      expect(organization.byType("aws_organizations_policy_attachment")).toHaveLength(2);
      expect(organization.byType("aws_budgets_budget")).toHaveLength(3);
      expect(organization.byType("aws_budgets_budget_action").map((a) => a.values.action_type)).toEqual(["APPLY_SCP_POLICY", "APPLY_SCP_POLICY", "APPLY_SCP_POLICY"]);
      expect(organization.byType("aws_identitystore_user")).toHaveLength(3);
      expect(organization.byType("aws_ssoadmin_account_assignment")).toHaveLength(3);
    });

    test("a learner's stack plans in full, and keeps its role: only the verification override drops it", () => {
      expect(learner.byType("aws_vpc")).toHaveLength(1);
      expect(learner.byType("aws_instance")).toHaveLength(1);
      const written = JSON.parse(readFileSync(join(synthesized.stackDir("devops-weeks-kim"), "cdk.tf.json"), "utf8")) as { provider: { aws: { assume_role?: unknown }[] } };
      expect(written.provider.aws[0].assume_role).toBeDefined();
    });
  });
});

describe("the guardrail SCPs", () => {
  const policiesOf = (config: Record<string, unknown>) => {
    const synthesized = synthClass(ROSTER, config);
    return Object.values(synthesized.resources(ORG, "aws_organizations_policy")).map((p) => p.content as string);
  };

  test("are valid JSON, minified as sent, and within AWS's 5,120 characters, even widened", () => {
    const widened = policiesOf({
      ...ACCOUNT_MODE,
      classroom: { ...ACCOUNT_MODE.classroom, guardrails: { extraRegions: ["us-east-1", "us-west-2"], extraInstanceTypes: Array.from({ length: 40 }, (_, i) => `m${i}.xlarge`) } },
    });
    for (const content of [...policiesOf(ACCOUNT_MODE), ...widened]) {
      expect(() => JSON.parse(content)).not.toThrow();
      expect(JSON.stringify(JSON.parse(content))).toBe(content);
      expect(Buffer.byteLength(content)).toBeLessThanOrEqual(SCP_MAX_SIZE);
    }
  });

  test("a document over the limit, or with a repeated Sid, is refused by the check synth runs", () => {
    const statement = { Sid: "DenyEverything", Effect: "Deny" as const, NotAction: Array.from({ length: 400 }, (_, i) => `service${i}:*`), Resource: "*" };
    const big: GuardrailPolicy = { name: "devops-weeks-big", description: "", document: { Version: "2012-10-17", Statement: [statement] } };
    expect(scpContent(big).length).toBeGreaterThan(SCP_MAX_SIZE);
    expect(scpProblems([big])).toEqual([expect.objectContaining({ field: "classroom.guardrails (SCP devops-weeks-big)", expected: expect.stringMatching(/at most 5120 characters/) })]);
    const twice: GuardrailPolicy = { ...big, document: { Version: "2012-10-17", Statement: [{ ...statement, NotAction: ["a:*"] }, { ...statement, NotAction: ["b:*"] }] } };
    expect(scpProblems([twice])[0].expected).toMatch(/each with its own alphanumeric Sid/);
  });

  test("exempt the global services AWS's region-deny example lists", () => {
    for (const global of ["iam:*", "organizations:*", "route53:*", "cloudfront:*", "support:*", "sts:*", "budgets:*", "ce:*", "health:*"]) expect(GLOBAL_SERVICE_ACTIONS).toContain(global);
  });
});

describe("settings that contradict the isolation", () => {
  test("an email used by two learners (AWS wants one per account)", () => {
    const { lines, untouched } = refusal("id,name,email\nkim,Kim,kim@example.com\nlee,Lee,KIM@example.com\n", ACCOUNT_MODE);
    expect(lines).toEqual([expect.stringMatching(/roster\.csv: row 3 email = "KIM@example\.com" is not valid; expected an address used by one learner only \(row 2 has it already\)/)]);
    expect(untouched).toBe(true);
  });

  test("the id organization, whose stack name the organization stack has", () => {
    const { lines } = refusal("id,name,email\norganization,Org,org@example.com\n", ACCOUNT_MODE);
    expect(lines).toEqual([expect.stringMatching(/row 2 id = "organization" is not valid; expected an id other than organization with classroom\.isolation account/)]);
  });

  test("an account id that is not 12 digits, or that another learner has", () => {
    const { lines } = refusal("id,name,email,accountId\nkim,Kim,kim@example.com,12345\nlee,Lee,lee@example.com,111111111111\npark,Park,park@example.com,111111111111\n", ACCOUNT_MODE);
    expect(lines).toEqual([
      expect.stringMatching(/row 2 accountId = "12345" is not valid; expected the learner's 12-digit AWS account id/),
      expect.stringMatching(/row 4 accountId = "111111111111" is not valid; expected an account id used by one learner only \(row 3 has it already\)/),
    ]);
  });

  test("an instance-type allow-list that leaves out a type the config launches", () => {
    const { lines, untouched } = refusal(ROSTER, { ...ACCOUNT_MODE, eks: { nodeGroup: { instanceTypes: ["m5.large"] } }, classroom: { ...ACCOUNT_MODE.classroom, guardrails: { instanceTypes: ["t3.*"] } } });
    expect(lines).toEqual([expect.stringMatching(/study\.yaml: classroom\.guardrails\.instanceTypes = \["t3\.\*"\] is not valid; expected a list that allows every instance type the config launches.*missing: m5\.large \(eks\.nodeGroup\.instanceTypes\)/)]);
    expect(untouched).toBe(true);
  });

  test("account isolation without the OU's parent, or with IAM users", () => {
    const { lines, untouched } = refusal(ROSTER, { classroom: { isolation: "account", iamUsers: true } });
    expect(lines).toEqual([
      expect.stringMatching(/classroom\.accounts\.parentId = nothing is not valid; expected with classroom\.isolation account, the organization's root id \(r-ab12/),
      expect.stringMatching(/classroom\.iamUsers = true is not valid; expected false or no value with classroom\.isolation account/),
    ]);
    expect(untouched).toBe(true);
  });

  test("an OU's parent or Identity Center in tag isolation, which never uses them", () => {
    const { lines } = refusal(ROSTER, { classroom: { accounts: { parentId: "r-ab12", identityCenter: IDENTITY_CENTER } } });
    expect(lines).toEqual([
      expect.stringMatching(/classroom\.accounts\.parentId = "r-ab12" is not valid; expected no value with classroom\.isolation tag/),
      expect.stringMatching(/classroom\.accounts\.identityCenter = \{"instanceArn":.* is not valid; expected no value with classroom\.isolation tag/),
    ]);
  });
});

describe("tag isolation, the default", () => {
  test("ignores an accountId column and assumes no role", () => {
    const synthesized = synthClass(ROSTER);
    expect(readdirSync(join(synthesized.outdir, "stacks")).sort()).toEqual(["devops-weeks-instructor", "devops-weeks-kim", "devops-weeks-lee", "devops-weeks-park"]);
    const provider = (synthesized.stack("devops-weeks-kim").provider as { aws: Record<string, unknown>[] }).aws[0];
    expect(provider.assume_role).toBeUndefined();
    expect(synthesized.result.classroom!.learners.map((l) => l.iamUserName)).toEqual(["devops-weeks-kim", "devops-weeks-lee", "devops-weeks-park"]);
  });
});
