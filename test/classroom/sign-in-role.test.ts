/**
 * Learners' sign-in without IAM Identity Center (`classroom.accounts.signInRole`): an IAM user per learner
 * in the management account (password and MFA, no keys) that may assume only `<project>-learner` in the
 * account its tag names, and a service-managed CloudFormation StackSet that puts that role in every account
 * of the class's OU. Planned offline by real Terraform; the sheet's commands read in order through bash -n.
 */
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { CHROMIUM_PATH, openChromium } from "../support/browser";
import { bashSyntaxErrors, codeBlocks } from "../support/markdown";
import { planStackOffline, type PlanResult } from "../support/terraform";
import type { Synthesized } from "../support/synth";
import { refusedClassSynth, synthClass } from "./roster";

const ROSTER = "id,name,email,accountId\nkim,Kim Minji,minji@example.com,111111111111\nlee,\"Lee, Junho\",junho@example.com,222222222222\npark,Park Seoyeon,seoyeon@example.com,\n";
const STATE = { backend: "s3", bucket: "devops-weeks-tfstate-123456789012" };
const ORG = "devops-weeks-organization";
type Json = Record<string, any>;

function config(accounts: Record<string, unknown>): Record<string, unknown> {
  return { state: STATE, classroom: { isolation: "account", accounts: { parentId: "r-ab12", signInRole: true, ...accounts } } };
}

const refusal = refusedClassSynth;

describe("a class without Identity Center whose learners apply their own stacks", () => {
  let synthesized: Synthesized;
  let org: Json;
  beforeAll(() => {
    synthesized = synthClass(ROSTER, config({ learnersApply: true }));
    org = JSON.parse(readFileSync(join(synthesized.stackDir(ORG), "cdk.tf.json"), "utf8")) as Json;
  });

  test("each learner is an IAM user of the management account, tagged with their own account, in a group that may assume only that account's learner role with MFA", () => {
    const users = org.resource.aws_iam_user as Json;
    expect(Object.keys(users).sort()).toEqual(["sign-in-kim", "sign-in-lee", "sign-in-park"]);
    expect(users["sign-in-kim"]).toMatchObject({ name: "devops-weeks-kim", path: "/devops-weeks/", tags: { Learner: "kim", LearnerAccount: "${aws_organizations_account.account-kim.id}" } });
    // No access key and no password in state: the instructor sets a first password.
    expect(org.resource.aws_iam_access_key).toBeUndefined();
    expect(org.resource.aws_iam_user_login_profile).toBeUndefined();
    const policies = org.resource.aws_iam_group_policy as Json;
    const own = JSON.parse(policies["learners-sign-in-own-account"].policy) as { Statement: Json[] };
    // As Terraform writes it ($${ is its escape): IAM reads the policy variable ${aws:PrincipalTag/LearnerAccount}.
    expect(own.Statement).toEqual([{ Sid: "AssumeTheLearnerRoleOfOwnAccount", Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::$${aws:PrincipalTag/LearnerAccount}:role/devops-weeks-learner", Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } }]);
    const self = JSON.parse(policies["learners-sign-in-self-service"].policy) as { Statement: Json[] };
    expect(self.Statement.map((s) => s.Sid)).toContain("DenyAllButMfaSetupWithoutMfa");
    expect(Object.values(org.resource.aws_iam_group_policy_attachment as Json).map((a) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/SignInLocalDevelopmentAccess"]);
    expect(org.resource.aws_identitystore_user).toBeUndefined();
  });

  test("a service-managed StackSet puts the learner role in every account of the class's OU, trusting only the user tagged with that account", () => {
    const stackSet = (org.resource.aws_cloudformation_stack_set as Json)["learner-role-stack-set"];
    expect(stackSet).toMatchObject({ name: "devops-weeks-learner-role", permission_model: "SERVICE_MANAGED", auto_deployment: { enabled: true, retain_stacks_on_account_removal: false }, capabilities: ["CAPABILITY_NAMED_IAM"], lifecycle: { ignore_changes: ["administration_role_arn"] } });
    expect(stackSet.parameters.ManagementAccountId).toBe('${element(split(":", aws_iam_group.learners-sign-in.arn), 4)}');
    // Terraform's escapes undone, the template is CloudFormation's own JSON.
    const template = JSON.parse((stackSet.template_body as string).replace(/\$\$\{/g, "${")) as Json;
    const role = template.Resources.LearnerRole.Properties;
    expect(role).toMatchObject({ RoleName: "devops-weeks-learner", MaxSessionDuration: 28800, ManagedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] });
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Sid: "TheLearnerOfThisAccountWithMfa",
        Effect: "Allow",
        Principal: { AWS: { "Fn::Sub": "arn:aws:iam::${ManagementAccountId}:root" } },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:PrincipalTag/LearnerAccount": { Ref: "AWS::AccountId" } },
          ArnLike: { "aws:PrincipalArn": { "Fn::Sub": "arn:aws:iam::${ManagementAccountId}:user/devops-weeks/*" } },
          Bool: { "aws:MultiFactorAuthPresent": "true" },
        },
      },
    ]);
    const instance = (org.resource.aws_cloudformation_stack_set_instance as Json)["learner-role-in-class-unit"];
    expect(instance).toMatchObject({ stack_set_name: "${aws_cloudformation_stack_set.learner-role-stack-set.name}", deployment_targets: { organizational_unit_ids: ["${aws_organizations_organizational_unit.class-unit.id}"] }, region: "ap-northeast-2" });
  });

  test("the guardrails keep the learner role as the StackSet made it: only the instructor's role and the StackSet's may change it", () => {
    const statements = Object.values(org.resource.aws_organizations_policy as Json).flatMap((p) => JSON.parse(p.content).Statement as Json[]);
    const learnerRole = statements.find((s) => s.Sid === "DenyChangingLearnerRole")!;
    expect(learnerRole.Resource).toBe("arn:aws:iam::*:role/devops-weeks-learner");
    expect(learnerRole.Condition).toEqual({ ArnNotLike: { "aws:PrincipalARN": ["arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/stacksets-exec-*"] } });
  });

  test("a learner's sheet: the console's switch, then aws login and the role with MFA, then credentials Terraform can read, then the apply; every block passes bash -n", () => {
    for (const lang of ["en", "ko"]) {
      const sheet = readFileSync(join(synthesized.outdir, "runbooks", lang, "learners", "kim.md"), "utf8");
      expect(sheet).toContain("https://signin.aws.amazon.com/switchrole?roleName=devops-weeks-learner&account=111111111111&displayName=kim");
      const blocks = codeBlocks(sheet);
      expect(bashSyntaxErrors(blocks)).toEqual([]);
      const setup = blocks.findIndex((b) => b.startsWith("aws login --profile devops-weeks-kim-sign-in\naws configure set profile.devops-weeks-kim.source_profile devops-weeks-kim-sign-in"));
      const apply = blocks.findIndex((b) => b.includes("terraform -chdir=out/stacks/devops-weeks-kim apply"));
      expect(setup).toBeGreaterThanOrEqual(0);
      expect(apply).toBeGreaterThan(setup);
      expect(blocks[setup]).toContain("aws configure set profile.devops-weeks-kim.role_arn arn:aws:iam::111111111111:role/devops-weeks-learner");
      expect(blocks[setup]).toMatch(/mfa_serial "\$\(aws iam list-mfa-devices --profile devops-weeks-kim-sign-in --query 'MFADevices\[0\]\.SerialNumber' --output text\)"/);
      // The block's first line, before any terraform: Terraform cannot ask for an MFA code, so it reads exported credentials.
      expect(blocks[apply].split("\n")[0]).toMatch(/^eval "\$\(aws configure export-credentials --profile devops-weeks-kim --format env\)"/);
      expect(sheet).not.toContain("source_profile default");
      expect(sheet).not.toContain("aws sso login");
    }
  });

  describe("planned offline by real Terraform", () => {
    let plan: PlanResult;
    beforeAll(() => {
      plan = planStackOffline(synthesized.stackDir(ORG));
    }, 240_000);

    test("the users, their group, the StackSet and its instance on the OU plan with the accounts", () => {
      expect(plan.byType("aws_iam_user")).toHaveLength(3);
      expect(plan.byType("aws_iam_user_group_membership")).toHaveLength(3);
      expect(plan.byType("aws_cloudformation_stack_set")).toHaveLength(1);
      expect(plan.byType("aws_cloudformation_stack_set_instance")).toHaveLength(1);
      expect(plan.byType("aws_organizations_account")).toHaveLength(3);
    });
  });
});

describe("signInRole without learnersApply", () => {
  test("the learner role only looks and operates (PowerUserAccess), and the learner's guides keep Terraform the instructor's", () => {
    const synthesized = synthClass(ROSTER, config({}));
    const stackSet = synthesized.resources(ORG, "aws_cloudformation_stack_set")["learner-role-stack-set"];
    expect((stackSet.template_body as string)).toContain('"ManagedPolicyArns":["arn:aws:iam::aws:policy/PowerUserAccess"]');
    const sheet = readFileSync(join(synthesized.outdir, "runbooks", "en", "learners", "kim.md"), "utf8");
    expect(sheet).toContain("aws login --profile devops-weeks-kim-sign-in");
    expect(sheet).not.toMatch(/Applying week by week|export-credentials/);
    expect(readFileSync(join(synthesized.outdir, "runbooks", "en", "learners", "kim", "week-01.md"), "utf8")).toMatch(/The instructor runs this/);
  });

  test("is refused beside Identity Center, and in tag isolation", () => {
    const both = refusal(ROSTER, config({ identityCenter: { instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef", identityStoreId: "d-0123456789" } }));
    expect(both.lines.join("\n")).toMatch(/classroom\.accounts\.signInRole = true is not valid; expected false or no value with classroom\.accounts\.identityCenter: one way in/);
    expect(both.untouched).toBe(true);
    const tag = refusal("id,name,email\nkim,Kim,kim@example.com\n", { classroom: { accounts: { signInRole: true } } });
    expect(tag.lines.join("\n")).toMatch(/classroom\.accounts\.signInRole = true is not valid; expected no value with classroom\.isolation tag/);
    expect(tag.untouched).toBe(true);
  });
});

describe("the sign-in sheet in the browser, with a hostile learner name", () => {
  test("the page runs nothing injected, keeps the switch-role link whole, and shows the sign-in commands as code", async () => {
    const hostile = `Kim <img src=x onerror="document.title='pwned'"> $(id)`;
    const roster = `id,name,email,accountId\nkim,"${hostile.replace(/"/g, '""')}",minji@example.com,111111111111\n`;
    const synthesized = synthClass(roster, config({ learnersApply: true }));
    expect(existsSync(CHROMIUM_PATH), `Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`).toBe(true);
    const browser = await openChromium();
    try {
      const page = browser.page;
      for (const lang of ["en", "ko"]) {
        await page.goto(pathToFileURL(join(synthesized.outdir, "runbooks", lang, "learners", "kim.html")).href);
        expect(await page.title()).not.toBe("pwned");
        expect(await page.locator("img[onerror]").count()).toBe(0);
        expect(await page.locator("h1").innerText()).toContain("<img src=x");
        const hrefs = await page.locator('a[href^="https://signin.aws.amazon.com/switchrole"]').evaluateAll((links) => links.map((a) => a.getAttribute("href")));
        expect(hrefs).toEqual(["https://signin.aws.amazon.com/switchrole?roleName=devops-weeks-learner&account=111111111111&displayName=kim"]);
        const code = await page.locator("pre code").allInnerTexts();
        expect(code.some((text) => text.startsWith("aws login --profile devops-weeks-kim-sign-in"))).toBe(true);
        expect(code.some((text) => text.includes("terraform -chdir=out/stacks/devops-weeks-kim apply"))).toBe(true);
      }
    } finally {
      await browser.close();
    }
  }, 120_000);
});
