/** Resource names that must fit AWS's per-kind length limits. */
import { createHash } from "node:crypto";

/** A name within AWS's limit for its kind: a long `<project>-<environment>` keeps a readable prefix and a stable hash. */
export function fitName(name: string, max: number): string {
  return name.length <= max ? name : `${name.slice(0, max - 9)}-${createHash("sha256").update(name).digest("hex").slice(0, 8)}`;
}
