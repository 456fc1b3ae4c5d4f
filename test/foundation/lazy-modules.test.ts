/**
 * The registry loads every module's id, settings schema and validation, but a module's build code
 * (its provider classes and constructs) only when its week is enabled: a week-1 synth must not pay
 * for loading weeks 2-10. Checked in a fresh Node process, whose module cache starts empty.
 */
import { execFileSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { beforeAll, expect, test } from "vitest";

const ROOT = join(__dirname, "../..");
const MODULE_FOLDERS = readdirSync(join(ROOT, "modules"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);

/** The files in the module cache of a fresh process after synthesizing `weeks`, relative to the repo root. */
function loadedAfterSynth(weeks: string): string[] {
  const script = `
    const { synthConfig } = require("./test/support/synth.ts");
    synthConfig({ weeks: ${JSON.stringify(weeks)} });
    process.stdout.write(JSON.stringify(Object.keys(require.cache)));
  `;
  const output = execFileSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: ROOT, encoding: "utf8" });
  return (JSON.parse(output) as string[]).map((file) => relative(ROOT, file).split(sep).join("/"));
}

let loaded: string[];
beforeAll(() => {
  loaded = loadedAfterSynth("1");
});

test("a week-1 synth loads week 1's build code and every module's registry entry", () => {
  expect(loaded).toContain("modules/network/build.ts");
  expect(loaded).toContain("node_modules/@cdktf/provider-aws/lib/vpc/index.js");
  for (const folder of MODULE_FOLDERS) expect(loaded).toContain(`modules/${folder}/module.ts`);
});

/** Week 1's modules: the network, and the security alerts with the account's trail (on in every synth). */
const WEEK_ONE_FOLDERS = ["network", "security-alerts"];

test("a week-1 synth loads no build code of weeks 2-10", () => {
  expect(loaded).toContain("modules/security-alerts/trail.ts");
  const otherModules = loaded.filter((file) => /^modules\/[^/]+\//.test(file) && !WEEK_ONE_FOLDERS.some((folder) => file.startsWith(`modules/${folder}/`)));
  const buildCode = otherModules.filter((file) => !/^modules\/[^/]+\/(module|settings)\.ts$/.test(file));
  expect(buildCode).toEqual([]);
  for (const folder of ["eks", "kubernetes", "cicd", "monitoring", "security", "service-mesh"]) {
    expect(loaded).not.toContain(`modules/${folder}/build.ts`);
    expect(loaded).not.toContain(`modules/${folder}/index.ts`);
  }
});

test("a week-1 synth loads no Kubernetes or Helm provider class", () => {
  expect(loaded.filter((file) => /@cdktf\/provider-(kubernetes|helm)\//.test(file))).toEqual([]);
});

test("a study without classroom or S3 state loads neither the instructor and bootstrap stacks nor the learner sheets", () => {
  for (const file of ["lib/classroom/stacks.ts", "lib/state/bootstrap.ts", "lib/classroom/sheets.ts"]) expect(loaded).not.toContain(file);
  // (S3 buckets are week 1's now: the trail's.)
  expect(loaded.filter((file) => /@cdktf\/provider-aws\/lib\/(iam-user|budgets-budget)\//.test(file))).toEqual([]);
});

test("the check sees build code when its week is on", () => {
  const withKubernetes = loadedAfterSynth("1,5");
  expect(withKubernetes).toContain("modules/kubernetes/build.ts");
  expect(withKubernetes.some((file) => file.includes("@cdktf/provider-kubernetes/lib/deployment-v1/"))).toBe(true);
});
