/** Reading a page's Mermaid source in tests: its nodes by label, the subgraphs around a node, its edges. */

/** The first ```mermaid block of a Markdown page. */
export function mermaidSource(markdown: string): string {
  return /```mermaid\n([\s\S]*?)\n```/.exec(markdown)?.[1] ?? "";
}

/** The ids of the nodes whose label contains `text` (one per copy of a resource in several subnets). */
export function nodeIds(source: string, text: string): string[] {
  return [...source.matchAll(/^\s*([A-Za-z0-9_]+)[[({]+"([^"]*)"/gm)].filter((m) => m[2].includes(text)).map((m) => m[1]);
}

/** The subgraphs around a node, innermost first. */
export function subgraphsAround(source: string, id: string): { id: string; title: string }[] {
  const stack: { id: string; title: string }[] = [];
  for (const line of source.split("\n")) {
    const open = /^\s*subgraph (\S+)\["([^"]*)"\]/.exec(line);
    if (open) stack.push({ id: open[1], title: open[2] });
    else if (/^\s*end$/.test(line)) stack.pop();
    else if (new RegExp(`^\\s*${id}[[({]`).test(line)) return [...stack].reverse();
  }
  return [];
}

/** The titles of the subgraphs around a node, innermost first. */
export function enclosing(source: string, id: string): string[] {
  return subgraphsAround(source, id).map((s) => s.title);
}

/** The nodes a `class a,b,c name` line gives a class. */
export function classesOf(source: string, className: string): string[] {
  return (new RegExp(`^\\s*class (\\S+) ${className}$`, "m").exec(source)?.[1] ?? "").split(",").filter(Boolean);
}
