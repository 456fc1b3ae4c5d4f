/**
 * AWS's limits on what synth derives from the config: every name in every stack, with the longest
 * project and environment the config accepts and the options that add to names (NAT instances per AZ,
 * blue/green hosts, VPC Lattice, OpenSearch, learners), fits the limit of its resource type. What
 * cannot fit is refused at synth with the field and the limit, never left for apply to find.
 */
import { describe, expect, test } from "vitest";
import { refusalOf, synthConfig } from "../support/synth";
import type { StackJson } from "../support/terraform";

import { NAME_LIMITS } from "../../lib/aws/name-limits";
import { stackNamesOf } from "../../lib/core/environment";

const LONGEST = { project: "a-very-long-project-name", environment: "an-even-longer-env-names" };

/** Every derived name in a stack checked again here, independently of synth's own check. */
function violations(stack: StackJson): string[] {
  const found: string[] = [];
  for (const { type, argument, max, min, pattern } of NAME_LIMITS) {
    for (const [id, body] of Object.entries(stack.resource?.[type] ?? {})) {
      const value = body[argument];
      if (typeof value !== "string" || value.includes("${")) continue;
      if (value.length > max || value.length < (min ?? 1)) found.push(`${type}.${id}.${argument} has ${value.length} characters: ${value}`);
      if (pattern && !pattern[0].test(value)) found.push(`${type}.${id}.${argument} = ${value} has characters AWS refuses`);
    }
  }
  return found;
}

const CONFIGS: [string, Record<string, unknown>][] = [
  ["every week on", { costGuard: { emails: ["l@example.com"], nightlyStop: { enabled: true } }, security: { learners: { enabled: true, users: ["kim"] } }, monitoring: { prometheus: { managed: true } } }],
  ["NAT instances per AZ in three AZs, a blue/green Docker host, GitHub source", { availabilityZones: 3, network: { nat: { mode: "instance", perAz: true } }, dockerHost: { loadBalancer: { enabled: true }, blueGreen: { enabled: true } }, cicd: { source: { provider: "github", repository: "octocat/hello" } }, costGuard: { emails: ["l@example.com"] } }],
  ["VPC Lattice, OpenSearch, a spot node group", { serviceMesh: { provider: "vpc-lattice" }, logging: { openSearch: { enabled: true } }, deployOptimization: { spotNodeGroup: { enabled: true } }, costGuard: { emails: ["l@example.com"] } }],
];

describe("names synth derives fit AWS's limits, or synth refuses them", () => {
  test.each(CONFIGS)("with a long but accepted project and environment: %s", (_name, config) => {
    const synth = synthConfig({ project: "study-group-seoul", environment: "week-by-week", ...config }, { weeks: "1-10" });
    const found = synth.result.environments.flatMap(stackNamesOf).flatMap((stack) => violations(synth.stack(stack)));
    expect(found).toEqual([]);
  });

  test.each(CONFIGS)("with the longest project and environment, every name too long is named, one line each: %s", (_name, config) => {
    let error: Error | undefined;
    try {
      synthConfig({ ...LONGEST, ...config }, { weeks: "1-10" });
    } catch (caught) {
      error = caught as Error;
    }
    expect(error?.name).toBe("StudyConfigError");
    for (const line of error!.message.split("\n")) {
      expect(line).toMatch(/(environment = "an-even-longer-env-names" is not valid; expected a shorter project or environment: .* has \d+ characters, (AWS|IAM) allows|cicd\.artifacts\.\w+ = nothing is not valid; expected a bucket name of at most 63 characters)/);
    }
  });

  test("the NAT instance's role, 74 characters with the longest names, is refused at synth (IAM allows 64)", () => {
    expect(() => synthConfig({ ...LONGEST, network: { nat: { mode: "instance" } } }, { weeks: "1" })).toThrow(
      /environment = "an-even-longer-env-names" is not valid; expected a shorter project or environment: the iam role name a-very-long-project-name-an-even-longer-env-names-nat-ap-northeast-2a-role has 74 characters, AWS allows 1-64/,
    );
  });
});

describe("limits of what the config gives as it is", () => {
  const tags = (count: number) => Object.fromEntries(Array.from({ length: count }, (_, i) => [`tag${i}`, "x"]));

  test("tags: a subnet carries its own three and the three defaults, so 44 of yours fit and 45 are refused", () => {
    const fits = synthConfig({ tags: tags(44), costGuard: { emails: ["l@example.com"] } });
    const subnets = Object.values(fits.resources("devops-weeks-dev", "aws_subnet"));
    expect(Math.max(...subnets.map((subnet) => Object.keys(subnet.tags as object).length))).toBe(3);
    const refusal = refusalOf({ tags: tags(45), costGuard: { emails: ["l@example.com"] } });
    expect(refusal.message).toContain('tags = "45 tags" is not valid; expected at most 44 tags here: a subnet would carry 51 (3 of its own and the default ones), and AWS allows 50 on a resource');
  });

  test("a bucket name the config gives is blamed on its field, in a sentence", () => {
    const refusal = refusalOf({ cicd: { artifacts: { bucketName: "my..bucket" } }, costGuard: { emails: ["l@example.com"] } }, { weeks: "3" });
    expect(refusal.message).toContain('cicd.artifacts.bucketName = "my..bucket" is not valid; expected a name AWS accepts: the s3 bucket bucket my..bucket is not one AWS accepts: it allows only lowercase letters, digits, dots and hyphens, no two dots in a row');
  });
});
