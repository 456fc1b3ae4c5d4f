/**
 * The supported Node versions (package.json engines: 22 and 24 LTS; CI runs the suite on the
 * machine's Node and on Node 24): a synth prints nothing but its own lines, with no deprecation
 * warning from the archived cdktf (its `util.isArray`, runtime-deprecated since Node 22).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";

const REPO = join(__dirname, "../..");

test(`a synth on this Node (${process.version}) writes no warning to stderr`, { timeout: 60_000 }, () => {
  const out = join(mkdtempSync(join(tmpdir(), "node-version-")), "out");
  const run = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], { cwd: REPO, env: { ...process.env, CDKTF_OUTDIR: out, CHECKPOINT_DISABLE: "1", WEEKS: "1" }, encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).not.toMatch(/Warning/);
  expect(run.stdout).toMatch(/^devops-weeks: weeks enabled: 1/m);
});

test("package.json's engines name the Node versions the README names", () => {
  const engines = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;
  expect(engines).toBe("^22.12.0 || ^24.0.0");
  expect(readFileSync(join(REPO, "README.md"), "utf8")).toContain("Node.js 22 or 24 (LTS)");
});

test(`the cdktf CLI's terminal library loads on this Node (ABI ${process.versions.modules})`, () => {
  // cdktf-cli 0.21 (archived) needs node-pty, whose @cdktf build stops at Node 22's ABI: `npx cdktf synth`
  // did not start on Node 24. package.json puts the maintained fork with prebuilt binaries for Node 18-25
  // (@homebridge/node-pty-prebuilt-multiarch) in its place, for the CLI and its core alike.
  const pty = require("@cdktf/node-pty-prebuilt-multiarch") as { spawn?: unknown };
  expect(typeof pty.spawn).toBe("function");
  const manifest = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { overrides?: Record<string, string> };
  expect(manifest.overrides?.["@cdktf/node-pty-prebuilt-multiarch"]).toBe("$@cdktf/node-pty-prebuilt-multiarch");
});
