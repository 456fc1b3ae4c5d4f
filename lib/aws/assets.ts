/**
 * A zipped folder as a TerraformAsset, zipped once per synth however many stacks use it.
 *
 * cdktf's `AssetType.ARCHIVE` zips the folder again for every stack, each time in a new node process
 * (about 0.6 s apiece): a class of 100 learners spent a minute zipping the same Lambda handler. Here
 * the folder is zipped once, in process, into a per-process cache, and every stack gets a plain copy
 * of that file (`AssetType.FILE`) at the very path an ARCHIVE asset would have:
 * `assets/<id>/<content hash>/archive.zip`.
 *
 * The zip is reproducible: the same files give the same bytes in any clone, on any machine. cdktf's
 * zipper (archiver) stores each file's modification time and mode, so a fresh clone, a `touch` or a
 * checkout gave other bytes, and Lambda a "changed" package. {@link zipDirectory} writes entries
 * sorted by path, dated 1980-01-01 00:00 (the zip epoch), mode 0644 for files and 0755 for
 * folders, and *stored* (not deflated): deflate output depends on the zlib build and the CPU's
 * SIMD paths (Node's zlib on arm64 and x64 can differ), and the handlers are a few kilobytes. A
 * hand-written writer rather than archiver with fixed `date`/`mode` options: archiver is
 * asynchronous (hence cdktf's child process), orders entries as its glob finds them, deflates, and is
 * not a dependency of ours, only of cdktf.
 *
 * The asset hash (the folder in the path) stays content-only, as cdktf computes it: file contents,
 * not names nor times. The Lambda function also gets the zip's SHA-256 as `source_code_hash`
 * ({@link archiveSha256}), so a changed handler is redeployed.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AssetType, TerraformAsset } from "cdktf";
import type { Construct } from "constructs";

let cacheDir: string | undefined;
let exitHookRegistered = false;
const archives = new Map<string, { zip: string; hash: string; sha256: string }>();

/**
 * Removes the zip cache. Synth calls it as soon as the stacks hold their copies: a Ctrl-C after the
 * synth's interruptible part (while the process prints and exits) then leaves nothing in the temp
 * folder. The exit hook is the fallback for callers that zip outside a synth.
 */
export function releaseArchiveCache(): void {
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  cacheDir = undefined;
  archives.clear();
}

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

function archiveOnce(sourceDir: string): { zip: string; hash: string; sha256: string } {
  const path = resolve(sourceDir);
  const hash = hashDirectory(path);
  // Keyed by contents too: a handler edited while the process runs (a watch, a test) is zipped anew.
  const key = `${path}\n${hash}`;
  const known = archives.get(key);
  if (known && existsSync(known.zip)) return known;
  if (!cacheDir) {
    // Named, remembered and hooked before it exists: a Ctrl-C stops the synth at whatever JavaScript call
    // comes next, also one just after the folder appeared (mkdtempSync returned the name too late), and the
    // signal handler removes only the folder it knows of.
    if (!exitHookRegistered) process.once("exit", releaseArchiveCache);
    exitHookRegistered = true;
    cacheDir = join(tmpdir(), `devops-weeks-assets-${process.pid}-${randomBytes(6).toString("hex")}`);
    mkdirSync(cacheDir, { mode: 0o700 });
  }
  const folder = join(cacheDir, String(archives.size));
  mkdirSync(folder, { recursive: true });
  const zip = join(folder, "archive.zip");
  const bytes = zipDirectory(path);
  writeFileSync(zip, bytes);
  const entry = { zip, hash, sha256: createHash("sha256").update(bytes).digest("base64") };
  archives.set(key, entry);
  return entry;
}

/** Like `new TerraformAsset(scope, id, { path: sourceDir, type: AssetType.ARCHIVE })`, zipping only once per synth. */
export function archiveAsset(scope: Construct, id: string, sourceDir: string): TerraformAsset {
  const { zip, hash } = archiveOnce(sourceDir);
  return new TerraformAsset(scope, id, { path: zip, type: AssetType.FILE, assetHash: hash });
}

/**
 * Base64 SHA-256 of the folder's zip, what Terraform's `filebase64sha256` would give for the asset:
 * for a Lambda function's `source_code_hash`. Computed at synth, so the plan reads no file for it.
 */
export function archiveSha256(sourceDir: string): string {
  return archiveOnce(sourceDir).sha256;
}

// ---- a reproducible zip --------------------------------------------------------------------------

/** 1980-01-01 00:00:00 in MS-DOS time and date: the earliest a zip can record. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const FILE_MODE = 0o100644;
const DIR_MODE = 0o040755;
/** Version 2.0 (folders), made by Unix (3), so unzip applies the modes. */
const VERSION_NEEDED = 20;
const VERSION_MADE_BY = (3 << 8) | 20;
/** General purpose flag bit 11: names are UTF-8. */
const UTF8_NAMES = 0x0800;

/**
 * The folder's files and subfolders as zip bytes that depend on nothing but their paths and
 * contents: sorted entries (folders as `name/`), fixed times and modes, stored, no extra fields.
 * Symbolic links are followed, as cdktf's zipper does.
 */
export function zipDirectory(sourceDir: string): Buffer {
  const entries: { name: Buffer; data?: Buffer }[] = [];
  const visit = (dir: string, prefix: string) => {
    for (const item of readdirSync(dir)) {
      const path = join(dir, item);
      const stat = statSync(path);
      if (stat.isDirectory()) {
        entries.push({ name: Buffer.from(`${prefix}${item}/`) });
        visit(path, `${prefix}${item}/`);
      } else if (stat.isFile()) entries.push({ name: Buffer.from(`${prefix}${item}`), data: readFileSync(path) });
    }
  };
  visit(resolve(sourceDir), "");
  entries.sort((a, b) => Buffer.compare(a.name, b.name));
  if (entries.length > 0xffff) throw new Error(`${sourceDir}: ${entries.length} files are more than a zip without ZIP64 holds (65535)`);

  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const { name, data = Buffer.alloc(0) } of entries) {
    if (offset + data.length > 0xffffffff) throw new Error(`${sourceDir}: more than 4 GiB, too large for a zip without ZIP64`);
    const crc = crc32(data);
    const directory = name[name.length - 1] === 0x2f;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(0, 8); // method: stored
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(VERSION_MADE_BY, 4);
    central.writeUInt16LE(VERSION_NEEDED, 6);
    central.writeUInt16LE(UTF8_NAMES, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    // extra length, comment length, disk number, internal attributes: 0
    central.writeUInt32LE((((directory ? DIR_MODE : FILE_MODE) << 16) | (directory ? 0x10 : 0)) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directorySize = centrals.reduce((total, part) => total + part.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3, as zip uses it). */
export function crc32(data: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
