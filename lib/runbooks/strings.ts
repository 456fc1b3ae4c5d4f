/**
 * Short phrases (diagram labels, cost-table notes, navigation) per language, from
 * `templates/<lang>/strings.json`. Like the templates, a missing key is an error naming the file and
 * the key, never a silently empty label.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Localized } from "../core/localized";
import { RunbookTemplateError } from "./errors";

export interface Strings {
  readonly lang: string;
  /** The phrase at a dotted key, with `{name}` placeholders filled from params. */
  text(key: string, params?: Readonly<Record<string, string | number>>): string;
  /**
   * A Terraform output's description in this language: the module's own words when it gave them per
   * language (`ctx.output` with a `Localized`), else `templates/<lang>/outputs.json`, else the module's
   * English description. A Korean page that still shows an English description fails
   * test/runbooks/korean.test.ts, not a learner's synth.
   */
  outputDescription(output: { readonly name: string; readonly description: string; readonly localized?: Localized }): string;
}

export function loadStrings(templatesDir: string, lang: string): Strings {
  const file = `templates/${lang}/strings.json`;
  const table = JSON.parse(readFileSync(join(templatesDir, lang, "strings.json"), "utf8")) as Record<string, unknown>;
  const outputsFile = join(templatesDir, lang, "outputs.json");
  const outputs = existsSync(outputsFile) ? (JSON.parse(readFileSync(outputsFile, "utf8")) as Record<string, unknown>) : {};
  return {
    lang,
    outputDescription({ name, description, localized }) {
      const own = localized?.[lang as keyof Localized];
      if (own) return own;
      const value = outputs[name];
      return typeof value === "string" ? value : description;
    },
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
