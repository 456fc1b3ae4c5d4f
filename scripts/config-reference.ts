/**
 * `npm run docs`: rewrites the config reference tables of README.md from the settings schemas
 * (lib/core/config-reference.ts), in place between their markers. Exit 1 when a field has no description,
 * a comment's `@default` is stale, or a section has no block in the README (add its markers where the
 * table belongs: `<!-- config-reference:<id> begin -->` and `<!-- config-reference:<id> end -->`).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { referenceSections, updateReadme } from "../lib/core/config-reference";
import { STUDY_MODULES } from "../modules";

const ROOT = join(__dirname, "..");
const README = join(ROOT, "README.md");

const readme = readFileSync(README, "utf8");
const update = updateReadme(readme, referenceSections(STUDY_MODULES), (path) => readFileSync(join(ROOT, path), "utf8"));
if (update.text !== readme) writeFileSync(README, update.text);

const complaints = [
  ...update.missing.map((id) => `README.md has no block for ${id}: add <!-- config-reference:${id} begin --> and <!-- config-reference:${id} end --> where its table belongs`),
  ...update.unknown.map((id) => `README.md has a block config-reference:${id} that no settings schema has, or has it twice`),
  ...update.problems,
];
for (const complaint of complaints) console.error(`docs: ${complaint}`);
console.log(`docs: ${update.fields} fields in ${referenceSections(STUDY_MODULES).length - update.missing.length} blocks; README.md ${update.text === readme ? "unchanged" : "rewritten"}`);
process.exitCode = complaints.length > 0 ? 1 : 0;
