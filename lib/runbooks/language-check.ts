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
  let fenced = false;
  const withoutComments = markdown.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, " "));
  withoutComments.split("\n").forEach((raw, index) => {
    if (/^\s*(```|~~~)/.test(raw)) {
      fenced = !fenced;
      return;
    }
    if (fenced) return;
    let text = raw
      .replace(/`[^`]*`/g, " ")
      .replace(/\]\([^)]*\)/g, "]")
      .replace(/https?:\/\/\S+/g, " ")
      .replace(/<[^>]+>/g, " ");
    for (const name of NAMES_KEPT_IN_ENGLISH) text = text.split(name).join(" ");
    // Quoted text is what a program prints (an error message the learner searches for), kept as printed.
    text = text.replace(/"[^"]*"/g, " ");
    if (hasEnglishRun(text)) found.push({ line: index + 1, text: raw.trim() });
  });
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
