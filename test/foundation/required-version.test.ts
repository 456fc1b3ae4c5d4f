/**
 * One Terraform version, said the same everywhere: every stack's `required_version`, the runbooks'
 * tool list, the README's quick start and `npm run doctor` come from TERRAFORM_MINIMUM_VERSION.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { TERRAFORM_MINIMUM_VERSION } from "../../lib/state/backend";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { synthConfig } from "../support/synth";

const SHORT = TERRAFORM_MINIMUM_VERSION.replace(/\.0$/, "");

describe("the Terraform version the stacks require", () => {
  const synth = synthConfig({ ...ALL_WEEKS_CONFIG, state: { backend: "s3", bucket: "devops-weeks-tfstate-123456789012" } });
  const stacks = readdirSync(join(synth.outdir, "stacks"));

  test("every stack (AWS, Kubernetes, the state bucket's) sets required_version", () => {
    expect(stacks.length).toBeGreaterThanOrEqual(3);
    for (const name of stacks) expect((synth.stack(name).terraform as { required_version?: string }).required_version, name).toBe(`>= ${TERRAFORM_MINIMUM_VERSION}`);
  });

  test("the runbooks and the README say the same version", () => {
    for (const lang of ["ko", "en"]) {
      const page = readFileSync(join(synth.outdir, "runbooks", lang, "week-01.md"), "utf8");
      expect(page).toMatch(new RegExp(`\\*\\*Terraform\\*\\*: .*\\(${SHORT.replace(".", "\\.")} `));
    }
    const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
    expect(readme).toContain(`${SHORT} or newer: every stack sets \`required_version = ">= ${TERRAFORM_MINIMUM_VERSION}"\``);
    expect(readme).not.toMatch(/Terraform 1\.5\+/);
  });
});
