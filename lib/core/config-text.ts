/**
 * The text of study.yaml, turned into a plain value for `parseConfig`: YAML 1.2 (js-yaml's core
 * schema, as before), read as events first so that what YAML allows but a config never needs is
 * refused with a message instead of crashing later:
 *
 * - aliases (`*name`) repeat what an anchor (`&name`) marks. Repetition nests, so a few lines can
 *   stand for billions of values (a "billion laughs" alias bomb), which then crash whatever prints
 *   or copies them. Alias uses are counted with what they repeat, and more than
 *   {@link MAX_ALIAS_USES} are refused;
 * - an alias inside the collection its anchor marks (`a: &a [*a]`) makes a value that contains
 *   itself: refused, naming the alias;
 * - an empty file, or one with only comments, is an empty config: every default applies;
 * - more than one document (`---` between them) is refused, as before.
 */
import { constructFromEvents, EVENT_ID, getScalarValue, parseEvents, type Event } from "js-yaml";
import { StudyConfigError, type ConfigProblem } from "./errors";

/** Alias uses allowed in one study config, counting the aliases inside what an alias repeats. */
export const MAX_ALIAS_USES = 100;

/** Parses the text of a study config; throws a StudyConfigError naming `source` for anything it refuses. */
export function parseStudyYaml(text: string, source: string): unknown {
  let events: Event[];
  let documents: unknown[];
  try {
    events = parseEvents(text, {});
  } catch (error) {
    throw invalidYaml(source, error);
  }
  const problem = aliasProblem(text, events);
  if (problem) throw new StudyConfigError(source, [problem]);
  try {
    documents = constructFromEvents(events, { source: text, maxAliases: MAX_ALIAS_USES });
  } catch (error) {
    throw invalidYaml(source, error);
  }
  if (documents.length > 1) {
    throw new StudyConfigError(source, [{ field: "", value: `${documents.length} documents`, expected: "a single YAML document (remove the --- lines that start further documents)" }]);
  }
  // No document at all (an empty file, only comments) or an empty one (`---`): every default applies.
  return documents[0] ?? {};
}

function invalidYaml(source: string, error: unknown): StudyConfigError {
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return new StudyConfigError(source, [{ field: "", value: undefined, expected: `valid YAML (${message})` }]);
}

interface Frame {
  readonly kind: "sequence" | "mapping" | "document";
  readonly path: string;
  /** The anchor on this collection, if any: an alias to it from inside is a loop. */
  readonly anchor?: string;
  /** Alias uses inside this collection so far, with what they repeat. */
  uses: number;
  /** Sequence: index of the next item. Mapping: items seen (even: the next is a key). */
  items: number;
  /** Mapping: the key of the value that comes next. */
  key?: string;
}

/**
 * Walks the events, keeping per anchor how many alias uses its value holds (with what those repeat),
 * and returns the first alias that loops or brings the document past MAX_ALIAS_USES.
 */
function aliasProblem(text: string, events: readonly Event[]): ConfigProblem | undefined {
  const usesOf = new Map<string, number>();
  const open = new Set<string>();
  const stack: Frame[] = [];
  const nameAt = (start: number, end: number) => (start >= 0 ? text.slice(start, end) : undefined);
  const cap = (n: number) => Math.min(n, MAX_ALIAS_USES + 1);

  /** Where the node that starts now sits, and moves its parent on past it. */
  const place = (): { path: string; isKey: boolean } => {
    const parent = stack[stack.length - 1];
    if (!parent || parent.kind === "document") return { path: "", isKey: false };
    const index = parent.items++;
    if (parent.kind === "sequence") return { path: `${parent.path}[${index}]`, isKey: false };
    if (index % 2 === 0) return { path: parent.path, isKey: true };
    const key = parent.key ?? "?";
    return { path: parent.path ? `${parent.path}.${key}` : key, isKey: false };
  };
  const parentOf = () => stack[stack.length - 1];

  for (const event of events) {
    switch (event.type) {
      case EVENT_ID.DOCUMENT:
        usesOf.clear();
        stack.push({ kind: "document", path: "", uses: 0, items: 0 });
        break;
      case EVENT_ID.SEQUENCE:
      case EVENT_ID.MAPPING: {
        const { path, isKey } = place();
        const parent = parentOf();
        if (isKey && parent) parent.key = "?";
        const anchor = nameAt(event.anchorStart, event.anchorEnd);
        if (anchor !== undefined) open.add(anchor);
        stack.push({ kind: event.type === EVENT_ID.SEQUENCE ? "sequence" : "mapping", path, anchor, uses: 0, items: 0 });
        break;
      }
      case EVENT_ID.SCALAR: {
        const { isKey } = place();
        const parent = parentOf();
        if (isKey && parent) parent.key = getScalarValue(text, event);
        const anchor = nameAt(event.anchorStart, event.anchorEnd);
        if (anchor !== undefined) usesOf.set(anchor, 0);
        break;
      }
      case EVENT_ID.ALIAS: {
        const { path, isKey } = place();
        const parent = parentOf();
        const name = text.slice(event.anchorStart, event.anchorEnd);
        if (isKey && parent) parent.key = `*${name}`;
        const field = isKey ? (path ? `${path}.*${name}` : `*${name}`) : path;
        if (open.has(name)) {
          return { field, value: `*${name}`, expected: `an alias to a value defined before it: *${name} is inside the &${name} it repeats, so the value would contain itself without end` };
        }
        // An unknown anchor counts as one use; constructing the document reports it.
        const uses = cap(1 + (usesOf.get(name) ?? 0));
        if (parent) parent.uses = cap(parent.uses + uses);
        // Uses not yet added to the enclosing collections sit in the open frames: their sum is the document's so far.
        if (stack.reduce((total, frame) => cap(total + frame.uses), 0) > MAX_ALIAS_USES) {
          return {
            field,
            value: `*${name}`,
            expected: `at most ${MAX_ALIAS_USES} alias uses in the file, counting the aliases inside what an alias repeats (*${name} brings it past ${MAX_ALIAS_USES}: a YAML alias bomb?); write the values out instead`,
          };
        }
        break;
      }
      case EVENT_ID.POP: {
        const frame = stack.pop();
        const parent = parentOf();
        if (!frame) break;
        if (frame.anchor !== undefined) {
          open.delete(frame.anchor);
          usesOf.set(frame.anchor, frame.uses);
        }
        if (parent) parent.uses = cap(parent.uses + frame.uses);
        break;
      }
    }
  }
  return undefined;
}
