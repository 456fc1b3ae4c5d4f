/**
 * Runbooks: one guide per enabled week, in each configured language, generated at synth from the
 * stacks synth just wrote into the staging directory, so stack directories, resource names, outputs,
 * diagrams and prices always match what Terraform will create. Writes
 *   runbooks/<lang>/index.md, runbooks/<lang>/week-NN.md      (Markdown, readable on GitHub)
 *   runbooks/index.html, runbooks/<lang>/*.html, runbooks/assets/   (offline HTML site)
 * A template error throws before out/ is touched (synth renders into staging).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import type { StudyConfig } from "../core/config";
import type { EnvironmentRecord } from "../core/environment";
import type { AnyStudyModule, StudyEnvironment } from "../core/module";
import { declaredCostsOf, PRICE_TABLE, weekCosts } from "./costs";
import { weekDiagram } from "./diagram";
import { argument, compare, literal, type Inventory } from "./inventory";
import { loadTemplates, type TemplateSet } from "./render";
import { markdownToHtml } from "./site";
import {
  applyWarningsFor,
  checksFor,
  cheaperOptions,
  commandsFromOutputs,
  kubernetesCommands,
  manifestAlternative,
  needsCluster,
  lingeringFor,
  troubleshootingFor,
  type OutputRef,
  type StackRef,
  type WeekFacts,
} from "./steps";
import { loadStrings, type Strings } from "./strings";
import { accessSteps, pageSteps } from "./page-steps";
import { shellWord } from "../core/shell";
import { markInstructorCommands, type LearnerAbilities } from "./learner-commands";
import { TERRAFORM_MINIMUM_VERSION } from "../state/backend";
import { replaceAll } from "../core/environment-stamps";

export { RunbookTemplateError } from "./errors";

/** The repository's `templates/` directory. */
export const DEFAULT_TEMPLATES_DIR = join(__dirname, "..", "..", "templates");

export interface RunbookInput {
  readonly config: StudyConfig;
  /** Enabled modules (selection.modules). */
  readonly modules: readonly AnyStudyModule[];
  readonly environments: readonly EnvironmentRecord[];
  /** What the first environment's stacks hold, as synth read them back from the staging directory. */
  readonly inventory: Inventory;
  /** The synth staging directory: runbooks are written into it. */
  readonly stagingDir: string;
  /** How the learner names the output directory in commands, e.g. `out`. */
  readonly outName: string;
  readonly templatesDir?: string;
  /**
   * A class's learners: each gets the course's pages with their own stacks and names, under
   * `runbooks/<lang>/learners/<id>/`, with the commands their IAM user cannot run marked as the instructor's.
   */
  readonly learners?: readonly LearnerPages[];
  /** Learners of one shape whose guides are stamped from a template learner's (GuideStamp). */
  readonly guideStamps?: readonly GuideStamp[];
}

/**
 * Learners whose guides are stamped (lib/core/environment-stamps.ts): the template learner's pages (the
 * stand-in values, the template environment) are rendered, then the first member's; if the template's,
 * with the stand-ins replaced by that member's values, are those pages exactly (paths and text), every
 * other member gets the template's with their own values. Else each is rendered.
 */
export interface GuideStamp {
  readonly template: LearnerPages;
  readonly standIns: readonly string[];
  /** The learners, in the roster's order: the first is rendered, and checked. */
  readonly members: readonly { readonly id: string; readonly values: readonly string[] }[];
}

export interface LearnerPages {
  readonly id: string;
  /** The learner's name as Markdown text (escaped: lib/classroom/sheets.ts escapeMarkdownText). */
  readonly markdownName: string;
  /** The learner's name as HTML text (escaped). */
  readonly htmlName: string;
  readonly environment: EnvironmentRecord;
  readonly inventory: Inventory;
  readonly abilities: LearnerAbilities;
  /** Whether their own guides are rendered (classroom.learnerGuides); the sheet is, always. */
  readonly guides: boolean;
}

export interface WeekPage {
  readonly week: number;
  readonly file: string;
}

/** Mermaid's settings on every page: rendered by the viewer script once the page is loaded, never from a remote source. */
const MERMAID_CONFIG = { startOnLoad: false, securityLevel: "strict", theme: "default", flowchart: { htmlLabels: true, useMaxWidth: true } } as const;

const SKIP_TOP_LEVEL = new Set(["stacks", "runbooks", "manifest.json"]);

/** What the synthesized stacks cost left running, per stack, from the same price table as the pages. */
export interface CostSummary {
  readonly stacks: readonly { readonly stack: string; readonly hourly: number; readonly monthly: number }[];
  readonly hourly: number;
  readonly monthly: number;
  /** The price table's date. */
  readonly date: string;
  readonly hoursPerMonth: number;
}

/** What renderRunbooks reports: the stacks' costs, and how many learners' guides it stamped rather than rendered. */
export interface RunbookSummary extends CostSummary {
  readonly stampedGuides: number;
}

export function renderRunbooks(input: RunbookInput): RunbookSummary {
  const templatesDir = input.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const environment = input.environments[0];
  const { inventory } = input;
  const writers = new Map<string, string>(input.environments.flatMap((built) => [...built.files].map(([path, file]): [string, string] => [`${input.outName}/${path}`, file.moduleId])));
  const files: readonly GeneratedFile[] = generatedFiles(input.stagingDir, input.outName).map((file) => ({ ...file, moduleId: writers.get(file.path) }));
  const weeks = [...new Set(input.modules.map((m) => m.week))].sort((a, b) => a - b);
  const languages = [...new Set(input.config.core.runbooks.languages)];
  const root = join(input.stagingDir, "runbooks");
  const write = (path: string, content: string) => {
    const target = join(root, ...path.split("/"));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, content);
  };

  // Read and compiled once per language, however many learners' pages a class renders with them.
  const loaded = new Map<string, { strings: Strings; templates: TemplateSet }>();
  const languageFiles = (lang: string) => {
    if (!loaded.has(lang)) loaded.set(lang, { strings: loadStrings(templatesDir, lang), templates: loadTemplates(templatesDir, lang) });
    return loaded.get(lang)!;
  };
  /**
   * The course's pages for one environment, into `<lang>/<prefix>` (prefix "" for the course itself,
   * `learners/<id>/` for a learner of a class), with links back to the site's root from that depth.
   */
  const renderCourse = (prefix: string, environment: EnvironmentRecord, inventory: Inventory, learner?: LearnerPages, sink = write, courseFiles = files) => {
    const up = "../".repeat(1 + prefix.split("/").filter(Boolean).length);
    for (const lang of languages) {
      const { strings, templates } = languageFiles(lang);
      const mark = (markdown: string) => (learner ? markInstructorCommands(markdown, learner.abilities, strings.text("classroom.instructorRuns")) : markdown);
      const pages = weeks.map((week) => buildWeek({ week, lang, input, inventory, files: courseFiles, strings, environment, weeks, languages }));
      for (const page of pages) {
        const template = `${lang}/week-${pad(page.week)}.md.hbs`;
        const markdown = mark(generated(template) + templates.render(template, page.view));
        sink(`${lang}/${prefix}week-${pad(page.week)}.md`, markdown);
        sink(`${lang}/${prefix}week-${pad(page.week)}.html`, layout(templates, strings, { markdown, template, title: page.title, lang, up, languages: otherLanguages(languages, lang, `${prefix}week-${pad(page.week)}.html`, up) }));
      }
      const indexView = { ...buildIndex({ lang, input, strings, environment, pages, languages, inventory, prefix }), learners: learner ? [] : learnerLinks(lang), learnersApply: (input.learners ?? []).some((l) => l.abilities.ownAccount) };
      const indexTemplate = `${lang}/index.md.hbs`;
      const indexMarkdown = mark(generated(indexTemplate) + templates.render(indexTemplate, indexView));
      sink(`${lang}/${prefix}index.md`, indexMarkdown);
      sink(`${lang}/${prefix}index.html`, layout(templates, strings, { markdown: indexMarkdown, template: indexTemplate, title: indexView.title, lang, up, languages: otherLanguages(languages, lang, `${prefix}index.html`, up) }));
    }
  };
  /** The class's learners, as the course's index lists them: their sheet and their own pages. */
  const learnerLinks = (_lang: string) => (input.learners ?? []).map((l) => ({ id: l.id, name: l.markdownName, sheet: `learners/${l.id}.md`, pages: l.guides ? `learners/${l.id}/index.md` : undefined, environment: l.environment.environment.name }));

  renderCourse("", environment, inventory);
  const stamped = new Map((input.guideStamps ?? []).flatMap((stamp) => stamp.members.map((m, i): [string, { stamp: GuideStamp; first: boolean }] => [m.id, { stamp, first: i === 0 }])));
  const learnerById = new Map((input.learners ?? []).map((l) => [l.id, l]));
  const renderGuides = (learner: LearnerPages, sink = write) => renderCourse(`learners/${learner.id}/`, learner.environment, learner.inventory, learner, sink);
  let stampedGuides = 0;
  for (const learner of input.learners ?? []) {
    if (!learner.guides) continue;
    const group = stamped.get(learner.id);
    if (!group) renderGuides(learner);
    else if (group.first) stampedGuides += stampGuides(group.stamp, learnerById, renderGuides, (stamp, sink) => renderCourse(`learners/${stamp.template.id}/`, stamp.template.environment, stamp.template.inventory, stamp.template, sink, withTemplateFiles(files, stamp.template.environment, input.outName)), write);
  }

  const first = languages[0];
  const siteTemplates = loadTemplates(templatesDir, first);
  const siteIndex = languages.map((lang) => {
    const strings = loadStrings(templatesDir, lang);
    return {
      lang,
      title: strings.text("site.title", { environment: environment.environment.name }),
      open: strings.text("site.open"),
      href: `${lang}/index.html`,
      weeks: weeks.map((week) => ({ href: `${lang}/week-${pad(week)}.html`, label: `${strings.text("nav.week", { week })}: ${weekTitle(input.modules, week, lang)}` })),
      learnersTitle: input.learners?.length ? strings.text("classroom.learners") : undefined,
      learners: (input.learners ?? []).map((l) => ({ name: l.htmlName, id: l.id, sheet: `${lang}/learners/${l.id}.html`, pages: l.guides ? `${lang}/learners/${l.id}/index.html` : undefined, sheetLabel: strings.text("classroom.sheet"), pagesLabel: strings.text("classroom.pages") })),
    };
  });
  write("index.html", htmlComment("shared/site-index.html.hbs") + siteTemplates.render("shared/site-index.html.hbs", { lang: first, languages: siteIndex, title: siteIndex[0].title }));
  write("assets/style.css", `/* ${generatedText("templates/shared/style.css")} */\n${readFileSync(join(templatesDir, "shared", "style.css"), "utf8")}`);
  copyFileSync(mermaidBundle(), join(root, "assets", "mermaid.min.js"));
  const costStrings = loadStrings(templatesDir, first);
  const stacks = inventory.stacks.map((stack) => {
    const hourly = weekCosts(stack.resources, input.config.core.region, costStrings, input.config.availabilityZones.length, declaredCostsOf(input.modules)).rows.reduce((sum, row) => sum + row.hourlyValue, 0);
    return { stack: stack.stack, hourly, monthly: hourly * PRICE_TABLE.hoursPerMonth };
  });
  const hourly = stacks.reduce((sum, s) => sum + s.hourly, 0);
  // A file, not an inline script: the pages' Content-Security-Policy runs only the site's own scripts.
  // It renders the diagrams and opens each one full-window (templates/shared/diagram-viewer.js).
  const viewerTexts = Object.fromEntries(
    languages.map((lang) => {
      const strings = loadStrings(templatesDir, lang);
      return [lang, { enlarge: strings.text("diagram.viewer.enlarge"), close: strings.text("diagram.viewer.close"), title: strings.text("diagram.viewer.title") }];
    }),
  );
  write(
    "assets/mermaid-init.js",
    `/* ${generatedText("templates/shared/diagram-viewer.js and lib/runbooks/index.ts")} */\n${readFileSync(join(templatesDir, "shared", "diagram-viewer.js"), "utf8")}\ndevopsWeeksDiagrams(${JSON.stringify(MERMAID_CONFIG)}, ${JSON.stringify(viewerTexts)});\n`,
  );
  write("assets/diagram-viewer.css", `/* ${generatedText("templates/shared/diagram-viewer.css")} */\n${readFileSync(join(templatesDir, "shared", "diagram-viewer.css"), "utf8")}`);
  return { stacks, hourly, monthly: hourly * PRICE_TABLE.hoursPerMonth, date: PRICE_TABLE.date, hoursPerMonth: PRICE_TABLE.hoursPerMonth, stampedGuides };
}

interface WeekContext {
  readonly week: number;
  readonly lang: string;
  readonly input: RunbookInput;
  readonly inventory: Inventory;
  readonly files: readonly GeneratedFile[];
  readonly strings: Strings;
  readonly environment: EnvironmentRecord;
  readonly weeks: readonly number[];
  readonly languages: readonly string[];
}

function buildWeek(ctx: WeekContext) {
  const { week, lang, input, inventory, strings, environment } = ctx;
  const region = input.config.core.region;
  const modules = input.modules.filter((m) => m.week === week);
  const moduleIds = modules.map((m) => m.id);
  const resources = inventory.resources.filter((r) => r.moduleId !== undefined && moduleIds.includes(r.moduleId));
  const outputs: OutputRef[] = moduleIds.flatMap((id) =>
    (environment.outputsByModule.get(id) ?? []).map((o) => {
      // `terraform output` prints a sensitive value as <sensitive>: the row says how to read it.
      const description = o.sensitive ? `${strings.outputDescription(o)}. ${strings.text("outputs.sensitive", { command: `terraform -chdir=${stackDir(input.outName, o.stack)} output -json ${o.name}` })}` : strings.outputDescription(o);
      return { name: o.stack, dir: stackDir(input.outName, o.stack), output: o.name, description: markdownText(description) };
    }),
  );
  const weekOf = (moduleId: string | undefined) => input.modules.find((m) => m.id === moduleId)?.week;
  // Every stack that holds something of this week or an earlier one, the AWS stack first: the
  // Kubernetes stack runs on what it creates (week 6 moves week 5's workloads onto EKS, so its page
  // applies the Kubernetes stack too).
  const stacks: StackRef[] = inventory.stacks
    .filter((s, i) => i === 0 || s.resources.some((r) => (weekOf(r.moduleId) ?? Infinity) <= week) || outputs.some((o) => o.name === s.stack))
    .map((s) => ({ name: s.stack, dir: stackDir(input.outName, s.stack) }));
  const allStacks: StackRef[] = inventory.stacks.map((s) => ({ name: s.stack, dir: stackDir(input.outName, s.stack) }));
  // A class writes each learner's files under a folder of their environment's name: a page lists its own.
  const environmentNames = new Set(input.environments.map((e) => e.environment.name));
  const ownFile = (f: GeneratedFile) => f.path.split("/").every((segment) => !environmentNames.has(segment) || segment === environment.environment.name);
  const weekFiles = ctx.files.filter((f) => f.moduleId !== undefined && moduleIds.includes(f.moduleId) && ownFile(f));
  const target = environment.kubernetesTarget;
  const network = input.config.settings["network"] as WeekFacts["network"] | undefined;
  const facts: WeekFacts = {
    inventory,
    resources,
    outputs,
    region,
    strings,
    kubernetes: target,
    files: weekFiles,
    network: input.modules.some((m) => m.id === "network") ? network : undefined,
    availabilityZones: input.config.availabilityZones,
  };
  const title = weekTitle(input.modules, week, lang);
  const diagram = weekDiagram({ inventory, moduleIds, region, strings, flows: moduleIds.flatMap((id) => environment.flowsByModule.get(id) ?? []) });
  const costs = weekCosts(resources, region, strings, input.config.availabilityZones.length, declaredCostsOf(input.modules));
  const commands = [...commandsFromOutputs(facts), ...kubernetesCommands(facts)].map((c) => ({ ...c, description: markdownText(c.description) }));
  const kubernetesStackName = environment.stacks.kubernetes;
  const appliesKubernetes = stacks.some((st) => st.name === kubernetesStackName);
  const awsStackDir = stackDir(input.outName, environment.stacks.aws);
  const steps = pageSteps({
    strings,
    weeks: weekRanges(ctx.weeks),
    stacks: stacks.map((st, i) => ({ ...st, weeks: stackWeeksOf(inventory, input.modules, st.name), kubernetes: i > 0 })),
    awsStackDir,
    cluster: target && (appliesKubernetes || needsCluster(facts)) ? target : undefined,
    moduleSteps: moduleIds.flatMap((id) => environment.stepsByModule.get(id) ?? []),
    beforeApply: applyWarningsFor(facts, input.config.core.state.backend, awsStackDir),
    outputs,
    commands,
  }).map((step, i) => ({ ...step, number: i + 1 }));
  // What only the week's modules know (their runbook.ts), merged with what follows from the resources.
  const weekRunbooks = modules.flatMap((m) => (m.runbook ? [m.runbook()] : []));
  const checks = checksFor(facts, weekRunbooks.flatMap((r) => r.checks?.(facts) ?? []));
  const cheaper = cheaperOptions(facts, costs, weekRunbooks.flatMap((r) => r.cheaperOptions?.(facts) ?? []));
  const lingering = lingeringFor(facts);
  const release = weekRunbooks.map((r) => r.release?.(facts)).find((found) => found !== undefined);
  const index = ctx.weeks.indexOf(week);
  const navLink = (w: number) => ({ href: `week-${pad(w)}.md`, label: `${strings.text("nav.week", { week: w })}: ${weekTitle(input.modules, w, lang)}` });
  const tools = [
    { name: "Terraform", why: strings.text("tools.terraform", { version: TERRAFORM_MINIMUM_VERSION.replace(/\.0$/, "") }) },
    { name: "AWS CLI v2", why: strings.text("tools.awsCli") },
    ...(resources.some((r) => r.type === "aws_instance") || steps.some((st) => st.blocks.some((b) => b.includes("ssm start-session"))) || commands.some((c) => c.command.includes("ssm start-session")) ? [{ name: "Session Manager plugin", why: strings.text("tools.ssm") }] : []),
    ...(steps.some((st) => st.blocks.some((b) => /^kubectl /m.test(b))) || commands.some((c) => c.command.startsWith("kubectl")) ? [{ name: "kubectl", why: strings.text("tools.kubectl") }] : []),
    ...(steps.some((st) => st.blocks.some((b) => /^kind /m.test(b))) ? [{ name: "kind", why: strings.text("tools.kind") }] : []),
    ...(resources.some((r) => r.type === "helm_release") ? [{ name: "Helm", why: strings.text("tools.helm") }] : []),
  ];
  const view = {
    lang,
    week,
    weekNumber: pad(week),
    title,
    modules: modules.map((m) => ({ id: m.id, title: m.title[lang as "ko" | "en"] })),
    environment: environment.environment.name,
    region,
    nav: {
      index: "index.md",
      prev: index > 0 ? [navLink(ctx.weeks[index - 1])] : [],
      next: index < ctx.weeks.length - 1 ? [navLink(ctx.weeks[index + 1])] : [],
      languages: ctx.languages.filter((l) => l !== lang).map((l) => ({ href: `../${l}/week-${pad(week)}.md`, label: loadLanguageName(strings, l) })),
    },
    steps,
    alternatives: manifestAlternative(facts),
    destroyStacks: [...allStacks].reverse(),
    brakeNote: resources
      .filter((r) => r.type === "aws_budgets_budget_action")
      .map((r) => strings.text("cost.brakeNote", { percent: literal(argument(r.config, "action_threshold", "action_threshold_value")) ?? "100" })),
    leftoversCommand: leftoversCommand(environment.environment, region, clusterName(facts) ?? (target?.kind === "eks" ? target.clusterName : undefined)),
    severalStacks: allStacks.length > 1 ? [{}] : [],
    oneStack: allStacks.length > 1 ? [] : [{}],
    diagram: diagram ? [{ source: diagram.trimEnd() }] : [],
    noDiagram: diagram ? [] : [{}],
    tools,
    files: weekFiles.filter((f) => !f.manifest).map((f) => ({ path: f.path })),
    checks,
    costs: { ...costs, source: PRICE_TABLE.source, date: PRICE_TABLE.date, hoursPerMonth: PRICE_TABLE.hoursPerMonth },
    costTable: costs.rows.length > 0 ? [{}] : [],
    noCosts: costs.rows.length > 0 ? [] : [{}],
    cheaper,
    troubleshooting: troubleshootingFor(facts),
    lingering,
    cluster: clusterName(facts) ?? "<cluster>",
    noChecks: checks.length > 0 ? [] : [{}],
    cheaperSection: section(cheaper),
    lingerSection: section(lingering),
    blueGreen: release
      ? [
          {
            ...release,
            applyDir: stacks[0].dir,
            canary: release.idlePercent > 0 ? [{ percent: release.idlePercent }] : [],
            pipeline: release.deployTo ? [{ host: release.deployTo }] : [],
            noPipeline: release.deployTo ? [] : [{}],
          },
        ]
      : [],
  };
  return { week, title, view, monthly: costs.totalMonthly, expensive: costs.expensive.length };
}

interface IndexContext {
  readonly lang: string;
  readonly input: RunbookInput;
  readonly strings: Strings;
  readonly environment: EnvironmentRecord;
  readonly pages: readonly ReturnType<typeof buildWeek>[];
  readonly languages: readonly string[];
  readonly inventory: Inventory;
  /** Where the index sits below `<lang>/`: "" or `learners/<id>/`. */
  readonly prefix: string;
}

function buildIndex(ctx: IndexContext) {
  const { strings, input, pages } = ctx;
  const stacks = ctx.inventory.stacks.map((s) => ({ name: s.stack, dir: stackDir(input.outName, s.stack) }));
  const total = pages.reduce((sum, p) => sum + Number(p.monthly), 0);
  // The -k8s stack is applied, and destroyed, through the cluster's way in, as on the week pages: a
  // private API needs the tunnel open in a second terminal first.
  const target = ctx.environment.kubernetesTarget;
  const [awsStack, ...kubernetesStacks] = stacks;
  const reach = target && kubernetesStacks.length > 0 ? accessSteps(target, strings, awsStack.dir) : [];
  const here = strings.text("where.machine");
  const applySteps = [
    ...(awsStack ? [{ text: strings.text("index.applyAws", { stack: awsStack.name }), where: here, block: applyLine(awsStack.dir) }] : []),
    ...reach.map((step) => ({ text: step.text, where: step.where, block: step.blocks.join("\n") })),
    ...kubernetesStacks.map((s) => ({ text: strings.text("index.applyKubernetes", { stack: s.name }), where: here, block: applyLine(s.dir) })),
  ].map((step, i) => ({ ...step, number: i + 1 }));
  const destroyBlock = [...stacks].reverse().map((s) => `terraform -chdir=${shellWord(s.dir)} destroy`).join("\n");
  return {
    lang: ctx.lang,
    title: strings.text("site.title", { environment: ctx.environment.environment.name }),
    environment: ctx.environment.environment.name,
    region: input.config.core.region,
    weeks: pages.map((p) => ({ week: p.week, weekNumber: pad(p.week), title: p.title, href: `week-${pad(p.week)}.md`, monthly: p.monthly, expensive: p.expensive > 0 ? [{}] : [] })),
    totalMonthly: total.toFixed(2),
    stacks,
    applySteps,
    destroyBlock,
    destroyThroughCluster: reach.length > 0 ? [{}] : [],
    severalStacks: stacks.length > 1 ? [{}] : [],
    languages: ctx.languages.filter((l) => l !== ctx.lang).map((l) => ({ href: `${"../".repeat(1 + ctx.prefix.split("/").filter(Boolean).length)}${l}/${ctx.prefix}index.md`, label: loadLanguageName(strings, l) })),
    price: PRICE_TABLE,
  };
}

/** A page of the site: `up` leads from the page's folder back to `runbooks/` (`../` for `<lang>/`). */
export function layout(
  templates: TemplateSet,
  strings: Strings,
  page: { markdown: string; template: string; title: string; lang: string; up: string; languages: { href: string; label: string }[] },
): string {
  return (
    htmlComment(page.template) +
    templates.render("shared/page.html.hbs", {
      lang: page.lang,
      title: page.title,
      assets: `${page.up}assets/`,
      body: markdownToHtml(page.markdown),
      siteIndex: `${page.up}index.html`,
      siteIndexLabel: strings.text("nav.site"),
      languages: page.languages,
    })
  );
}

/** The same page in the other languages, from a page `up` below `runbooks/`. */
export function otherLanguages(languages: readonly string[], lang: string, file: string, up = "../"): { href: string; label: string }[] {
  return languages.filter((l) => l !== lang).map((l) => ({ href: `${up}${l}/${file}`, label: l.toUpperCase() }));
}

function loadLanguageName(strings: Strings, lang: string): string {
  return strings.text(`languages.${lang}`);
}

function weekTitle(modules: readonly AnyStudyModule[], week: number, lang: string): string {
  return modules
    .filter((m) => m.week === week)
    .map((m) => m.title[lang as "ko" | "en"])
    .join(" · ");
}

function generatedText(template: string): string {
  return `Generated by devops-weeks from ${template} and the synthesized stacks: edit the template or study.yaml and re-run npx cdktf synth.`;
}

function generated(template: string): string {
  return `<!-- ${generatedText(`templates/${template}`)} -->\n`;
}

function htmlComment(template: string): string {
  return `<!-- ${generatedText(`templates/${template}`)} -->\n`;
}

function stackDir(outName: string, stack: string): string {
  return `${outName}/stacks/${stack}`;
}

/** An optional template section: one empty item when there is something to show, none otherwise. */
function section(items: readonly unknown[]): object[] {
  return items.length > 0 ? [{}] : [];
}

/** Plain text from a module (output descriptions) made safe inside Markdown tables and HTML. */
function markdownText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\|/g, "\\|");
}

function clusterName(facts: WeekFacts): string | undefined {
  const cluster = facts.resources.find((r) => r.type === "aws_eks_cluster");
  const name = cluster ? literal(cluster.config["name"]) : undefined;
  return name ?? (facts.kubernetes?.kind === "eks" ? facts.kubernetes.clusterName : undefined);
}

function applyLine(dir: string): string {
  return `terraform -chdir=${shellWord(dir)} init && terraform -chdir=${shellWord(dir)} apply`;
}

/** The leftovers check after a destroy (scripts/leftovers.ts), for this environment. */
function leftoversCommand(environment: StudyEnvironment, region: string, cluster: string | undefined): string {
  // Every tag spelled out: a hyphen in the project or environment name cannot be split back from the name.
  const { Project: project, Environment: environmentTag, Learner: learner } = environment.tags;
  const flags = [
    ["environment", environment.name],
    ["project", project],
    ["environment-tag", environmentTag],
    ["learner", learner],
    ["region", region],
    ["cluster", cluster],
  ].filter((flag): flag is [string, string] => flag[1] !== undefined);
  return `npm run leftovers -- ${flags.map(([name, value]) => `--${name} ${shellWord(value)}`).join(" ")}`;
}

/** The stacks' weeks, as the page names them: `1-4, 6`. */
function stackWeeksOf(inventory: Inventory, modules: readonly AnyStudyModule[], stack: string): string {
  const weeks = inventory.resources.filter((r) => r.stack === stack && r.moduleId).map((r) => modules.find((m) => m.id === r.moduleId)?.week).filter((w): w is number => w !== undefined);
  return weekRanges([...new Set(weeks)].sort((a, b) => a - b)).replace(/,/g, ", ");
}

/** Weeks as the config writes them: consecutive runs as ranges (`1-6`, `1-3,6`). */
export function weekRanges(weeks: readonly number[]): string {
  const runs: string[] = [];
  for (let i = 0; i < weeks.length; i++) {
    let j = i;
    while (j + 1 < weeks.length && weeks[j + 1] === weeks[j] + 1) j++;
    runs.push(j > i ? `${weeks[i]}-${weeks[j]}` : `${weeks[i]}`);
    i = j;
  }
  return runs.join(",");
}

function pad(week: number): string {
  return String(week).padStart(2, "0");
}

interface GeneratedFile {
  readonly path: string;
  readonly top: string;
  readonly manifest: boolean;
  /** The module that wrote it with ctx.writeFile (EnvironmentRecord.files). */
  readonly moduleId?: string;
}

/**
 * The template learner's guides, the first member's (checked against them), then every other member's as the
 * template's with their own values; each member is rendered instead if the check fails. Returns how many were stamped.
 */
export function stampGuides(
  stamp: GuideStamp,
  learners: ReadonlyMap<string, LearnerPages>,
  renderGuides: (learner: LearnerPages, sink?: (path: string, content: string) => void) => void,
  renderTemplate: (stamp: GuideStamp, sink: (path: string, content: string) => void) => void,
  write: (path: string, content: string) => void,
): number {
  const capture = () => {
    const pages = new Map<string, string>();
    return { pages, sink: (path: string, content: string) => void pages.set(path, content) };
  };
  const template = capture();
  renderTemplate(stamp, template.sink);
  const [first, ...others] = stamp.members;
  const checked = capture();
  renderGuides(learners.get(first.id)!, (path, content) => {
    checked.sink(path, content);
    write(path, content);
  });
  const stamped = (values: readonly string[]) => new Map([...template.pages].map(([path, content]) => [replaceAll(path, stamp.standIns, values), replaceAll(content, stamp.standIns, values)]));
  const matches = sameTexts(stamped(first.values), checked.pages);
  for (const member of others) {
    if (!matches) renderGuides(learners.get(member.id)!);
    else for (const [path, content] of stamped(member.values)) write(path, content);
  }
  return matches ? others.length : 0;
}

const sameTexts = (a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>) => a.size === b.size && [...a].every(([path, content]) => b.get(path) === content);

/** The pages' list of generated files with the template environment's own among them, in the order synth's folder walk gives. */
function withTemplateFiles(files: readonly GeneratedFile[], environment: EnvironmentRecord, outName: string): GeneratedFile[] {
  const own = [...environment.files].map(([rel, file]) => ({ ...fileEntry(outName, rel, /\.ya?ml$/.test(rel) ? file.content : ""), moduleId: file.moduleId }));
  const segments = (file: GeneratedFile) => file.path.split("/");
  return [...files, ...own].sort((a, b) => {
    const [x, y] = [segments(a), segments(b)];
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return compare(x[i], y[i]);
    return x.length - y.length;
  });
}

function fileEntry(outName: string, rel: string, yamlText: string): GeneratedFile {
  return { path: `${outName}/${rel}`, top: rel.split("/")[0], manifest: /^apiVersion:/m.test(yamlText) && /^kind:/m.test(yamlText) };
}

/** Files other parts of synth generated (ctx.writeFile), with the folder they sit in. */
function generatedFiles(stagingDir: string, outName: string): GeneratedFile[] {
  const found: GeneratedFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir).sort(compare)) {
      const path = join(dir, entry);
      const rel = relative(stagingDir, path).split("\\").join("/");
      if (SKIP_TOP_LEVEL.has(rel)) continue;
      if (statSync(path).isDirectory()) walk(path);
      else {
        found.push(fileEntry(outName, rel, /\.ya?ml$/.test(entry) ? readFileSync(path, "utf8") : ""));
      }
    }
  };
  if (existsSync(stagingDir)) walk(stagingDir);
  return found;
}

function mermaidBundle(): string {
  try {
    return require.resolve("mermaid/dist/mermaid.min.js");
  } catch {
    return join(__dirname, "..", "..", "node_modules", "mermaid", "dist", "mermaid.min.js");
  }
}
