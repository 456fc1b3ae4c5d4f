/** A runbook template (or phrase table) that cannot be rendered: names the file and what is missing. */
export class RunbookTemplateError extends Error {
  constructor(
    readonly template: string,
    readonly detail: string,
  ) {
    super(`runbook template ${template}: ${detail}; fix the template (or the data it expects) and re-run synth; out/ was not changed`);
    this.name = "RunbookTemplateError";
  }
}
