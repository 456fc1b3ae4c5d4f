/** Every file under a directory, by its path relative to it, in a stable (sorted) order. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export function filesUnder(root: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort()) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else files.set(relative(root, path), readFileSync(path));
    }
  };
  walk(root);
  return files;
}

/** The files under one directory and under another: the same paths, each with the same bytes and the same executable bit. */
export function treeDifferences(a: string, b: string): string[] {
  const [left, right] = [filesUnder(a), filesUnder(b)];
  const executable = (root: string, path: string) => (statSync(join(root, path)).mode & 0o111) !== 0;
  return [
    ...[...left.keys()].filter((path) => !right.has(path)).map((path) => `only in the first: ${path}`),
    ...[...right.keys()].filter((path) => !left.has(path)).map((path) => `only in the second: ${path}`),
    ...[...left].filter(([path, content]) => right.has(path) && (!content.equals(right.get(path)!) || executable(a, path) !== executable(b, path))).map(([path]) => `differs: ${path}`),
  ];
}
