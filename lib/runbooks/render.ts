/**
 * Handlebars in strict mode over `templates/`: a template or partial that references a value the data
 * does not have fails with the template's file name and the missing key. Markdown templates are not
 * HTML-escaped (commands must stay as typed); the HTML layout is.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import Handlebars from "handlebars";
import { RunbookTemplateError } from "./errors";
import { loadStrings } from "./strings";

export interface TemplateSet {
  /** Renders `templates/<name>` (e.g. `ko/week-01.md.hbs`) with data. */
  render(name: string, data: object): string;
  has(name: string): boolean;
}

/**
 * Partials: every file under `<lang>/partials/` and `shared/partials/`, named by its path below
 * `partials/` without the extension (`sections`, `tips/kubectl-unauthorized`). A language's own
 * partials shadow the shared ones.
 */
export function loadTemplates(templatesDir: string, lang: string): TemplateSet {
  const hbs = Handlebars.create();
  // {{t "key"}}: a phrase of the page's language (templates/<lang>/strings.json), so one partial serves both.
  const strings = existsSync(join(templatesDir, lang, "strings.json")) ? loadStrings(templatesDir, lang) : undefined;
  hbs.registerHelper("t", (key: string) => {
    if (!strings) throw new RunbookTemplateError(`templates/${lang}/strings.json`, "the file does not exist");
    return strings.text(key);
  });
  // {{indent text}}: a code block inside a numbered list item, every line indented by three spaces.
  hbs.registerHelper("indent", (text: string) => text.split("\n").map((line) => (line ? `   ${line}` : line)).join("\n"));
  const display = (file: string) => `templates/${relative(templatesDir, file).split("\\").join("/")}`;
  const compile = (file: string) => {
    const source = readFileSync(file, "utf8");
    const template = hbs.compile(source, { strict: true, noEscape: file.endsWith(".md.hbs"), preventIndent: true });
    return (context: unknown, options?: Handlebars.RuntimeOptions) => {
      try {
        return template(context, options);
      } catch (error) {
        if (error instanceof RunbookTemplateError) throw error;
        throw new RunbookTemplateError(display(file), (error as Error).message.replace(/ in \[object Object\]| in undefined/g, ""));
      }
    };
  };
  for (const base of [join(templatesDir, "shared", "partials"), join(templatesDir, lang, "partials")]) {
    for (const file of listFiles(base)) {
      const name = relative(base, file).split("\\").join("/").replace(/\.(md|html)\.hbs$/, "");
      hbs.registerPartial(name, compile(file) as unknown as Handlebars.Template);
    }
  }
  const cache = new Map<string, ReturnType<typeof compile>>();
  return {
    has: (name) => existsSync(join(templatesDir, name)),
    render(name, data) {
      const file = join(templatesDir, name);
      if (!existsSync(file)) throw new RunbookTemplateError(`templates/${name}`, "the template file does not exist");
      if (!cache.has(name)) cache.set(name, compile(file));
      return cache.get(name)!(data);
    },
  };
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .flatMap((entry) => {
      const path = join(dir, entry);
      return statSync(path).isDirectory() ? listFiles(path) : entry.endsWith(".hbs") ? [path] : [];
    });
}
