/** Words in each runbook language (a module's title, an output's description, a cost note). */
export interface Localized {
  readonly ko: string;
  readonly en: string;
}
