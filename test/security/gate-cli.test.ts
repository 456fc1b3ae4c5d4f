/**
 * `npm run security-gate` as a learner runs it on files (scripts/security-gate.ts): a synthesized
 * week-5 synth's manifests and -k8s stack pass; a manifest with a privileged pod fails with the rule
 * named and exit 1; a file that is not YAML is one line and exit 2.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { synthConfig, type Synthesized } from "../support/synth";

const REPO = join(__dirname, "..", "..");

function gate(files: readonly string[], cwd: string) {
  // From the repository, as npm runs it; no study.yaml, so no skips.
  const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scripts", "security-gate.ts"), ...files], { cwd: REPO, encoding: "utf8", env: { ...process.env, STUDY_CONFIG: join(cwd, "none.yaml") } });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

describe("npm run security-gate on the files it is given", { timeout: 60_000 }, () => {
  let synth: Synthesized;
  let dir: string;
  beforeAll(() => {
    synth = synthConfig({}, { weeks: "5" });
    dir = mkdtempSync(join(tmpdir(), "devops-weeks-gate-cli-"));
  });

  test("week 5's manifests and -k8s stack: every rule passes, exit 0", () => {
    const manifests = join(synth.outdir, "manifests", "devops-weeks-dev");
    const files = [...readdirSync(manifests).map((f) => join(manifests, f)), join(synth.stackDir("devops-weeks-dev-k8s"), "cdk.tf.json")];
    const run = gate(files, dir);
    expect(run.status, run.out + run.err).toBe(0);
    expect(run.out).toMatch(/DW_K8S_/);
    expect(run.out).not.toMatch(/\bFAIL\b/);
  });

  test("a privileged pod: the rule is named, exit 1", () => {
    const file = join(dir, "privileged.yaml");
    writeFileSync(file, ["apiVersion: v1", "kind: Pod", "metadata: { name: root, namespace: lab }", "spec:", "  containers:", "    - name: shell", "      image: busybox:1.37@sha256:" + "a".repeat(64), "      securityContext: { privileged: true }", ""].join("\n"));
    const run = gate([file], dir);
    expect(run.status, run.out + run.err).toBe(1);
    expect(run.out).toMatch(/FAIL.*privileged|privileged.*FAIL/i);
  });

  test("a file that is not YAML: one line, exit 2", () => {
    const file = join(dir, "broken.yaml");
    writeFileSync(file, "kind: [unclosed\n");
    const run = gate([file], dir);
    expect(run.status).toBe(2);
    expect(run.err.trim().split("\n")).toHaveLength(1);
    expect(run.err).toMatch(/^security-gate: .*broken\.yaml: not valid YAML/);
  });
});
