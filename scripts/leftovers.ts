/**
 * `npm run leftovers -- --environment devops-weeks-dev --region ap-northeast-2 [--project devops-weeks]
 *  [--environment-tag dev] [--learner kim] [--cluster devops-weeks-dev-eks]`: (the runbooks give every flag:
 *  a project or environment name with a hyphen cannot be split back from the environment's name)
 * after `terraform destroy`, lists what of the environment still exists and may bill, with the command that
 * deletes each, or says nothing is left. Read-only AWS CLI calls with your usual credentials.
 * Exit 0 when nothing is left, 3 when something is (so a script can tell), 1 when the AWS CLI fails.
 */
import { execFileSync } from "node:child_process";
import { findLeftovers, formatLeftovers, type LeftoverQuery } from "../lib/aws/leftovers";

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const environment = option("environment");
const region = option("region") ?? "ap-northeast-2";
if (!environment) {
  console.error("leftovers: --environment <project>-<environment> is required, e.g. --environment devops-weeks-dev");
  process.exit(1);
}
const query: LeftoverQuery = {
  environment,
  region,
  project: option("project") ?? environment.split("-").slice(0, -1).join("-"),
  environmentTag: option("environment-tag"),
  learner: option("learner"),
  cluster: option("cluster"),
};
try {
  const leftovers = findLeftovers(query, (args) => JSON.parse(execFileSync("aws", [...args, "--output", "json"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) || "{}"));
  process.stdout.write(formatLeftovers(query, leftovers));
  process.exitCode = leftovers.length === 0 ? 0 : 3;
} catch (error) {
  const stderr = (error as { stderr?: string }).stderr;
  console.error(`leftovers: the AWS CLI failed: ${(stderr ?? (error as Error).message).trim().split("\n")[0]}`);
  process.exitCode = 1;
}
