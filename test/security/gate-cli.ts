/**
 * The security gate outside the tests:
 *   npx tsx test/security/gate-cli.ts                 plans every AWS stack in out/ offline, then checks it
 *   npx tsx test/security/gate-cli.ts plan.json ...   checks plans you made (terraform show -json tfplan > plan.json)
 * Skips come from study.yaml (security.gate.skip, or STUDY_CONFIG); each is printed with its reason.
 * Exits 1 when a rule fails.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { basename, join } from "node:path";
import { DEFAULT_CONFIG_FILE, loadConfigFile } from "../../lib/config";
import { StudyConfigError } from "../../lib/errors";
import { formatGateReport, runSecurityGate, type GateSkip, type PlanJson, type StackPlan } from "../../lib/security-rules";
import { STUDY_MODULES } from "../../modules";
import { planStackOffline } from "../support/terraform";

function skipsFromConfig(): GateSkip[] {
  const path = process.env.STUDY_CONFIG ?? DEFAULT_CONFIG_FILE;
  if (!existsSync(path)) return [];
  const config = loadConfigFile(path, STUDY_MODULES);
  return (config.settings.security as { gate: { skip: GateSkip[] } }).gate.skip;
}

function offlinePlans(outdir: string): StackPlan[] {
  const stacksDir = join(outdir, "stacks");
  if (!existsSync(stacksDir)) throw new Error(`${stacksDir} does not exist: run \`npx cdktf synth\` first`);
  return readdirSync(stacksDir)
    .filter((name) => {
      const providers = Object.keys(JSON.parse(readFileSync(join(stacksDir, name, "cdk.tf.json"), "utf8")).provider ?? {});
      // A Kubernetes stack needs a live cluster to plan and holds no AWS resources.
      return providers.includes("aws") && !providers.includes("kubernetes") && !providers.includes("helm");
    })
    .map((name) => {
      console.error(`security-gate: planning ${name} offline...`);
      return { stack: name, plan: planStackOffline(join(stacksDir, name)).raw as PlanJson };
    });
}

try {
  const files = process.argv.slice(2);
  const plans = files.length > 0 ? files.map((file) => ({ stack: basename(file), plan: JSON.parse(readFileSync(file, "utf8")) as PlanJson })) : offlinePlans(process.env.CDKTF_OUTDIR ?? "out");
  const report = runSecurityGate(plans, skipsFromConfig());
  console.log(formatGateReport(report));
  process.exitCode = report.passed ? 0 : 1;
} catch (error) {
  console.error(`security-gate: ${error instanceof StudyConfigError ? error.message : (error as Error).message}`);
  process.exitCode = 2;
}
