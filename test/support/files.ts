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
