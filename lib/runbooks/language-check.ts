/**
 * Finds English prose on a page meant for another language: runs of three or more English words
 * outside code (fenced blocks, `inline code`), link targets, HTML comments and the names that stay in
 * English (AWS product names, tools). What remains is a sentence a Korean learner would have to read
 * in English. Used by the tests on every Korean page; kept here so that the rule has one home.
 */

/** Names written in English in Korean text too, as AWS's Korean console and documentation write them. */
export const NAMES_KEPT_IN_ENGLISH: readonly string[] = [
  "Amazon Managed Service for Prometheus",
  "Amazon VPC Lattice",
  "AWS Load Balancer Controller",
  "AWS Systems Manager Session Manager",
  "Session Manager",
  "Application Load Balancer",
  "Network Load Balancer",
  "Cluster Autoscaler",
  "Container Insights",
  "OpenSearch Dashboards",
  "Pod Identity",
  "Gateway API",
  "GitHub Actions",
  "AWS Pricing Calculator",
  "Free Plan",
  "Amazon Linux",
  "Metrics Server",
  "Fluent Bit",
  "kube-prometheus-stack",
];

/** Each line with English prose left after code, links, comments and the kept names are taken out. */
export function englishProse(markdown: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  for (const { raw, index } of proseLines(markdown)) {
    let text = raw
      .replace(/`[^`]*`/g, " ")
      .replace(/\]\([^)]*\)/g, "]")
      .replace(/https?:\/\/\S+/g, " ")
      .replace(/<[^>]+>/g, " ");
    for (const name of NAMES_KEPT_IN_ENGLISH) text = text.split(name).join(" ");
    // Quoted text is what a program prints (an error message the learner searches for), kept as printed.
    text = text.replace(/"[^"]*"/g, " ");
    if (hasEnglishRun(text)) found.push({ line: index + 1, text: raw.trim() });
  }
  return found;
}

/**
 * Three words in a row, at least two of them lower case: prose ("of the study VPC"), not a name
 * ("Horizontal Pod Autoscaler", "Istio or VPC Lattice"). Identifiers (with digits, hyphens, slashes,
 * dots inside) are not words.
 */
function hasEnglishRun(text: string): boolean {
  let run: string[] = [];
  const isProse = (words: string[]) => words.length >= 3 && words.filter((w) => /^[a-z]/.test(w)).length >= 2;
  for (const token of text.split(/\s+/)) {
    const word = token.replace(/^[(\[*_]+|[)\].,:;!?*_]+$/g, "");
    if (/^[A-Za-z]+(?:['’][a-z]+)?$/.test(word)) {
      run.push(word);
      if (isProse(run.slice(-3))) return true;
      // A word that ends a clause ("file," "done.") ends the run.
      if (/[.,:;!?]$/.test(token)) run = [];
    } else run = [];
  }
  return false;
}

/**
 * Finds a Korean particle glued to code or to a generated name: Hangul right after the closing
 * backtick of an inline code span ("스택 `devops-weeks-dev`을"), or right after an identifier that a
 * name became (a token with a hyphen, slash, dot or colon: "devops-weeks-dev-eks가",
 * "/aws/lambda/x은"). The right particle (을/를, 이/가, (으)로 ...) depends on how the reader says the
 * code, so a Korean noun carries it instead ("`devops-weeks-dev` 스택을"). Fenced blocks and HTML
 * comments are not read.
 */
export function particlesAfterCode(markdown: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  for (const { raw, index } of proseLines(markdown)) {
    // A code span runs from a run of backticks to the next run of the same length (CommonMark).
    const codeSpan = /(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g;
    const afterCode = [...raw.matchAll(codeSpan)].some((span) => HANGUL.test(raw.charAt(span.index + span[0].length)));
    const prose = raw
      .replace(codeSpan, " ")
      .replace(/\]\([^)]*\)/g, "]")
      .replace(/<[^>]+>/g, " ");
    if (afterCode || GENERATED_NAME_THEN_HANGUL.test(prose)) found.push({ line: index + 1, text: raw.trim() });
  }
  return found;
}

const HANGUL = /^[\u3131-\u318E\uAC00-\uD7A3]$/u;
/**
 * Letters and digits joined by hyphens, slashes, dots or colons, with a lower-case letter among them
 * (names are: "devops-weeks-dev-eks", "/aws/lambda/...", "localhost:8080"; "CI/CD", "TCP/IP" are
 * words), then Hangul.
 */
const GENERATED_NAME_THEN_HANGUL = /(?:^|[^\w.\/:-])\/?(?=[\w.\/:-]*[a-z])\w+(?:[-./:]+\w+)+\/?[\u3131-\u318E\uAC00-\uD7A3]/u;

/**
 * The same rule in a template's source, where a name is still a placeholder (`{{name}}` in a
 * Handlebars template, `{name}` in strings.json): Hangul right after one is a particle glued to a
 * name, unless it is a counter after a number ("{{week}}주차", "{count}개", "{{testPort}}번"). Block
 * tags (`{{#each}}`, `{{/each}}`, `{{else}}`) are not names.
 */
export function particlesAfterPlaceholders(template: string): { line: number; text: string }[] {
  const found: { line: number; text: string }[] = [];
  template
    .replace(/\{\{!--[\s\S]*?--\}\}/g, (comment) => comment.replace(/[^\n]/g, " "))
    .split("\n")
    .forEach((raw, index) => {
      for (const match of raw.matchAll(/\{\{?\s*([^{}]+?)\s*\}\}?/g)) {
        if (/^[#/>!^]|^else\b/.test(match[1])) continue;
        const after = raw.slice(match.index + match[0].length);
        if (HANGUL.test(after.charAt(0)) && !COUNTER.test(after)) found.push({ line: index + 1, text: raw.trim() });
      }
    });
  return found;
}

/** Counters that follow a number: week, piece, times, seconds, hours, days (not "일 때"), minutes, machines. */
const COUNTER = /^(?:주차|주|개|번|초|시간|일(?! 때)|분|대)/u;

/** The lines a reader reads as prose: outside fenced code blocks, with HTML comments blanked out. */
function* proseLines(markdown: string): Generator<{ raw: string; index: number }> {
  let fenced = false;
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, " ")).split("\n");
  for (const [index, raw] of lines.entries()) {
    if (/^\s*(```|~~~)/.test(raw)) fenced = !fenced;
    else if (!fenced) yield { raw, index };
  }
}
