/**
 * Synth-time cost that grows with the size of the app, kept in check.
 *
 * cdktf records a full stack trace (unlimited depth, formatted, through Node's source-map support
 * when tsx runs the synth) for every token it creates: each attribute reference, list and map,
 * thousands per environment, only to quote them in a few error messages. That was a third of a
 * classroom synth's time. While `fn` runs, cdktf's `captureStackTrace` (cdktf 0.21,
 * lib/tokens/private/stack-trace.js, read at each call by the token classes) records nothing;
 * it is restored afterwards. The synthesized output is unchanged: the traces only ever appear in
 * cdktf's own error messages. Set DEVOPS_WEEKS_TOKEN_STACKS=1 to keep them when debugging a token error.
 */
interface StackTraceModule {
  captureStackTrace(below?: unknown): string[];
}

function cdktfStackTraceModule(): StackTraceModule | undefined {
  try {
    const loaded = require("cdktf/lib/tokens/private/stack-trace.js") as Partial<StackTraceModule>;
    return typeof loaded.captureStackTrace === "function" ? (loaded as StackTraceModule) : undefined;
  } catch {
    return undefined; // a cdktf without that file: nothing to switch off
  }
}

export function withoutTokenStackTraces<T>(fn: () => T): T {
  const stackTraces = process.env.DEVOPS_WEEKS_TOKEN_STACKS ? undefined : cdktfStackTraceModule();
  if (!stackTraces) return fn();
  const original = stackTraces.captureStackTrace;
  stackTraces.captureStackTrace = () => [];
  try {
    return fn();
  } finally {
    stackTraces.captureStackTrace = original;
  }
}
