/**
 * Module contract v2 (issue 16), its structural rules: each week's `exports.ts` holds the types of what it
 * offers the other weeks, and nothing else; a week's registry entry (`module.ts`) and its exports name
 * only registry-level files (module.ts, settings.ts, exports.ts), never build code; no week imports
 * another week's build code (`build.ts`, or the folder's barrel `index.ts`, which re-exports it). The registry then loads without the build code, and no
 * import, not even a type-only one, runs in a circle through it. A week changes another week's
 * constructs only through the methods that week offers (`labelNamespace`, `enableNetworkPolicy`, ...),
 * never with `addOverride`, nor finds them with `findAll`. Read with the TypeScript compiler API
 * (test/support/import-graph.ts).
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { App } from "cdktf";
import { beforeAll, describe, expect, test } from "vitest";
import { z } from "zod";
import { parseConfig, defaultEnvironment } from "../../lib/core/config";
import { buildEnvironment } from "../../lib/core/environment";
import { defineModule, type AnyStudyModule } from "../../lib/core/module";
import { importCircles, parseProjectFiles, ROOT, type ImportEdge, type ParsedFile } from "../support/import-graph";

const MODULE_FOLDERS = readdirSync(join(ROOT, "modules"), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

/** `modules/<folder>/<file>` of a repo-relative path, or undefined outside a module folder. */
function moduleFile(path: string): { folder: string; file: string } | undefined {
  const match = /^modules\/([^/]+)\/(.+)$/.exec(path);
  return match ? { folder: match[1], file: match[2] } : undefined;
}

/** The files of a module folder every synth loads (the registry's), as opposed to build code. */
const REGISTRY_FILES = new Set(["module.ts", "settings.ts", "exports.ts"]);

/**
 * Runtime imports of another week's build helpers (neither its build.ts or index.ts nor a registry file): code two
 * weeks share that still lives in one of them, each with its reason. There are none left (shared code
 * lives in lib/, what a week offers comes through ctx.use), and the list may only stay empty.
 */
const SHARED_BUILD_CODE: readonly { readonly import: string; readonly reason: string }[] = [];

/** Calls that patch constructs (`addOverride`) or walk the construct tree for them (`findAll`). */
const PATCHING_METHODS = new Set(["addOverride", "findAll"]);

/**
 * Where a module calls a patching method, each on a construct of its own, with the reason: the owner
 * keeps the patch behind a method other weeks call. The list may only shrink; a call on what another
 * week built is never listed, it becomes a method of that week.
 */
const OWN_CONSTRUCT_PATCHES: readonly { readonly call: string; readonly reason: string }[] = [
  { call: "modules/eks/build.ts: addons[\"vpc-cni\"].addOverride", reason: "enableNetworkPolicy(): the add-on's configuration, which its typed props set only at creation" },
  { call: "modules/eks/build.ts: nodeGroup.addOverride", reason: "leaveDesiredSizeToAutoscaler(): lifecycle.ignore_changes, added after the node group exists" },
  { call: "modules/kubernetes/build.ts: appNamespace.addOverride", reason: "labelNamespace(): one label added to the namespace after it is built" },
  { call: "modules/kubernetes/build.ts: deployment.addOverride", reason: "tuneDeployment(): rollout, spreading and ignore_changes set after the Deployment is built" },
  { call: "modules/security-alerts/trail.ts: scope.node.findAll", reason: "walks its own scope, to move the trail's resources it created" },
];

let files: ParsedFile[];
let moduleImports: ImportEdge[];
beforeAll(() => {
  files = parseProjectFiles(["modules", "lib"]);
  moduleImports = files.filter((f) => f.path.startsWith("modules/")).flatMap((f) => f.imports);
});

const describeEdge = (edge: ImportEdge) => `${edge.from} -> ${edge.to} (${edge.kind})`;

describe("module contract v2", () => {
  test("every week has an exports.ts, and its module.ts takes the exports type from there", () => {
    expect(MODULE_FOLDERS.length).toBeGreaterThanOrEqual(13);
    const paths = new Set(files.map((f) => f.path));
    for (const folder of MODULE_FOLDERS) {
      expect(paths, `modules/${folder}/exports.ts`).toContain(`modules/${folder}/exports.ts`);
      const registryEntry = moduleImports.filter((e) => e.from === `modules/${folder}/module.ts`);
      expect(registryEntry.some((e) => e.to === `modules/${folder}/exports.ts` && e.kind === "type"), `modules/${folder}/module.ts imports type from ./exports`).toBe(true);
    }
  });

  test("exports.ts holds type declarations only: interfaces, type aliases, type-only imports and exports", () => {
    const exportsFiles = files.filter((f) => moduleFile(f.path)?.file === "exports.ts");
    expect(exportsFiles.length).toBe(MODULE_FOLDERS.length);
    const runtime = exportsFiles.flatMap((f) => f.statements.filter((s) => !s.typeOnly).map((s) => `${f.path}: ${s.text.split("\n")[0]}`));
    expect(runtime).toEqual([]);
  });

  test("module.ts and exports.ts import no build code of any week, statically or as types", () => {
    const offending = moduleImports.filter((edge) => {
      const from = moduleFile(edge.from);
      const to = moduleFile(edge.to);
      if (!from || !to || (from.file !== "module.ts" && from.file !== "exports.ts")) return false;
      // The registry entry's `build` and `runbook` load their own folder's code on first use: the lazy loads allowed.
      if (from.file === "module.ts" && edge.kind === "lazy" && to.folder === from.folder && (to.file === "build.ts" || to.file === "runbook.ts")) return false;
      return !REGISTRY_FILES.has(to.file);
    });
    expect(offending.map(describeEdge)).toEqual([]);
  });

  test("each module.ts loads its build code lazily, from its own build.ts (the check sees require and typeof import)", () => {
    for (const folder of MODULE_FOLDERS) {
      const lazy = moduleImports.filter((e) => e.from === `modules/${folder}/module.ts` && e.kind === "lazy");
      expect(lazy.map((e) => e.to), folder).toContain(`modules/${folder}/build.ts`);
    }
  });

  test("each folder has the contract's files: module.ts, exports.ts, build.ts, and index.ts a barrel of re-exports only", () => {
    const paths = new Set(files.map((f) => f.path));
    for (const folder of MODULE_FOLDERS) {
      for (const file of ["module.ts", "exports.ts", "build.ts", "index.ts"]) expect(paths, `modules/${folder}/${file}`).toContain(`modules/${folder}/${file}`);
      const barrel = files.find((f) => f.path === `modules/${folder}/index.ts`)!;
      expect(barrel.statements.filter((statement) => statement.kind !== "ExportDeclaration").map((statement) => statement.text), `modules/${folder}/index.ts`).toEqual([]);
    }
  });

  test("no week imports another week's build.ts or index.ts (its build code)", () => {
    // Exceptions, each with its reason, would be listed here; there are none, and none may come back.
    const exceptions: readonly string[] = [];
    const crossIndex = moduleImports.filter((edge) => {
      const from = moduleFile(edge.from);
      const to = moduleFile(edge.to);
      return from && to && from.folder !== to.folder && (to.file === "build.ts" || to.file === "index.ts");
    });
    expect(crossIndex.map(describeEdge)).toEqual(exceptions);
  });

  test("a type another week offers is imported from its exports.ts (or module.ts, settings.ts), not from its build code", () => {
    const typeImports = moduleImports.filter((edge) => {
      const from = moduleFile(edge.from);
      const to = moduleFile(edge.to);
      return from && to && from.folder !== to.folder && edge.kind === "type" && !REGISTRY_FILES.has(to.file);
    });
    expect(typeImports.map(describeEdge)).toEqual([]);
  });

  test("another week's build helpers are imported only where listed, with the reason", () => {
    const shared = moduleImports.filter((edge) => {
      const from = moduleFile(edge.from);
      const to = moduleFile(edge.to);
      return from && to && from.folder !== to.folder && edge.kind === "static" && to.file !== "build.ts" && to.file !== "index.ts" && !REGISTRY_FILES.has(to.file);
    });
    expect([...new Set(shared.map((e) => `${e.from} -> ${e.to}`))].sort()).toEqual(SHARED_BUILD_CODE.map((s) => s.import));
  });

  test("no import under modules/ runs in a circle, type-only imports included (a module's lazy build load aside)", () => {
    const circles = importCircles(files.filter((f) => f.path.startsWith("modules/")), ["static", "type"]);
    expect(circles.map((c) => c.join(" -> "))).toEqual([]);
  });

  test("no import under lib/ and modules/ together runs in a circle, type-only imports included", () => {
    // 20 before contract v2, 4 after its first step (config <-> module, the runbook's steps, page steps and tips).
    expect(importCircles(files, ["static", "type"]).map((c) => c.join(" -> "))).toEqual([]);
  });
});

describe("a week patches only its own constructs", () => {
  const patchingCalls = (parsed: readonly ParsedFile[]) =>
    parsed.flatMap((f) => f.calls.filter((c) => PATCHING_METHODS.has(c.method)).map((c) => ({ ...c, at: `${f.path}:${c.line}`, call: `${f.path}: ${c.receiver}.${c.method}` })));

  test("no module calls addOverride or findAll on what another week offers (a value from ctx.use)", () => {
    const moduleFiles = files.filter((f) => f.path.startsWith("modules/"));
    const onOtherWeeks = patchingCalls(moduleFiles).filter((c) => c.onUsedValue);
    expect(onOtherWeeks.map((c) => `${c.at}: ${c.receiver}.${c.method}(...)`)).toEqual([]);
  });

  test("addOverride and findAll appear under modules/ only where listed, each on the module's own constructs", () => {
    const calls = patchingCalls(files.filter((f) => f.path.startsWith("modules/")));
    expect([...new Set(calls.map((c) => c.call))].sort()).toEqual(OWN_CONSTRUCT_PATCHES.map((p) => p.call));
  });

  test("the check finds the patches it forbids: through ctx.use, a variable, destructuring, an optional week and a loop", () => {
    const fixture = parseProjectFiles(["test/fixtures/contract-v2"]);
    const found = patchingCalls(fixture).filter((c) => c.onUsedValue);
    expect(found.map((c) => `${c.receiver}.${c.method}`)).toEqual([
      "ctx.use(kubernetesModule).deployment.addOverride",
      "eks.nodeGroup.addOverride",
      'addons["vpc-cni"].addOverride',
      "namespace.addOverride",
      "eks.cluster.node.findAll",
      "extra.addOverride",
    ]);
  });
});

describe("ctx.use", () => {
  const settings = z.strictObject({});
  const producer = defineModule({ id: "producer", week: 1, title: { ko: "p", en: "p" }, settings, build: () => ({ answer: 42 }) });

  function buildWith(modules: AnyStudyModule[]): void {
    const registry = [producer, ...modules];
    const config = parseConfig({}, "contract-v2 test", registry);
    buildEnvironment(new App(), config, defaultEnvironment(config), modules);
  }

  test("by the module's definition gives what its build returned, typed by the definition, as the id does", () => {
    const seen: number[] = [];
    const consumer = defineModule({
      id: "consumer",
      week: 1,
      title: { ko: "c", en: "c" },
      settings,
      requires: ["producer"],
      build: (ctx) => {
        const answer: number = ctx.use(producer).answer;
        seen.push(answer, ctx.use<{ answer: number }>("producer").answer);
      },
    });
    buildWith([producer, consumer]);
    expect(seen).toEqual([42, 42]);
  });

  test("refuses a module that is not enabled, naming both, whichever form names it", () => {
    const byDefinition = defineModule({ id: "consumer", week: 1, title: { ko: "c", en: "c" }, settings, build: (ctx) => ctx.use(producer) });
    const byId = defineModule({ id: "consumer", week: 1, title: { ko: "c", en: "c" }, settings, build: (ctx) => ctx.use("producer") });
    const refusal = /module "consumer" uses "producer", which is not enabled or not built yet: add it to "requires"/;
    expect(() => buildWith([byDefinition])).toThrow(refusal);
    expect(() => buildWith([byId])).toThrow(refusal);
  });
});
