/** Reading a rendered runbook page the way a learner does: its numbered steps and the commands in them. */
import { spawnSync } from "node:child_process";

/** Every ```sh block of a page, without the list indentation, in page order. */
export function codeBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const fence = /^( *)```(?:sh|bash)\n([\s\S]*?)^\1```$/gm;
  for (const match of markdown.matchAll(fence)) {
    const indent = match[1].length;
    blocks.push(
      match[2]
        .replace(/\n$/, "")
        .split("\n")
        .map((line) => line.slice(Math.min(indent, line.length - line.trimStart().length)))
        .join("\n"),
    );
  }
  return blocks;
}

export interface NumberedStep {
  readonly number: number;
  readonly text: string;
  /** The "Where: ..." line under the step's sentence. */
  readonly where: string;
  readonly blocks: readonly string[];
}

/** The numbered steps of the page's Steps section (`## Steps` / `## 실행 단계`), with their commands. */
export function numberedSteps(markdown: string): NumberedStep[] {
  const start = markdown.search(/^## (Steps|실행 단계)$/m);
  if (start < 0) return [];
  const rest = markdown.slice(start).split("\n").slice(1).join("\n");
  const end = rest.search(/^## /m);
  const section = end < 0 ? rest : rest.slice(0, end);
  const items = [...section.matchAll(/^(\d+)\. (.*)$/gm)];
  return items.map((item, i) => {
    const body = section.slice(item.index, items[i + 1]?.index ?? section.length);
    const where = /^ {3}(?:Where|실행 위치): (.*)$/m.exec(body)?.[1] ?? "";
    return { number: Number(item[1]), text: item[2].replace(/\\$/, ""), where, blocks: codeBlocks(body) };
  });
}

/** What `bash -n` says of each block that it refuses (a syntax error the learner would hit on paste). */
export function bashSyntaxErrors(blocks: readonly string[]): string[] {
  const errors: string[] = [];
  for (const block of new Set(blocks)) {
    const result = spawnSync("bash", ["-n"], { input: block, encoding: "utf8" });
    if (result.status !== 0) errors.push(`${result.stderr.trim()}\n  in: ${block}`);
  }
  return errors;
}
