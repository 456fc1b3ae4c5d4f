import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { StudyConfigError } from "../../lib/core/errors";
import { filesUnder } from "../support/files";
import { synthConfig } from "../support/synth";

/** A digest of every file under a directory, to prove a failed synth changed nothing. */
function digestTree(root: string): string {
  const hash = createHash("sha256");
  for (const [path, content] of filesUnder(root)) hash.update(path).update(content);
  return hash.digest("hex");
}

describe("bad input gets one clear message and leaves out/ as it was", () => {
  let outdir: string;
  let before: string;

  beforeAll(() => {
    outdir = synthConfig({}).outdir;
    before = digestTree(outdir);
  });

  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["an unknown week", { weeks: "1,12" }, /weeks = "1,12" is not valid; expected weeks 1-10 .*week 12 does not exist/],
    ["an empty weeks list", { weeks: [] }, /weeks = \[\] is not valid; expected at least one week/],
    ["a malformed CIDR", { network: { vpcCidr: "10.0.0.0/33" } }, /network\.vpcCidr = "10\.0\.0\.0\/33" is not valid; expected an IPv4 CIDR block/],
    ["subnets that cannot fit the VPC", { availabilityZones: 3, network: { vpcCidr: "10.0.0.0/24", subnetPrefixLength: 26 } }, /network\.subnetPrefixLength = 26 is not valid; expected subnets that fit the VPC: 10\.0\.0\.0\/24 holds 4 subnets of \/26, but 3 AZs need 6/],
    ["an AZ that is not in the region", { availabilityZones: ["ap-northeast-2a", "us-east-1a"] }, /availabilityZones\[1\] = "us-east-1a" is not valid; expected an AZ of ap-northeast-2 \(ap-northeast-2a, ap-northeast-2c, ap-northeast-2b, ap-northeast-2d\)/],
    ["more AZs than the region has", { region: "ap-northeast-1", availabilityZones: 4 }, /availabilityZones = 4 is not valid; expected at most 3/],
    ["a typo in a top-level key", { wekes: "1" }, /wekes = "1" is not valid; expected no key "wekes" here \(did you mean "weeks"\?\)/],
    ["a typo in a nested key", { network: { nat: { mdoe: "instance" } } }, /network\.nat\.mdoe = "instance" is not valid; expected no key "mdoe" here \(did you mean "mode"\?\); known keys: mode, perAz, instanceType/],
    ["a wrong type", { network: { flowLogs: { enabled: "yes" } } }, /network\.flowLogs\.enabled = "yes" is not valid; expected a boolean/],
    ["a value outside an enum", { network: { nat: { mode: "cheap" } } }, /network\.nat\.mode = "cheap" is not valid; expected one of "gateway", "instance", "none"/],
    ["a retention CloudWatch does not accept", { network: { flowLogs: { retentionDays: 10 } } }, /network\.flowLogs\.retentionDays = 10 is not valid; expected one of the retention periods CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30/],
    ["SSH from the whole internet without the explicit flag", { network: { bastion: { sshIngressCidrs: ["0.0.0.0/0"], keyPairName: "k" } } }, /network\.bastion\.sshIngressCidrs = \["0\.0\.0\.0\/0"\] is not valid; expected your own address as a \/32/],
    ["a malformed instance type", { network: { bastion: { instanceType: "t3micro" } } }, /network\.bastion\.instanceType = "t3micro" is not valid; expected an EC2 instance type the course runs, such as t3\.micro/],
    ["a region that is not a region code", { region: "seoul" }, /region = "seoul" is not valid; expected an AWS region code such as ap-northeast-2/],
  ];

  test.each(cases)("%s", (_name, config, message) => {
    let error: unknown;
    try {
      synthConfig(config, { outdir });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StudyConfigError);
    const problems = (error as StudyConfigError).problems;
    expect(problems).toHaveLength(1);
    expect((error as Error).message).toMatch(message);
    expect(digestTree(outdir)).toBe(before);
    expect(readdirSync(join(outdir, ".."))).not.toContainEqual(expect.stringMatching(/staging/));
  });

  test("the WEEKS variable is checked like the config and named as the source", () => {
    expect(() => synthConfig({}, { outdir, weeks: "0" })).toThrow(/WEEKS \(environment variable\) = "0" is not valid; expected weeks 1-10/);
    expect(digestTree(outdir)).toBe(before);
  });

  test("the app exits non-zero and prints the problem, without a stack trace", () => {
    const root = mkdtempSync(join(tmpdir(), "devops-weeks-cli-"));
    writeFileSync(join(root, "study.yaml"), "network:\n  vpcCidr: 10.0.0.0/33\n");
    const result = spawnSync(process.execPath, ["--import", "tsx", "main.ts"], {
      cwd: join(__dirname, "../.."),
      env: { ...process.env, STUDY_CONFIG: join(root, "study.yaml"), CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/nothing in out\/ was changed/);
    expect(result.stderr).toMatch(/network\.vpcCidr = "10\.0\.0\.0\/33" is not valid/);
    expect(result.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(digestTree(outdir)).toBe(before);
  });
});
