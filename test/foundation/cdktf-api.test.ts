/**
 * cdktf's internals (deep imports such as `cdktf/lib/tfExpression.js`, protected and private members,
 * patched prototypes) are used in one file only, lib/core/cdktf-adapter.ts: moving to another cdktf (a new
 * release, or CDK Terrain's `cdktn`) means checking that file alone. Everything else imports the
 * package roots (`cdktf`, `constructs`) and the providers' public per-resource paths
 * (`@cdktf/provider-aws/lib/vpc`).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = join(__dirname, "../..");
const ADAPTER = "lib/core/cdktf-adapter.ts";
const SOURCE_DIRS = ["main.ts", "lib", "modules", "test", "bench", "scripts", "vitest.config.mts"];

/** Every module specifier a file names: `import ... from`, `export ... from`, `import "..."`, `require(...)`, `import(...)`. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\s+|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;
/** cdktf's family: the library, constructs, the CLI and its packages, the providers; CDK Terrain's (`cdktn`, `@cdktn/*`) alike. */
const CDKTF_FAMILY = /^(?:cdkt[fn](?:-cli)?|constructs|@cdkt[fn]\/[^/]+)(?:\/|$)/;
/**
 * What may be imported from that family outside the adapter: the roots, the providers' per-resource
 * paths, and the CLI's native terminal library, which tests load to see that the CLI can start on
 * the Node they run on (no part of the app).
 */
const PUBLIC = [/^cdkt[fn]$/, /^constructs$/, /^@cdkt[fn]\/provider-[a-z0-9-]+\/lib\/[a-z0-9-]+$/, /^@cdktf\/node-pty-prebuilt-multiarch$/];
/**
 * cdktf members that are not public API, which the adapter uses: named anywhere else, they would be
 * a second place to check on a move. (Token stack traces are reached only through a deep import.)
 * Built from parts, so that this file does not name them itself.
 */
const INTERNAL_MEMBERS = [["allocate", "LogicalId"], ["prepare", "Stack"], ["ensure", "BackendExists"], ["origin", "Stack"]].map((parts) => parts.join(""));

function sourceFiles(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })) return [];
  if (statSync(path).isFile()) return /\.(ts|mts|cts|js|mjs|cjs)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((entry) => (entry === "node_modules" ? [] : sourceFiles(join(path, entry))));
}

export function internalImports(source: string): string[] {
  return [...source.matchAll(SPECIFIER)].map((m) => m[1]).filter((specifier) => CDKTF_FAMILY.test(specifier) && !PUBLIC.some((allowed) => allowed.test(specifier)));
}

const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir))).map((file) => ({ path: relative(ROOT, file).split(sep).join("/"), source: readFileSync(file, "utf8") }));
const others = files.filter((file) => file.path !== ADAPTER && file.path !== "test/foundation/cdktf-api.test.ts");

describe("cdktf's internals", () => {
  test("no file but the adapter imports anything of cdktf's but its public entry points", () => {
    expect(files.length).toBeGreaterThan(50);
    expect(others.flatMap((file) => internalImports(file.source).map((specifier) => `${file.path}: ${specifier}`))).toEqual([]);
  });

  test("no file but the adapter names a cdktf member that is not public API", () => {
    const named = others.flatMap((file) => INTERNAL_MEMBERS.filter((member) => new RegExp(`\\b${member}\\b`).test(file.source)).map((member) => `${file.path}: ${member}`));
    expect(named).toEqual([]);
  });

  test("the adapter's deep imports exist in the installed cdktf, so each saving is really on", () => {
    const adapter = files.find((file) => file.path === ADAPTER);
    expect(adapter, ADAPTER).toBeDefined();
    const deep = internalImports(adapter!.source);
    expect(deep.map((specifier) => specifier.replace(/^cdkt[fn]\//, ""))).toEqual(["lib/tokens/private/stack-trace.js", "lib/tfExpression.js"]);
    for (const specifier of deep) expect(existsSync(join(ROOT, "node_modules", specifier)), specifier).toBe(true);
    for (const member of INTERNAL_MEMBERS) expect(adapter!.source, member).toMatch(new RegExp(`\\b${member}\\b`));
  });

  test("the check catches the forms it is meant to catch, and lets the public ones through", () => {
    // Built from parts so that this file itself holds no internal import for other checkers to flag.
    const lib = (path: string) => ["cdktf", "lib", path].join("/");
    const flagged = [
      `import { ref } from "${lib("tfExpression")}";`,
      `const trace = require('${lib("tokens/private/stack-trace.js")}');`,
      `const m = await import("${lib("synthesize/synthesizer")}");`,
      `export { Testing } from "${lib("testing")}";`,
      `import "${["constructs", "lib", "construct"].join("/")}";`,
      `import { Vpc } from "${["@cdktf", "provider-aws", "lib", "vpc", "index-structs"].join("/")}";`,
      `import { x } from "${["@cdktf", "commons"].join("/")}";`,
      `import { ref } from "${["cdktn", "lib", "tfExpression"].join("/")}";`,
    ];
    for (const sample of flagged) expect(internalImports(sample), sample).toHaveLength(1);
    const allowed = [`import { App } from "cdktf";`, `import { Construct } from "constructs";`, `import { Vpc } from "@cdktf/provider-aws/lib/vpc";`, `require("@cdktf/provider-kubernetes/lib/deployment-v1")`, `import { z } from "zod";`, `import { join } from "node:path";`, `import { App } from "cdktn";`, `import { Vpc } from "@cdktn/provider-aws/lib/vpc";`];
    for (const sample of allowed) expect(internalImports(sample), sample).toEqual([]);
  });
});
