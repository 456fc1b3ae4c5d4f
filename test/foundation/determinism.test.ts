import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join, sep } from "node:path";
import { describe, expect, test } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { filesUnder } from "../support/files";
import { synthConfig } from "../support/synth";

describe("deterministic output", () => {
  test("two synths of the same config are byte-identical, with every registered week on", () => {
    const first = filesUnder(synthConfig(ALL_WEEKS_CONFIG).outdir);
    const second = filesUnder(synthConfig(ALL_WEEKS_CONFIG).outdir);
    expect([...second.keys()]).toEqual([...first.keys()]);
    for (const [path, content] of first) expect(second.get(path)?.equals(content), path).toBe(true);
  });

  test("generated files hold no machine paths and no timestamps", () => {
    const synthesized = synthConfig(ALL_WEEKS_CONFIG);
    // The temp directory itself is not listed: "/tmp" is a legitimate path inside containers.
    // The home directory as a folder ("/root/"): a construct path such as securityAlerts/root-sign-in is not a machine path.
    const machinePaths = [join(tmpdir(), "devops-weeks-"), `${homedir()}${sep}`, process.cwd(), synthesized.outdir].filter((p) => p.length > 2);
    const isoTimestamp = /\b20\d\d-[01]\d-[0-3]\dT[0-2]\d:[0-5]\d/;
    for (const [path, content] of filesUnder(synthesized.outdir)) {
      if (/\.(png|zip|js)$/.test(path)) continue;
      const text = content.toString("utf8");
      for (const machinePath of machinePaths) expect(text.includes(machinePath), `${path} contains ${machinePath}`).toBe(false);
      expect(text, path).not.toMatch(isoTimestamp);
    }
  });

  test("the local state path is relative and outside out/, so a re-synth never touches state", () => {
    const synthesized = synthConfig({}, { weeks: "1" });
    const backend = (synthesized.stack("devops-weeks-dev").terraform as { backend: { local: { path: string } } }).backend;
    expect(backend.local.path).toBe("../../../terraform.devops-weeks-dev.tfstate");
  });

  test("a re-synth keeps Terraform's working files in the stack directory and replaces ours", () => {
    const synthesized = synthConfig({}, { weeks: "1" });
    const stackDir = synthesized.stackDir("devops-weeks-dev");
    mkdirSync(join(stackDir, ".terraform"));
    writeFileSync(join(stackDir, ".terraform.lock.hcl"), "# lock");
    writeFileSync(join(stackDir, "stale-generated.json"), "{}");
    writeFileSync(join(synthesized.outdir, "stale-top-level.txt"), "old");
    synthConfig({}, { weeks: "1", outdir: synthesized.outdir });
    const entries = readdirSync(stackDir);
    expect(entries).toContain(".terraform");
    expect(entries).toContain(".terraform.lock.hcl");
    expect(entries).toContain("cdk.tf.json");
    expect(entries).not.toContain("stale-generated.json");
    expect(readdirSync(synthesized.outdir)).not.toContain("stale-top-level.txt");
  });
});
