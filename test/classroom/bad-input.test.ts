/**
 * Bad rosters and state settings: one message per problem naming the file, the row or field, the
 * value and what is expected; out/ left as it was.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { StudyConfigError } from "../../lib/core/errors";
import { synthConfig } from "../support/synth";
import { synthClass } from "./roster";

/** An out/ with a previous synth's file in it, to check that a failed synth leaves it alone. */
function previousOut(): string {
  const outdir = join(mkdtempSync(join(tmpdir(), "devops-weeks-prev-")), "out");
  mkdirSync(join(outdir, "stacks", "devops-weeks-dev"), { recursive: true });
  writeFileSync(join(outdir, "stacks", "devops-weeks-dev", "cdk.tf.json"), "{}");
  return outdir;
}

function expectUntouched(outdir: string): void {
  expect(readdirSync(join(outdir, "stacks"))).toEqual(["devops-weeks-dev"]);
  expect(existsSync(join(outdir, "manifest.json"))).toBe(false);
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof StudyConfigError) return error.message.split("\n");
    throw error;
  }
  throw new Error("expected the synth to fail");
}

describe("a roster with mistakes", () => {
  test("names the file and row of a duplicate learner id, and where it was first used", () => {
    const outdir = previousOut();
    const lines = problemsOf(() => synthClass("id,name,email\nkim,Kim,kim@example.com\nlee,Lee,lee@example.com\nkim,Kim Two,kim2@example.com\n", {}, { outdir }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/roster\.csv: row 4 id = "kim" is not valid; expected an id used by one learner only \(row 2 has it already\)/);
    expectUntouched(outdir);
  });

  test("rejects an id that cannot be part of a stack name", () => {
    const outdir = previousOut();
    expect(() => synthClass("id,name,email\nKim_1,Kim,kim@example.com\n", {}, { outdir })).toThrow(/roster\.csv: row 2 id = "Kim_1" is not valid; expected 1-20 lowercase letters, digits and hyphens/);
    expect(() => synthClass("id,name,email\ninstructor,Teacher,t@example.com\n")).toThrow(/row 2 id = "instructor" is not valid; expected an id other than bootstrap, instructor or one ending in -k8s/);
    expectUntouched(outdir);
  });

  test("rejects a malformed email", () => {
    const outdir = previousOut();
    expect(() => synthClass("id,name,email\nkim,Kim,kim@example\n", {}, { outdir })).toThrow(/roster\.csv: row 2 email = "kim@example" is not valid; expected an email address such as minji@example\.com/);
    expectUntouched(outdir);
  });

  test("reports every bad row at once, one line each", () => {
    const lines = problemsOf(() => synthClass("id,name,email\n-x,X,x@example.com\nok,,ok@example.com\nfine,Fine,fine-at-example.com\n"));
    expect(lines).toEqual([
      expect.stringMatching(/row 2 id = "-x" is not valid/),
      expect.stringMatching(/row 3 name = "" is not valid; expected the learner's name/),
      expect.stringMatching(/row 4 email = "fine-at-example.com" is not valid/),
    ]);
  });

  test("refuses more learners than the VPC pool can place", () => {
    const outdir = previousOut();
    const rows = Array.from({ length: 5 }, (_, i) => `l${i},L ${i},l${i}@example.com`).join("\n");
    expect(() => synthClass(`id,name,email\n${rows}\n`, { classroom: { vpcCidrPool: "10.0.0.0/14", vpcPrefixLength: 16 } }, { outdir })).toThrow(
      /classroom\.roster = "5 learners" is not valid; expected at most 4 learners: classroom\.vpcCidrPool 10\.0\.0\.0\/14 holds 4 VPCs of \/16/,
    );
    expectUntouched(outdir);
  });

  test("refuses a slot outside the pool or taken twice", () => {
    expect(() => synthClass("id,name,email,slot\nkim,Kim,kim@example.com,256\n")).toThrow(/row 2 slot = 256 is not valid; expected a slot from 0 to 255/);
    expect(() => synthClass("id,name,email,slot\nkim,Kim,kim@example.com,3\nlee,Lee,lee@example.com,3\n")).toThrow(/row 3 slot = 3 is not valid; expected a slot used by one learner only \(row 2 has it already\)/);
  });

  test("needs a header naming id, name and email, and at least one learner", () => {
    expect(() => synthClass("id,name,mail\nkim,Kim,kim@example.com\n")).toThrow(/row 1 \(header\) = "id,name,mail" is not valid; expected a header naming the columns id, name and email \(missing: email\)/);
    expect(() => synthClass("id,name,email\n")).toThrow(/rows = 0 is not valid; expected at least one learner row/);
  });

  test("names a roster file that cannot be read", () => {
    expect(() => synthConfig({ classroom: { roster: "/nonexistent/roster.csv" } }, { weeks: "1" })).toThrow(/classroom\.roster = "\/nonexistent\/roster\.csv" is not valid; expected a readable roster CSV file/);
  });
});

describe("state settings with mistakes", () => {
  test("an s3 backend needs a bucket name", () => {
    const outdir = previousOut();
    expect(() => synthConfig({ state: { backend: "s3" } }, { weeks: "1", outdir })).toThrow(/state\.bucket = nothing is not valid; expected the name of the S3 state bucket when state\.backend is s3/);
    expectUntouched(outdir);
  });

  test("names an unknown backend and an invalid bucket name", () => {
    expect(() => synthConfig({ state: { backend: "gcs" } }, { weeks: "1" })).toThrow(/state\.backend = "gcs" is not valid; expected one of "local", "s3"/);
    expect(() => synthConfig({ state: { backend: "s3", bucket: "My_Bucket" } }, { weeks: "1" })).toThrow(/state\.bucket = "My_Bucket" is not valid; expected an S3 bucket name/);
  });
});
