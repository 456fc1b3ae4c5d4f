/**
 * out/ as one unit: it is swapped in one step, by one synth at a time, and what an interrupted synth
 * leaves beside it is finished, undone or removed by the next one.
 *
 * Beside `<parent>/out` (`out` is the outdir's name, e.g. CDKTF_OUTDIR=build gives `.build.*`):
 *   .out.staging-<pid>    the new tree, built complete before anything in out/ changes
 *   .out.previous-<pid>   the old tree for the moment between the two renames, then deleted
 *   .out.swap.json        the journal of a swap under way (written atomically: a temporary file, renamed)
 *   .out.lock             who is writing out/: `{"pid", "host", "since"}`, created with `wx`
 *
 * The swap. Terraform's working files of every stack the new tree still has (`.terraform/`,
 * `.terraform.lock.hcl`, so that learners need not run init again) are moved from out/ into the
 * staging tree, then out -> .out.previous-<pid>, .out.staging-<pid> -> out (the commit point), then
 * the previous tree is deleted. At every instant `out` is the old tree or the new one, or, between the
 * two renames, absent (never a mix). The journal is written before the first move and names the two
 * folders and the moved working files, so that the next synth (or this one, on an error or SIGINT)
 * can tell where a swap stopped: the staging folder still there means the commit point was not
 * passed, and the swap is rolled back (previous -> out, the working files moved back, staging
 * deleted, journal deleted); staging gone means it was passed, and the swap is finished (journal
 * deleted, previous deleted). A rollback deletes the journal before the staging folder, so "journal
 * and no staging" can only mean "committed".
 *
 * Why the working files are moved and moved back, not copied or hard-linked: `.terraform/` holds the
 * provider binaries (hundreds of MB); a copy would cost seconds per stack, and hard links need a walk
 * of every file, a file system that has them, and still copy symbolic links. A rename is one call per
 * stack. Its cost is that from the first move until the swap, the old tree lacks those files: should
 * the synth die there, the journal lists them and the rollback puts them back, so after the next
 * synth (whose first step is that recovery) the old tree is whole again. Anything that reads out/
 * while the synth runs may see a stack without `.terraform/` for those few milliseconds.
 *
 * The lock serializes: a second synth in the same checkout waits (saying so once) until the first
 * is done, then builds on its result; after LOCK_WAIT_MS it gives up with a one-line message. A
 * lock whose pid is no longer running on this host is taken over. The lock is held from before the
 * staging build until the end, so recovery, the removal of leftovers and the swap never race.
 *
 * Signals. The synth is synchronous, so a JavaScript signal handler would run only after it ended.
 * SIGINT (Ctrl-C) therefore interrupts it at once (`vm`'s `breakOnSigint`), and SIGTERM, which Node
 * cannot deliver into synchronous code, waits for the synth to end (two more event-loop turns). Either
 * way the staging folder is removed (a swap under way is finished or rolled back from its journal),
 * the lock released, the temporary folders this synth created removed (the exit hooks it registered,
 * e.g. lib/aws/assets.ts's zip cache, are run), and the signal raised again, so the exit status is the
 * usual one. Whatever a SIGKILL (or a crash) leaves is found by the next synth: the journal, the
 * lock, and the staging and previous folders of pids that are no longer running.
 *
 * Not covered: a power loss (nothing is fsynced; a kill is), and a shell whose working directory is
 * inside out/: after a synth it is in a deleted folder (`cd .` or `cd` again finds the new one).
 */
import { accessSync, constants as fsConstants, existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { constants as osConstants, hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { createContext, Script } from "node:vm";
import { OutputDirectoryError } from "./errors";

/** How long a synth waits for another one in the same checkout before it gives up. */
export const LOCK_WAIT_MS = 10 * 60_000;

/** Terraform's working files inside a stack directory, carried from the old out/ into the new one. */
export const TERRAFORM_WORKING_FILES = [".terraform", ".terraform.lock.hcl"] as const;

export interface OutLayout {
  /** out/ itself, absolute (a symbolic link to a folder is followed: the swap happens where it points). */
  readonly outdir: string;
  readonly parent: string;
  /** out/'s name, e.g. `out`. */
  readonly name: string;
  readonly staging: string;
  readonly previous: string;
  readonly lock: string;
  readonly journal: string;
}

export function outLayout(outdir: string, pid = process.pid): OutLayout {
  let absolute = resolve(outdir);
  try {
    if (lstatSync(absolute).isSymbolicLink() && statSync(absolute).isDirectory()) absolute = realpathSync(absolute);
  } catch {
    // absent or a dangling link: checkOutLocation says what is wrong
  }
  const parent = dirname(absolute);
  const name = basename(absolute);
  return {
    outdir: absolute,
    parent,
    name,
    staging: join(parent, `.${name}.staging-${pid}`),
    previous: join(parent, `.${name}.previous-${pid}`),
    lock: join(parent, `.${name}.lock`),
    journal: join(parent, `.${name}.swap.json`),
  };
}

export interface WriteOutOptions {
  readonly log: (line: string) => void;
  /** Dropped stacks stay as empty directories in the new out/stacks/ (for the cdktf CLI, which removes them itself). */
  readonly leaveRemovedStackDirectories?: boolean;
}

/**
 * Builds the new out/ with `build(staging)` and swaps it in; on any error out/ is as it was, and an
 * error of the machine (permission, disk full, out/ a file, ...) becomes an OutputDirectoryError.
 */
export function writeOutDirectory<T>(outdir: string, options: WriteOutOptions, build: (staging: string) => T): T {
  const layout = outLayout(outdir);
  let lock: OutLock | undefined;
  const cleanUpAfterSignal = () => {
    if (lock?.heldOnDisk()) {
      try {
        recoverSwap(layout, () => {});
      } catch {
        // the next synth finds the journal
      }
      if (!existsSync(layout.journal)) removeQuietly(layout.staging);
      lock.release();
    } else removeQuietly(layout.staging);
  };
  return runInterruptible(cleanUpAfterSignal, () => {
    try {
      checkOutLocation(layout);
      lock = OutLock.acquire(layout, options.log);
      recoverSwap(layout, options.log);
      removeLeftovers(layout, options.log);
      checkReplaceable(layout);
      removeQuietly(layout.staging, true);
      mkdirSync(layout.staging, { recursive: true });
      const result = build(layout.staging);
      swapIn(layout, options);
      return result;
    } catch (error) {
      // With a journal left (a rollback that failed), the staging folder is what the next synth restores from.
      if (!existsSync(layout.journal)) removeQuietly(layout.staging);
      throw asOutputDirectoryError(error, layout);
    } finally {
      lock?.release();
    }
  });
}

/**
 * What a synth does first, on its own: finish or roll back an interrupted swap, take over a stale
 * lock, and remove the staging and previous folders of synths that are no longer running.
 */
export function recoverOutDirectory(outdir: string, log: (line: string) => void = () => {}): void {
  const layout = outLayout(outdir);
  const lock = OutLock.acquire(layout, log);
  try {
    recoverSwap(layout, log);
    removeLeftovers(layout, log);
  } catch (error) {
    throw asOutputDirectoryError(error, layout);
  } finally {
    lock.release();
  }
}

/** A folder synth reads (e.g. the runbook templates): missing, or not a folder, is a one-line error. */
export function requireFolder(path: string, what: string, advice: string): void {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    const code = errnoCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") throw new OutputDirectoryError(path, `${what} does not exist`, advice, code);
    throw error;
  }
  if (!stat.isDirectory()) throw new OutputDirectoryError(path, `${what} is a file, not a folder`, advice, "ENOTDIR");
}

// ---- checks before anything changes -----------------------------------------------------------

function checkOutLocation(layout: OutLayout): void {
  try {
    mkdirSync(layout.parent, { recursive: true });
  } catch (error) {
    const code = errnoCode(error);
    if (code !== "EEXIST" && code !== "ENOTDIR") throw error;
    let file = layout.parent;
    while (!(existsSync(file) && !statSync(file).isDirectory())) {
      if (dirname(file) === file) throw error;
      file = dirname(file);
    }
    throw new OutputDirectoryError(file, "is a file, not a folder", `synth writes ${layout.outdir} beneath it: move the file away, or set CDKTF_OUTDIR to another folder; nothing was changed`, code);
  }
  let stat;
  try {
    stat = lstatSync(layout.outdir);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return;
    throw error;
  }
  if (!stat.isDirectory()) {
    throw new OutputDirectoryError(layout.outdir, `is ${stat.isSymbolicLink() ? "a symbolic link to nothing" : "a file"}, not a folder`, `synth writes a folder there: move the file away or delete it, or set CDKTF_OUTDIR to another folder; nothing was changed`, "ENOTDIR");
  }
}

/**
 * The old out/ is deleted after the swap, and its stacks' working files are moved out of it: every
 * folder in it must be writable. Checked before the build, so a read-only folder costs no synth and
 * leaves out/ as it is (rather than a new out/ and an old one that cannot be deleted).
 */
function checkReplaceable(layout: OutLayout): void {
  if (!existsSync(layout.outdir)) return;
  const visit = (dir: string) => {
    try {
      accessSync(dir, fsConstants.W_OK | fsConstants.X_OK);
    } catch (error) {
      const code = errnoCode(error) ?? "EACCES";
      throw new OutputDirectoryError(dir, `is not writable (${code})`, `synth replaces everything in ${layout.name}/ but Terraform's working files: make it writable (chmod -R u+w ${layout.outdir}) or delete ${layout.outdir}; ${layout.name}/ was not changed`, code);
    }
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      if (entry.name === ".terraform") {
        // moved whole (a directory moved to another folder must be writable: its `..` changes), not walked
        try {
          accessSync(join(dir, entry.name), fsConstants.W_OK);
        } catch (error) {
          const code = errnoCode(error) ?? "EACCES";
          throw new OutputDirectoryError(join(dir, entry.name), `is not writable (${code})`, `synth moves it into the new ${layout.name}/: make it writable (chmod u+w ${join(dir, entry.name)}); ${layout.name}/ was not changed`, code);
        }
      } else visit(join(dir, entry.name));
    }
  };
  visit(layout.outdir);
}

// ---- the swap -----------------------------------------------------------------------------------

interface SwapJournal {
  readonly version: 1;
  readonly pid: number;
  /** Names, beside out/. */
  readonly staging: string;
  readonly previous: string;
  readonly hadPrevious: boolean;
  /** Terraform working files moved (or about to be) from out/ into staging, relative to out/: `stacks/<stack>/.terraform`. */
  readonly carried: readonly string[];
}

function swapIn(layout: OutLayout, options: WriteOutOptions): void {
  const { outdir, staging, previous } = layout;
  const hadPrevious = existsSync(outdir);
  const carried: string[] = [];
  if (hadPrevious) {
    const produced = new Set(directoriesIn(join(staging, "stacks")));
    for (const stack of directoriesIn(join(outdir, "stacks"))) {
      if (produced.has(stack)) {
        for (const file of TERRAFORM_WORKING_FILES) {
          const relativePath = join("stacks", stack, file);
          if (pathExists(join(outdir, relativePath)) && !pathExists(join(staging, relativePath))) carried.push(relativePath);
        }
      } else if (options.leaveRemovedStackDirectories) {
        // The cdktf CLI listed out/stacks/ before it ran us and removes what we dropped; it fails if that is gone.
        mkdirSync(join(staging, "stacks", stack), { recursive: true });
      }
    }
  }
  const journal: SwapJournal = { version: 1, pid: process.pid, staging: basename(staging), previous: basename(previous), hadPrevious, carried };
  writeJournal(layout, journal);
  try {
    for (const relativePath of carried) renameSync(join(outdir, relativePath), join(staging, relativePath));
    if (hadPrevious) renameSync(outdir, previous);
    renameSync(staging, outdir); // the commit point
  } catch (error) {
    try {
      rollBack(layout, journal);
    } catch (undoError) {
      const failed = asOutputDirectoryError(error, layout);
      const undo = asOutputDirectoryError(undoError, layout);
      throw new OutputDirectoryError(layout.outdir, `the swap failed (${(failed as Error).message}) and could not be undone (${(undo as Error).message})`, `fix that and run synth again: it restores the previous ${layout.name}/ from ${layout.journal}`, errnoCode(error));
    }
    throw error;
  }
  finishCommitted(layout, journal, options.log);
}

function writeJournal(layout: OutLayout, journal: SwapJournal): void {
  const temporary = `${layout.journal}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, `${JSON.stringify(journal, null, 2)}\n`);
    renameSync(temporary, layout.journal);
  } catch (error) {
    removeQuietly(temporary);
    throw error;
  }
}

function readJournal(layout: OutLayout): SwapJournal {
  let journal: Partial<SwapJournal> | undefined;
  try {
    journal = JSON.parse(readFileSync(layout.journal, "utf8")) as Partial<SwapJournal>;
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error;
  }
  const named = (value: unknown) => typeof value === "string" && value.startsWith(`.${layout.name}.`) && !value.includes("/") && !value.includes("\\");
  if (!journal || journal.version !== 1 || !named(journal.staging) || !named(journal.previous) || !Array.isArray(journal.carried) || typeof journal.hadPrevious !== "boolean") {
    throw new OutputDirectoryError(layout.journal, "is not a swap journal this synth can read", `look at ${layout.parent}: keep whichever of ${layout.name}/, .${layout.name}.previous-* and .${layout.name}.staging-* you want as ${layout.name}/, then delete the journal`);
  }
  return journal as SwapJournal;
}

/** Before the commit point: back to the old tree exactly. The journal goes before the staging folder. */
function rollBack(layout: OutLayout, journal: SwapJournal): void {
  const staging = join(layout.parent, journal.staging);
  const previous = join(layout.parent, journal.previous);
  if (!pathExists(layout.outdir) && journal.hadPrevious) {
    if (!pathExists(previous)) throw new OutputDirectoryError(layout.journal, `names ${previous} as the previous ${layout.name}/, and it is gone`, `keep ${staging} as ${layout.name}/ by hand if you want it, then delete the journal`);
    renameSync(previous, layout.outdir);
  }
  for (const relativePath of journal.carried) {
    const from = join(staging, relativePath);
    const to = join(layout.outdir, relativePath);
    if (pathExists(from) && !pathExists(to) && existsSync(dirname(to))) renameSync(from, to);
  }
  unlinkSync(layout.journal);
  removeQuietly(staging);
}

/** After the commit point: only the journal and the previous tree are left to delete; failing that is a warning. */
function finishCommitted(layout: OutLayout, journal: SwapJournal, log: (line: string) => void): void {
  const previous = join(layout.parent, journal.previous);
  try {
    unlinkSync(layout.journal);
  } catch (error) {
    log(`warning: ${layout.name}/ is new, but ${layout.journal} could not be deleted (${errnoCode(error) ?? (error as Error).message}); the next synth deletes it`);
  }
  try {
    rmSync(previous, { recursive: true, force: true });
  } catch (error) {
    log(`warning: ${layout.name}/ is new, but the previous one, ${previous}, could not be deleted (${errnoCode(error) ?? (error as Error).message}); the next synth tries again`);
  }
}

/** A swap an earlier synth (or this one) left: finished or rolled back. */
function recoverSwap(layout: OutLayout, log: (line: string) => void): void {
  if (!existsSync(layout.journal)) return;
  const journal = readJournal(layout);
  const staging = join(layout.parent, journal.staging);
  if (pathExists(staging)) {
    rollBack(layout, journal);
    log(`a synth (pid ${journal.pid}) stopped while it swapped ${layout.name}/: the previous ${layout.name}/ is restored`);
  } else if (pathExists(layout.outdir)) {
    finishCommitted(layout, journal, log);
    log(`a synth (pid ${journal.pid}) stopped right after it swapped ${layout.name}/: its output is kept, and the previous one deleted`);
  } else {
    throw new OutputDirectoryError(layout.journal, `names a swap of ${layout.name}/ whose folders are gone`, `delete the journal and run synth again`);
  }
}

/** Staging and previous folders (and journal and lock temporaries) of synths that are no longer running. */
function removeLeftovers(layout: OutLayout, log: (line: string) => void): void {
  const prefix = `.${layout.name}.`;
  for (const entry of readdirSync(layout.parent)) {
    if (!entry.startsWith(prefix)) continue;
    const match = /^(?:staging|previous|swap\.json\.tmp|lock\.claim)-(\d+)$/.exec(entry.slice(prefix.length));
    if (!match) continue;
    const pid = Number(match[1]);
    // Our own pid: we hold the lock and are not swapping, so it is a leftover of an earlier synth in this process.
    if (pid !== process.pid && isRunning(pid)) continue;
    try {
      rmSync(join(layout.parent, entry), { recursive: true, force: true });
      if (pid !== process.pid) log(`removed ${entry}, left by a synth that is no longer running`);
    } catch (error) {
      log(`warning: could not delete ${join(layout.parent, entry)}, left by an earlier synth (${errnoCode(error) ?? (error as Error).message}); delete it by hand`);
    }
  }
}

// ---- the lock -----------------------------------------------------------------------------------

interface LockHolder {
  readonly raw: string;
  readonly pid?: number;
  readonly host?: string;
  readonly ageMs: number;
}

class OutLock {
  private constructor(readonly path: string, private readonly content: string) {}

  static acquire(layout: OutLayout, log: (line: string) => void, waitMs = LOCK_WAIT_MS): OutLock {
    const content = `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`;
    const deadline = Date.now() + waitMs;
    let announced: number | undefined;
    for (;;) {
      try {
        writeFileSync(layout.lock, content, { flag: "wx" });
        return new OutLock(layout.lock, content);
      } catch (error) {
        if (errnoCode(error) !== "EEXIST") throw error;
      }
      const holder = readHolder(layout.lock);
      if (!holder) continue; // released meanwhile
      if (isStale(holder)) {
        if (takeOver(layout.lock, holder.raw)) log(`took over ${layout.lock}: its synth (pid ${holder.pid ?? "unknown"}) is no longer running`);
        continue;
      }
      if (Date.now() > deadline) {
        throw new OutputDirectoryError(layout.lock, `another synth (pid ${holder.pid ?? "unknown"}${holder.host && holder.host !== hostname() ? ` on ${holder.host}` : ""}) has been writing ${layout.name}/ for more than ${Math.round(waitMs / 60_000)} minutes`, `wait for it to finish; if no synth is running, delete ${layout.lock} and run synth again`);
      }
      if (announced !== holder.pid) {
        log(`another synth (pid ${holder.pid ?? "unknown"}) is writing ${layout.name}/: waiting for it to finish`);
        announced = holder.pid;
      }
      sleep(100);
    }
  }

  heldOnDisk(): boolean {
    try {
      return readFileSync(this.path, "utf8") === this.content;
    } catch {
      return false;
    }
  }

  release(): void {
    try {
      if (this.heldOnDisk()) unlinkSync(this.path);
    } catch {
      // left with our pid: the next synth takes it over
    }
  }
}

function readHolder(path: string): LockHolder | undefined {
  let raw: string;
  let ageMs: number;
  try {
    raw = readFileSync(path, "utf8");
    ageMs = Date.now() - statSync(path).mtimeMs;
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as { pid?: unknown; host?: unknown };
    return { raw, ageMs, pid: typeof parsed.pid === "number" ? parsed.pid : undefined, host: typeof parsed.host === "string" ? parsed.host : undefined };
  } catch {
    return { raw, ageMs };
  }
}

function isStale(holder: LockHolder): boolean {
  // Empty or cut short: a synth killed between creating the file and writing it (or one writing it right now).
  if (holder.pid === undefined) return holder.ageMs > 2_000;
  // Another host sharing the checkout: its pids mean nothing here.
  if (holder.host !== undefined && holder.host !== hostname()) return false;
  // Our own pid: the synth is synchronous, so it is not this one's lock but an earlier one's in this process.
  return holder.pid === process.pid || !isRunning(holder.pid);
}

/**
 * Removes a stale lock, unless it was replaced meanwhile: it is renamed to a name of ours first (of
 * two synths taking over the same lock, only one gets it), and put back if it is not the one judged stale.
 */
function takeOver(path: string, staleContent: string): boolean {
  const claim = `${path}.claim-${process.pid}`;
  try {
    renameSync(path, claim);
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return false;
    throw error;
  }
  const claimed = readFileSync(claim, "utf8");
  if (claimed === staleContent) {
    unlinkSync(claim);
    return true;
  }
  try {
    linkSync(claim, path); // a fresh lock taken by mistake: back where it was, unless yet another synth locked meanwhile
  } catch {
    // EEXIST: that synth holds the lock now
  }
  unlinkSync(claim);
  return false;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errnoCode(error) === "EPERM"; // running, as another user
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

// ---- signals ------------------------------------------------------------------------------------

/** Thrown after a SIGINT or SIGTERM was handled and raised again, when another handler keeps the process alive. */
export class SynthInterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`synth interrupted by ${signal}`);
    this.name = "SynthInterruptedError";
  }

  get exitCode(): number {
    return 128 + (osConstants.signals[this.signal] ?? 0);
  }
}

/** The SIGTERM handler of the last synth, kept two event-loop turns after it ended (a SIGTERM that came during it is delivered then). */
let lingeringSigterm: (() => void) | undefined;

function runInterruptible<T>(cleanUp: () => void, body: () => T): T {
  if (lingeringSigterm) process.removeListener("SIGTERM", lingeringSigterm);
  const exitHooksBefore = new Set(process.listeners("exit"));
  const handle = (signal: NodeJS.Signals) => {
    process.removeListener("SIGTERM", onSigterm);
    try {
      cleanUp();
    } catch {
      // the next synth finds what is left
    }
    for (const hook of process.listeners("exit")) {
      if (exitHooksBefore.has(hook)) continue;
      process.removeListener("exit", hook);
      try {
        (hook as (code: number) => void)(128 + (osConstants.signals[signal] ?? 0));
      } catch {
        // a temporary folder left in the OS temp dir
      }
    }
    // With no other handler, the default action ends the process here, with the usual status.
    process.kill(process.pid, signal);
  };
  const onSigterm = () => handle("SIGTERM");
  lingeringSigterm = onSigterm;
  process.on("SIGTERM", onSigterm);
  try {
    const script = new Script("body()", { filename: "devops-weeks:synth" });
    return script.runInContext(createContext({ body }), { breakOnSigint: true }) as T;
  } catch (error) {
    if (errnoCode(error) === "ERR_SCRIPT_EXECUTION_INTERRUPTED") {
      handle("SIGINT");
      throw new SynthInterruptedError("SIGINT");
    }
    throw error;
  } finally {
    // A SIGTERM that came meanwhile is read by the event loop's next poll for I/O; when the synth itself ran
    // in an I/O callback (tsx's loader evaluates main.ts in one), that poll is a full turn away: two turns.
    const remove = () => {
      process.removeListener("SIGTERM", onSigterm);
      if (lingeringSigterm === onSigterm) lingeringSigterm = undefined;
    };
    setImmediate(() => setImmediate(remove));
  }
}

// ---- errors of the machine ------------------------------------------------------------------------

const WRITES_IN_FOLDER = new Set(["open", "mkdir", "rename", "unlink", "rmdir", "rm", "link", "symlink", "copyfile", "cp", "scandir"]);

const ENVIRONMENT_ERRORS: Record<string, (folder: string, layout: OutLayout) => { problem: string; advice: string }> = {
  EACCES: (folder) => ({ problem: "permission denied", advice: `make ${folder} writable for your user (chmod u+w ${folder}), or set CDKTF_OUTDIR to a folder you own` }),
  EPERM: (folder) => ({ problem: "operation not permitted (a program may hold the file open)", advice: `close programs that use files in ${folder} and make it writable for your user, or set CDKTF_OUTDIR to a folder you own` }),
  EROFS: (folder) => ({ problem: "the file system is read-only", advice: `set CDKTF_OUTDIR to a folder on a writable disk (not ${folder})` }),
  ENOSPC: (_folder, layout) => ({ problem: "no space left on the disk", advice: `free some space on the disk that holds ${layout.parent} and run synth again` }),
  EDQUOT: (_folder, layout) => ({ problem: "your disk quota is used up", advice: `free some space on the disk that holds ${layout.parent} and run synth again` }),
  EIO: () => ({ problem: "input/output error", advice: "the disk reported an error: check it, then run synth again" }),
  ENOTDIR: () => ({ problem: "a part of this path is a file, not a folder", advice: "move that file away, or set CDKTF_OUTDIR to another folder" }),
  EEXIST: () => ({ problem: "something is in the way", advice: "move it away and run synth again" }),
  EISDIR: () => ({ problem: "a folder is where synth writes a file", advice: "move it away and run synth again" }),
  ENOTEMPTY: () => ({ problem: "a folder is in the way", advice: "move it away and run synth again" }),
  EBUSY: (folder) => ({ problem: "in use by another program", advice: `close programs (editors, terminals) that have files in ${folder} open and run synth again` }),
  EMFILE: () => ({ problem: "too many open files", advice: "close some programs (or raise `ulimit -n`) and run synth again" }),
  ENFILE: () => ({ problem: "too many open files on this machine", advice: "close some programs and run synth again" }),
  ENAMETOOLONG: () => ({ problem: "the path is too long", advice: "set CDKTF_OUTDIR to a shorter path" }),
  ELOOP: () => ({ problem: "too many symbolic links", advice: "check the links in this path" }),
  EXDEV: () => ({ problem: "out/ and the folders beside it are on different disks", advice: "keep out/ a plain folder of the checkout, or set CDKTF_OUTDIR to one" }),
};

/** An errno error of the file system as a one-line OutputDirectoryError; anything else as it is. */
export function asOutputDirectoryError(error: unknown, layout: OutLayout): unknown {
  if (error instanceof OutputDirectoryError || !(error instanceof Error)) return error;
  const errno = error as NodeJS.ErrnoException & { dest?: string };
  if (typeof errno.code !== "string" || typeof errno.path !== "string") return error;
  const path = errno.path;
  let described = ENVIRONMENT_ERRORS[errno.code];
  if (!described && errno.code === "ENOENT" && (path === layout.parent || path.startsWith(`${layout.parent}/`) || path.startsWith(`${layout.parent}\\`))) {
    described = () => ({ problem: "it disappeared while synth ran", advice: "run synth again" });
  }
  if (!described) return error;
  const folder = errno.syscall && WRITES_IN_FOLDER.has(errno.syscall) ? dirname(path) : path;
  const { problem, advice } = described(folder, layout);
  const shown = errno.dest ? `${path} -> ${errno.dest}` : path;
  return new OutputDirectoryError(shown, `${problem} (${errno.code}${errno.syscall ? `, ${errno.syscall}` : ""})`, `${advice}; ${layout.name}/ was not changed`, errno.code);
}

// ---- small helpers ------------------------------------------------------------------------------

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

function pathExists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function directoriesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
  } catch (error) {
    if (errnoCode(error) === "ENOENT") return [];
    throw error;
  }
}

/** rmSync that never throws, unless `strict` (then errors of the machine are reported as such). */
function removeQuietly(path: string, strict = false): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (error) {
    if (strict) throw error;
  }
}
