/**
 * The leftovers check after `terraform destroy`, replayed on recorded AWS CLI answers: a clean account
 * says "nothing left"; an account with leftovers lists each with the command that deletes it. Also the
 * real command line, with a stand-in `aws` on PATH that answers from the same recordings.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { findLeftovers, formatLeftovers, type LeftoverQuery } from "../../lib/aws/leftovers";
import { bashSyntaxErrors } from "../support/markdown";

const FIXTURES = join(__dirname, "..", "fixtures", "leftovers");
const QUERY: LeftoverQuery = { environment: "devops-weeks-dev", project: "devops-weeks", region: "ap-northeast-2", cluster: "devops-weeks-dev-eks" };

/** The recorded answer for a call: keyed by service, operation and the first filter or prefix. */
function recorded(file: string) {
  const answers = JSON.parse(readFileSync(join(FIXTURES, file), "utf8")) as Record<string, unknown>;
  const calls: string[] = [];
  const aws = (args: readonly string[]) => {
    const [service, operation] = args;
    const key = args.find((a, i) => i > 1 && (args[i - 1] === "--tag-filters" || args[i - 1] === "--filters" || args[i - 1] === "--log-group-name-prefix"));
    calls.push(args.join(" "));
    return answers[`${service} ${operation} ${key}`] ?? {};
  };
  return { aws, calls };
}

describe("what is left after terraform destroy", () => {
  test("a clean account: nothing left", () => {
    const { aws, calls } = recorded("clean-account.json");
    const leftovers = findLeftovers(QUERY, aws);
    expect(leftovers).toEqual([]);
    expect(formatLeftovers(QUERY, leftovers)).toBe("nothing left: no resource of devops-weeks-dev was found in ap-northeast-2.\n");
    // Every call is a read: describe, get, list.
    for (const call of calls) expect(call).toMatch(/^\S+ (describe|get|list)-/);
  });

  test("the tags as the runbook gives them: a hyphenated project and environment, and a learner of a class", () => {
    const { aws, calls } = recorded("clean-account.json");
    findLeftovers({ environment: "study-group-kim", project: "study-group", environmentTag: "week-by-week", learner: "kim", region: "ap-northeast-2" }, aws);
    expect(calls).toContain("resourcegroupstaggingapi get-resources --region ap-northeast-2 --tag-filters Key=Project,Values=study-group Key=Environment,Values=week-by-week Key=Learner,Values=kim");
    expect(calls).toContain("ec2 describe-addresses --region ap-northeast-2 --filters Name=tag:Environment,Values=week-by-week Name=tag:Learner,Values=kim");
    expect(calls.filter((call) => call.startsWith("logs describe-log-groups")).map((call) => call.split(" ").at(-1))).toEqual(["/aws/lambda/study-group-kim", "/aws/codebuild/study-group-kim", "/devops-weeks/study-group-kim"]);
  });

  test("an account with leftovers: each one, with the command that deletes it", () => {
    const { aws } = recorded("account-with-leftovers.json");
    const leftovers = findLeftovers(QUERY, aws);
    const report = formatLeftovers(QUERY, leftovers);
    expect(leftovers.map((l) => l.what.split(" (")[0].split(",")[0])).toEqual(
      expect.arrayContaining(["Load balancer", "Security group", "EBS volume", "Elastic IP 3.35.0.10", "CloudWatch log group", "ECR repository"]),
    );
    expect(report).toMatch(/^6 thing\(s\) of devops-weeks-dev still exist in ap-northeast-2/);
    expect(report).toContain("aws elbv2 delete-load-balancer --region ap-northeast-2 --load-balancer-arn arn:aws:elasticloadbalancing:ap-northeast-2:123456789012:loadbalancer/net/k8s-devopswe-web-0a1b2c3d4e/0123456789abcdef");
    expect(report).toContain("aws ec2 delete-volume --region ap-northeast-2 --volume-id vol-0123456789abcdef0");
    expect(report).toContain("aws ec2 release-address --region ap-northeast-2 --allocation-id eipalloc-0123456789abcdef0");
    expect(report).toContain("aws logs delete-log-group --region ap-northeast-2 --log-group-name /aws/eks/devops-weeks-dev-eks/cluster");
    expect(report).toContain("aws ecr delete-repository --region ap-northeast-2 --repository-name devops-weeks-dev-app --force");
    expect(bashSyntaxErrors(leftovers.map((l) => l.deleteCommand))).toEqual([]);
  });

  test("npm run leftovers: exit 3 and the list with leftovers, exit 0 and 'nothing left' without", () => {
    const bin = mkdtempSync(join(tmpdir(), "devops-weeks-aws-"));
    const stub = join(bin, "aws");
    // A stand-in AWS CLI: answers from a recording, keyed like the test above.
    writeFileSync(stub, `#!/usr/bin/env node
const answers = JSON.parse(require("fs").readFileSync(process.env.AWS_RECORDING, "utf8"));
const args = process.argv.slice(2);
const key = args.find((a, i) => i > 1 && ["--tag-filters", "--filters", "--log-group-name-prefix"].includes(args[i - 1]));
process.stdout.write(JSON.stringify(answers[args[0] + " " + args[1] + " " + key] ?? {}));
`);
    chmodSync(stub, 0o755);
    const run = (recording: string) =>
      spawnSync("npx", ["tsx", "scripts/leftovers.ts", "--environment", "devops-weeks-dev", "--region", "ap-northeast-2", "--cluster", "devops-weeks-dev-eks"], {
        cwd: join(__dirname, "..", ".."),
        env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, AWS_RECORDING: join(FIXTURES, recording) },
        encoding: "utf8",
      });
    const left = run("account-with-leftovers.json");
    expect(left.status, left.stderr).toBe(3);
    expect(left.stdout).toContain("6 thing(s) of devops-weeks-dev still exist");
    const clean = run("clean-account.json");
    expect(clean.status, clean.stderr).toBe(0);
    expect(clean.stdout).toBe("nothing left: no resource of devops-weeks-dev was found in ap-northeast-2.\n");
  }, 60_000);
});
