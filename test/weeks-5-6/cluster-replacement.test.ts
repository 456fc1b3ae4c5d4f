/**
 * eks.clusterCreatorIsAdmin is taken by EKS only when it creates the cluster (aws provider 5.100.0:
 * `access_config.bootstrap_cluster_creator_admin_permissions` is ForceNew). A change after the first
 * apply would destroy and recreate the cluster, so synth compares the config with the AWS stack's
 * local state (terraform.<stack>.tfstate beside out/) and refuses a change the config does not accept.
 * With the s3 backend synth cannot see the state, and the week-6 page warns before the apply step.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { currentInstances, readStateFile } from "../../lib/state/applied-state";
import { englishProse } from "../../lib/runbooks/language-check";
import { localStateFile } from "../../lib/state/backend";
import { filesUnder } from "../support/files";
import { bashSyntaxErrors, numberedSteps } from "../support/markdown";
import { simulateApply, type PlanJson, type ProviderSchemas, type StackConfig } from "../support/simulated-state";
import { synthConfig, type Synthesized } from "../support/synth";
import { OfflineWorkspace, prepareOfflineStack } from "../support/terraform";

const STACK = "devops-weeks-dev";
const CLUSTER = "devops-weeks-dev-eks";

/** A version-4 state as Terraform writes it, holding the week-6 cluster created with `admin`. */
function stateWithCluster(admin: boolean | undefined, extra: Record<string, unknown> = {}): string {
  const accessConfig = admin === undefined ? [] : [{ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: admin }];
  return JSON.stringify({
    version: 4,
    terraform_version: "1.12.2",
    serial: 42,
    lineage: "6c1f0d7e-0000-4000-8000-000000000000",
    outputs: {},
    resources: [
      {
        mode: "managed",
        type: "aws_eks_cluster",
        name: "eks_cluster_55B0C966",
        provider: 'provider["registry.terraform.io/hashicorp/aws"]',
        instances: [{ schema_version: 0, attributes: { name: CLUSTER, access_config: accessConfig }, ...extra }],
      },
    ],
    check_results: null,
  });
}

/** A project folder: its out/ and, beside it, the local state file lib/state/backend.ts points the AWS stack to. */
function project(state?: string): { outdir: string; stateFile: string } {
  const root = mkdtempSync(join(tmpdir(), "devops-weeks-replacement-"));
  const outdir = join(root, "out");
  const stateFile = localStateFile(outdir, STACK);
  if (state !== undefined) writeFileSync(stateFile, state);
  return { outdir, stateFile };
}

const refusal = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    if ((error as Error).name === "StudyConfigError") return error as Error;
    throw error;
  }
  throw new Error("the config was accepted");
};

describe("where synth looks for the AWS stack's state", () => {
  test("beside out/, where Terraform run in out/stacks/<stack> keeps it", () => {
    expect(localStateFile("out", STACK)).toBe(`terraform.${STACK}.tfstate`);
    expect(localStateFile("/home/kim/study/out", STACK)).toBe(`/home/kim/study/terraform.${STACK}.tfstate`);
  });
});

describe("reading a state file", () => {
  test("no file, or an empty one, is no state: nothing was applied from this machine", () => {
    const { stateFile } = project();
    expect(readStateFile(stateFile)).toEqual({ kind: "none", file: stateFile });
    writeFileSync(stateFile, "  \n");
    expect(readStateFile(stateFile).kind).toBe("none");
  });

  test("a file that is not a version-4 state, or cannot be read, is unreadable, with the reason", () => {
    const { stateFile } = project();
    writeFileSync(stateFile, '{"version": 4, "resources": [');
    expect(readStateFile(stateFile)).toEqual({ kind: "unreadable", file: stateFile, reason: "not JSON" });
    writeFileSync(stateFile, JSON.stringify({ version: 3, modules: [] }));
    expect(readStateFile(stateFile)).toMatchObject({ kind: "unreadable", reason: "not a Terraform state of format version 4" });
    const folder = project().stateFile;
    mkdirSync(folder);
    expect(readStateFile(folder)).toMatchObject({ kind: "unreadable", reason: "EISDIR" });
  });

  test("the cluster's current object is read; a tainted or deposed one is not (the next apply replaces it anyway)", () => {
    const { stateFile } = project(stateWithCluster(true));
    const state = readStateFile(stateFile);
    expect(currentInstances(state, "aws_eks_cluster").map((i) => i.attributes.access_config)).toEqual([[{ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: true }]]);
    writeFileSync(stateFile, stateWithCluster(true, { status: "tainted" }));
    expect(currentInstances(readStateFile(stateFile), "aws_eks_cluster")).toEqual([]);
    writeFileSync(stateFile, stateWithCluster(true, { deposed: "00000001" }));
    expect(currentInstances(readStateFile(stateFile), "aws_eks_cluster")).toEqual([]);
  });
});

describe("eks.clusterCreatorIsAdmin against the local state of an applied cluster", () => {
  test("created as admin, then the config says false: refused with the field, the value and what to do; out/ is unchanged", () => {
    const { outdir, stateFile } = project();
    const before = synthConfig({ weeks: "6" }, { outdir });
    const files = filesUnder(before.outdir);
    writeFileSync(stateFile, stateWithCluster(true));

    const error = refusal(() => synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: false } }, { outdir }));
    const lines = error.message.split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("eks.clusterCreatorIsAdmin = false is not valid; expected true, the value the cluster devops-weeks-dev-eks was created with");
    expect(lines[0]).toContain(stateFile);
    expect(lines[0]).toMatch(/the next apply destroy and recreate the cluster and everything on it/);
    expect(lines[0]).toMatch(/set eks\.acceptClusterReplacement: true/);
    expect(filesUnder(outdir)).toEqual(files);
  });

  test("the same change with eks.acceptClusterReplacement: true is synthesized, with a notice to set it back", () => {
    const { outdir } = project(stateWithCluster(true));
    const synth = synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: false, acceptClusterReplacement: true } }, { outdir });
    expect(clusterAccess(synth)).toEqual({ authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false });
    expect(synth.log).toContainEqual(expect.stringMatching(/^eks\.acceptClusterReplacement is true: .*set it back to false after that apply$/));
  });

  test("created without admin, and the config now says true: refused the other way round", () => {
    const { outdir } = project(stateWithCluster(false));
    expect(refusal(() => synthConfig({ weeks: "6" }, { outdir })).message).toMatch(/eks\.clusterCreatorIsAdmin = true is not valid; expected false, the value the cluster devops-weeks-dev-eks was created with/);
  });

  test.each([
    ["the config keeps the applied value", stateWithCluster(true)],
    ["there is no state file (nothing applied yet)", undefined],
    ["the state holds no cluster (week 6 not applied, or destroyed)", JSON.stringify({ version: 4, resources: [] })],
    ["the state recorded no value for it", stateWithCluster(undefined)],
  ])("accepted when %s", (_, state) => {
    const { outdir } = project(state);
    const admin = state === undefined ? false : true;
    const synth = synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: admin } }, { outdir });
    expect(clusterAccess(synth).bootstrap_cluster_creator_admin_permissions).toBe(admin);
    expect(synth.log.join("\n")).not.toMatch(/tfstate/);
  });

  test("a state file synth cannot read is not an error: one notice names it, and the check is skipped", () => {
    const { outdir, stateFile } = project("{ this is not JSON");
    const synth = synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: false } }, { outdir });
    expect(synth.log.filter((line) => line.includes(stateFile))).toEqual([
      `${stateFile} could not be read (not JSON): synth skips its checks against what was applied (such as eks.clusterCreatorIsAdmin); terraform plan will report the file`,
    ]);
  });

  test.runIf(process.getuid?.() !== 0)("a state file without read permission is not an error either", () => {
    const { outdir, stateFile } = project(stateWithCluster(true));
    chmodSync(stateFile, 0o000);
    const synth = synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: false } }, { outdir });
    expect(synth.log).toContainEqual(expect.stringContaining(`${stateFile} could not be read (EACCES)`));
  });
});

describe("with the s3 backend synth cannot see the state", () => {
  let synth: Synthesized;
  beforeAll(() => {
    // A local state file beside out/ that says otherwise is not the stack's state: it is not read.
    const { outdir } = project(stateWithCluster(false));
    synth = synthConfig({ weeks: "6", state: { backend: "s3", bucket: "devops-weeks-tfstate-123456789012" } }, { outdir });
  });
  const page = (lang: string) => readFileSync(join(synth.outdir, "runbooks", lang, "week-06.md"), "utf8");
  const html = (lang: string) => readFileSync(join(synth.outdir, "runbooks", lang, "week-06.html"), "utf8");
  const check = `terraform -chdir=out/stacks/${STACK} show -no-color tfplan | grep -F 'aws_eks_cluster.eks_cluster_55B0C966 must be replaced'`;
  const applied = `terraform -chdir=out/stacks/${STACK} state show aws_eks_cluster.eks_cluster_55B0C966 | grep -F bootstrap_cluster_creator_admin_permissions`;

  test("the config is synthesized", () => {
    expect(clusterAccess(synth).bootstrap_cluster_creator_admin_permissions).toBe(true);
  });

  test.each([
    ["en", "**The state is in S3, so synth cannot check that `eks.clusterCreatorIsAdmin` still has the value the cluster was created with.**"],
    ["ko", "**상태(state)가 S3에 있어서, synth는 `eks.clusterCreatorIsAdmin` 값이 클러스터를 만들 때의 값 그대로인지 확인할 수 없습니다.**"],
  ])("the %s week-6 page warns, right before the step that applies the AWS stack, with the command that finds the replacement in the plan", (lang, headline) => {
    const markdown = page(lang);
    const steps = numberedSteps(markdown);
    const apply = steps.find((step) => step.blocks.some((block) => block.includes(`terraform -chdir=out/stacks/${STACK} apply tfplan`)))!;
    expect(apply.number).toBe(2);
    const warning = markdown.indexOf(`> [!WARNING]\n> ${headline}`);
    const applyItem = markdown.indexOf(`\n${apply.number}. `);
    expect(warning, "the warning").toBeGreaterThan(markdown.indexOf("\n1. "));
    expect(warning).toBeLessThan(applyItem);
    const between = markdown.slice(warning, applyItem);
    expect(between).toContain(`> ${check}\n`);
    expect(between).toContain(`\`${applied}\``);
    // In the HTML page too: the callout, then the apply command.
    const body = html(lang);
    const callout = body.indexOf('<aside class="callout callout-warning"');
    expect(callout).toBeGreaterThan(0);
    expect(body.indexOf(`terraform -chdir=out/stacks/${STACK} apply tfplan`)).toBeGreaterThan(callout);
  });

  test("the Korean page stays Korean around the warning's commands", () => {
    expect(englishProse(page("ko"))).toEqual([]);
  });

  test("its commands are commands bash accepts", () => {
    expect(bashSyntaxErrors([check, applied])).toEqual([]);
  });
});

describe("against the real aws provider 5.100.0, planned offline", () => {
  test("the state a week-6 apply leaves is refused for the other value; accepted, the plan replaces the cluster, as the page's check finds", () => {
    const { outdir, stateFile } = project();
    const first = synthConfig({ weeks: "6" }, { outdir });
    const workspace = new OfflineWorkspace();
    workspace.load(first.stackDir(STACK));
    const stack = JSON.parse(readFileSync(join(first.stackDir(STACK), "cdk.tf.json"), "utf8")) as StackConfig;
    const applied = simulateApply(workspace.plan() as unknown as PlanJson, workspace.schemas() as ProviderSchemas, stack, "ap-northeast-2");
    writeFileSync(stateFile, JSON.stringify(applied.state));

    expect(refusal(() => synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: false } }, { outdir })).message).toContain("eks.clusterCreatorIsAdmin = false is not valid; expected true");

    const second = synthConfig({ weeks: "6", eks: { clusterCreatorIsAdmin: false, acceptClusterReplacement: true } }, { outdir });
    const { work, env } = prepareOfflineStack(second.stackDir(STACK));
    writeFileSync(join(work, "verify.tfstate"), JSON.stringify(applied.state));
    const terraform = (args: string[]) => {
      const result = spawnSync("terraform", args, { cwd: work, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
      if (result.status !== 0) throw new Error(`terraform ${args.join(" ")}: ${result.stderr}`);
      return result.stdout;
    };
    terraform(["init", "-input=false", "-no-color"]);
    terraform(["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false", "-out=tfplan"]);
    const plan = JSON.parse(terraform(["show", "-json", "tfplan"])) as PlanJson;
    const cluster = plan.resource_changes!.find((change) => change.type === "aws_eks_cluster")!;
    expect(cluster.change.actions).toEqual(["delete", "create"]);
    expect(cluster.change.replace_paths).toEqual([["access_config", 0, "bootstrap_cluster_creator_admin_permissions"]]);
    // The S3 page's check, run where the plan is.
    const check = spawnSync("bash", ["-c", `terraform show -no-color tfplan | grep -F '${cluster.address} must be replaced'`], { cwd: work, env, encoding: "utf8" });
    expect(check.stdout.trim()).toBe(`# ${cluster.address} must be replaced`);
    // And the value the cluster was created with, as the page reads it from the state.
    const created = spawnSync("bash", ["-c", `terraform state show ${cluster.address} | grep -F bootstrap_cluster_creator_admin_permissions`], { cwd: work, env, encoding: "utf8" });
    expect(created.stdout.trim()).toMatch(/^bootstrap_cluster_creator_admin_permissions += true$/);
  }, 600_000);
});

test("with local state the page has no such warning: synth itself refuses the change", () => {
  const { outdir } = project();
  const synth = synthConfig({ weeks: "6" }, { outdir });
  for (const lang of ["en", "ko"]) expect(readFileSync(join(synth.outdir, "runbooks", lang, "week-06.md"), "utf8")).not.toContain("eks.clusterCreatorIsAdmin");
});

function clusterAccess(synth: Synthesized): Record<string, unknown> {
  const [cluster] = Object.values(synth.resources(STACK, "aws_eks_cluster"));
  return cluster.access_config as Record<string, unknown>;
}
