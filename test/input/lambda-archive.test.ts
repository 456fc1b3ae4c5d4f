/**
 * The Lambda handler's zip is reproducible (issue 12): the same files give the same bytes whatever
 * their times and modes, in this process or another, so another clone plans no change; and the
 * function carries the zip's SHA-256 as source_code_hash, so a changed handler is redeployed.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { describe, expect, test } from "vitest";
import { crc32, hashDirectory, zipDirectory } from "../../lib/aws/assets";
import { NOTIFIER_SOURCE } from "../../modules/notifications";
import { synthConfig } from "../support/synth";
import { planStackOffline } from "../support/terraform";
import { readZip } from "../support/zip";

const STACK = "devops-weeks-dev";
const ZIP_EPOCH_DATE = (0 << 9) | (1 << 5) | 1; // 1980-01-01
const REPO = join(__dirname, "../..");

/** A copy of the checkout's handler folder, with a subfolder, for touching and changing. */
function handlerCopy(): string {
  const dir = join(mkdtempSync(join(tmpdir(), "devops-weeks-zip-")), "lambda");
  cpSync(NOTIFIER_SOURCE, dir, { recursive: true });
  mkdirSync(join(dir, "lib", "empty"), { recursive: true });
  writeFileSync(join(dir, "lib", "util.js"), "module.exports = {};\n");
  writeFileSync(join(dir, "B-upper.js"), "// sorts before lower case\n");
  return dir;
}

function everyPath(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? [path, ...everyPath(path)] : [path];
  });
}

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("base64");

describe("zipDirectory: the same files give the same bytes", () => {
  const original = handlerCopy();
  const reference = zipDirectory(original);

  const changes: [string, (dir: string) => void][] = [
    ["nothing changed (zipped again)", () => {}],
    ["every file and folder touched to another time", (dir) => everyPath(dir).forEach((path, i) => utimesSync(path, new Date(2001, 1, 3 + i), new Date(2001, 1, 3 + i)))],
    ["times in the far future", (dir) => everyPath(dir).forEach((path) => utimesSync(path, new Date(2099, 11, 31), new Date(2099, 11, 31)))],
    ["times before the zip epoch", (dir) => everyPath(dir).forEach((path) => utimesSync(path, new Date(1970, 0, 2), new Date(1970, 0, 2)))],
    ["modes changed (an executable, a private file, a private folder)", (dir) => {
      chmodSync(join(dir, "index.js"), 0o755);
      chmodSync(join(dir, "lib", "util.js"), 0o600);
      chmodSync(join(dir, "lib", "empty"), 0o700);
    }],
  ];
  test.each(changes)("%s", (_name, change) => {
    const copy = join(mkdtempSync(join(tmpdir(), "devops-weeks-zip-")), "lambda");
    cpSync(original, copy, { recursive: true });
    change(copy);
    expect(zipDirectory(copy).equals(reference)).toBe(true);
    expect(hashDirectory(copy)).toBe(hashDirectory(original));
  });

  test("a changed file changes the bytes, the content hash and the SHA-256", () => {
    const copy = join(mkdtempSync(join(tmpdir(), "devops-weeks-zip-")), "lambda");
    cpSync(original, copy, { recursive: true });
    writeFileSync(join(copy, "index.js"), `${readFileSync(join(copy, "index.js"), "utf8")}\n// changed\n`);
    expect(zipDirectory(copy).equals(reference)).toBe(false);
    expect(sha256(zipDirectory(copy))).not.toBe(sha256(reference));
    expect(hashDirectory(copy)).not.toBe(hashDirectory(original));
  });

  test("the checkout's handler zips to the same bytes as its copy", () => {
    const checkout = zipDirectory(NOTIFIER_SOURCE);
    const copy = join(mkdtempSync(join(tmpdir(), "devops-weeks-zip-")), "lambda");
    cpSync(NOTIFIER_SOURCE, copy, { recursive: true });
    everyPath(copy).forEach((path) => utimesSync(path, new Date(2010, 5, 6), new Date(2010, 5, 6)));
    expect(zipDirectory(copy).equals(checkout)).toBe(true);
  });

  const entries = readZip(reference);
  test("entries are sorted by path, folders as name/", () => {
    expect(entries.map((e) => e.name)).toEqual(["B-upper.js", "index.d.ts", "index.js", "lib/", "lib/empty/", "lib/util.js"]);
  });
  test.each(entries.map((entry) => [entry.name, entry] as const))("%s: 1980-01-01 00:00, fixed mode, stored, no extra field, right CRC and contents", (name, entry) => {
    expect(entry.dosDate).toBe(ZIP_EPOCH_DATE);
    expect(entry.dosTime).toBe(0);
    expect(entry.method).toBe(0);
    expect(entry.localExtra).toBe(0);
    if (name.endsWith("/")) {
      expect(entry.mode).toBe(0o040755);
      expect(entry.data).toHaveLength(0);
    } else {
      expect(entry.mode).toBe(0o100644);
      expect(entry.data.equals(readFileSync(join(original, name)))).toBe(true);
    }
    expect(entry.crc).toBe(zlibCrc32(entry.data));
  });

  const unzip = spawnSync("unzip", ["-v"], { encoding: "utf8" });
  test.skipIf(unzip.status !== 0)("unzip reads it without errors", () => {
    const file = join(mkdtempSync(join(tmpdir(), "devops-weeks-zip-")), "archive.zip");
    writeFileSync(file, reference);
    const result = spawnSync("unzip", ["-t", file], { encoding: "utf8" });
    expect(result.stdout).toMatch(/No errors detected/);
  });

  test("an empty folder gives an empty zip", () => {
    const empty = mkdtempSync(join(tmpdir(), "devops-weeks-zip-"));
    expect(readZip(zipDirectory(empty))).toEqual([]);
    expect(zipDirectory(empty)).toHaveLength(22);
  });
});

describe("crc32", () => {
  test.each([
    ["empty", ""],
    ["one byte", "a"],
    ["the check string", "123456789"],
    ["Korean", "김민지"],
    ["a kilobyte", "x".repeat(1024)],
  ])("%s, as zlib computes it", (_name, text) => {
    expect(crc32(Buffer.from(text))).toBe(zlibCrc32(Buffer.from(text)));
  });
  test("the standard check value", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
});

describe("the synthesized Lambda function", () => {
  const config = { notifications: { emails: ["kim@example.com"] } };
  const first = synthConfig(config, { weeks: "1-4" });
  const [logicalName, fn] = Object.entries(first.resources(STACK, "aws_lambda_function")).find(([, f]) => String(f.function_name).endsWith("deploy-notifier"))!;
  const zipBytes = (outdir: string, filename: string) => readFileSync(join(outdir, "stacks", STACK, filename));

  test("carries the zip's SHA-256 as source_code_hash, and the zip is the reproducible one", () => {
    expect(logicalName).toMatch(/notifier/);
    const bytes = zipBytes(first.outdir, fn.filename as string);
    expect(fn.source_code_hash).toBe(sha256(bytes));
    expect(bytes.equals(zipDirectory(NOTIFIER_SOURCE))).toBe(true);
    expect(fn.filename).toMatch(/^assets\/notifications_notifier-code_[0-9A-F]+\/[0-9A-F]{32}\/archive\.zip$/);
    expect(fn.filename).toContain(`/${hashDirectory(NOTIFIER_SOURCE)}/`);
  });

  test("Terraform plans the function with that source_code_hash", { timeout: 180_000 }, () => {
    const plan = planStackOffline(first.stackDir(STACK));
    const planned = plan.byType("aws_lambda_function").find((f) => String(f.values.function_name).endsWith("deploy-notifier"))!;
    expect(planned.values.source_code_hash).toBe(fn.source_code_hash);
  });

  test("the zip cache is gone when the synth returns, not only at the process's exit (a late Ctrl-C leaves nothing)", { timeout: 120_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), "devops-weeks-cache-"));
    mkdirSync(join(root, "tmp"));
    writeFileSync(join(root, "study.yaml"), "notifications:\n  emails: [kim@example.com]\n");
    // A fresh process, so that no earlier synth's cache exists; it lists its temp folder right after the synth.
    const script = [
      `const { readdirSync } = require("node:fs");`,
      `const { synthesizeStudy } = require("./lib/core/synth");`,
      `const { STUDY_MODULES } = require("./modules");`,
      `synthesizeStudy({ configPath: ${JSON.stringify(join(root, "study.yaml"))}, outdir: ${JSON.stringify(join(root, "out"))}, registry: STUDY_MODULES, weeksOverride: "1-4" });`,
      `console.log(JSON.stringify(readdirSync(process.env.TMPDIR).filter((entry) => entry.startsWith("devops-weeks-assets-"))));`,
    ].join("\n");
    const run = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { cwd: REPO, env: { ...process.env, TMPDIR: join(root, "tmp"), CHECKPOINT_DISABLE: "1" }, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(existsSync(join(root, "out", "stacks", STACK, "cdk.tf.json"))).toBe(true);
    expect(JSON.parse(run.stdout.trim().split("\n").pop()!)).toEqual([]);
  });

  test("two synths give the same archive and hash", () => {
    const again = synthConfig(config, { weeks: "1-4" });
    const [, fnAgain] = Object.entries(again.resources(STACK, "aws_lambda_function")).find(([name]) => name === logicalName)!;
    expect(fnAgain.source_code_hash).toBe(fn.source_code_hash);
    expect(zipBytes(again.outdir, fnAgain.filename as string).equals(zipBytes(first.outdir, fn.filename as string))).toBe(true);
  });

  test("a synth in another process, after the handler's files were touched, gives the same archive, hash and stack", { timeout: 180_000 }, () => {
    const paths = [NOTIFIER_SOURCE, ...everyPath(NOTIFIER_SOURCE)];
    const saved = paths.map((path) => [path, statSync(path)] as const);
    const root = mkdtempSync(join(tmpdir(), "devops-weeks-touched-"));
    writeFileSync(join(root, "study.yaml"), "notifications:\n  emails: [kim@example.com]\n");
    const outdir = join(root, "out");
    let result: ReturnType<typeof spawnSync>;
    try {
      paths.forEach((path, i) => utimesSync(path, new Date(2003, 3, 4 + i), new Date(2003, 3, 4 + i)));
      result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
        cwd: REPO,
        env: { ...process.env, STUDY_CONFIG: join(root, "study.yaml"), CDKTF_OUTDIR: outdir, WEEKS: "1-4", CHECKPOINT_DISABLE: "1" },
        encoding: "utf8",
      });
    } finally {
      for (const [path, stat] of saved) utimesSync(path, stat.atimeMs / 1000, stat.mtimeMs / 1000);
    }
    expect(result.status, String(result.stderr)).toBe(0);
    // the checkout's times are back (to the millisecond: utimes takes seconds as a double)
    for (const [path, stat] of saved) expect(Math.abs(statSync(path).mtimeMs - stat.mtimeMs)).toBeLessThan(1);
    const stack = JSON.parse(readFileSync(join(outdir, "stacks", STACK, "cdk.tf.json"), "utf8")) as { resource: Record<string, Record<string, Record<string, unknown>>> };
    const other = stack.resource.aws_lambda_function[logicalName];
    expect(other.source_code_hash).toBe(fn.source_code_hash);
    expect(other.filename).toBe(fn.filename);
    expect(zipBytes(outdir, other.filename as string).equals(zipBytes(first.outdir, fn.filename as string))).toBe(true);
    expect(readFileSync(join(outdir, "stacks", STACK, "cdk.tf.json"), "utf8")).toBe(readFileSync(join(first.outdir, "stacks", STACK, "cdk.tf.json"), "utf8"));
  });
});
