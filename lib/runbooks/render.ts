/**
 * Handlebars in strict mode over `templates/`: a template or partial that references a value the data
 * does not have fails with the template's file name and the missing key. Markdown templates are not
 * HTML-escaped (commands must stay as typed); the HTML layout is.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
// The runtime only: the compiler (and the source-map package it loads) is needed only for a template not
// in the precompiled cache (templateSpec below).
import type HandlebarsFull from "handlebars";
import HandlebarsRuntime from "handlebars/runtime";

const Handlebars = HandlebarsRuntime as unknown as typeof HandlebarsFull;
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
  // {{t "key"}}, {{t "key" name=value}}: a phrase of the page's language (templates/<lang>/strings.json) with
  // its {name} placeholders filled, so one partial serves both languages.
  const stringsFile = `templates/${lang}/strings.json`;
  const strings = existsSync(join(templatesDir, lang, "strings.json")) ? loadStrings(templatesDir, lang) : undefined;
  hbs.registerHelper("t", (key: unknown, options: Handlebars.HelperOptions) => {
    // Thrown as plain errors, so that compile() below names the template that asked, beside the phrase file.
    if (!strings) throw new Error(`{{t}}: ${stringsFile} does not exist`);
    if (typeof key !== "string" || !options?.hash) throw new Error(`{{t}} takes one key in quotes, such as {{t "sections.cost.heading"}}, then name=value pairs`);
    const params: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(options.hash as Record<string, unknown>)) {
      if (typeof value !== "string" && typeof value !== "number") throw new Error(`{{t "${key}"}}: ${name}= is ${value == null ? String(value) : `a value of type ${typeof value}`}, not a string or a number`);
      params[name] = value;
    }
    try {
      return strings.text(key, params);
    } catch (error) {
      if (error instanceof RunbookTemplateError) throw new Error(`{{t "${key}"}}: ${error.template}: ${error.detail}`);
      throw error;
    }
  });
  // {{indent text}}: a code block inside a numbered list item, every line indented by three spaces.
  hbs.registerHelper("indent", (text: string) => text.split("\n").map((line) => (line ? `   ${line}` : line)).join("\n"));
  const display = (file: string) => `templates/${relative(templatesDir, file).split("\\").join("/")}`;
  const compile = (file: string) => {
    const source = readFileSync(file, "utf8");
    const compileOptions = { strict: true, noEscape: file.endsWith(".md.hbs"), preventIndent: true };
    // Compiled on first use, as hbs.compile would, so a synth compiles only the templates its pages use.
    let template: Handlebars.TemplateDelegate | undefined;
    return (context: unknown, options?: Handlebars.RuntimeOptions) => {
      try {
        template ??= hbs.template(templateSpec(source, compileOptions));
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

/**
 * Handlebars' parser costs a synth more CPU than anything else it does for the runbooks (about 5 ms a
 * template, ~150 ms for week 1's pages in two languages). A template's precompiled form is kept, keyed
 * by its text, the compile options and Handlebars' version, in this process and in
 * node_modules/.cache/devops-weeks: the next synth only evaluates it. An edited template has another
 * key and is compiled again; the pages are the same either way. Without a writable node_modules the
 * cache is only in memory.
 */
const SPEC_CACHE_DIR = join(__dirname, "..", "..", "node_modules", ".cache", "devops-weeks", "templates");
const specTexts = new Map<string, string>();

function templateSpec(source: string, options: CompileOptions): TemplateSpecification {
  const key = createHash("sha256").update(`${Handlebars.VERSION}\0${JSON.stringify(options)}\0${source}`).digest("hex");
  let text = specTexts.get(key);
  if (text === undefined) {
    const path = join(SPEC_CACHE_DIR, `${key}.js`);
    text = readIfPresent(path);
    if (text === undefined) {
      text = (require("handlebars") as typeof HandlebarsFull).precompile(source, options) as string;
      writeQuietly(path, text);
    }
    specTexts.set(key, text);
  }
  // A fresh object per use: Handlebars' runtime sets properties on the spec it is given.
  return new Function(`return ${text};`)() as TemplateSpecification;
}

type CompileOptions = Parameters<typeof HandlebarsFull.precompile>[1];
/** The precompiled form as Handlebars.template takes it (the type is global in its typings, not exported). */
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

function readIfPresent(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Written beside, then renamed: two synths at once never read half a file. Any failure leaves only the memory cache. */
function writeQuietly(path: string, text: string): void {
  try {
    mkdirSync(SPEC_CACHE_DIR, { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  } catch {
    // read-only node_modules, or none: compiled again next time
  }
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
