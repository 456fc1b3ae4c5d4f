/**
 * What keeps a class-sized synth fast must not change what it writes: the Lambda archive zipped once
 * per synth equals cdktf's per-stack ARCHIVE asset, and switching off cdktf's token stack traces
 * leaves every generated file byte for byte the same.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { App, AssetType, TerraformAsset, TerraformOutput, TerraformStack } from "cdktf";
import { describe, expect, test } from "vitest";
import { archiveAsset } from "../../lib/assets";
import { NOTIFIER_SOURCE } from "../../modules/notifications";
import { synthClass, THREE_LEARNERS } from "./roster";

function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const visit = (path: string) => {
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else files.set(relative(dir, path), readFileSync(path));
  };
  visit(dir);
  return files;
}

describe("synth at class scale", () => {
  test("zips a Lambda folder once, into the same file at the same path as cdktf's ARCHIVE asset, in every stack", () => {
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
    expect(zipOf("b").equals(zipOf("a"))).toBe(true);
  });

  test("writes the same files whether or not cdktf records token stack traces", () => {
    const fast = synthClass(THREE_LEARNERS, { state: { backend: "s3", bucket: "devops-weeks-tfstate-example" } }, { weeks: "1-4" });
    process.env.DEVOPS_WEEKS_TOKEN_STACKS = "1";
    let traced: ReturnType<typeof synthClass>;
    try {
      traced = synthClass(THREE_LEARNERS, { state: { backend: "s3", bucket: "devops-weeks-tfstate-example" } }, { weeks: "1-4" });
    } finally {
      delete process.env.DEVOPS_WEEKS_TOKEN_STACKS;
    }
    const a = filesOf(fast.outdir);
    const b = filesOf(traced.outdir);
    expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
    expect([...a.keys()].some((path) => path.endsWith("archive.zip"))).toBe(true);
    for (const [path, content] of a) expect(content.equals(b.get(path)!), path).toBe(true);
  });
});
