/**
 * The security gate outside the tests:
 *   npm run security-gate                             plans every AWS stack in out/ offline and checks it; checks
 *                                                     every -k8s stack (cdk.tf.json) and out/manifests/ as they are
 *   npm run security-gate -- FILE ...                 checks files you name: plans (terraform show -json tfplan > plan.json),
 *                                                     -k8s stacks (cdk.tf.json) and Kubernetes manifests (.yaml)
 * Skips come from study.yaml (security.gate.skip, or STUDY_CONFIG); each is printed with its reason.
 * One report for both rule families. Exits 1 when a rule fails.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { DEFAULT_CONFIG_FILE, loadConfigFile } from "../lib/core/config";
import { StudyConfigError } from "../lib/core/errors";
import { formatCombinedGateReport, isKubernetesStack, kubernetesInputsOf, manifestObjects, runKubernetesGate, splitGateSkips, type KubernetesInput, type TerraformStackJson } from "../lib/security-gate/kubernetes-rules";
import { declaredCostsOf } from "../lib/runbooks/costs";
import { planStackOffline } from "../lib/security-gate/offline-plan";
import { runSecurityGate, type PlanJson, type StackPlan } from "../lib/security-gate/aws-rules";
import { STUDY_MODULES } from "../modules";

function skipsFromConfig(): { rule: string; reason: string; resource?: string }[] {
  const path = process.env.STUDY_CONFIG ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(path)) return [];
  const config = loadConfigFile(path, STUDY_MODULES);
  return (config.settings.security as { gate: { skip: { rule: string; reason: string; resource?: string }[] } }).gate.skip;
}

function offlinePlans(outdir: string): StackPlan[] {
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) throw new Error(`${stacksDir} does not exist: run \`npx cdktf synth\` first`);
  return readdirSync(stacksDir)
    .filter((name) => {
      const stack = JSON.parse(readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")) as TerraformStackJson;
      // A Kubernetes stack needs a live cluster to plan and holds no AWS resources: the Kubernetes rules read its JSON.
      return Object.keys((stack.provider as object | undefined) ?? {}).includes("aws") && !isKubernetesStack(stack);
    })
    .map((name) => {
      console.error(`security-gate: planning ${name} offline...`);
      return { stack: name, plan: planStackOffline(join(stacksDir, name), declaredCostsOf(STUDY_MODULES)).raw as PlanJson };
    });
}

/** A named file, by what it holds: a plan, a synthesized stack, or Kubernetes manifests. */
function inputsOfFiles(files: readonly string[]): { plans: StackPlan[]; kubernetes: KubernetesInput[] } {
  const plans: StackPlan[] = [];
  const kubernetes: KubernetesInput[] = [];
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (/\.ya?ml$/.test(file)) {
      kubernetes.push({ kind: "manifest", source: file, objects: manifestObjects(text, file) });
      continue;
    }
    const json = JSON.parse(text) as Record<string, unknown>;
    if ("planned_values" in json || "resource_changes" in json) plans.push({ stack: basename(file), plan: json as PlanJson });
    else kubernetes.push({ kind: "stack", source: basename(dirname(file)) || file, stack: json as TerraformStackJson });
  }
  return { plans, kubernetes };
}

try {
  const files = process.argv.slice(2);
  const outdir = process.env.CDKTF_OUTDIR ?? "out";
  const { plans, kubernetes } = files.length > 0 ? inputsOfFiles(files) : { plans: offlinePlans(outdir), kubernetes: kubernetesInputsOf(outdir) };
  const skips = splitGateSkips(skipsFromConfig());
  const aws = runSecurityGate(plans, skips.aws);
  const cluster = runKubernetesGate(kubernetes, skips.kubernetes);
  console.log(formatCombinedGateReport(aws, cluster));
  process.exitCode = aws.passed && cluster.passed ? 0 : 1;
} catch (error) {
  console.error(`security-gate: ${error instanceof StudyConfigError ? error.message : (error as Error).message}`);
  process.exitCode = 2;
}
