/**
 * The JSDoc comments of a settings file, by object literal: what `npm run docs` shows beside each field.
 * TypeScript 7 ships no compiler API to node, so this is a small scanner of its own: it knows enough of
 * TypeScript's lexical grammar (comments, strings, templates, regular expressions, brackets) to find each
 * `z.object({...})` / `z.strictObject({...})` literal, its keys in order and the comment above each key.
 * It does not resolve names: the reference matches a schema's object to a literal by its keys
 * (lib/core/config-reference.ts), so a literal defined as a constant of its own is found like a nested one.
 */

/** One key of an object literal passed to `z.object` / `z.strictObject` / `z.looseObject`. */
export interface CommentedKey {
  readonly name: string;
  /** The `/** ... *\/` comment right above the key, as written (undefined without one). */
  readonly comment?: string;
}

export interface SchemaLiteral {
  /** The key the literal is the value of (`nat` in `nat: z.strictObject({...})`), or the constant it is assigned to. */
  readonly owner?: string;
  readonly keys: readonly CommentedKey[];
  /** The literal spreads another object (`...coreSchema.shape`): its keys are not all written here. */
  readonly spreads: boolean;
}

interface Token {
  readonly kind: "identifier" | "string" | "number" | "template" | "regex" | "punctuation" | "doc-comment" | "comment";
  readonly text: string;
}

const OBJECT_FACTORIES = new Set(["object", "strictObject", "looseObject"]);

/** Every schema object literal of a source file, in source order. */
export function schemaLiterals(source: string): SchemaLiteral[] {
  const tokens = tokenize(source);
  const literals: { owner?: string; keys: CommentedKey[]; spreads: boolean }[] = [];
  interface Frame {
    readonly literal?: (typeof literals)[number];
    expectingKey: boolean;
    currentKey?: string;
  }
  const frames: Frame[] = [];
  let lastConstant: string | undefined;
  let comment: string | undefined;
  const significant = tokens.filter((token) => token.kind !== "comment");

  significant.forEach((token, index) => {
    if (token.kind === "doc-comment") {
      comment = token.text;
      return;
    }
    const above = comment;
    comment = undefined;
    const frame = frames.at(-1);
    const next = significant.slice(index + 1).find((t) => t.kind !== "doc-comment");

    if (token.kind === "punctuation" && ["{", "(", "[", "${"].includes(token.text)) {
      const [factory, paren] = [significant[index - 2], significant[index - 1]];
      const opensSchema = token.text === "{" && paren?.text === "(" && factory?.kind === "identifier" && OBJECT_FACTORIES.has(factory.text);
      if (opensSchema) {
        const owner = [...frames].reverse().find((f) => f.literal)?.currentKey ?? (frames.length === 0 ? lastConstant : undefined);
        const literal = { owner, keys: [], spreads: false };
        literals.push(literal);
        frames.push({ literal, expectingKey: true });
      } else {
        frames.push({ expectingKey: false });
      }
      return;
    }
    if (token.kind === "punctuation" && ["}", ")", "]"].includes(token.text)) {
      frames.pop();
      return;
    }
    if (frames.length === 0 && token.kind === "identifier" && token.text === "const" && next?.kind === "identifier") lastConstant = next.text;
    if (!frame?.literal) return;
    if (token.kind === "punctuation" && token.text === ",") {
      frame.expectingKey = true;
      return;
    }
    if (frame.expectingKey && (token.kind === "identifier" || token.kind === "string") && next?.text === ":") {
      const name = token.kind === "string" ? token.text.slice(1, -1) : token.text;
      frame.literal.keys.push({ name, comment: above });
      frame.currentKey = name;
    } else if (frame.expectingKey && token.text === ".") {
      frame.literal.spreads = true;
    }
    frame.expectingKey = false;
  });
  return literals;
}

/** The comment's text without its `/**`, `*\/` and leading `*`s, on one line. */
export function commentText(comment: string): string {
  return comment
    .replace(/^\/\*\*/, "")
    .replace(/\*\/$/, "")
    .split("\n")
    .map((line) => line.replace(/^\s*\*(?!\/)\s?/, ""))
    .join(" ")
    .replace(/\s+/g, " ")
    .trim();
}

// After these, a `/` starts a regular expression; after anything else (a name, a number, `)`, `]`) it divides.
const BEFORE_EXPRESSION = new Set(["(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";", "+", "-", "*", "%", "<", ">", "~", "^", "${"]);
const KEYWORDS_BEFORE_EXPRESSION = new Set(["return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await"]);

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // Which `}` closes a template's `${`: the template then goes on.
  const braces: ("{" | "${")[] = [];
  let i = 0;
  const previous = () => [...tokens].reverse().find((t) => t.kind !== "comment" && t.kind !== "doc-comment");
  const push = (kind: Token["kind"], start: number, end: number) => {
    tokens.push({ kind, text: source.slice(start, end) });
    i = end;
  };
  const templateRest = (start: number) => {
    // From just after "`" or "}" to the closing "`" or the next "${".
    let j = start;
    while (j < source.length && source[j] !== "`" && !(source[j] === "$" && source[j + 1] === "{")) j += source[j] === "\\" ? 2 : 1;
    if (source[j] === "$") {
      push("template", start, j);
      push("punctuation", j, j + 2);
      braces.push("${");
    } else {
      push("template", start, j + 1);
    }
  };

  while (i < source.length) {
    const c = source[i];
    if (/\s/.test(c)) {
      i++;
    } else if (source.startsWith("//", i)) {
      const end = source.indexOf("\n", i);
      push("comment", i, end === -1 ? source.length : end);
    } else if (source.startsWith("/*", i)) {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      push(source.startsWith("/**", i) && !source.startsWith("/**/", i) ? "doc-comment" : "comment", i, stop);
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < source.length && source[j] !== c && source[j] !== "\n") j += source[j] === "\\" ? 2 : 1;
      push("string", i, j + 1);
    } else if (c === "`") {
      templateRest(i + 1);
    } else if (c === "}" && braces.at(-1) === "${") {
      braces.pop();
      push("punctuation", i, i + 1);
      templateRest(i);
    } else if (c === "/" && startsExpression(previous())) {
      push(regexEnd(source, i) === undefined ? "punctuation" : "regex", i, regexEnd(source, i) ?? i + 1);
    } else if (/[A-Za-z_$]/.test(c)) {
      push("identifier", i, i + (/^[\w$]+/.exec(source.slice(i))?.[0].length ?? 1));
    } else if (/\d/.test(c)) {
      push("number", i, i + (/^[\w.]+/.exec(source.slice(i))?.[0].length ?? 1));
    } else {
      if (c === "{") braces.push("{");
      if (c === "}") braces.pop();
      push("punctuation", i, i + 1);
    }
  }
  return tokens;
}

function startsExpression(token: Token | undefined): boolean {
  if (!token) return true;
  if (token.kind === "punctuation") return BEFORE_EXPRESSION.has(token.text);
  return token.kind === "identifier" && KEYWORDS_BEFORE_EXPRESSION.has(token.text);
}

/** Where the regular expression starting at `start` ends (after its flags), or undefined if it is not one. */
function regexEnd(source: string, start: number): number | undefined {
  let inClass = false;
  for (let j = start + 1; j < source.length; j++) {
    const c = source[j];
    if (c === "\n") return undefined;
    if (c === "\\") j++;
    else if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    else if (c === "/" && !inClass) return j + 1 + (/^[a-z]*/.exec(source.slice(j + 1))?.[0].length ?? 0);
  }
  return undefined;
}
