/**
 * A problem in the study config that the learner can fix. Each entry names the field,
 * the value that was given and what is expected, so the message is actionable on its own.
 */
export interface ConfigProblem {
  /** Dotted path of the field, e.g. `network.vpcCidr`. */
  readonly field: string;
  /** The value found there (undefined when the field is missing). */
  readonly value: unknown;
  /** What the field accepts, phrased to complete "expected …". */
  readonly expected: string;
}

export class StudyConfigError extends Error {
  constructor(readonly source: string, readonly problems: readonly ConfigProblem[]) {
    super(problems.map((p) => formatProblem(source, p)).join("\n"));
    this.name = "StudyConfigError";
  }
}

/**
 * One line per problem: `<source>: <field> = <value> is not valid; expected <expected>`. The value is
 * shown as YAML would have it written: JSON-like, but `.inf`, `-.inf` and `.nan` for numbers JSON
 * cannot hold; a value too long for a line is cut (it is never expanded in full, so an alias bomb or
 * a value that contains itself cannot crash the message). Characters that cannot be seen (a
 * zero-width space, a no-break space, a byte-order mark, direction marks, ...) are shown as
 * `<U+200B>` wherever they are, and named once at the end of the value.
 */
export function formatProblem(source: string, problem: ConfigProblem): string {
  const invisible = new Set<number>();
  const reveal = (text: string) => revealInvisible(text, invisible);
  const shown = reveal(showValue(problem.value));
  const field = reveal(problem.field || "(top level)");
  const expected = reveal(problem.expected);
  return `${reveal(source)}: ${field} = ${shown}${invisibleNote(invisible)} is not valid; expected ${expected}`;
}

/** How much of a value a message shows. */
export const MAX_SHOWN_VALUE = 500;

/** A value as a compact JSON-like text (at most MAX_SHOWN_VALUE characters, then `…`); `nothing` for none. */
export function showValue(value: unknown, limit = MAX_SHOWN_VALUE): string {
  if (value === undefined) return "nothing";
  const out: string[] = [];
  let length = 0;
  const ancestors = new Set<object>();
  const write = (text: string): boolean => {
    out.push(text);
    length += text.length;
    return length <= limit;
  };
  const visit = (item: unknown): boolean => {
    if (typeof item === "number") return write(Number.isNaN(item) ? ".nan" : item === Infinity ? ".inf" : item === -Infinity ? "-.inf" : JSON.stringify(item));
    if (typeof item === "string") return write(JSON.stringify(item));
    if (item === null || typeof item === "boolean") return write(String(item));
    if (typeof item === "bigint") return write(item.toString());
    if (item === undefined || typeof item === "function" || typeof item === "symbol") return write("null");
    const object = item as object;
    if (ancestors.has(object)) return write("[itself]");
    if (!Array.isArray(object) && typeof (object as { toJSON?: unknown }).toJSON === "function") return visit((object as { toJSON(): unknown }).toJSON());
    ancestors.add(object);
    try {
      if (Array.isArray(object)) {
        if (!write("[")) return false;
        for (let i = 0; i < object.length; i++) if ((i > 0 && !write(",")) || !visit(object[i])) return false;
        return write("]");
      }
      if (!write("{")) return false;
      let first = true;
      for (const [key, entry] of Object.entries(object)) {
        if (entry === undefined || typeof entry === "function" || typeof entry === "symbol") continue;
        if ((!first && !write(",")) || !write(`${JSON.stringify(key)}:`) || !visit(entry)) return false;
        first = false;
      }
      return write("}");
    } finally {
      ancestors.delete(object);
    }
  };
  if (visit(value)) return out.join("");
  return `${out.join("").slice(0, limit)}…`;
}

/**
 * Characters a reader cannot see or tell from a space: format characters (zero-width, direction
 * marks, BOM, soft hyphen), spaces other than U+0020, line and paragraph separators, variation
 * selectors and the Hangul fillers. Control characters are left to JSON's escapes (`\n`, `\u0007`).
 */
const INVISIBLE = /[\p{Cf}\p{Zl}\p{Zp}\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000\u034F\u115F\u1160\u17B4\u17B5\u180B-\u180F\u2800\u3164\uFE00-\uFE0F\uFFA0\u{E0100}-\u{E01EF}]/gu;

const CHARACTER_NAMES: Readonly<Record<number, string>> = {
  0x00a0: "NO-BREAK SPACE", 0x00ad: "SOFT HYPHEN", 0x034f: "COMBINING GRAPHEME JOINER", 0x061c: "ARABIC LETTER MARK",
  0x115f: "HANGUL CHOSEONG FILLER", 0x1160: "HANGUL JUNGSEONG FILLER", 0x1680: "OGHAM SPACE MARK", 0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x2000: "EN QUAD", 0x2001: "EM QUAD", 0x2002: "EN SPACE", 0x2003: "EM SPACE", 0x2004: "THREE-PER-EM SPACE", 0x2005: "FOUR-PER-EM SPACE",
  0x2006: "SIX-PER-EM SPACE", 0x2007: "FIGURE SPACE", 0x2008: "PUNCTUATION SPACE", 0x2009: "THIN SPACE", 0x200a: "HAIR SPACE",
  0x200b: "ZERO WIDTH SPACE", 0x200c: "ZERO WIDTH NON-JOINER", 0x200d: "ZERO WIDTH JOINER", 0x200e: "LEFT-TO-RIGHT MARK", 0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR", 0x2029: "PARAGRAPH SEPARATOR", 0x202a: "LEFT-TO-RIGHT EMBEDDING", 0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING", 0x202d: "LEFT-TO-RIGHT OVERRIDE", 0x202e: "RIGHT-TO-LEFT OVERRIDE", 0x202f: "NARROW NO-BREAK SPACE",
  0x205f: "MEDIUM MATHEMATICAL SPACE", 0x2060: "WORD JOINER", 0x2061: "FUNCTION APPLICATION", 0x2062: "INVISIBLE TIMES", 0x2063: "INVISIBLE SEPARATOR",
  0x2064: "INVISIBLE PLUS", 0x2066: "LEFT-TO-RIGHT ISOLATE", 0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE",
  0x2800: "BRAILLE PATTERN BLANK", 0x3000: "IDEOGRAPHIC SPACE", 0x3164: "HANGUL FILLER", 0xfeff: "ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)",
  0xffa0: "HALFWIDTH HANGUL FILLER", 0xfff9: "INTERLINEAR ANNOTATION ANCHOR", 0xfffa: "INTERLINEAR ANNOTATION SEPARATOR", 0xfffb: "INTERLINEAR ANNOTATION TERMINATOR",
};

/** `U+200B ZERO WIDTH SPACE`; characters without a name here get their kind instead. */
export function describeCharacter(code: number): string {
  const id = `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  const name = CHARACTER_NAMES[code]
    ?? (code >= 0xfe00 && code <= 0xfe0f ? `VARIATION SELECTOR-${code - 0xfe00 + 1}` : code >= 0xe0100 && code <= 0xe01ef ? `VARIATION SELECTOR-${code - 0xe0100 + 17}` : undefined)
    ?? (code >= 0xe0000 && code <= 0xe007f ? "TAG CHARACTER" : "an invisible format character");
  return `${id} ${name}`;
}

/** Replaces every invisible character by `<U+XXXX>`, collecting their code points in `found`. */
export function revealInvisible(text: string, found?: Set<number>): string {
  return text.replace(INVISIBLE, (char) => {
    const code = char.codePointAt(0)!;
    found?.add(code);
    return `<U+${code.toString(16).toUpperCase().padStart(4, "0")}>`;
  });
}

function invisibleNote(found: ReadonlySet<number>): string {
  if (found.size === 0) return "";
  const names = [...found].map(describeCharacter);
  return found.size === 1 ? ` (contains an invisible character ${names[0]})` : ` (contains invisible characters ${names.join(", ")})`;
}

/**
 * AWS names have hard length limits, and ours are derived from `<project>-<environment>`: a long
 * pair pushes a derived name past the limit, which AWS would only refuse at apply.
 */
export function nameLengthProblems(study: { readonly environment: string }, what: string, name: string, limit = 64, authority = "AWS"): ConfigProblem[] {
  if (name.length <= limit) return [];
  return [{ field: "environment", value: study.environment, expected: `a shorter project or environment: ${what} ${name} has ${name.length} characters, ${authority} allows ${limit}` }];
}

/**
 * The machine, not the study config, stopped the synth: a folder synth reads or writes is missing, is a
 * file, is not writable, or the disk is full. The message is one line: the path, what went wrong, what
 * to do (and whether out/ was changed). lib/core/out-directory.ts makes these from Node's errno errors.
 */
export class OutputDirectoryError extends Error {
  constructor(readonly path: string, readonly problem: string, readonly advice: string, readonly code?: string) {
    super(`${path}: ${problem}; ${advice}`);
    this.name = "OutputDirectoryError";
  }
}
