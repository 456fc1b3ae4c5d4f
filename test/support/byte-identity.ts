/**
 * A manifest of everything three synths generate, for refactors that must not change the output:
 * every registered week with every option on, a class of three learners over weeks 1-10 (without the
 * account-wide services classroom mode refuses) and the default config. Each file is listed by synth
 * and path relative to its out/, with its sha256 and whether it is executable.
 *
 *   npx tsx test/support/byte-identity.ts record /tmp/manifest-before.json
 *   npx tsx test/support/byte-identity.ts compare /tmp/manifest-before.json
 *
 * `compare` prints the files added, removed or changed and exits 1 when there is any.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fullSecurityConfig } from "../security/plans";
import { synthClass, THREE_LEARNERS } from "../classroom/roster";
import { filesUnder } from "./files";
import { synthConfig, type Synthesized } from "./synth";

export interface ManifestEntry {
  readonly sha256: string;
  readonly executable: boolean;
}

/** `<synth>/<path in its out/>` to the file's hash and mode. */
export type Manifest = Record<string, ManifestEntry>;

/** Account-wide services classroom mode refuses: a class synth turns them off. */
const WITHOUT_ACCOUNT_WIDE_SERVICES = { security: { guardDuty: { enabled: false }, inspector: { enabled: false }, cloudTrail: { enabled: false } } };

export const IDENTITY_SYNTHS: Readonly<Record<string, () => Synthesized>> = {
  "every-option": () => synthConfig(fullSecurityConfig()),
  "classroom-of-three": () => synthClass(THREE_LEARNERS, WITHOUT_ACCOUNT_WIDE_SERVICES, { weeks: "1-10" }),
  defaults: () => synthConfig({}),
};

export function manifestOf(synths: Readonly<Record<string, () => Synthesized>> = IDENTITY_SYNTHS): Manifest {
  const manifest: Manifest = {};
  for (const [name, synth] of Object.entries(synths)) {
    const { outdir } = synth();
    for (const [path, content] of filesUnder(outdir)) {
      const executable = (statSync(join(outdir, path)).mode & 0o111) !== 0;
      manifest[`${name}/${path.split("\\").join("/")}`] = { sha256: createHash("sha256").update(content).digest("hex"), executable };
    }
  }
  return manifest;
}

export interface ManifestDifference {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

export function compareManifests(before: Manifest, after: Manifest): ManifestDifference {
  const added = Object.keys(after).filter((path) => !(path in before));
  const removed = Object.keys(before).filter((path) => !(path in after));
  const changed = Object.keys(before).filter((path) => path in after && (before[path].sha256 !== after[path].sha256 || before[path].executable !== after[path].executable));
  return { added, removed, changed };
}

if (require.main === module) {
  const [command, file] = process.argv.slice(2);
  if ((command !== "record" && command !== "compare") || !file) {
    process.stderr.write("usage: tsx test/support/byte-identity.ts record|compare <manifest.json>\n");
    process.exit(2);
  }
  const manifest = manifestOf();
  if (command === "record") {
    writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
    process.stdout.write(`recorded ${Object.keys(manifest).length} files in ${file}\n`);
  } else {
    const { added, removed, changed } = compareManifests(JSON.parse(readFileSync(file, "utf8")) as Manifest, manifest);
    for (const [label, paths] of [["added", added], ["removed", removed], ["changed", changed]] as const) for (const path of paths) process.stdout.write(`${label}: ${path}\n`);
    const total = Object.keys(manifest).length;
    const different = added.length + removed.length + changed.length;
    process.stdout.write(different === 0 ? `identical: ${total} files\n` : `${different} difference(s) over ${total} files\n`);
    process.exit(different === 0 ? 0 : 1);
  }
}
