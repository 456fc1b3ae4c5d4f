/**
 * The project's own import graph, read with the TypeScript compiler API (typescript/unstable/sync:
 * the compiler the project type-checks with, parsing each file once): which file imports which, and how.
 *
 *   npx tsx test/support/import-graph.ts     # counts the import circles over modules/ and lib/
 *
 * An import is `static` (an import or export declaration that loads the file at runtime), `type`
 * (`import type`, `export type ... from`, or every name imported marked `type`: erased on compile) or
 * `lazy` (`require(...)`, `import(...)` and `typeof import(...)`, the form a module's `build` loads its
 * build code with, on first call).
 *
 * Each file also lists its method calls (`receiver.method(...)`), with whether the receiver is a value
 * that `ctx.use(...)` gave, i.e. something another week built (see MemberCall).
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { API } from "typescript/unstable/sync";
import { SyntaxKind, type Node, type SourceFile, type Statement } from "typescript/unstable/ast";

export const ROOT = resolve(__dirname, "../..");

export type ImportKind = "static" | "type" | "lazy";

export interface ImportEdge {
  /** Repo-relative posix paths. */
  readonly from: string;
  readonly to: string;
  readonly specifier: string;
  readonly kind: ImportKind;
}

/** A call `receiver.method(...)` (or `receiver?.method(...)`, `receiver["method"](...)`). */
export interface MemberCall {
  readonly method: string;
  /** The receiver's source text, e.g. `deployment` or `eks.addons["vpc-cni"]`. */
  readonly receiver: string;
  /** 1-based line of the method's name. */
  readonly line: number;
  /**
   * Whether the receiver is reached from a `.use(...)` call: directly (`ctx.use(eksModule).nodeGroup`)
   * or through variables of the file bound to one, by property access, destructuring, `for...of`,
   * `?:`, `??` or `||` (`const eks = ctx.use(eksModule); const { addons } = eks; addons["vpc-cni"]`).
   * Function parameters (callbacks' included) are not followed.
   */
  readonly onUsedValue: boolean;
}

export interface ParsedFile {
  /** Repo-relative posix path. */
  readonly path: string;
  readonly imports: readonly ImportEdge[];
  readonly calls: readonly MemberCall[];
  /** Top-level statements by kind name, e.g. `InterfaceDeclaration`, `VariableStatement`. */
  readonly statements: readonly { readonly kind: string; readonly typeOnly: boolean; readonly text: string }[];
}

const posix = (path: string) => path.split(sep).join("/");

/** The file a relative specifier names, as TypeScript resolves it for this project (a `.js` name may be a `.ts` file). */
function resolveRelative(fromFile: string, specifier: string): string | undefined {
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base, `${base}.ts`, `${base}.d.ts`, join(base, "index.ts"), base.replace(/\.js$/, ".ts"), base.replace(/\.js$/, ".d.ts")];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

function stringArgument(node: Node | undefined): string | undefined {
  if (!node) return undefined;
  if (node.kind === SyntaxKind.StringLiteral || node.kind === SyntaxKind.NoSubstitutionTemplateLiteral) return (node as unknown as { text: string }).text;
  if (node.kind === SyntaxKind.LiteralType) return stringArgument((node as unknown as { literal: Node }).literal);
  return undefined;
}

/** Whether an import declaration is erased on compile: `import type`, or only `type` names. */
function importIsTypeOnly(node: Node): boolean {
  const clause = (node as unknown as { importClause?: { phaseModifier?: SyntaxKind; name?: Node; namedBindings?: Node & { elements?: readonly { isTypeOnly: boolean }[] } } }).importClause;
  if (!clause) return false; // `import "x"`: a side effect
  if (clause.phaseModifier === SyntaxKind.TypeKeyword) return true;
  const elements = clause.namedBindings?.elements;
  return !clause.name && elements !== undefined && elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

function exportIsTypeOnly(node: Node): boolean {
  const declaration = node as unknown as { isTypeOnly: boolean; exportClause?: { elements?: readonly { isTypeOnly: boolean }[] } };
  if (declaration.isTypeOnly) return true;
  const elements = declaration.exportClause?.elements;
  return elements !== undefined && elements.length > 0 && elements.every((e) => e.isTypeOnly);
}

/** Whether a top-level statement has no runtime code: a type declaration, or a type-only import or export. */
function statementIsTypeOnly(statement: Statement): boolean {
  switch (statement.kind) {
    case SyntaxKind.InterfaceDeclaration:
    case SyntaxKind.TypeAliasDeclaration:
      return true;
    case SyntaxKind.ImportDeclaration:
      return importIsTypeOnly(statement);
    case SyntaxKind.ExportDeclaration:
      return exportIsTypeOnly(statement);
    default:
      return false;
  }
}

function importsOf(sourceFile: SourceFile, path: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const add = (specifier: string | undefined, kind: ImportKind) => {
    if (!specifier || !specifier.startsWith(".")) return;
    const target = resolveRelative(sourceFile.fileName, specifier);
    if (target) edges.push({ from: path, to: posix(relative(ROOT, target)), specifier, kind });
  };
  const visit = (node: Node): void => {
    switch (node.kind) {
      case SyntaxKind.ImportDeclaration:
        add(stringArgument((node as unknown as { moduleSpecifier: Node }).moduleSpecifier), importIsTypeOnly(node) ? "type" : "static");
        return;
      case SyntaxKind.ExportDeclaration:
        add(stringArgument((node as unknown as { moduleSpecifier?: Node }).moduleSpecifier), exportIsTypeOnly(node) ? "type" : "static");
        return;
      case SyntaxKind.ImportEqualsDeclaration: {
        const reference = (node as unknown as { isTypeOnly: boolean; moduleReference: Node & { expression?: Node } }).moduleReference;
        if (reference.kind === SyntaxKind.ExternalModuleReference) add(stringArgument(reference.expression), (node as unknown as { isTypeOnly: boolean }).isTypeOnly ? "type" : "static");
        return;
      }
      case SyntaxKind.ImportType:
        add(stringArgument((node as unknown as { argument: Node }).argument), "lazy");
        break;
      case SyntaxKind.CallExpression: {
        const call = node as unknown as { expression: Node & { text?: string }; arguments: readonly Node[] };
        const callee = call.expression;
        if (callee.kind === SyntaxKind.ImportKeyword || (callee.kind === SyntaxKind.Identifier && callee.text === "require")) add(stringArgument(call.arguments[0]), "lazy");
        break;
      }
    }
    node.forEachChild(visit);
  };
  sourceFile.forEachChild(visit);
  return edges;
}

type AnyNode = Node & Record<string, unknown>;
const child = (node: Node, key: string) => (node as AnyNode)[key] as AnyNode | undefined;
const identifierText = (node: Node | undefined) => (node && node.kind === SyntaxKind.Identifier ? (node as unknown as { text: string }).text : undefined);

/** Names a binding (`x`, `{ a, b: c }`, `[d, ...e]`) declares. */
function boundNames(name: Node | undefined): string[] {
  if (!name) return [];
  const text = identifierText(name);
  if (text) return [text];
  const elements = (child(name, "elements") as unknown as readonly Node[] | undefined) ?? [];
  return elements.flatMap((element) => boundNames(child(element, "name")));
}

function memberCallsOf(sourceFile: SourceFile): MemberCall[] {
  const text = sourceFile.text;
  // From the node's first token: `pos` would include the comments before it.
  const sourceOf = (node: Node) => text.slice(node.getStart(sourceFile), node.end);
  const lineAt = (position: number) => text.slice(0, position).split("\n").length;
  const used = new Set<string>();
  /** Whether an expression's value comes from a `.use(...)` call or from a variable holding one. */
  const fromUse = (node: AnyNode | undefined): boolean => {
    if (!node) return false;
    switch (node.kind) {
      case SyntaxKind.Identifier:
        return used.has(identifierText(node)!);
      case SyntaxKind.PropertyAccessExpression:
      case SyntaxKind.ElementAccessExpression:
      case SyntaxKind.ParenthesizedExpression:
      case SyntaxKind.NonNullExpression:
      case SyntaxKind.AsExpression:
      case SyntaxKind.SatisfiesExpression:
      case SyntaxKind.AwaitExpression:
        return fromUse(child(node, "expression"));
      case SyntaxKind.CallExpression: {
        const callee = child(node, "expression")!;
        const isUse = callee.kind === SyntaxKind.PropertyAccessExpression && identifierText(child(callee, "name")) === "use";
        return isUse || fromUse(callee);
      }
      case SyntaxKind.ConditionalExpression:
        return fromUse(child(node, "whenTrue")) || fromUse(child(node, "whenFalse"));
      case SyntaxKind.BinaryExpression: {
        const operator = child(node, "operatorToken")!.kind;
        return (operator === SyntaxKind.QuestionQuestionToken || operator === SyntaxKind.BarBarToken) && (fromUse(child(node, "left")) || fromUse(child(node, "right")));
      }
      default:
        return false;
    }
  };
  // Variables bound to used values (`const x = ...`, `for (const x of ...)`), to a fixed point: a
  // declaration may name one declared later in the file.
  const bindings: { readonly names: string[]; readonly source: AnyNode | undefined }[] = [];
  const collect = (node: Node): void => {
    if (node.kind === SyntaxKind.VariableDeclaration) bindings.push({ names: boundNames(child(node, "name")), source: child(node, "initializer") });
    if (node.kind === SyntaxKind.ForOfStatement) {
      const declarations = (child(child(node, "initializer")!, "declarations") as unknown as readonly Node[] | undefined) ?? [];
      bindings.push({ names: declarations.flatMap((d) => boundNames(child(d, "name"))), source: child(node, "expression") });
    }
    node.forEachChild(collect);
  };
  sourceFile.forEachChild(collect);
  for (let grown = true; grown; ) {
    grown = false;
    for (const binding of bindings) {
      if (!fromUse(binding.source)) continue;
      for (const name of binding.names) {
        if (used.has(name)) continue;
        used.add(name);
        grown = true;
      }
    }
  }
  const calls: MemberCall[] = [];
  const visit = (node: Node): void => {
    if (node.kind === SyntaxKind.CallExpression) {
      const callee = child(node, "expression")!;
      const receiver = child(callee, "expression");
      let method: string | undefined;
      let at = 0;
      if (callee.kind === SyntaxKind.PropertyAccessExpression) {
        const name = child(callee, "name")!;
        method = identifierText(name);
        at = name.end;
      } else if (callee.kind === SyntaxKind.ElementAccessExpression) {
        const argument = child(callee, "argumentExpression");
        method = argument && argument.kind === SyntaxKind.StringLiteral ? (argument as unknown as { text: string }).text : undefined;
        at = argument?.end ?? 0;
      }
      if (method && receiver) calls.push({ method, receiver: sourceOf(receiver), line: lineAt(at), onUsedValue: fromUse(receiver) });
    }
    node.forEachChild(visit);
  };
  sourceFile.forEachChild(visit);
  return calls;
}

/** Every TypeScript file of the project (tsconfig.json) under the given repo-relative folders, parsed. */
export function parseProjectFiles(folders: readonly string[]): ParsedFile[] {
  const api = new API({ cwd: ROOT });
  try {
    const project = api.updateSnapshot({ openProject: join(ROOT, "tsconfig.json") }).getProjects()[0];
    const inFolders = (file: string) => folders.some((folder) => posix(relative(ROOT, file)).startsWith(`${folder}/`));
    return project.program
      .getSourceFileNames()
      .filter((file) => !file.includes("/node_modules/") && inFolders(file))
      .sort()
      .map((file) => {
        const sourceFile = project.program.getSourceFile(file)!;
        const path = posix(relative(ROOT, file));
        return {
          path,
          imports: importsOf(sourceFile, path),
          calls: memberCallsOf(sourceFile),
          statements: sourceFile.statements.map((statement) => ({ kind: SyntaxKind[statement.kind], typeOnly: statementIsTypeOnly(statement), text: sourceFile.text.slice(statement.pos, statement.end).trim() })),
        };
      });
  } finally {
    api.close();
  }
}

/**
 * The elementary import circles among the files (each once, starting at its smallest path), over the
 * edges of the given kinds.
 */
export function importCircles(files: readonly ParsedFile[], kinds: readonly ImportKind[]): string[][] {
  const next = new Map<string, string[]>();
  for (const file of files) next.set(file.path, [...new Set(file.imports.filter((e) => kinds.includes(e.kind) && e.to !== e.from).map((e) => e.to))].sort());
  const circles: string[][] = [];
  const nodes = [...next.keys()].sort();
  // Circles through `start` over files after it only: each circle is found once, from its first file.
  for (const start of nodes) {
    const trail = [start];
    const onTrail = new Set(trail);
    const walk = (node: string) => {
      for (const target of next.get(node) ?? []) {
        if (target === start) circles.push([...trail]);
        else if (target > start && !onTrail.has(target) && next.has(target)) {
          trail.push(target);
          onTrail.add(target);
          walk(target);
          trail.pop();
          onTrail.delete(target);
        }
      }
    };
    walk(start);
  }
  return circles;
}

if (require.main === module) {
  const files = parseProjectFiles(["modules", "lib"]);
  const report = (label: string, kinds: ImportKind[]) => {
    const circles = importCircles(files, kinds);
    process.stdout.write(`${label}: ${circles.length} circle(s)\n`);
    for (const circle of circles) process.stdout.write(`  ${[...circle, circle[0]].join(" -> ")}\n`);
  };
  process.stdout.write(`${files.length} files under modules/ and lib/\n`);
  report("static and type imports", ["static", "type"]);
  report("static imports only (what runs at load time)", ["static"]);
  report("with the lazy loads (require, import(), typeof import)", ["static", "type", "lazy"]);
}
