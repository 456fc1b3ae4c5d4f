/**
 * The course as a learner takes it: weeks switched on one by one (1, 1-2, ..., 1-10) with the config a
 * learner sets, each synth planned by real Terraform (offline) against the state the previous step's
 * apply would have left. The provider decides what a new week forces to be replaced; nothing an
 * earlier week built may be destroyed or replaced. Each step's own week page is read in order, as
 * the learner follows it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { STUDY_MODULES } from "../../modules";
import { synthConfig, type Synthesized } from "../support/synth";
import { OfflineWorkspace } from "../support/terraform";
import { destructiveChanges, isRealReplacement, simulateApply, type PlanJson, type ProviderSchemas, type SimulatedState, type StackConfig } from "../support/simulated-state";
import { bashSyntaxErrors, codeBlocks, numberedSteps } from "../support/markdown";

const AWS_STACK = "devops-weeks-dev";
const K8S_STACK = "devops-weeks-dev-k8s";
const WEEKS = [...new Set(STUDY_MODULES.map((m) => m.week))].sort((a, b) => a - b);
/** What a learner writes into study.yaml on day one, as the quick start asks: where the budget alerts go. */
const LEARNER_CONFIG = { costGuard: { emails: ["learner@example.com"] } };

interface Step {
  readonly week: number;
  readonly synth: Synthesized;
  readonly plan: PlanJson;
  /** Replacements and deletions of resources that existed before this week, as `<actions> <address>`. */
  readonly destroyed: string[];
}

const steps: Step[] = [];

describe("the learner's journey: weeks 1 to 10 switched on one by one", () => {
  beforeAll(() => {
    const workspace = new OfflineWorkspace();
    let previous: SimulatedState | undefined;
    for (const week of WEEKS) {
      const synth = synthConfig(LEARNER_CONFIG, { weeks: `1-${week}` });
      const stackDir = synth.stackDir(AWS_STACK);
      const stack = JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as StackConfig;
      workspace.load(stackDir);
      const plan = workspace.plan(previous?.state) as unknown as PlanJson;
      const destroyed = previous ? destructiveChanges(plan).filter((change) => isRealReplacement(change, previous!, stack)).map((c) => `${c.change.actions.join("/")} ${c.address}`) : [];
      steps.push({ week, synth, plan, destroyed });
      previous = simulateApply(plan, workspace.schemas() as ProviderSchemas, stack, "ap-northeast-2", previous);
    }
  }, 900_000);

  test("every step plans, and adds to what the steps before it built", () => {
    expect(steps.map((s) => s.week)).toEqual(WEEKS);
    for (const step of steps) {
      const actions = (step.plan.resource_changes ?? []).map((c) => c.change.actions.join("/"));
      expect(actions.filter((a) => a === "create").length, `week ${step.week} creates something`).toBeGreaterThan(step.week === 5 ? -1 : 0);
    }
    // The state of the last step holds every earlier week's resources.
    const last = steps[steps.length - 1].plan.resource_changes ?? [];
    expect(last.filter((c) => c.change.actions.join() === "no-op").length).toBeGreaterThan(100);
  });

  test("no week destroys or replaces a resource an earlier week created", () => {
    const replaced = steps.flatMap((s) => s.destroyed.map((d) => `week ${s.week}: ${d}`));
    expect(replaced).toEqual([]);
  });

  test("each week's page, read in order, synthesizes what it describes and reaches the cluster before using it", () => {
    for (const { week, synth } of steps) {
      for (const lang of ["ko", "en"]) {
        const page = readFileSync(join(synth.outdir, "runbooks", lang, `week-${String(week).padStart(2, "0")}.md`), "utf8");
        const where = `week ${week} (${lang})`;
        const numbered = numberedSteps(page);
        expect(numbered.map((s) => s.number), `${where}: steps numbered 1, 2, 3 ...`).toEqual(numbered.map((_, i) => i + 1));
        const blocks = numbered.flatMap((s) => s.blocks);
        // Step 1 synthesizes exactly the weeks this page was rendered from.
        const selection = week === 1 ? "1" : `1-${week}`;
        expect(numbered[0].blocks, where).toEqual([`WEEKS=${selection} npx cdktf synth`]);
        expect(page, where).toContain(`weeks: "${selection}"`);
        // No command is given twice.
        expect(blocks.length, `${where}: ${blocks.join("\n---\n")}`).toBe(new Set(blocks).size);
        const first = (pattern: RegExp) => blocks.findIndex((b) => pattern.test(b));
        const applyAws = first(new RegExp(`-chdir=out/stacks/${AWS_STACK} apply`));
        expect(applyAws, where).toBeGreaterThan(0);
        const usesCluster = first(/^kubectl |-chdir=out\/stacks\/devops-weeks-dev-k8s /m);
        if (usesCluster >= 0) {
          const access = first(/AWS-StartPortForwardingSessionToRemoteHost|kubectl config use-context/);
          expect(access, `${where}: the cluster is reached before the first kubectl or -k8s command`).toBeGreaterThan(applyAws);
          expect(access, where).toBeLessThanOrEqual(usesCluster);
          expect(first(/update-kubeconfig|use-context/), where).toBeLessThanOrEqual(usesCluster);
        }
        // Every numbered step says where it runs.
        for (const step of numbered) expect(step.where, `${where}, step ${step.number}`).not.toBe("");
      }
    }
  });

  test("from week 6 on, the private API is reached through the SSM tunnel, and the -k8s stack's providers use it", () => {
    for (const { week, synth } of steps.filter((s) => s.week >= 6)) {
      const page = readFileSync(join(synth.outdir, "runbooks", "en", `week-${String(week).padStart(2, "0")}.md`), "utf8");
      const blocks = numberedSteps(page).flatMap((s) => s.blocks);
      const usesKubernetesStack = blocks.some((b) => b.includes(`-chdir=out/stacks/${K8S_STACK} apply`));
      if (usesKubernetesStack || week === 6) {
        expect(blocks.some((b) => b.includes("--document-name AWS-StartPortForwardingSessionToRemoteHost") && b.includes("localPortNumber=8443")), `week ${week}`).toBe(true);
        expect(blocks.some((b) => b.includes("--server=https://127.0.0.1:8443") && b.includes("--tls-server-name=")), `week ${week}`).toBe(true);
      }
      const cluster = Object.values(synth.resources(AWS_STACK, "aws_eks_cluster"))[0] as { vpc_config: { endpoint_public_access: boolean } };
      expect(cluster.vpc_config.endpoint_public_access, `week ${week}: the API stays private`).toBe(false);
      const provider = (synth.stack(K8S_STACK).provider as Record<string, { host: string; tls_server_name: string }[]>).kubernetes[0];
      expect(provider.host).toBe("https://127.0.0.1:8443");
      expect(provider.tls_server_name).toMatch(/^\$\{replace\(data\.aws_eks_cluster\.eks-cluster-data\.endpoint, "https:\/\/", ""\)\}$/);
    }
  });

  test("week 10 applies in the page's order on a new cluster: no -target, no kubernetes_manifest", () => {
    const { synth } = steps[steps.length - 1];
    const page = readFileSync(join(synth.outdir, "runbooks", "en", "week-10.md"), "utf8");
    expect(page).not.toMatch(/-target=/);
    expect(synth.resources(K8S_STACK, "kubernetes_manifest")).toEqual({});
  });

  test("no page offers a cheaper option the synth would refuse", () => {
    for (const { week, synth } of steps) {
      const hasEks = Object.keys(synth.resources(AWS_STACK, "aws_eks_cluster")).length > 0;
      for (const w of WEEKS.filter((w) => w <= week)) {
        const page = readFileSync(join(synth.outdir, "runbooks", "en", `week-${String(w).padStart(2, "0")}.md`), "utf8");
        // EKS needs two AZs: with a cluster in the synth, one AZ is no option.
        if (hasEks) expect(page, `synth 1-${week}, week ${w}`).not.toContain("`availabilityZones: 1`");
      }
    }
  });

  test("bash accepts every command block of every page, at every step", () => {
    const errors = steps.flatMap(({ week, synth }) =>
      ["ko", "en"].flatMap((lang) =>
        WEEKS.filter((w) => w <= week).flatMap((w) => {
          const file = join(synth.outdir, "runbooks", lang, `week-${String(w).padStart(2, "0")}.md`);
          return bashSyntaxErrors(codeBlocks(readFileSync(file, "utf8"))).map((e) => `synth 1-${week}, ${lang}/week-${w}: ${e}`);
        }),
      ),
    );
    expect(errors).toEqual([]);
  });
});
