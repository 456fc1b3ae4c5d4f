/**
 * The classroom roster as CSV (issue 12): RFC 4180 quoting, line ends and a BOM read as before; a
 * stray quote, which used to merge two learners silently (and send one's budget mail to the other),
 * is refused with the file, row and column and what is expected.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseCsv, planClassroom, type ClassroomPlan } from "../../lib/classroom/plan";
import { loadConfigFile } from "../../lib/core/config";
import { StudyConfigError } from "../../lib/core/errors";
import { STUDY_MODULES } from "../../modules";

/** Plans a class from a roster text (no synth: the roster is read while planning). */
function planRoster(roster: string | Buffer): ClassroomPlan {
  const dir = mkdtempSync(join(tmpdir(), "devops-weeks-csv-"));
  writeFileSync(join(dir, "roster.csv"), roster);
  writeFileSync(join(dir, "study.yaml"), "classroom:\n  roster: roster.csv\n  budget:\n    enabled: true\n");
  return planClassroom(loadConfigFile(join(dir, "study.yaml"), STUDY_MODULES))!;
}

function rosterProblems(roster: string | Buffer): string[] {
  try {
    planRoster(roster);
  } catch (error) {
    if (error instanceof StudyConfigError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected the roster to be refused");
}

describe("parseCsv reads RFC 4180", () => {
  const cases: [string, string, [number, string[]][]][] = [
    ["plain cells, LF", "id,name\nkim,Kim\n", [[1, ["id", "name"]], [2, ["kim", "Kim"]]]],
    ["CRLF line ends", "id,name\r\nkim,Kim\r\n", [[1, ["id", "name"]], [2, ["kim", "Kim"]]]],
    ["lone CR line ends (old Mac Excel)", "id,name\rkim,Kim\r", [[1, ["id", "name"]], [2, ["kim", "Kim"]]]],
    ["no line end after the last row", "id,name\nkim,Kim", [[1, ["id", "name"]], [2, ["kim", "Kim"]]]],
    ["a byte-order mark", "\uFEFFid,name\nkim,Kim\n", [[1, ["id", "name"]], [2, ["kim", "Kim"]]]],
    ["a quoted cell with a comma", 'lee,"Lee, Junho",x\n', [[1, ["lee", "Lee, Junho", "x"]]]],
    ["doubled quotes in a quoted cell", '"Kim ""MJ"" Minji"\n', [[1, ['Kim "MJ" Minji']]]],
    ["a cell that is only a quote", '""""\n', [[1, ['"']]]],
    ["an empty quoted cell", 'a,"",b\n', [[1, ["a", "", "b"]]]],
    ["every cell quoted", '"kim","Kim","kim@example.com"\n', [[1, ["kim", "Kim", "kim@example.com"]]]],
    ["spaces around a quoted cell", 'kim, "Kim, M" ,x\n', [[1, ["kim", "Kim, M", "x"]]]],
    ["empty cells and a trailing comma", "a,,b,\n", [[1, ["a", "", "b", ""]]]],
    ["empty lines skipped, line numbers kept", "a\n\n\r\nb\n", [[1, ["a"]], [4, ["b"]]]],
    ["lines of empty cells skipped", "a,b\n,\n , ,\nc,d\n", [[1, ["a", "b"]], [4, ["c", "d"]]]],
    ["Korean names and a comma in quotes", '김,"김민지, 강사"\n', [[1, ["김", "김민지, 강사"]]]],
    ["an apostrophe is just a character", "o'brien,O'Brien\n", [[1, ["o'brien", "O'Brien"]]]],
    ["an empty file", "", []],
  ];
  test.each(cases)("%s", (_name, text, records) => {
    expect(parseCsv(text).map((r) => [r.line, r.cells])).toEqual(records);
  });

  test("comment lines are skipped only when asked, even with a quote in them", () => {
    expect(parseCsv('id\n# kim said "hi\nkim\n', { comments: true }).map((r) => r.cells)).toEqual([["id"], ["kim"]]);
    expect(() => parseCsv('id\n# kim said "hi\n')).toThrow(StudyConfigError);
  });
});

describe("parseCsv refuses stray quotes with the row and column", () => {
  const cases: [string, string, RegExp[]][] = [
    [
      "a quote left open, closed on the next row (two learners merged)",
      'kim,"Kim Minji,kim@example.com\nlee,Lee",lee@example.com\n',
      [
        /^roster\.csv: row 1 column 5 = "kim,\\"Kim Minji,kim@example\.com" is not valid; expected a closing quote on the same row for the cell opened by the quote at column 5/,
        /^roster\.csv: row 2 column 8 = "lee,Lee\\",lee@example\.com" is not valid; expected no quote inside a cell that does not start with one/,
      ],
    ],
    ["a quote never closed", 'kim,"Kim\n', [/row 1 column 5 = .* expected a closing quote on the same row/]],
    ["a quote never closed, at the end of the file", 'kim,"Kim', [/row 1 column 5 = .* expected a closing quote on the same row/]],
    ["text after a closing quote", 'kim,"Kim" Minji,x\n', [/row 1 column 11 = .* expected a comma or the end of the row after the quoted cell that ends at column 9 \(found "M"/]],
    ["a quote in the middle of a cell", 'kim,Kim "MJ" Minji,x\n', [/row 1 column 9 = .* expected no quote inside a cell that does not start with one \(quote the whole cell and write the quote twice/]],
    ["a single doubled quote closing early", 'kim,"Kim ""MJ" Minji",x\n', [/row 1 column 16 = .* expected a comma or the end of the row/]],
    ["a quote at the end of an unquoted cell", 'kim,Kim",x\r\n', [/row 1 column 8 = /]],
    ["every bad row at once", 'ok,fine\nkim,"Kim\nlee,Lee"\nok,fine\npark,"P"x\n', [/row 2 column 5/, /row 3 column 8/, /row 5 column 9/]],
  ];
  test.each(cases)("%s", (_name, text, messages) => {
    let error: unknown;
    try {
      parseCsv(text, { source: "roster.csv" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StudyConfigError);
    const lines = (error as Error).message.split("\n");
    expect(lines).toHaveLength(messages.length);
    messages.forEach((message, i) => expect(lines[i]).toMatch(message));
  });
});

describe("the roster file", () => {
  test("the merged-learners roster is refused, naming the roster file: nobody gets another's mail", () => {
    const lines = rosterProblems('id,name,email\nkim,"Kim Minji,kim@example.com\nlee,Lee",lee@example.com\n');
    expect(lines).toEqual([
      expect.stringMatching(/roster\.csv: row 2 column 5 = .* expected a closing quote on the same row/),
      expect.stringMatching(/roster\.csv: row 3 column 8 = .* expected no quote inside a cell/),
    ]);
  });

  const valid: [string, string, [string, string, string][]][] = [
    ["quoted names with commas and quotes", 'id,name,email\nkim,"Kim ""MJ"" Minji",kim@example.com\nlee,"Lee, Junho",lee@example.com\n', [["kim", 'Kim "MJ" Minji', "kim@example.com"], ["lee", "Lee, Junho", "lee@example.com"]]],
    ["CRLF, a BOM, comments and blank rows", "\uFEFFemail,id,name\r\n# the spring class\r\nkim@example.com,kim,Kim\r\n\r\n,,\r\nlee@example.com,lee,Lee\r\n", [["kim", "Kim", "kim@example.com"], ["lee", "Lee", "lee@example.com"]]],
    ["a trailing comma on every row (spreadsheet export)", "id,name,email,\nkim,Kim,kim@example.com,\n", [["kim", "Kim", "kim@example.com"]]],
    ["an extra named column, ignored", "id,name,email,team\nkim,Kim,kim@example.com,blue\n", [["kim", "Kim", "kim@example.com"]]],
    ["the README's example", 'id,name,email,slot\nkim,Kim Minji,minji@example.com,\nlee,"Lee, Junho",junho@example.com,7\n', [["kim", "Kim Minji", "minji@example.com"], ["lee", "Lee, Junho", "junho@example.com"]]],
  ];
  test.each(valid)("reads %s", (_name, roster, learners) => {
    const plan = planRoster(roster);
    expect(plan.learners.map((l) => [l.id, l.name, l.email])).toEqual(learners);
    // each learner's budget mail goes to that learner
    for (const learner of plan.learners) expect(learner.budget!.emails).toEqual([learner.email]);
  });

  const invalid: [string, string | Buffer, RegExp][] = [
    ["an unquoted comma in a name (the columns shift)", "id,email,name\nlee,lee@example.com,Lee, Junho\n", /roster\.csv: row 2 = "lee,lee@example\.com,Lee, Junho" is not valid; expected at most 3 cells, one per header column \(id,email,name\): a comma inside a cell needs the cell in quotes/],
    ["a stray quote in the header", 'id,"name,email\n', /roster\.csv: row 1 column 4 = .* expected a closing quote/],
    ["a file that is not UTF-8 (Excel's default CSV)", Buffer.concat([Buffer.from("id,name,email\nkim,"), Buffer.from([0xb1, 0xe8]), Buffer.from(",kim@example.com\n")]), /roster\.csv: row 2 column 5 = .* expected a roster saved as UTF-8/],
    ["only blank rows after the header", "id,name,email\n,,\n\n", /rows = 0 is not valid; expected at least one learner row/],
  ];
  test.each(invalid)("refuses %s", (_name, roster, message) => {
    const lines = rosterProblems(roster);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });
});
