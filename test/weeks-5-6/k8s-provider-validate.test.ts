/**
 * The workloads stack is checked by assertions on its JSON (kubernetes.test.ts) because this machine's
 * filesystem mirror holds only hashicorp/aws. Where a mirror also holds hashicorp/kubernetes and
 * hashicorp/helm (at the versions @cdktf/provider-kubernetes and @cdktf/provider-helm were generated for),
 * this runs real `terraform init` and `validate` on the week-5 stack offline; otherwise it is skipped.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { synthConfig } from "../support/synth";

const PROVIDERS = { kubernetes: "2.38.0", helm: "3.1.1" } as const;
const MIRRORS = [process.env.TF_AWS_PROVIDER_MIRROR, "/opt/tf-plugins", "/usr/share/terraform/plugins", "/usr/local/share/terraform/plugins"].filter((p): p is string => Boolean(p));

function mirrorWith(names: readonly string[]): string | undefined {
  return MIRRORS.find((root) =>
    names.every((name) => {
      const dir = join(root, "registry.terraform.io/hashicorp", name, PROVIDERS[name as keyof typeof PROVIDERS]);
      return existsSync(dir) && readdirSync(dir).length > 0;
    }),
  );
}

const mirror = mirrorWith(Object.keys(PROVIDERS));
if (!mirror) console.info(`weeks 5-6: no hashicorp/kubernetes ${PROVIDERS.kubernetes} + hashicorp/helm ${PROVIDERS.helm} in ${MIRRORS.join(", ")}; the workloads stack is checked by its JSON only`);

test.skipIf(!mirror)("the week-5 workloads stack passes terraform init and validate offline, when the mirror has the kubernetes and helm providers", () => {
  const synth = synthConfig({ weeks: "5" });
  const work = mkdtempSync(join(tmpdir(), "devops-weeks-k8s-validate-"));
  cpSync(synth.stackDir("devops-weeks-dev-k8s"), work, { recursive: true });
  writeFileSync(join(work, "zz_verification_override.tf.json"), JSON.stringify({ terraform: { backend: { local: { path: "verify.tfstate" } } } }));
  const cliConfig = join(work, "offline.tfrc");
  writeFileSync(cliConfig, `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n  direct {\n    exclude = ["*/*/*"]\n  }\n}\n`);
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", TF_INPUT: "0", CHECKPOINT_DISABLE: "1" };
  for (const args of [["init", "-input=false", "-no-color"], ["validate", "-no-color"]]) {
    const run = spawnSync("terraform", args, { cwd: work, env, encoding: "utf8" });
    expect(run.status, `terraform ${args[0]}:\n${run.stdout}\n${run.stderr}`).toBe(0);
  }
});
