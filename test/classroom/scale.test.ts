/**
 * What keeps a class-sized synth fast must not change what it writes: the Lambda archive zipped once
 * per synth holds what cdktf's per-stack ARCHIVE asset holds, at the same path (its bytes differ on
 * purpose: ours are reproducible, with fixed times and modes, see lib/aws/assets.ts), and the fast synth (lib/core/perf.ts) leaves every
 * generated file byte for byte the same, falling back to cdktf's full preparation when stacks reference each other.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, AssetType, TerraformAsset, TerraformLocal, TerraformOutput, TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { archiveAsset } from "../../lib/aws/assets";
import { fastSynth } from "../../lib/core/perf";
import { NOTIFIER_SOURCE } from "../../modules/notifications";
import { ALL_WEEKS, ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { filesUnder, treeDifferences } from "../support/files";
import { readZip } from "../support/zip";
import { synthClass } from "./roster";

describe("synth at class scale", () => {
  test("zips a Lambda folder once, into a file with the same entries at the same path as cdktf's ARCHIVE asset, in every stack", () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), "devops-weeks-assets-")) });
    const paths: string[] = [];
    for (const name of ["a", "b"]) {
      const stack = new TerraformStack(app, name);
      const asset = name === "a" ? new TerraformAsset(stack, "code", { path: NOTIFIER_SOURCE, type: AssetType.ARCHIVE }) : archiveAsset(stack, "code", NOTIFIER_SOURCE);
      new TerraformOutput(stack, "path", { value: asset.path });
      paths.push(asset.path);
    }
    app.synth();
    expect(paths[1]).toBe(paths[0]);
    expect(paths[0]).toMatch(/^assets\/code\/[0-9A-F]{32}\/archive\.zip$/);
    const zipOf = (stack: string) => readFileSync(join(app.outdir, "stacks", stack, paths[0]));
    // the same files and contents; not the same bytes: cdktf's archiver stores each file's mtime and mode
    const contents = (stack: string) => readZip(zipOf(stack)).map((entry) => [entry.name, entry.data.toString("base64")]);
    expect(contents("b")).toEqual(contents("a"));
  });

  test("writes the same files with the fast synth (no token stack traces, no preparing resolve) as with cdktf's plain one", () => {
    // every week on, two learners: week 10's account-wide services are refused in classroom mode
    const config = { ...ALL_WEEKS_CONFIG, security: { budget: { enabled: false }, guardDuty: { enabled: false }, inspector: { enabled: false } }, state: { backend: "s3", bucket: "devops-weeks-tfstate-example" } };
    const roster = "id,name,email\nkim,Kim,kim@example.com\nlee,Lee,lee@example.com\n";
    const fast = synthClass(roster, config, { weeks: ALL_WEEKS });
    process.env.DEVOPS_WEEKS_PLAIN_SYNTH = "1";
    let traced: ReturnType<typeof synthClass>;
    try {
      traced = synthClass(roster, config, { weeks: ALL_WEEKS });
    } finally {
      delete process.env.DEVOPS_WEEKS_PLAIN_SYNTH;
    }
    expect(treeDifferences(fast.outdir, traced.outdir)).toEqual([]);
    expect([...filesUnder(fast.outdir).keys()].some((path) => path.endsWith("archive.zip"))).toBe(true);
  });

  test("falls back to cdktf's preparing resolve when one stack references another", () => {
    const outdir = mkdtempSync(join(tmpdir(), "devops-weeks-cross-"));
    let builds = 0;
    fastSynth(
      () => {
        builds++;
        const app = new App({ outdir });
        const a = new TerraformStack(app, "a");
        const b = new TerraformStack(app, "b");
        const local = new TerraformLocal(a, "greeting", "hello");
        new TerraformOutput(b, "greeting", { value: local.asString });
        app.synth();
        return { app, result: undefined };
      },
      () => {},
    );
    expect(builds).toBe(2);
    const a = JSON.parse(readFileSync(join(outdir, "stacks", "a", "cdk.tf.json"), "utf8"));
    const b = JSON.parse(readFileSync(join(outdir, "stacks", "b", "cdk.tf.json"), "utf8"));
    expect(Object.keys(a.output ?? {}).some((name) => name.startsWith("cross-stack-output-"))).toBe(true);
    expect(b.data?.terraform_remote_state).toBeDefined();
  });
});
