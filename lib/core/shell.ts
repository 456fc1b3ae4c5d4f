/**
 * Shell text for the commands the runbooks print. Every value that comes from the config or from
 * Terraform goes through `shellWord`, so a name with a space, a quote, `$(...)` or a newline stays one
 * inert word when the learner pastes the command into bash or zsh.
 */

const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A value as one shell word: as is when it has nothing the shell would read, else single-quoted. */
export function shellWord(value: string | number): string {
  const text = String(value);
  if (PLAIN_WORD.test(text)) return text;
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A command from its words: literal words as given (the caller's own shell syntax), values quoted. */
export function shellCommand(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((text, literal, i) => text + literal + (i < values.length ? shellWord(values[i]) : ""), "");
}
