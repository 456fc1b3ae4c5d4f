/**
 * formatProblem on its own: every value is shown in bounded time and space, as YAML would write it,
 * with the characters nobody can see made visible and named.
 */
import { describe, expect, test } from "vitest";
import { describeCharacter, formatProblem, MAX_SHOWN_VALUE, revealInvisible, showValue, StudyConfigError } from "../../lib/core/errors";

const line = (value: unknown, field = "f", expected = "something") => formatProblem("study.yaml", { field, value, expected });

describe("values as written", () => {
  const selfList: unknown[] = [];
  selfList.push(1, selfList);
  const selfMap: Record<string, unknown> = { a: 1 };
  selfMap.self = selfMap;
  const cases: [string, unknown, string][] = [
    ["nothing given", undefined, "nothing"],
    ["a string", "dev", '"dev"'],
    ["a whole number", 3, "3"],
    ["a fraction", 1.5, "1.5"],
    ["infinity", Infinity, ".inf"],
    ["minus infinity", -Infinity, "-.inf"],
    ["not a number", NaN, ".nan"],
    ["null", null, "null"],
    ["a boolean", false, "false"],
    ["a big integer", 12345678901234567890n, "12345678901234567890"],
    ["an empty list", [], "[]"],
    ["a list of CIDRs", ["0.0.0.0/0"], '["0.0.0.0/0"]'],
    ["non-finite numbers nested", { a: [Infinity, { b: NaN }], c: -Infinity }, '{"a":[.inf,{"b":.nan}],"c":-.inf}'],
    ["undefined entries left out, as JSON does", { a: undefined, b: 1 }, '{"b":1}'],
    ["a date, through its toJSON", new Date(Date.UTC(2026, 0, 2)), '"2026-01-02T00:00:00.000Z"'],
    ["a list that contains itself", selfList, "[1,[itself]]"],
    ["a mapping that contains itself", selfMap, '{"a":1,"self":[itself]}'],
    ["quotes and backslashes escaped", 'a"b\\c', '"a\\"b\\\\c"'],
    ["control characters as JSON escapes", "a\nb\u0007", '"a\\nb\\u0007"'],
  ];
  test.each(cases)("%s", (_name, value, shown) => {
    expect(showValue(value)).toBe(shown);
    expect(line(value)).toBe(`study.yaml: f = ${shown} is not valid; expected something`);
  });

  test("an alias bomb built in memory is cut, not expanded", () => {
    let value: unknown = ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"];
    for (let i = 0; i < 12; i++) value = Array(9).fill(value);
    const started = Date.now();
    const shown = showValue(value);
    expect(Date.now() - started).toBeLessThan(200);
    expect(shown.length).toBe(MAX_SHOWN_VALUE + 1);
    expect(shown.endsWith("…")).toBe(true);
    expect(() => new StudyConfigError("study.yaml", [{ field: "a", value, expected: "x" }])).not.toThrow();
  });

  test.each([
    ["a long string", "x".repeat(10_000)],
    ["a long list", Array.from({ length: 10_000 }, (_, i) => i)],
    ["a wide mapping", Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]))],
  ])("%s is cut at the limit", (_name, value) => {
    const shown = showValue(value);
    expect(shown).toHaveLength(MAX_SHOWN_VALUE + 1);
    expect(shown.endsWith("…")).toBe(true);
  });

  test("a value that fits exactly is not cut", () => {
    const value = "x".repeat(MAX_SHOWN_VALUE - 2);
    expect(showValue(value)).toBe(JSON.stringify(value));
  });
});

describe("invisible characters are shown and named", () => {
  const cases: [string, string, string, string][] = [
    ["zero-width space", "kim\u200b", '"kim<U+200B>"', "U+200B ZERO WIDTH SPACE"],
    ["no-break space", "a\u00a0b", '"a<U+00A0>b"', "U+00A0 NO-BREAK SPACE"],
    ["byte-order mark", "\ufeffx", '"<U+FEFF>x"', "U+FEFF ZERO WIDTH NO-BREAK SPACE (BYTE ORDER MARK)"],
    ["zero-width joiner", "a\u200db", '"a<U+200D>b"', "U+200D ZERO WIDTH JOINER"],
    ["zero-width non-joiner", "a\u200cb", '"a<U+200C>b"', "U+200C ZERO WIDTH NON-JOINER"],
    ["word joiner", "a\u2060b", '"a<U+2060>b"', "U+2060 WORD JOINER"],
    ["soft hyphen", "kim\u00ad", '"kim<U+00AD>"', "U+00AD SOFT HYPHEN"],
    ["left-to-right mark", "\u200ekim", '"<U+200E>kim"', "U+200E LEFT-TO-RIGHT MARK"],
    ["right-to-left override", "\u202emik", '"<U+202E>mik"', "U+202E RIGHT-TO-LEFT OVERRIDE"],
    ["first strong isolate", "\u2068kim", '"<U+2068>kim"', "U+2068 FIRST STRONG ISOLATE"],
    ["en space", "a\u2002b", '"a<U+2002>b"', "U+2002 EN SPACE"],
    ["narrow no-break space", "a\u202fb", '"a<U+202F>b"', "U+202F NARROW NO-BREAK SPACE"],
    ["ideographic space", "김\u3000민지", '"김<U+3000>민지"', "U+3000 IDEOGRAPHIC SPACE"],
    ["Hangul filler", "\u3164", '"<U+3164>"', "U+3164 HANGUL FILLER"],
    ["halfwidth Hangul filler", "a\uffa0", '"a<U+FFA0>"', "U+FFA0 HALFWIDTH HANGUL FILLER"],
    ["line separator", "a\u2028b", '"a<U+2028>b"', "U+2028 LINE SEPARATOR"],
    ["variation selector", "a\ufe0f", '"a<U+FE0F>"', "U+FE0F VARIATION SELECTOR-16"],
    ["a supplementary variation selector", "a\u{e0100}", '"a<U+E0100>"', "U+E0100 VARIATION SELECTOR-17"],
    ["a tag character", "a\u{e0041}", '"a<U+E0041>"', "U+E0041 TAG CHARACTER"],
    ["a format character without a name here", "a\u{110bd}", '"a<U+110BD>"', "U+110BD an invisible format character"],
    ["braille blank", "\u2800", '"<U+2800>"', "U+2800 BRAILLE PATTERN BLANK"],
  ];
  test.each(cases)("%s", (_name, value, shown, name) => {
    expect(line(value)).toBe(`study.yaml: f = ${shown} (contains an invisible character ${name}) is not valid; expected something`);
  });

  test("several kinds are named once each, in order of appearance", () => {
    expect(line(["a\u00a0", "b\u200b", "c\u00a0"])).toBe(
      'study.yaml: f = ["a<U+00A0>","b<U+200B>","c<U+00A0>"] (contains invisible characters U+00A0 NO-BREAK SPACE, U+200B ZERO WIDTH SPACE) is not valid; expected something',
    );
  });

  test("in the field and the expectation too (a key with a zero-width space in it)", () => {
    expect(line(1, "weeks\u200b", 'no key "weeks\u200b" here')).toBe(
      'study.yaml: weeks<U+200B> = 1 (contains an invisible character U+200B ZERO WIDTH SPACE) is not valid; expected no key "weeks<U+200B>" here',
    );
  });

  test.each([
    ["plain ASCII", "kim-1"],
    ["Korean", "김민지"],
    ["accents", "José Müller"],
    ["an ordinary space and a tab", "a b\tc"],
    ["emoji", "🙂"],
  ])("%s is left alone, without a note", (_name, value) => {
    expect(revealInvisible(value)).toBe(value);
    expect(line(value)).toBe(`study.yaml: f = ${JSON.stringify(value)} is not valid; expected something`);
  });

  test("describeCharacter pads to four hex digits", () => {
    expect(describeCharacter(0xa0)).toBe("U+00A0 NO-BREAK SPACE");
  });
});
