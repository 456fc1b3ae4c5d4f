/**
 * Markdown -> the static HTML site: `marked` for the page body, ```mermaid blocks turned into
 * `<pre class="mermaid">` that the bundled Mermaid (assets/mermaid.min.js, a classic script)
 * renders in the browser, with no network, from file://. Links between `.md` pages become `.html`.
 */
import { Marked } from "marked";

const marked = new Marked({
  gfm: true,
  renderer: {
    code({ text, lang }) {
      if (lang === "mermaid") return `<pre class="mermaid">\n${escapeHtml(text)}\n</pre>\n`;
      return `<pre><code${lang ? ` class="language-${escapeHtml(lang)}"` : ""}>${escapeHtml(text)}\n</code></pre>\n`;
    },
    // GitHub's alert syntax (> [!WARNING]) as a callout the page's style sheet shows as one.
    blockquote({ tokens }) {
      const body = this.parser.parse(tokens);
      const alert = /^<p>\[!(WARNING|NOTE|TIP|IMPORTANT|CAUTION)\]\s*/.exec(body);
      if (!alert) return `<blockquote>\n${body}</blockquote>\n`;
      const kind = alert[1].toLowerCase();
      return `<aside class="callout callout-${kind}" role="note">\n<p>${body.slice(alert[0].length)}</aside>\n`;
    },
    // No template writes raw HTML: any that appears came from a value (a name, a context from the
    // config) and is shown as text, never run.
    html({ text }) {
      return escapeHtml(text);
    },
    heading({ tokens, depth, text }) {
      return `<h${depth} id="${slug(text)}">${this.parser.parseInline(tokens)}</h${depth}>\n`;
    },
  },
});

/** The HTML body of a Markdown page (without the leading "generated" comment, which the layout repeats). */
export function markdownToHtml(markdown: string): string {
  const body = markdown.replace(/^<!--[^\n]*-->\n/, "").replace(/\]\(([^)\s]+?)\.md(#[^)]*)?\)/g, "]($1.html$2)");
  return marked.parse(body, { async: false }) as string;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]+>/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-|-$/g, "");
}
