/**
 * Per-learner sheets for a class: `runbooks/<lang>/learners/<id>.md`, one per learner and language,
 * rendered through the runbooks' template loader (strict Handlebars over `templates/`, with its partials) from
 * `templates/<lang>/learner.md.hbs`. The course runbooks themselves are rendered once (for the
 * first learner's names); a sheet tells each learner which stacks, outputs, VPC range, IAM user and
 * budget are theirs.
 *
 * The templates are not HTML-escaped (commands must stay as typed), so what comes from the roster
 * (names, emails) is escaped for Markdown here, in the view: a name such as `**x**`, `a|b`,
 * `` `rm -rf` `` or `<img src=x onerror=alert(1)>` is shown as written, and cannot start emphasis,
 * code, a link, a table cell, raw HTML nor a new line. Ids, stack and user names need no escaping:
 * they are checked against `[a-z0-9-]` (lib/classroom/plan.ts), and they appear inside code spans.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClassroomPlan, LearnerPlan } from "./plan";
import type { StudyConfig } from "../core/config";
import type { EnvironmentRecord } from "../core/environment";
import { DEFAULT_TEMPLATES_DIR, layout, otherLanguages, type LearnerPages } from "../runbooks";
import type { Inventory } from "../runbooks/inventory";
import { loadTemplates } from "../runbooks/render";
import { escapeHtml } from "../runbooks/site";
import { loadStrings, type Strings } from "../runbooks/strings";
import { learnerPolicy, selfServicePolicy } from "./stacks";
import { ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE } from "../core/module";
import { signInUserName } from "./accounts";

/**
 * Text for Markdown prose, shown as written wherever it lands (a heading, a sentence, a table cell):
 * `&`, `<` and `>` as HTML entities (no raw HTML, in any renderer), Markdown's punctuation
 * that can change what follows (`\`, `` ` ``, `*`, `_`, `[`, `]`, `|`, `~`) backslash-escaped (with
 * `[` escaped, `!`, `(` and `)` cannot make a link or an image; `://`, `www.` and `@` are escaped too,
 * so a bare URL or address is not linked), and line breaks and other control characters as spaces,
 * so the text stays on its line.
 */
export function escapeMarkdownText(text: string): string {
  return text
    .replace(/[\p{Cc}\u2028\u2029]+/gu, " ")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/[\\`*_[\]|~]/g, "\\$&")
    // GFM links bare URLs (`https://…`, `www.…`) and email addresses: escaping the `:`, the `.` or
    // the `@` keeps them text.
    .replace(/:(?=\/\/)/g, "\\:")
    .replace(/\b(www)\./gi, "$1\\.")
    .replace(/@/g, "\\@");
}

export interface LearnerSheetInput {
  readonly config: StudyConfig;
  readonly classroom: ClassroomPlan;
  readonly environments: readonly EnvironmentRecord[];
  readonly stagingDir: string;
  /** How learners name the output directory in commands, e.g. `out`. */
  readonly outName: string;
  readonly templatesDir?: string;
}

/** The data of one learner's sheet (what the template sees). */
export function learnerSheetView(learner: LearnerPlan, built: EnvironmentRecord | undefined, input: Pick<LearnerSheetInput, "config" | "classroom" | "outName">, strings?: Strings) {
  const dir = (stack: string) => `${input.outName}/stacks/${stack}`;
  const stacks = [learner.awsStack, ...(built?.stacks.kubernetes ? [built.stacks.kubernetes] : [])].map((name) => ({ name, dir: dir(name) }));
  // The outputs' words in the sheet's language (templates/<lang>/outputs.json), as on the week pages.
  const outputs = [...(built?.outputsByModule.values() ?? [])].flat().map((o) => ({ stack: o.stack, name: o.name, description: (strings ? strings.outputDescription(o) : o.description).replace(/\|/g, "\\|"), command: `terraform -chdir=${dir(o.stack)} output ${o.name}` }));
  const state = input.config.core.state;
  return {
    id: learner.id,
    // A learner still waiting for their account (isolation account) has no environment, so no guides yet.
    guides: input.classroom.settings.learnerGuides && built !== undefined,
    name: escapeMarkdownText(learner.name),
    email: escapeMarkdownText(learner.email),
    project: input.config.core.project,
    region: input.config.core.region,
    vpcCidr: learner.environment.vpcCidr,
    stacks,
    outputs,
    stateKeys: state.backend === "s3" ? stacks.map((s) => ({ stack: s.name, bucket: state.bucket!, key: `${state.keyPrefix ?? input.config.core.project}/${s.name}/terraform.tfstate` })) : [],
    iam: learner.iamUserName ? [{ user: learner.iamUserName, group: input.classroom.learnersGroup!, mfa: input.classroom.settings.requireMfa }] : [],
    // Account isolation: the learner's own account (its id once the organization stack gave it one).
    account: learner.account
      ? [{ name: learner.account.name, id: learner.account.id, roleArn: learner.account.roleArn, profile: learner.environment.name, signIn: input.classroom.accounts?.identityCenter?.permissionSetName ?? "" }]
      : [],
    // Once the account's id is known: how the learner signs in, and with accounts.learnersApply how they apply.
    ...signInViews(learner, input),
    budget: learner.budget ? [{ name: learner.budget.name, monthlyUsd: learner.budget.monthlyUsd.toFixed(2), thresholds: learner.budget.alertThresholds.join(", "), emails: learner.budget.emails.map(escapeMarkdownText).join(", ") }] : [],
  };
}

/**
 * How a learner whose account exists signs in from the command line, and with `accounts.learnersApply` how
 * they apply: with Identity Center, a profile on its access portal (`https://<identity store id>.awsapps.com/start`
 * unless the organization gave it another name); with `accounts.signInRole`, `aws login` as their IAM user of
 * the management account, then the learner role with their MFA code. Empty lists where they do not apply.
 */
function signInViews(learner: LearnerPlan, input: Pick<LearnerSheetInput, "config" | "classroom" | "outName">): { signInSso: Record<string, string>[]; signInRole: Record<string, string>[]; selfApply: Record<string, unknown>[] } {
  const accounts = input.classroom.accounts;
  const accountId = learner.account?.id;
  if (!accounts || !accountId) return { signInSso: [], signInRole: [], selfApply: [] };
  // The same profile name as the instructor's way in would have: one name for the account, whoever signs in.
  const profile = learner.environment.name;
  const region = input.config.core.region;
  const center = accounts.identityCenter;
  const role = accounts.signInRole;
  const signInSso =
    center && accounts.learnersApply ? [{ accountId, profile, region, portalUrl: `https://${center.identityStoreId}.awsapps.com/start`, ssoRegion: center.region ?? region, roleName: center.permissionSetName }] : [];
  const signInRole = role
    ? [
        {
          accountId,
          profile,
          region,
          signInProfile: `${profile}-sign-in`,
          userName: signInUserName(input.config.core.project, learner.id),
          roleArn: `arn:aws:iam::${accountId}:role/${role.roleName}`,
          switchRoleUrl: `https://signin.aws.amazon.com/switchrole?roleName=${role.roleName}&account=${accountId}&displayName=${learner.id}`,
        },
      ]
    : [];
  const dir = `${input.outName}/stacks/${learner.awsStack}`;
  const selfApply = accounts.learnersApply
    ? [{ synth: `LEARNER=${learner.id} WEEKS=1 npx cdktf synth`, learnerId: learner.id, dir, stateBucket: input.config.core.state.bucket ?? "", variable: ACT_THROUGH_INSTRUCTOR_ROLE_VARIABLE, exportCredentials: role !== undefined, profile }]
    : [];
  return { signInSso, signInRole, selfApply };
}

/**
 * Each learner's course pages (lib/runbooks renders them under `learners/<id>/`): their environment,
 * what synth read back of its stacks, and what their IAM user may run (their policy and the group's;
 * none without `classroom.iamUsers`). kubectl reaches a local cluster the learner runs, never the
 * instructor's EKS cluster, where learners have no access entry.
 */
export function learnerPages(input: Pick<LearnerSheetInput, "config" | "classroom" | "environments">, inventories: readonly Inventory[]): LearnerPages[] {
  const region = input.config.core.region;
  const guides = input.classroom.settings.learnerGuides;
  return input.classroom.learners.flatMap((learner) => {
    const index = input.environments.findIndex((e) => e.environment.name === learner.environment.name);
    if (index < 0) return [];
    const environment = input.environments[index];
    const policies = learner.iamUserName ? [learnerPolicy(learner, region), selfServicePolicy(input.classroom.settings.requireMfa)] : [];
    const kubernetes = environment.kubernetesTarget?.kind === "kubeconfig";
    const ownAccount = input.classroom.accounts?.learnersApply === true;
    return [{ id: learner.id, markdownName: escapeMarkdownText(learner.name), htmlName: escapeHtml(learner.name.replace(/[\p{Cc}\u2028\u2029]+/gu, " ")), environment, inventory: inventories[index], abilities: { policies: policies as never, kubernetes, ...(ownAccount ? { ownAccount } : {}) }, guides }];
  });
}

export function renderLearnerSheets(input: LearnerSheetInput): void {
  const templatesDir = input.templatesDir ?? DEFAULT_TEMPLATES_DIR;
  const byName = new Map(input.environments.map((e) => [e.environment.name, e]));
  for (const lang of new Set(input.config.core.runbooks.languages)) {
    const template = `${lang}/learner.md.hbs`;
    const templates = loadTemplates(templatesDir, lang);
    if (!templates.has(template)) continue;
    const dir = join(input.stagingDir, "runbooks", lang, "learners");
    mkdirSync(dir, { recursive: true });
    const header = `<!-- Generated by devops-weeks from templates/${template}, the roster and the synthesized stacks: edit them and re-run npx cdktf synth. -->\n`;
    const strings = loadStrings(templatesDir, lang);
    const languages = [...new Set(input.config.core.runbooks.languages)];
    for (const learner of input.classroom.learners) {
      const markdown = header + templates.render(template, learnerSheetView(learner, byName.get(learner.environment.name), input, strings));
      writeFileSync(join(dir, `${learner.id}.md`), markdown);
      // The sheet on the site too, beside the learner's own pages (learners/<id>/), linked from the index.
      const title = strings.text("classroom.sheetTitle", { id: learner.id });
      writeFileSync(join(dir, `${learner.id}.html`), layout(templates, strings, { markdown, template, title, lang, up: "../../", languages: otherLanguages(languages, lang, `learners/${learner.id}.html`, "../../") }));
    }
  }
}
