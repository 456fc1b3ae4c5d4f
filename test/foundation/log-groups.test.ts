/**
 * "ResourceAlreadyExistsException: The specified log group already exists": a service that writes
 * CloudWatch Logs creates its group on the first line if the group is not there, without a retention,
 * and Terraform then fails to create it. So every group a service of the stacks writes is declared,
 * with a retention, and the writer depends on it (a reference or depends_on), so that on a first apply
 * and on a re-create Terraform makes the group first. Checked on the stack JSON of every week with
 * every option that adds a writer.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { fullSecurityConfig } from "../security/plans";
import { numberedSteps } from "../support/markdown";
import { synthConfig, type Synthesized } from "../support/synth";

const AWS = "devops-weeks-dev";
const K8S = "devops-weeks-dev-k8s";

type Resource = Record<string, unknown>;

/** `<type>.<logical id>` -> the resource's configuration. */
function resourcesOf(synth: Synthesized, stack: string, type: string): [string, Resource][] {
  return Object.entries(synth.resources(stack, type)).map(([id, config]) => [`${type}.${id}`, config]);
}

/** Whether Terraform orders `resource` after `address`: listed in depends_on, or referenced in its configuration. */
function dependsOn(resource: Resource, address: string): boolean {
  const { depends_on: explicit, ...config } = resource;
  return ((explicit ?? []) as string[]).includes(address) || JSON.stringify(config).includes(`\${${address}.`);
}

/** A policy's JSON with each Terraform expression (`${element(split(":", ...), 4)}`, quotes and all) replaced by a placeholder. */
function withoutExpressions(text: string): string {
  let previous: string;
  do {
    previous = text;
    text = text.replace(/\$\{[^{}]*\}/g, "EXPRESSION");
  } while (text !== previous);
  return text;
}

describe("log groups the services of the stacks write", () => {
  let synth: Synthesized;
  /** Declared log groups by name -> address. */
  let groups: Map<string, string>;
  const groupNamed = (name: string) => {
    const address = groups.get(name);
    expect(address, `a declared log group ${name}`).toBeDefined();
    return address!;
  };

  beforeAll(() => {
    synth = synthConfig(fullSecurityConfig());
    groups = new Map(resourcesOf(synth, AWS, "aws_cloudwatch_log_group").map(([address, group]) => [group.name as string, address]));
  });

  test("every declared group has a literal name and a retention", () => {
    const declared = resourcesOf(synth, AWS, "aws_cloudwatch_log_group");
    expect(declared.length).toBeGreaterThanOrEqual(10);
    for (const [address, group] of declared) {
      expect(group.name, address).toMatch(/^\/[^$]+$/);
      expect(group.retention_in_days, address).toBeGreaterThan(0);
    }
    expect(Object.keys(synth.resources(K8S, "aws_cloudwatch_log_group"))).toEqual([]);
  });

  test("every Lambda function has its /aws/lambda/<function_name> group declared and depends on it", () => {
    const functions = resourcesOf(synth, AWS, "aws_lambda_function");
    expect(functions.map(([, fn]) => fn.function_name).sort()).toEqual(["devops-weeks-dev-cost-brake", "devops-weeks-dev-deploy-notifier"]);
    for (const [address, fn] of functions) expect(dependsOn(fn, groupNamed(`/aws/lambda/${fn.function_name}`)), address).toBe(true);
  });

  test("the EKS cluster depends on /aws/eks/<name>/cluster", () => {
    const clusters = resourcesOf(synth, AWS, "aws_eks_cluster");
    expect(clusters).toHaveLength(1);
    for (const [address, cluster] of clusters) expect(dependsOn(cluster, groupNamed(`/aws/eks/${cluster.name}/cluster`)), address).toBe(true);
  });

  test("every CodeBuild project sends its logs to a declared group it depends on", () => {
    const projects = resourcesOf(synth, AWS, "aws_codebuild_project");
    expect(projects.length).toBeGreaterThan(0);
    for (const [address, project] of projects) {
      const logs = (project.logs_config as { cloudwatch_logs: { status: string; group_name: string } }).cloudwatch_logs;
      expect(logs.status, address).toBe("ENABLED");
      const byReference = /^\$\{(aws_cloudwatch_log_group\.[^.}]+)\.name\}$/.exec(logs.group_name)?.[1];
      const group = byReference ?? groupNamed(logs.group_name);
      expect([...groups.values()], address).toContain(group);
      expect(dependsOn(project, group), address).toBe(true);
    }
  });

  test("VPC flow logs and EventBridge deliver into declared groups they reference", () => {
    const flowLogs = resourcesOf(synth, AWS, "aws_flow_log");
    expect(flowLogs.length).toBeGreaterThan(0);
    for (const [address, flowLog] of flowLogs) {
      expect(flowLog.log_destination_type, address).toBe("cloud-watch-logs");
      expect([...groups.values()].some((group) => flowLog.log_destination === `\${${group}.arn}`), address).toBe(true);
    }
    const toLogs = resourcesOf(synth, AWS, "aws_cloudwatch_event_target").filter(([, target]) => String(target.arn).startsWith("${aws_cloudwatch_log_group."));
    expect(toLogs.length).toBeGreaterThan(0);
    for (const [address, target] of toLogs) expect([...groups.values()].some((group) => target.arn === `\${${group}.arn}`), address).toBe(true);
  });

  test("the Container Insights add-on depends on the four /aws/containerinsights/<cluster>/... groups its agent and Fluent Bit write", () => {
    const [cluster] = resourcesOf(synth, AWS, "aws_eks_cluster").map(([, c]) => c.name as string);
    const addons = resourcesOf(synth, AWS, "aws_eks_addon").filter(([, addon]) => addon.addon_name === "amazon-cloudwatch-observability");
    expect(addons).toHaveLength(1);
    for (const group of ["performance", "application", "dataplane", "host"]) {
      expect(dependsOn(addons[0][1], groupNamed(`/aws/containerinsights/${cluster}/${group}`)), group).toBe(true);
    }
  });

  test("an agent an SSM association installs depends on every declared group its script names", () => {
    const associations = resourcesOf(synth, AWS, "aws_ssm_association");
    let agents = 0;
    for (const [address, association] of associations) {
      const script = JSON.stringify(association.parameters);
      for (const [name, group] of groups) {
        if (!script.includes(name)) continue;
        agents++;
        expect(dependsOn(association, group), `${address} writes ${name}`).toBe(true);
      }
    }
    // The CloudWatch agent on both blue/green Docker hosts (week 8).
    expect(agents).toBe(2);
  });

  test("no inline policy lets a writer create a log group: a deleted group cannot come back without its retention", () => {
    const policies = [...resourcesOf(synth, AWS, "aws_iam_role_policy"), ...resourcesOf(synth, AWS, "aws_iam_policy")];
    expect(policies.length).toBeGreaterThan(10);
    for (const [address, policy] of policies) {
      const statements = (JSON.parse(withoutExpressions(policy.policy as string)) as { Statement: { Effect: string; Action?: string | string[] }[] }).Statement;
      const allowed = statements.filter((st) => st.Effect === "Allow").flatMap((st) => [st.Action ?? []].flat());
      expect(allowed.filter((action) => ["logs:CreateLogGroup", "logs:*", "*"].includes(action)), address).toEqual([]);
    }
  });

  test("of the AWS managed policies that may create log groups, only the Container Insights agent's role has one", () => {
    const creating = /\/(CloudWatchAgentServerPolicy|AWSLambdaBasicExecutionRole|AWSLambdaVPCAccessExecutionRole|CloudWatchLogsFullAccess|AWSCodeBuildDeveloperAccess|AWSCodeBuildAdminAccess)$/;
    const attached = resourcesOf(synth, AWS, "aws_iam_role_policy_attachment").filter(([, attachment]) => creating.test(String(attachment.policy_arn)));
    // Its agent and Fluent Bit write the four groups declared above, which the add-on waits for; one
    // flushing after a destroy deleted them can make a group again (README, troubleshooting).
    expect(attached.map(([address, attachment]) => [address.replace(/_[0-9A-F]{8}$/, ""), String(attachment.policy_arn).split("/").pop()])).toEqual([
      ["aws_iam_role_policy_attachment.monitoring_cloudwatch-agent-role-managed-0", "CloudWatchAgentServerPolicy"],
    ]);
  });

  test("Fluent Bit in the -k8s stack writes only into a group of the AWS stack, never creating one, and that stack is applied first", () => {
    const values = resourcesOf(synth, K8S, "helm_release").flatMap(([, release]) => (release.values ?? []) as string[]).join("\n");
    const named = [...values.matchAll(/logGroupName: (\S+)/g)].map((m) => m[1]);
    expect(named).toEqual(["/devops-weeks/devops-weeks-dev/containers"]);
    for (const name of named) groupNamed(name);
    expect(values).toMatch(/autoCreateGroup: false/);
    const manifest = JSON.parse(readFileSync(join(synth.outdir, "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };
    expect(manifest.stacks[K8S].dependencies).toEqual([AWS]);
    for (const lang of ["en", "ko"]) {
      const steps = numberedSteps(readFileSync(join(synth.outdir, "runbooks", lang, "week-08.md"), "utf8"));
      const applies = (stack: string) => steps.findIndex((step) => step.blocks.some((block) => block.includes(`terraform -chdir=out/stacks/${stack} apply tfplan`)));
      expect(applies(AWS), lang).toBeGreaterThanOrEqual(0);
      expect(applies(AWS), lang).toBeLessThan(applies(K8S));
    }
  });

  /** The troubleshooting one-liner (README): a log group's name -> its address in the stack, for terraform import. */
  const ADDRESS_OF = `jq -r --arg name "$name" '.resource.aws_cloudwatch_log_group // {} | to_entries[] | select(.value.name == $name) | "aws_cloudwatch_log_group.\\(.key)"' "out/stacks/$stack/cdk.tf.json"`;

  test("the one-liner that maps a log group name to its address is valid bash", () => {
    expect(spawnSync("bash", ["-n"], { input: `stack=${AWS} name=/aws/eks/devops-weeks-dev-eks/cluster\n${ADDRESS_OF}\n`, encoding: "utf8" }).status).toBe(0);
  });

  test.runIf(spawnSync("jq", ["--version"]).status === 0)("the one-liner finds the address of every declared group", () => {
    const root = join(synth.outdir, "..");
    for (const [name, address] of groups) {
      const found = execFileSync("bash", ["-c", ADDRESS_OF], { cwd: root, env: { ...process.env, stack: AWS, name }, encoding: "utf8" });
      expect(found.trim(), name).toBe(address);
    }
  });
});
