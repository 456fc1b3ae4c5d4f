/**
 * Text that Terraform must take literally. In Terraform's JSON syntax every string is a template:
 * `${...}` interpolates and `%{...}` runs a directive, so a value from the config (a tag, a message)
 * or a script we generate could otherwise run Terraform functions at plan time. `$${` and `%%{` are
 * Terraform's escapes; everything else (a shell's own `$VAR`) is left as written.
 */
export function literalText(text: string): string {
  // cdktf's own tokens (`${TfToken[TOKEN.12]}`, a reference not yet resolved) stay live.
  return text.replace(/\$\{(?!TfToken\[)/g, "$$${").replace(/%\{/g, "%%{");
}

/** The same for every string inside a value (object keys too), for maps and lists the config fills. */
export function literalValues<T>(value: T): T {
  if (typeof value === "string") return literalText(value) as T;
  if (Array.isArray(value)) return value.map((item) => literalValues(item)) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([key, item]) => [literalText(key), literalValues(item)])) as T;
  return value;
}
