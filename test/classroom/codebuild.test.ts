/**
 * Class-wide applies on CodeBuild (`classroom.applyOnCodeBuild`): the project with its batch configuration
 * in the instructor stack (or the organization stack), planned offline by real Terraform; the buildspec
 * synth writes into out/, read by a YAML parser and checked against the shape of CodeBuild's batch
 * buildspec; the roles' policies; the script each build runs, against stand-ins for terraform and aws; and
 * the settings refused.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { beforeAll, describe, expect, test } from "vitest";
import { CODEBUILD_BUILDSPEC_PATH, CODEBUILD_SCRIPT_PATH, dealBuilds } from "../../lib/classroom/codebuild";
import { scpContent, scpProblems } from "../../lib/classroom/guardrails";
import { closedCoursePolicy, isCalendarDate, pastLeaseNotice, planLeases } from "../../lib/classroom/lease";
import { TERRAFORM_MINIMUM_VERSION } from "../../lib/state/backend";
import { planStackOffline, type PlanResult } from "../support/terraform";
import type { Synthesized } from "../support/synth";
import { refusedClassSynth, synthClass } from "./roster";

const TWO_LEARNERS = "id,name,email\nkim,Kim Minji,minji@example.com\nlee-2,\"Lee, Junho\",junho@example.com\n";
/** The same class, with Lee's lease ending a week before the class's. */
const TWO_LEASES = "id,name,email,leaseEndsOn\nkim,Kim Minji,minji@example.com,\nlee-2,\"Lee, Junho\",junho@example.com,2027-01-08\n";
const LEASE = { endsOn: "2027-01-15", timeZone: "Asia/Seoul" };
const FIXTURES = join(__dirname, "fixtures", "lease");
const BUCKET = "devops-weeks-tfstate-123456789012";
const S3_STATE = { state: { backend: "s3", bucket: BUCKET } };
const ON = { enabled: true, deployPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] };
const INSTRUCTOR = "devops-weeks-instructor";

interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource: string | string[];
}
const statementsOf = (policy: unknown) => (JSON.parse(policy as string) as { Statement: PolicyStatement[] }).Statement;
const list = (value: string | string[]) => (Array.isArray(value) ? value : [value]);

/**
 * The shape of a CodeBuild buildspec with a batch (build-spec-ref.html and batch-build-buildspec.html of
 * the CodeBuild User Guide): version 0.2, known top-level keys, phases of known names each with a list of
 * commands, and one batch type whose builds each have a unique identifier.
 */
function buildspecProblems(spec: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const allowedTop = new Set(["version", "run-as", "env", "proxy", "batch", "phases", "reports", "artifacts", "cache"]);
  for (const key of Object.keys(spec)) if (!allowedTop.has(key)) problems.push(`unknown top-level key ${key}`);
  if (spec.version !== 0.2) problems.push(`version ${String(spec.version)}, not 0.2`);
  const env = spec.env as { variables?: Record<string, unknown>; shell?: unknown } | undefined;
  for (const [name, value] of Object.entries(env?.variables ?? {})) if (typeof value !== "string") problems.push(`env variable ${name} is not a string`);
  const phases = spec.phases as Record<string, { commands?: unknown; "on-failure"?: unknown }> | undefined;
  if (!phases || Object.keys(phases).length === 0) problems.push("no phases");
  for (const [name, phase] of Object.entries(phases ?? {})) {
    if (!["install", "pre_build", "build", "post_build"].includes(name)) problems.push(`unknown phase ${name}`);
    if (!Array.isArray(phase.commands) || phase.commands.length === 0 || phase.commands.some((c) => typeof c !== "string")) problems.push(`phase ${name} without a list of commands`);
    if (phase["on-failure"] !== undefined && !["ABORT", "CONTINUE"].includes(phase["on-failure"] as string)) problems.push(`phase ${name} on-failure`);
  }
  const batch = spec.batch as Record<string, unknown> | undefined;
  if (!batch) return [...problems, "no batch"];
  const types = Object.keys(batch).filter((k) => ["build-list", "build-matrix", "build-graph", "build-fanout"].includes(k));
  if (types.length !== 1) problems.push(`batch types: ${types.join(",") || "none"}`);
  for (const key of Object.keys(batch)) if (!["fast-fail", "build-list", "build-matrix", "build-graph", "build-fanout"].includes(key)) problems.push(`unknown batch key ${key}`);
  const builds = (batch["build-list"] ?? []) as { identifier?: unknown; env?: { variables?: Record<string, unknown> }; "ignore-failure"?: unknown }[];
  const identifiers = builds.map((b) => b.identifier);
  if (identifiers.some((id) => typeof id !== "string" || !/^[A-Za-z0-9_]{1,127}$/.test(id))) problems.push(`identifiers ${identifiers.join(",")}`);
  if (new Set(identifiers).size !== identifiers.length) problems.push("identifiers repeated");
  return problems;
}

describe("a class of two learners with s3 state and applyOnCodeBuild on", () => {
  let synthesized: Synthesized;
  let buildspec: Record<string, unknown>;
  beforeAll(() => {
    synthesized = synthClass(TWO_LEASES, { ...S3_STATE, classroom: { applyOnCodeBuild: ON, lease: LEASE } });
    buildspec = parseYaml(readFileSync(join(synthesized.outdir, CODEBUILD_BUILDSPEC_PATH), "utf8")) as Record<string, unknown>;
  });

  test("writes a buildspec CodeBuild reads: version 0.2, phases, a build list of one build per learner stack", () => {
    expect(readFileSync(join(synthesized.outdir, CODEBUILD_BUILDSPEC_PATH), "utf8")).toMatch(/^# Generated by devops-weeks/);
    expect(buildspecProblems(buildspec)).toEqual([]);
    const builds = (buildspec.batch as { "build-list": { identifier: string; env: { variables: { STACKS: string } } }[] })["build-list"];
    expect(builds.map((b) => [b.identifier, b.env.variables.STACKS])).toEqual([
      ["learner_kim", "devops-weeks-kim"],
      ["learner_lee_2", "devops-weeks-lee-2"],
    ]);
    for (const build of builds) expect(existsSync(join(synthesized.stackDir(build.env.variables.STACKS), "cdk.tf.json"))).toBe(true);
    expect((buildspec.batch as Record<string, unknown>)["fast-fail"]).toBe(false);
  });

  test("installs the project's Terraform, checked against HashiCorp's signed checksums", () => {
    const install = ((buildspec.phases as Record<string, { commands: string[] }>).install.commands).join("\n");
    expect((buildspec.env as { variables: Record<string, string> }).variables.TERRAFORM_VERSION).toBe(TERRAFORM_MINIMUM_VERSION);
    expect(install).toContain(`releases.hashicorp.com/terraform/${TERRAFORM_MINIMUM_VERSION}/terraform_${TERRAFORM_MINIMUM_VERSION}_SHA256SUMS.sig`);
    expect(install).toMatch(/gpg --batch --status-fd 1 --verify .*VALIDSIG .* C874011F0AB405110D02105534365D9472D7468F\$/);
    expect(install).toMatch(/sha256sum -c -/);
    expect((buildspec.phases as Record<string, { "on-failure": string }>).install["on-failure"]).toBe("ABORT");
  });

  test("the project runs the batch from the uploaded zip, bounded, timed out, logged with a retention", () => {
    const project = Object.values(synthesized.resources(INSTRUCTOR, "aws_codebuild_project"))[0];
    expect(project).toMatchObject({
      name: "devops-weeks-class-applies",
      build_timeout: 120,
      source: { type: "S3", location: `${BUCKET}/devops-weeks/codebuild/out.zip`, buildspec: CODEBUILD_BUILDSPEC_PATH },
      build_batch_config: { restrictions: { maximum_builds_allowed: 10, compute_types_allowed: ["BUILD_GENERAL1_SMALL"] }, timeout_in_mins: 180 },
      environment: { compute_type: "BUILD_GENERAL1_SMALL", environment_variable: [{ name: "ACTION", value: "plan" }] },
    });
    expect(Object.values(synthesized.resources(INSTRUCTOR, "aws_cloudwatch_log_group"))[0]).toMatchObject({ name: "/aws/codebuild/devops-weeks-class-applies", retention_in_days: 30 });
  });

  test("the build role grants no wildcard action, names the state bucket, and cannot touch the instructor's state", () => {
    const policies = synthesized.resources(INSTRUCTOR, "aws_iam_role_policy");
    const build = statementsOf(policies["class-applies-role-policy"].policy);
    const batch = statementsOf(policies["class-applies-batch-role-policy"].policy);
    for (const statement of [...build, ...batch].filter((s) => s.Effect === "Allow")) {
      for (const action of list(statement.Action)) expect(action, statement.Sid).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
    }
    expect(build.filter((s) => s.Effect === "Allow").flatMap((s) => list(s.Resource)).filter((r) => r.includes(BUCKET)).length).toBeGreaterThan(3);
    expect(build.find((s) => s.Sid === "LearnerStacksState")!.Resource).toEqual([`arn:aws:s3:::${BUCKET}/devops-weeks/devops-weeks-*/terraform.tfstate`]);
    expect(list(build.find((s) => s.Sid === "NotTheOtherStacksState")!.Resource)).toContain(`arn:aws:s3:::${BUCKET}/devops-weeks/${INSTRUCTOR}/*`);
    expect(build.some((s) => list(s.Action).includes("sts:AssumeRole"))).toBe(false);
    expect(batch.flatMap((s) => list(s.Action)).sort()).toEqual(["codebuild:RetryBuild", "codebuild:StartBuild", "codebuild:StopBuild"]);
    const sizes = Object.values(policies).map((p) => (p.policy as string).length);
    expect(Math.max(...sizes)).toBeLessThan(10_240);
    const attached = Object.values(synthesized.resources(INSTRUCTOR, "aws_iam_role_policy_attachment"));
    expect(attached.map((a) => a.policy_arn)).toEqual(["arn:aws:iam::aws:policy/AdministratorAccess"]);
  });

  describe("planned offline by real Terraform", () => {
    let plan: PlanResult;
    beforeAll(() => {
      plan = planStackOffline(synthesized.stackDir(INSTRUCTOR));
    }, 120_000);

    test("the instructor stack plans the project, its roles, its log group and the leases' schedules", () => {
      expect(plan.byType("aws_codebuild_project").map((p) => p.values.name)).toEqual(["devops-weeks-class-applies"]);
      expect(plan.byType("aws_iam_role").map((r) => r.values.name).sort()).toEqual(["devops-weeks-class-applies-batch", "devops-weeks-class-applies-build", "devops-weeks-class-applies-lease"]);
      expect(plan.byType("aws_cloudwatch_log_group")).toHaveLength(1);
      expect(plan.byType("aws_scheduler_schedule").map((s) => s.values.schedule_expression).sort()).toEqual(["at(2027-01-08T00:00:00)", "at(2027-01-15T00:00:00)"]);
    });
  });

  test("a lease ends with a one-time schedule per day, starting the batch in destroy mode for that day's stacks only", () => {
    const schedules = synthesized.resources(INSTRUCTOR, "aws_scheduler_schedule");
    expect(Object.keys(schedules).sort()).toEqual(["lease-2027-01-08", "lease-2027-01-15"]);
    const lee = schedules["lease-2027-01-08"] as { schedule_expression_timezone: string; flexible_time_window: { mode: string }; target: { arn: string; input: string } };
    expect(lee.schedule_expression_timezone).toBe("Asia/Seoul");
    expect(lee.flexible_time_window.mode).toBe("OFF");
    expect(lee.target.arn).toBe("arn:aws:scheduler:::aws-sdk:codebuild:startBuildBatch");
    expect(JSON.parse(lee.target.input)).toEqual({
      ProjectName: "devops-weeks-class-applies",
      EnvironmentVariablesOverride: [
        { Name: "ACTION", Value: "destroy", Type: "PLAINTEXT" },
        { Name: "ONLY_STACKS", Value: "devops-weeks-lee-2", Type: "PLAINTEXT" },
      ],
    });
    const scheduler = statementsOf(synthesized.resources(INSTRUCTOR, "aws_iam_role_policy")["lease-scheduler-role-policy"].policy);
    expect(scheduler).toEqual([{ Sid: "StartTheBatch", Effect: "Allow", Action: "codebuild:StartBuildBatch", Resource: "${aws_codebuild_project.class-applies.arn}" }]);
  });
});

describe("each build's script", () => {
  /** Runs the generated script with stand-ins: terraform fails in the stack named `broken`, aws copies the report to a folder. */
  function runScript(outdir: string, stacks: string, action = "apply"): { status: number; reports: Record<string, string> } {
    const bin = mkdtempSync(join(tmpdir(), "devops-weeks-fake-bin-"));
    const reports = mkdtempSync(join(tmpdir(), "devops-weeks-reports-"));
    writeFileSync(join(bin, "terraform"), `#!/usr/bin/env bash\nif [[ "$PWD" == *broken* && "$1" != init ]]; then echo "Error: quota" >&2; exit 1; fi\necho "terraform $*"\n`);
    // aws s3 cp - s3://bucket/prefix/<action>/<stack>.txt: the report line into reports/<action>/<stack>.txt
    writeFileSync(join(bin, "aws"), `#!/usr/bin/env bash\nkey="\${4#s3://}"; mkdir -p "${reports}/$(dirname "$key")"; cat > "${reports}/$key"\n`);
    chmodSync(join(bin, "terraform"), 0o755);
    chmodSync(join(bin, "aws"), 0o755);
    mkdirSync(join(outdir, "stacks", "broken"), { recursive: true });
    let status = 0;
    try {
      execFileSync("bash", [CODEBUILD_SCRIPT_PATH], { cwd: outdir, env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, STACKS: stacks, ACTION: action, REPORT_URI: "s3://b/r", CODEBUILD_BUILD_ID: "p:1" }, stdio: "pipe" });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    const dir = join(reports, "b", "r", action);
    return { status, reports: Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), "utf8")])) };
  }

  test("reports every stack as ok or FAILED, carries on after a failure, and fails the build", () => {
    const synthesized = synthClass(TWO_LEARNERS, { ...S3_STATE, classroom: { applyOnCodeBuild: ON } });
    const { status, reports } = runScript(synthesized.outdir, "devops-weeks-kim broken devops-weeks-lee-2");
    expect(status).toBe(1);
    expect(Object.keys(reports).sort()).toEqual(["broken.txt", "devops-weeks-kim.txt", "devops-weeks-lee-2.txt"]);
    expect(reports["devops-weeks-kim.txt"]).toMatch(/^ok +devops-weeks-kim apply \d{4}-\d\d-\d\dT[\d:]+Z p:1\n$/);
    expect(reports["broken.txt"]).toMatch(/^FAILED +broken apply /);
    expect(reports["devops-weeks-lee-2.txt"]).toMatch(/^ok +devops-weeks-lee-2 apply /);
    expect(runScript(synthesized.outdir, "devops-weeks-kim", "destroy").status).toBe(0);
  });
});

describe("the lease's cleanup, against the AWS CLI's answers (test/classroom/fixtures/lease)", () => {
  test("moves a destroyed stack's account from the class's OU, leaves one already closed, and reports one elsewhere as FAILED", () => {
    const synthesized = synthClass(TWO_LEARNERS, { ...S3_STATE, classroom: { applyOnCodeBuild: ON } });
    const bin = mkdtempSync(join(tmpdir(), "devops-weeks-fake-bin-"));
    const reports = mkdtempSync(join(tmpdir(), "devops-weeks-reports-"));
    const calls = join(reports, "calls.log");
    writeFileSync(join(bin, "terraform"), "#!/usr/bin/env bash\necho terraform $*\n");
    writeFileSync(
      join(bin, "aws"),
      [
        "#!/usr/bin/env bash",
        `echo "$*" >> "${calls}"`,
        'case "$1 $2" in',
        `  "s3 cp") key="\${4#s3://}"; mkdir -p "${reports}/$(dirname "$key")"; cat > "${reports}/$key" ;;`,
        `  "organizations list-parents") cat "${FIXTURES}/list-parents-$4.json" ;;`,
        '  "organizations move-account") echo moved ;;',
        "  *) exit 254 ;;",
        "esac",
        "",
      ].join("\n"),
    );
    chmodSync(join(bin, "terraform"), 0o755);
    chmodSync(join(bin, "aws"), 0o755);
    for (const stack of ["p-a", "p-b", "p-c", "p-d"]) mkdirSync(join(synthesized.outdir, "stacks", stack), { recursive: true });
    let status = 0;
    try {
      execFileSync("bash", [CODEBUILD_SCRIPT_PATH], {
        cwd: synthesized.outdir,
        stdio: "pipe",
        env: {
          ...process.env,
          PATH: `${bin}:${process.env.PATH}`,
          ACTION: "destroy",
          STACKS: "p-a p-b p-c p-d",
          ONLY_STACKS: "p-a p-b p-c",
          CLOSE_ACCOUNTS: "p-a=111111111111 p-b=222222222222 p-c=333333333333",
          CLASS_UNIT_ID: "ou-ab12-11111111",
          CLOSED_UNIT_ID: "ou-ab12-99999999",
          REPORT_URI: "s3://b/r",
        },
      });
    } catch (error) {
      status = (error as { status: number }).status;
    }
    expect(status).toBe(1);
    const moves = readFileSync(calls, "utf8").split("\n").filter((line) => line.startsWith("organizations move-account"));
    expect(moves).toEqual(["organizations move-account --account-id 111111111111 --source-parent-id ou-ab12-11111111 --destination-parent-id ou-ab12-99999999"]);
    const report = (stack: string) => readFileSync(join(reports, "b", "r", "destroy", `${stack}.txt`), "utf8");
    expect(report("p-a")).toMatch(/^ok +p-a destroy/);
    expect(report("p-b")).toMatch(/^ok +p-b destroy/);
    expect(report("p-c")).toMatch(/^FAILED +p-c destroy/);
    // Not in ONLY_STACKS: its lease has not ended, so the build leaves it alone.
    expect(existsSync(join(reports, "b", "r", "destroy", "p-d.txt"))).toBe(false);
  });
});

describe("lease dates", () => {
  test("real calendar days only, grouped by day, the roster's cell before the class's", () => {
    expect(["2027-01-15", "2028-02-29"].map(isCalendarDate)).toEqual([true, true]);
    expect(["2027-02-29", "2027-13-01", "15/01/2027", "2027-1-5", ""].map(isCalendarDate)).toEqual([false, false, false, false, false]);
    const plan = planLeases([{ id: "a", awsStack: "p-a" }, { id: "b", awsStack: "p-b", leaseEndsOn: "2027-01-08" }, { id: "c", awsStack: "p-c" }], "2027-01-15", { timeZone: "UTC", project: "p" });
    expect(plan!.groups).toEqual([
      { date: "2027-01-08", stacks: ["p-b"], learnerIds: ["b"] },
      { date: "2027-01-15", stacks: ["p-a", "p-c"], learnerIds: ["a", "c"] },
    ]);
    expect(planLeases([{ id: "a", awsStack: "p-a" }], undefined, { timeZone: "UTC", project: "p" })).toBeUndefined();
  });

  test("a day in the past is reported, not refused: the output does not depend on the day synth runs", () => {
    const plan = planLeases([{ id: "a", awsStack: "p-a" }], "2027-01-15", { timeZone: "UTC", project: "p" });
    expect(pastLeaseNotice(plan, new Date("2027-01-10T12:00:00Z"))).toBeUndefined();
    expect(pastLeaseNotice(plan, new Date("2027-01-16T00:00:00Z"))).toMatch(/2027-01-15 \(p-a\) is before today \(2027-01-16, UTC\)/);
    const synthesized = synthClass(TWO_LEARNERS, { ...S3_STATE, classroom: { applyOnCodeBuild: ON, lease: { endsOn: "2020-01-01" } } });
    expect(synthesized.log.filter((line) => line.includes("before today"))).toHaveLength(1);
    expect(Object.keys(synthesized.resources(INSTRUCTOR, "aws_scheduler_schedule"))).toEqual(["lease-2020-01-01"]);
  });
});

describe("dealing the stacks to the builds", () => {
  test("one build per learner up to the concurrency, then every n-th learner per build, none left out", () => {
    const stackOf = (id: string) => `p-${id}`;
    expect(dealBuilds(["a", "b"], stackOf, 10).map((b) => b.stacks)).toEqual([["p-a"], ["p-b"]]);
    const dealt = dealBuilds(["a", "b", "c", "d", "e"], stackOf, 2);
    expect(dealt).toEqual([
      { identifier: "builds_1_of_2", stacks: ["p-a", "p-c", "p-e"] },
      { identifier: "builds_2_of_2", stacks: ["p-b", "p-d"] },
    ]);
  });

  test("a class larger than the concurrency gets exactly that many builds, within the batch's restriction", () => {
    const roster = `id,name,email\n${Array.from({ length: 5 }, (_, i) => `l${i},L ${i},l${i}@example.com`).join("\n")}\n`;
    const synthesized = synthClass(roster, { ...S3_STATE, classroom: { applyOnCodeBuild: { ...ON, concurrency: 2 } } });
    const spec = parseYaml(readFileSync(join(synthesized.outdir, CODEBUILD_BUILDSPEC_PATH), "utf8")) as { batch: { "build-list": { env: { variables: { STACKS: string } } }[] } };
    expect(spec.batch["build-list"]).toHaveLength(2);
    expect(spec.batch["build-list"].flatMap((b) => b.env.variables.STACKS.split(" ")).sort()).toEqual(["devops-weeks-l0", "devops-weeks-l1", "devops-weeks-l2", "devops-weeks-l3", "devops-weeks-l4"]);
    expect(Object.values(synthesized.resources(INSTRUCTOR, "aws_codebuild_project"))[0]).toMatchObject({ build_batch_config: { restrictions: { maximum_builds_allowed: 2 } } });
  });
});

describe("account isolation", () => {
  test("the project is in the organization stack, and its role may assume only the learners' OrganizationAccountAccessRole", () => {
    const roster = "id,name,email,accountId\nkim,Kim Minji,minji@example.com,111111111111\nlee,Lee Junho,junho@example.com,\n";
    const synthesized = synthClass(roster, { ...S3_STATE, classroom: { isolation: "account", accounts: { parentId: "r-ab12" }, applyOnCodeBuild: { enabled: true }, lease: { endsOn: "2027-01-15" } } });
    const org = "devops-weeks-organization";
    expect(readdirSync(join(synthesized.outdir, "stacks")).sort()).toEqual(["devops-weeks-bootstrap", "devops-weeks-kim", org]);
    expect(Object.keys(synthesized.resources(org, "aws_codebuild_project"))).toEqual(["class-applies"]);
    const build = statementsOf(synthesized.resources(org, "aws_iam_role_policy")["class-applies-role-policy"].policy);
    const assume = build.filter((s) => list(s.Action).includes("sts:AssumeRole"));
    expect(assume).toHaveLength(1);
    expect(assume[0].Resource).toEqual(["arn:aws:iam::${aws_organizations_account.account-kim.id}:role/OrganizationAccountAccessRole"]);
    expect(Object.keys(synthesized.resources(org, "aws_iam_role_policy_attachment"))).toEqual([]);

    // The lease: a closed-course OU beside the class's, under an SCP of reading and billing, and the move into it.
    const units = synthesized.resources(org, "aws_organizations_organizational_unit");
    expect(units["closed-course-unit"]).toMatchObject({ name: "devops-weeks-closed", parent_id: "r-ab12" });
    expect(synthesized.resources(org, "aws_organizations_policy_attachment")["closed-course-on-unit"]).toMatchObject({ target_id: "${aws_organizations_organizational_unit.closed-course-unit.id}" });
    const move = build.find((s) => s.Sid === "CloseTheCourse")!;
    expect(move.Action).toBe("organizations:MoveAccount");
    expect(move.Resource).toEqual(["${aws_organizations_organizational_unit.class-unit.arn}", "${aws_organizations_organizational_unit.closed-course-unit.arn}", "arn:aws:organizations::*:account/o-*/*"]);
    const input = JSON.parse((synthesized.resources(org, "aws_scheduler_schedule")["lease-2027-01-15"] as { target: { input: string } }).target.input) as { EnvironmentVariablesOverride: { Name: string; Value: string }[] };
    expect(Object.fromEntries(input.EnvironmentVariablesOverride.map((v) => [v.Name, v.Value]))).toEqual({
      ACTION: "destroy",
      ONLY_STACKS: "devops-weeks-kim",
      CLOSE_ACCOUNTS: "devops-weeks-kim=${aws_organizations_account.account-kim.id}",
      CLASS_UNIT_ID: "${aws_organizations_organizational_unit.class-unit.id}",
      CLOSED_UNIT_ID: "${aws_organizations_organizational_unit.closed-course-unit.id}",
    });
  });

  test("the closed-course SCP is valid, within AWS's size limit, and denies everything but reading and billing", () => {
    const policy = closedCoursePolicy("devops-weeks");
    expect(scpProblems([policy])).toEqual([]);
    const statement = JSON.parse(scpContent(policy)).Statement[0] as { Effect: string; NotAction: string[]; Resource: string };
    expect(statement).toMatchObject({ Effect: "Deny", Resource: "*" });
    for (const action of statement.NotAction) expect(action).toMatch(/^[a-z0-9-]+:(\*|(Get|List|Describe|View|Lookup|Filter)[A-Za-z]*\*?|GetCallerIdentity)$/);
  });
});

describe("refused at synth", () => {
  const refusal = (config: Record<string, unknown>, roster = TWO_LEARNERS) => refusedClassSynth(roster, config);

  test("without the s3 backend", () => {
    const { lines, untouched } = refusal({ classroom: { applyOnCodeBuild: ON } });
    expect(lines).toEqual([expect.stringMatching(/classroom\.applyOnCodeBuild\.enabled = true is not valid; expected state\.backend: s3 with it/)]);
    expect(untouched).toBe(true);
  });

  test("a concurrency or a timeout out of range", () => {
    expect(refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: { ...ON, concurrency: 0 } } }).lines.join("\n")).toMatch(/classroom\.applyOnCodeBuild\.concurrency = 0 is not valid; expected a number >= 1/);
    expect(refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: { ...ON, concurrency: 51 } } }).lines.join("\n")).toMatch(/classroom\.applyOnCodeBuild\.concurrency = 51 is not valid; expected a number <= 50/);
    expect(refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: { ...ON, timeoutMinutes: 600 } } }).lines.join("\n")).toMatch(/classroom\.applyOnCodeBuild\.timeoutMinutes = 600 is not valid; expected a number <= 480/);
  });

  test("a lease date that is not a day, or a lease without the CodeBuild batch", () => {
    expect(refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: ON, lease: { endsOn: "2027-02-30" } } }).lines.join("\n")).toMatch(/classroom\.lease\.endsOn = "2027-02-30" is not valid; expected a date YYYY-MM-DD that exists/);
    const cell = refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: ON } }, "id,name,email,leaseEndsOn\nkim,Kim,kim@example.com,next week\n");
    expect(cell.lines.join("\n")).toMatch(/roster\.csv: row 2 leaseEndsOn = "next week" is not valid; expected a date YYYY-MM-DD/);
    expect(cell.untouched).toBe(true);
    expect(refusal({ ...S3_STATE, classroom: { lease: { endsOn: "2027-01-15" } } }).lines.join("\n")).toMatch(/classroom\.lease\.endsOn = "2027-01-15" is not valid; expected a lease only with classroom\.applyOnCodeBuild\.enabled: true/);
    expect(refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: ON, lease: { endsOn: "2027-01-15", timeZone: "Seoul" } } }).lines.join("\n")).toMatch(/classroom\.lease\.timeZone = "Seoul" is not valid; expected an IANA time zone/);
  });

  test("a class whose build role policy would not fit IAM's limit", () => {
    const roster = `id,name,email,accountId\n${Array.from({ length: 140 }, (_, i) => `l${i},L ${i},l${i}@example.com,${100000000000 + i}`).join("\n")}\n`;
    const { lines } = refusal({ ...S3_STATE, classroom: { isolation: "account", accounts: { parentId: "r-ab12" }, learnerGuides: false, applyOnCodeBuild: { enabled: true } } }, roster);
    expect(lines).toEqual([expect.stringMatching(/classroom\.applyOnCodeBuild\.enabled = "140 learners" is not valid; expected a class whose build role policy fits IAM's 10240 characters \(it would take about 1\d{4}/)]);
  });

  test("tag isolation without the deploy policies, account isolation with them", () => {
    expect(refusal({ ...S3_STATE, classroom: { applyOnCodeBuild: { enabled: true } } }).lines.join("\n")).toMatch(/classroom\.applyOnCodeBuild\.deployPolicyArns .*with classroom\.isolation tag, the managed policies/);
    const account = refusal({ ...S3_STATE, classroom: { isolation: "account", accounts: { parentId: "r-ab12" }, applyOnCodeBuild: ON } }, "id,name,email\nkim,Kim,kim@example.com\n");
    expect(account.lines.join("\n")).toMatch(/classroom\.applyOnCodeBuild\.deployPolicyArns = .*no value with classroom\.isolation account/);
  });
});
