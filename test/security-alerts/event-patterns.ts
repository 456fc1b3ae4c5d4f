/**
 * EventBridge's pattern matching, as its user guide defines it, for the parts our rules use: a list of
 * values (the event's value, or any element of an event array, is one of them), `numeric` comparisons,
 * `prefix`, `exists`, and nested objects (an array of objects matches when one element does).
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export function matches(pattern: Record<string, unknown>, event: Json): boolean {
  return Object.entries(pattern).every(([key, rule]) => fieldMatches(rule, event && typeof event === "object" && !Array.isArray(event) ? event[key] : undefined));
}

function fieldMatches(rule: unknown, value: Json | undefined): boolean {
  if (Array.isArray(value) && !Array.isArray(rule)) return value.some((item) => fieldMatches(rule, item));
  if (Array.isArray(rule)) {
    const values = Array.isArray(value) ? value : [value];
    return rule.some((alternative) => values.some((v) => leafMatches(alternative, v)));
  }
  if (rule && typeof rule === "object") return value !== undefined && value !== null && typeof value === "object" && matches(rule as Record<string, unknown>, value);
  return false;
}

function leafMatches(alternative: unknown, value: Json | undefined): boolean {
  if (alternative && typeof alternative === "object") {
    const [[kind, argument]] = Object.entries(alternative as Record<string, unknown>);
    if (kind === "exists") return (value !== undefined) === argument;
    if (kind === "prefix") return typeof value === "string" && value.startsWith(argument as string);
    if (kind === "numeric") {
      if (typeof value !== "number") return false;
      const terms = argument as (string | number)[];
      for (let i = 0; i < terms.length; i += 2) {
        const [op, bound] = [terms[i] as string, terms[i + 1] as number];
        const ok = op === ">=" ? value >= bound : op === ">" ? value > bound : op === "<=" ? value <= bound : op === "<" ? value < bound : value === bound;
        if (!ok) return false;
      }
      return true;
    }
    throw new Error(`pattern operator ${kind} not modelled here`);
  }
  return value === alternative;
}
