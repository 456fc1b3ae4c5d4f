/**
 * Provider packages must be imported by deep path (`@cdktf/provider-aws/lib/vpc`): the package
 * root loads every generated class, about 6 s and 680 MB per synth instead of 0.7 s and 100 MB.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, test } from "vitest";

const ROOT = join(__dirname, "../..");
const SOURCE_DIRS = ["main.ts", "lib", "modules", "test", "bench"];
const ROOT_IMPORT = /(?:from\s+|import\s*\(\s*|require\s*\(\s*)["'](@cdktf\/provider-[a-z0-9-]+)["']/g;

function sourceFiles(path: string): string[] {
  if (!statSync(path, { throwIfNoEntry: false })) return [];
  if (statSync(path).isFile()) return /\.(ts|mts|js|mjs)$/.test(path) ? [path] : [];
  return readdirSync(path).flatMap((entry) => (entry === "node_modules" ? [] : sourceFiles(join(path, entry))));
}

function rootProviderImports(files: string[]): string[] {
  return files.flatMap((file) => [...readFileSync(file, "utf8").matchAll(ROOT_IMPORT)].map((m) => `${relative(ROOT, file)}: ${m[1]}`));
}

test("no source file imports a provider package from its root", () => {
  const files = SOURCE_DIRS.flatMap((dir) => sourceFiles(join(ROOT, dir)));
  expect(files.length).toBeGreaterThan(5);
  expect(rootProviderImports(files)).toEqual([]);
});

test("the check catches the import forms it is meant to catch", () => {
  // Built from parts so that this file itself holds no root import for other checkers to flag.
  const provider = (name: string) => `@cdktf/provider-${name}`;
  const samples = [
    `import { Vpc } from "${provider("aws")}";`,
    `import * as k8s from '${provider("kubernetes")}'`,
    `const aws = require("${provider("aws")}");`,
    `const helm = await import("${provider("helm")}");`,
  ];
  for (const sample of samples) expect([...sample.matchAll(ROOT_IMPORT)], sample).toHaveLength(1);
  expect([...`import { Vpc } from "${provider("aws")}/lib/vpc";`.matchAll(ROOT_IMPORT)]).toHaveLength(0);
});
