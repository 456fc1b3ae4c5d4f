/**
 * How Node loads the app's code, set before anything else is loaded (main.ts imports this first;
 * bench/measure-child.ts too, for both of its sides). Neither setting changes a byte of the output,
 * and each is used only where Node has it (22.14+ and 24; on an older Node nothing changes).
 *
 * 1. Source maps of node_modules. tsx turns Node's source-map support on for everything it loads,
 *    and cdktf and the provider packages ship every file with an inline source map that carries the
 *    whole TypeScript source: Node decodes and indexes each one as the file loads, about a tenth of a
 *    week-1 synth, for stack traces through cdktf's own code that nobody reads. Source maps stay on
 *    for this repository's files (a stack trace still points into the .ts file, at the right line).
 * 2. Node's compile cache (`module.enableCompileCache`): the code V8 compiled for each file is kept
 *    in the system's temporary folder and reused while the file is unchanged, as tsx keeps its
 *    transformed files there. NODE_DISABLE_COMPILE_CACHE=1 turns it off (Node's own switch).
 *
 * DEVOPS_WEEKS_PLAIN_SYNTH=1 leaves Node as tsx set it (as it does for lib/core/cdktf-adapter.ts's savings).
 */
import * as nodeModule from "node:module";

interface ModuleLoading {
  getSourceMapsSupport?(): { enabled: boolean; generatedCode: boolean };
  setSourceMapsSupport?(enabled: boolean, options: { nodeModules: boolean; generatedCode: boolean }): void;
  enableCompileCache?(): unknown;
}

export function configureCodeLoading(env: NodeJS.ProcessEnv = process.env): void {
  if (env.DEVOPS_WEEKS_PLAIN_SYNTH) return;
  const loading = nodeModule as ModuleLoading;
  const sourceMaps = loading.getSourceMapsSupport?.();
  if (sourceMaps?.enabled && loading.setSourceMapsSupport) loading.setSourceMapsSupport(true, { nodeModules: false, generatedCode: sourceMaps.generatedCode });
  loading.enableCompileCache?.();
}

configureCodeLoading();
