/**
 * Fault injection for the synth's file system calls, loaded before the app:
 *   node --require test/faults/fault-fs.cjs --import tsx main.ts
 * It does nothing unless FAULT_ROOT is set (the folder that holds out/ and what synth puts beside it).
 *
 * Counted are the calls that change the file system (rename, rm, rmdir, unlink, mkdir, writeFile,
 * appendFile, open for writing, link, symlink, copyFile, cp) on a path under FAULT_ROOT, and of those:
 *   FAULT_SCOPE=swap (default)  those not strictly inside a staging folder, plus every rename and link:
 *                               the lock, the staging folder itself, the journal, the moves of Terraform's
 *                               working files, the two renames, the deletions; not the build's writes
 *   FAULT_SCOPE=staging         only those strictly inside a staging folder (the build's writes)
 * At the FAULT_AT-th counted call (1-based; 0 = never), before the call is made:
 *   FAULT_KIND=SIGKILL          the process kills itself
 *   FAULT_KIND=EIO|ENOSPC|...   the call throws that errno error, as Node's own would look
 * FAULT_EACCES_DIR=<dir>: accessSync(<dir>) and every change of an entry in <dir> throw EACCES, what a
 * non-root user gets from a folder without write permission (tests run as root, where chmod does not).
 * FAULT_REPORT=<file>: at exit, `{ count, fired, calls }` is written there (not after a SIGKILL).
 * Calls made from inside a wrapped call (writeFileSync opens the file with fs.openSync) are not counted.
 *
 * FAULT_SIGINT_AFTER_MKDIR=<prefix> (with or without FAULT_ROOT): right after mkdirSync or mkdtempSync
 * made a folder whose name starts with <prefix>, the process sends itself SIGINT and spins in
 * JavaScript, so a Ctrl-C lands at the first call after the folder exists, before the caller has the
 * name: the worst moment, which a test that watches the folder from outside only hits by luck.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const os = require("node:os");
const { syncBuiltinESMExports } = require("node:module");

const PATH_ARGUMENTS = {
  renameSync: [0, 1],
  linkSync: [0, 1],
  symlinkSync: [1],
  copyFileSync: [1],
  cpSync: [1],
  rmSync: [0],
  rmdirSync: [0],
  unlinkSync: [0],
  mkdirSync: [0],
  writeFileSync: [0],
  appendFileSync: [0],
  openSync: [0],
  accessSync: [0],
};
const SYSCALLS = { renameSync: "rename", linkSync: "link", symlinkSync: "symlink", copyFileSync: "copyfile", cpSync: "cp", rmSync: "rm", rmdirSync: "rmdir", unlinkSync: "unlink", mkdirSync: "mkdir", writeFileSync: "open", appendFileSync: "open", openSync: "open", accessSync: "access" };
const MESSAGES = { EIO: "i/o error", ENOSPC: "no space left on device", EACCES: "permission denied", EDQUOT: "disk quota exceeded", EROFS: "read-only file system" };

function errnoError(code, syscall, target) {
  const error = new Error(`${code}: ${MESSAGES[code] || "injected fault"}, ${syscall} '${target}'`);
  error.code = code;
  error.errno = -(os.constants.errno[code] || 5);
  error.syscall = syscall;
  error.path = target;
  return error;
}

function install(env) {
  const root = path.resolve(env.FAULT_ROOT);
  const at = Number(env.FAULT_AT || 0);
  const kind = env.FAULT_KIND || "EIO";
  const scope = env.FAULT_SCOPE || "swap";
  const eaccesDir = env.FAULT_EACCES_DIR ? path.resolve(env.FAULT_EACCES_DIR) : undefined;
  const original = {};
  const calls = [];
  let depth = 0;
  let count = 0;
  let fired = false;

  const under = (p) => p === root || p.startsWith(root + path.sep);
  const inStaging = (p) => under(p) && /^\.[^/\\]+\.staging-\d+[/\\]./.test(path.relative(root, p));

  function before(name, args) {
    const paths = PATH_ARGUMENTS[name].map((i) => args[i]).filter((p) => typeof p === "string").map((p) => path.resolve(p));
    if (paths.length === 0) return;
    if (name === "openSync" && !/[wa+x]/.test(String(args[1] === undefined ? "r" : args[1]))) return;
    if (name === "accessSync") {
      if (eaccesDir && paths[0] === eaccesDir) throw errnoError("EACCES", "access", paths[0]);
      return;
    }
    if (eaccesDir && paths.some((p) => path.dirname(p) === eaccesDir)) throw errnoError("EACCES", SYSCALLS[name], paths[0]);
    if (!paths.some(under)) return;
    const allInStaging = paths.every(inStaging);
    const counted = scope === "staging" ? allInStaging : name === "renameSync" || name === "linkSync" || !allInStaging;
    if (!counted) return;
    count += 1;
    calls.push(`${name} ${paths.map((p) => path.relative(root, p)).join(" -> ")}`);
    if (count === at && !fired) {
      fired = true;
      if (kind === "SIGKILL") process.kill(process.pid, "SIGKILL");
      throw errnoError(kind, SYSCALLS[name], paths[0]);
    }
  }

  for (const name of Object.keys(PATH_ARGUMENTS)) {
    const fn = fs[name];
    original[name] = fn;
    fs[name] = function (...args) {
      if (depth > 0) return fn.apply(this, args);
      depth += 1;
      try {
        before(name, args);
        return fn.apply(this, args);
      } finally {
        depth -= 1;
      }
    };
  }
  syncBuiltinESMExports();

  if (env.FAULT_REPORT) {
    process.on("exit", () => {
      depth += 1;
      original.writeFileSync(env.FAULT_REPORT, JSON.stringify({ count, fired, calls }));
    });
  }
}

function interruptAfterMkdir(prefix) {
  for (const name of ["mkdirSync", "mkdtempSync"]) {
    const fn = fs[name];
    fs[name] = function (...args) {
      const made = fn.apply(this, args);
      const folder = name === "mkdtempSync" ? made : args[0];
      if (typeof folder === "string" && path.basename(folder).startsWith(prefix)) {
        process.kill(process.pid, "SIGINT");
        const deadline = Date.now() + 5000;
        while (Date.now() < deadline) {
          // a loop's back edge is where V8 stops a script interrupted by breakOnSigint
        }
      }
      return made;
    };
  }
  syncBuiltinESMExports();
}

if (process.env.FAULT_ROOT) install(process.env);
if (process.env.FAULT_SIGINT_AFTER_MKDIR) interruptAfterMkdir(process.env.FAULT_SIGINT_AFTER_MKDIR);
