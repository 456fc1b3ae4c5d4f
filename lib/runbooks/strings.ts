/**
 * Short phrases (diagram labels, cost-table notes, navigation) per language, from
 * `templates/<lang>/strings.json`. Like the templates, a missing key is an error naming the file and
 * the key, never a silently empty label.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RunbookTemplateError } from "./errors";

export interface Strings {
  readonly lang: string;
  /** The phrase at a dotted key, with `{name}` placeholders filled from params. */
  text(key: string, params?: Readonly<Record<string, string | number>>): string;
}

export function loadStrings(templatesDir: string, lang: string): Strings {
  const file = `templates/${lang}/strings.json`;
  const table = JSON.parse(readFileSync(join(templatesDir, lang, "strings.json"), "utf8")) as Record<string, unknown>;
  return {
    lang,
    text(key, params = {}) {
      const value = key.split(".").reduce<unknown>((node, part) => (node && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), table);
      if (typeof value !== "string") throw new RunbookTemplateError(file, `"${key}" not defined`);
      return value.replace(/\{(\w+)\}/g, (_, name: string) => {
        if (!(name in params)) throw new RunbookTemplateError(file, `placeholder {${name}} of "${key}" has no value`);
        return String(params[name]);
      });
    },
  };
}
