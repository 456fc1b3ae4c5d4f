/**
 * A zipped folder as a TerraformAsset, zipped once per synth however many stacks use it.
 *
 * cdktf's `AssetType.ARCHIVE` zips the folder again for every stack, each time in a new node process
 * (about 0.6 s apiece): a class of 100 learners spent a minute zipping the same Lambda handler. Here
 * the folder is zipped once, by the same code cdktf uses, into a per-process cache, and every stack
 * gets a plain copy of that file (`AssetType.FILE`) at the very path an ARCHIVE asset would have:
 * `assets/<id>/<content hash>/archive.zip`. The synthesized JSON does not change.
 */
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import type { Construct } from "constructs";

let cacheDir: string | undefined;
const archives = new Map<string, { zip: string; hash: string }>();

/** Same as cdktf's (private) hashPath: md5 of the files' contents in directory order, 32 hex digits, upper case. */
export function hashDirectory(path: string): string {
  const hash = createHash("md5");
  const visit = (p: string) => {
    const stat = statSync(p);
    if (stat.isFile()) hash.update(readFileSync(p));
    else if (stat.isDirectory()) for (const name of readdirSync(p)) visit(resolve(p, name));
  };
  visit(path);
  return hash.digest("hex").slice(0, 32).toUpperCase();
}

function archiveOnce(sourceDir: string): { zip: string; hash: string } {
  const key = resolve(sourceDir);
  const known = archives.get(key);
  if (known && existsSync(known.zip)) return known;
  if (!cacheDir) {
    cacheDir = mkdtempSync(join(tmpdir(), "devops-weeks-assets-"));
    const dir = cacheDir;
    process.once("exit", () => rmSync(dir, { recursive: true, force: true }));
  }
  const hash = hashDirectory(key);
  const folder = join(cacheDir, hash);
  mkdirSync(folder, { recursive: true });
  const zip = join(folder, "archive.zip");
  // cdktf's own zipper (archiver, run as a script because zipping is asynchronous), so the bytes match an ARCHIVE asset's.
  execFileSync(process.execPath, [require.resolve("cdktf/lib/private/fs.js"), key, zip]);
  const entry = { zip, hash };
  archives.set(key, entry);
  return entry;
}

/** Like `new TerraformAsset(scope, id, { path: sourceDir, type: AssetType.ARCHIVE })`, zipping only once per synth. */
export function archiveAsset(scope: Construct, id: string, sourceDir: string): TerraformAsset {
  const { zip, hash } = archiveOnce(sourceDir);
  return new TerraformAsset(scope, id, { path: zip, type: AssetType.FILE, assetHash: hash });
}
