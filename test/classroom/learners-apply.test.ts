/**
 * Learners applying their own stacks (`classroom.accounts.learnersApply`, with isolation account): each
 * learner signs in to their own account through Identity Center and applies week by week; their state stays
 * in the class's bucket, under their own keys only; the instructor, the CodeBuild batch and the lease reach
 * the same stacks through OrganizationAccountAccessRole when Terraform's variable asks for it. Planned
 * offline by real Terraform with the variable at its default, as the learner's own apply runs it.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { bashSyntaxErrors, codeBlocks } from "../support/markdown";
import { planStackOffline, type PlanResult } from "../support/terraform";
import { synthConfig, type Synthesized } from "../support/synth";
import { refusedClassSynth, synthClass } from "./roster";

const ROSTER = "id,name,email,accountId\nkim,Kim Minji,minji@example.com,111111111111\nkimberly,Kim Berly,berly@example.com,333333333333\npark,Park Seoyeon,seoyeon@example.com,\n";
const IDENTITY_CENTER = { instanceArn: "arn:aws:sso:::instance/ssoins-0123456789abcdef", identityStoreId: "d-0123456789" };
const STATE = { backend: "s3", bucket: "devops-weeks-tfstate-123456789012" };
const LEARNERS_APPLY = {
  state: STATE,
  classroom: { isolation: "account", accounts: { parentId: "r-ab12", identityCenter: IDENTITY_CENTER, learnersApply: true }, applyOnCodeBuild: { enabled: true }, applyOnGitHubActions: { enabled: true, repository: "teacher/devops-class" } },
};
const ROLE = "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole";

type Json = Record<string, any>;

function readJson(path: string): Json {
  return JSON.parse(readFileSync(path, "utf8")) as Json;
}

const refusal = refusedClassSynth;

describe("a class whose learners apply their own stacks, weeks 1, 6 and 10", () => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthClass(ROSTER, LEARNERS_APPLY, { weeks: "1,6,10" });
  });
  const stack = (name: string) => readJson(join(synthesized.stackDir(name), "cdk.tf.json"));

  test("the learners' providers assume the instructor's role only when Terraform's variable asks, never by default", () => {
    const aws = stack("devops-weeks-kim");
    expect(aws.variable.act_through_instructor_role).toMatchObject({ type: "bool", default: false });
    expect(aws.provider.aws[0].assume_role).toEqual([{ role_arn: `\${var.act_through_instructor_role ? "${ROLE}" : ""}`, session_name: "devops-weeks-kim" }]);
    const k8s = stack("devops-weeks-kim-k8s");
    expect(k8s.variable.act_through_instructor_role).toMatchObject({ type: "bool", default: false });
    expect(k8s.provider.aws[0].assume_role[0].role_arn).toContain("var.act_through_instructor_role ?");
    // The cluster's token: the learner's own, or with the variable the assumed role's.
    const args = k8s.provider.kubernetes[0].exec[0].args as string;
    expect(args).toMatch(/^\$\{concat\(\["eks", "get-token", "--cluster-name", "devops-weeks-kim-eks", "--region", "ap-northeast-2"\], var\.act_through_instructor_role \? \["--role-arn", "arn:aws:iam::111111111111:role\/OrganizationAccountAccessRole"\] : \[\]\)\}$/);
    expect(k8s.provider.helm[0].kubernetes.exec.args).toBe(args);
  });

  test("the class's bucket lets each learner's account reach its own two stacks' state, and no one else's", () => {
    const policy = JSON.parse(stack("devops-weeks-bootstrap").resource.aws_s3_bucket_policy["state-policy"].policy) as { Statement: Json[] };
    const byPrincipal = (account: string) => policy.Statement.filter((s) => s.Effect === "Allow" && JSON.stringify(s.Principal).includes(`arn:aws:iam::${account}:root`));
    const objects = (account: string) => byPrincipal(account).filter((s) => s.Action !== "s3:ListBucket").flatMap((s) => s.Resource as string[]);
    expect(objects("111111111111")).toEqual(["${aws_s3_bucket.state.arn}/devops-weeks/devops-weeks-kim/*", "${aws_s3_bucket.state.arn}/devops-weeks/devops-weeks-kim-k8s/*"]);
    // kim's grant is by folder, so it does not reach kimberly's, whose id starts the same.
    expect(objects("333333333333")).toEqual(["${aws_s3_bucket.state.arn}/devops-weeks/devops-weeks-kimberly/*", "${aws_s3_bucket.state.arn}/devops-weeks/devops-weeks-kimberly-k8s/*"]);
    for (const s of byPrincipal("111111111111")) expect(s.Action === "s3:ListBucket" || (s.Action as string[]).every((a) => ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"].includes(a))).toBe(true);
    // park's account does not exist yet: a principal AWS cannot find would make the whole policy invalid.
    expect(JSON.stringify(policy)).not.toMatch(/devops-weeks-park/);
    expect(policy.Statement[0].Sid).toBe("DenyInsecureTransport");
  });

  test("learners get a permission set that can create the stacks' IAM roles, and guardrails their own destroy can live with", () => {
    const org = stack("devops-weeks-organization");
    expect(Object.values(org.resource.aws_ssoadmin_managed_policy_attachment as Json).map((a) => a.managed_policy_arn)).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess"]);
    const sids = Object.values(org.resource.aws_organizations_policy as Json).flatMap((p) => (JSON.parse(p.content).Statement as Json[]).map((s) => s.Sid));
    expect(sids).toEqual(expect.arrayContaining(["DenyOtherRegions", "DenyLargeInstanceTypes", "DenyLeavingOrganization", "DenyChangingInstructorRole", "DenyRootUser", "DenyReservationsAndSavingsPlans"]));
    // A learner's terraform destroy removes their own trail and week 10's detector: a deny on that would stop it halfway.
    expect(sids.filter((sid) => /^DenyStopping/.test(sid))).toEqual([]);
  });

  test("week 10's account-wide services are in each learner's own stack, one per account", () => {
    const resources = stack("devops-weeks-kim").resource as Json;
    expect(Object.keys(resources.aws_guardduty_detector ?? {})).toHaveLength(1);
    expect(Object.keys(stack("devops-weeks-kimberly").resource.aws_guardduty_detector ?? {})).toHaveLength(1);
  });

  test("the class-wide builds, GitHub's jobs and the lease act through the instructor's role", () => {
    const buildspec = parse(readFileSync(join(synthesized.outdir, "codebuild", "class-buildspec.yml"), "utf8")) as Json;
    expect(buildspec.env.variables.TF_VAR_act_through_instructor_role).toBe("true");
    const workflow = parse(readFileSync(join(synthesized.outdir, "github", "class-applies.yml"), "utf8")) as Json;
    expect(Object.values(workflow.jobs as Json).map((job) => job.env.TF_VAR_act_through_instructor_role)).toEqual(["true"]);
  });

  test("a learner's sheet says how to sign in, then how to apply, in that order, and every command passes bash -n", () => {
    for (const lang of ["en", "ko"]) {
      const sheet = readFileSync(join(synthesized.outdir, "runbooks", lang, "learners", "kim.md"), "utf8");
      const blocks = codeBlocks(sheet);
      expect(bashSyntaxErrors(blocks)).toEqual([]);
      const configure = blocks.findIndex((b) => b.includes("sso_start_url https://d-0123456789.awsapps.com/start"));
      const login = blocks.findIndex((b) => b.startsWith("aws sso login --profile devops-weeks-kim\nexport AWS_PROFILE=devops-weeks-kim"));
      const apply = blocks.findIndex((b) => b.includes("terraform -chdir=out/stacks/devops-weeks-kim apply"));
      expect(configure).toBeGreaterThanOrEqual(0);
      expect(login).toBeGreaterThan(configure);
      expect(apply).toBeGreaterThan(login);
      expect(blocks[configure]).toContain("aws configure set profile.devops-weeks-kim.sso_account_id 111111111111");
      expect(blocks[configure]).toContain("aws configure set profile.devops-weeks-kim.sso_role_name devops-weeks-learner");
      // No role to assume from the management account: the profile is the learner's own sign-in.
      expect(sheet).not.toContain("source_profile default");
      // Their own guides mark nothing as the instructor's: Terraform and the cluster are theirs.
      const week1 = readFileSync(join(synthesized.outdir, "runbooks", lang, "learners", "kim", "week-01.md"), "utf8");
      expect(week1).toContain("terraform -chdir=out/stacks/devops-weeks-kim apply");
      expect(week1).not.toMatch(/The instructor runs this|강사가 실행/);
    }
    const park = readFileSync(join(synthesized.outdir, "runbooks", "en", "learners", "park.md"), "utf8");
    expect(park).toMatch(/Your account is being created/);
    expect(park).not.toContain("aws sso login");
  });

  describe("planned offline by real Terraform", () => {
    let learner: PlanResult;
    let bootstrap: PlanResult;
    beforeAll(() => {
      learner = planStackOffline(synthesized.stackDir("devops-weeks-kim"));
      bootstrap = planStackOffline(synthesized.stackDir("devops-weeks-bootstrap"));
    }, 300_000);

    test("a learner's stack plans with the variable at its default: Terraform evaluates the role to none", () => {
      expect(learner.byType("aws_vpc")).toHaveLength(1);
      expect(learner.byType("aws_eks_cluster")).toHaveLength(1);
      expect(learner.byType("aws_guardduty_detector")).toHaveLength(1);
    });

    test("the bootstrap stack plans the bucket policy with the learners' grants (its text waits for the bucket's ARN)", () => {
      expect(bootstrap.byType("aws_s3_bucket")).toHaveLength(1);
      expect(bootstrap.byType("aws_s3_bucket_policy")).toHaveLength(1);
      const written = JSON.parse(stack("devops-weeks-bootstrap").resource.aws_s3_bucket_policy["state-policy"].policy) as { Statement: Json[] };
      expect(written.Statement.map((s) => s.Sid)).toEqual(["DenyInsecureTransport", "LearnerAccountsListTheBucket", "StateOfkim111111111111", "StateOfkimberly333333333333"]);
    });
  });
});

describe("learnersApply refuses what would fail at apply", () => {
  const withAccounts = (accounts: Record<string, unknown>, rest: Record<string, unknown> = {}) => ({ state: STATE, ...rest, classroom: { isolation: "account", accounts: { parentId: "r-ab12", identityCenter: IDENTITY_CENTER, learnersApply: true, ...accounts } } });

  test("in tag isolation, where learners share one account", () => {
    const { lines, untouched } = refusal(ROSTER, { state: STATE, classroom: { accounts: { learnersApply: true } } });
    expect(lines.some((l) => /classroom\.accounts\.learnersApply = true is not valid; expected no value with classroom\.isolation tag/.test(l))).toBe(true);
    expect(untouched).toBe(true);
  });

  test("without Identity Center, the learners' way in", () => {
    const { lines, untouched } = refusal(ROSTER, withAccounts({ identityCenter: undefined }));
    expect(lines.some((l) => /classroom\.accounts\.identityCenter .*expected the organization's IAM Identity Center .* with classroom\.accounts\.learnersApply/.test(l))).toBe(true);
    expect(untouched).toBe(true);
  });

  test("with a permission set that cannot create IAM roles", () => {
    const { lines, untouched } = refusal(ROSTER, withAccounts({ identityCenter: { ...IDENTITY_CENTER, managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" } }));
    expect(lines.some((l) => l.includes('classroom.accounts.identityCenter.managedPolicyArn = "arn:aws:iam::aws:policy/PowerUserAccess" is not valid; expected a policy that can create IAM roles'))).toBe(true);
    expect(untouched).toBe(true);
  });

  test("with local state, which the instructor and the lease could not reach", () => {
    const { lines, untouched } = refusal(ROSTER, { ...withAccounts({}), state: { backend: "local" } });
    expect(lines.some((l) => /classroom\.accounts\.learnersApply = true is not valid; expected state\.backend: s3 with it/.test(l))).toBe(true);
    expect(untouched).toBe(true);
  });

  test("a class whose grants would not fit S3's bucket policy limit", () => {
    const rows = Array.from({ length: 90 }, (_, i) => `learner-${i},Learner ${i},l${i}@example.com,${String(100000000000 + i)}`);
    const { lines, untouched } = refusal(`id,name,email,accountId\n${rows.join("\n")}\n`, withAccounts({}));
    expect(lines.some((l) => /classroom\.roster = "90 learners with an accountId" is not valid; expected a class whose state bucket policy fits S3's 20,480 characters .*split the class/.test(l))).toBe(true);
    expect(untouched).toBe(true);
  });
});

describe("a learner's own synth (LEARNER=<id>)", () => {
  test("writes their stacks, sheet and guides only: no one else's, and none of the instructor's shared stacks or class files", () => {
    const synthesized = synthClass(ROSTER, LEARNERS_APPLY, { weeks: "1,6,10", learner: "kimberly" });
    expect(readdirSync(join(synthesized.outdir, "stacks")).sort()).toEqual(["devops-weeks-kimberly", "devops-weeks-kimberly-k8s"]);
    expect(existsSync(join(synthesized.outdir, "codebuild"))).toBe(false);
    expect(existsSync(join(synthesized.outdir, "github"))).toBe(false);
    expect(readdirSync(join(synthesized.outdir, "runbooks", "en", "learners")).sort()).toEqual(["kimberly", "kimberly.html", "kimberly.md"]);
    const sheet = readFileSync(join(synthesized.outdir, "runbooks", "en", "learners", "kimberly.md"), "utf8");
    expect(sheet).toContain("LEARNER=kimberly WEEKS=1 npx cdktf synth");
    // The same stack as the class's synth writes, byte for byte: the learner applies what the instructor's builds reach.
    const whole = synthClass(ROSTER, LEARNERS_APPLY, { weeks: "1,6,10" });
    for (const stack of ["devops-weeks-kimberly", "devops-weeks-kimberly-k8s"]) {
      expect(readFileSync(join(synthesized.stackDir(stack), "cdk.tf.json"), "utf8")).toBe(readFileSync(join(whole.stackDir(stack), "cdk.tf.json"), "utf8"));
    }
  });

  test("refuses an id the roster does not have, and LEARNER outside classroom mode, leaving out/ as it was", () => {
    const unknown = refusedClassSynth(ROSTER, LEARNERS_APPLY, { learner: "kimm" });
    expect(unknown.lines).toEqual([expect.stringMatching(/LEARNER \(environment variable\) = "kimm" is not valid; expected a learner id of the roster \(kim, kimberly, park\)/)]);
    expect(unknown.untouched).toBe(true);
    expect(() => synthConfig({}, { weeks: "1", learner: "kim" })).toThrow(/LEARNER \(environment variable\) = "kim" is not valid; expected no value without a classroom section/);
  });
});

describe("account isolation gives every learner the config's own VPC range: no pool to share", () => {
  test("two learners' VPCs are both network.vpcCidr, and the pool's settings are refused", () => {
    const synthesized = synthClass(ROSTER, { classroom: { isolation: "account", accounts: { parentId: "r-ab12" } } });
    for (const learner of ["kim", "kimberly"]) {
      expect(Object.values(synthesized.resources(`devops-weeks-${learner}`, "aws_vpc")).map((v) => v.cidr_block)).toEqual(["10.0.0.0/16"]);
    }
    const pool = refusal(ROSTER, { classroom: { isolation: "account", accounts: { parentId: "r-ab12" }, vpcCidrPool: "172.16.0.0/12", vpcPrefixLength: 20 } });
    expect(pool.lines).toEqual(expect.arrayContaining([expect.stringMatching(/classroom\.vpcCidrPool = "172\.16\.0\.0\/12" is not valid; expected no value with classroom\.isolation account/), expect.stringMatching(/classroom\.vpcPrefixLength = 20 is not valid/)]));
    expect(pool.untouched).toBe(true);
    const slot = refusal("id,name,email,accountId,slot\nkim,Kim,kim@example.com,111111111111,3\n", { classroom: { isolation: "account", accounts: { parentId: "r-ab12" } } });
    expect(slot.lines.join("\n")).toMatch(/row 2 slot = 3 is not valid; expected no slot with classroom\.isolation account/);
    expect(slot.untouched).toBe(true);
  });
});
