/**
 * `npm run doctor`: whether this machine has what the enabled weeks need, before the first apply
 * fails halfway. Terraform at the stacks' required_version, the AWS CLI v2 and the Session Manager
 * plugin, kubectl and helm from week 5 on (and kind or minikube for week 5 without EKS), credentials
 * that work in the study's region and are not the root user's. Each finding in the runbooks' first
 * language, with how to install what is missing; required things missing make the exit non-zero.
 *
 * The checks run commands through `run`, so that the tests can stand in for every tool.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TERRAFORM_MINIMUM_VERSION } from "../state/backend";
import type { StudyConfig } from "./config";
import type { ModuleSelection } from "./weeks";

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The program is not on PATH. */
  readonly missing?: boolean;
}

export type Runner = (command: string, args: readonly string[]) => CommandResult;

export interface Finding {
  readonly ok: boolean;
  /** A required thing that is missing or wrong: the exit is non-zero. */
  readonly required: boolean;
  readonly line: string;
}

type Words = Record<string, string>;

export function loadDoctorWords(templatesDir: string, lang: string): (key: string, params?: Record<string, string>) => string {
  const words = JSON.parse(readFileSync(join(templatesDir, lang, "doctor.json"), "utf8")) as Words;
  return (key, params = {}) => {
    const text = words[key];
    if (typeof text !== "string") throw new Error(`templates/${lang}/doctor.json: "${key}" not defined`);
    return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
  };
}

/** `1.11.4` from `v1.11.4`, `aws-cli/2.15.0`, ...; undefined when the text has no version. */
function versionIn(text: string, pattern: RegExp): string | undefined {
  return pattern.exec(text)?.[1];
}

export function atLeast(version: string, minimum: string): boolean {
  const a = version.split(".").map(Number);
  const b = minimum.split(".").map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0);
  }
  return true;
}

export interface DoctorInput {
  readonly config: StudyConfig;
  readonly selection: ModuleSelection;
  readonly run: Runner;
  readonly text: (key: string, params?: Record<string, string>) => string;
}

export function examine({ config, selection, run, text }: DoctorInput): Finding[] {
  const has = (id: string) => selection.modules.some((m) => m.id === id);
  const findings: Finding[] = [];
  const found = (name: string, version: string, note = "") => findings.push({ ok: true, required: true, line: text("found", { name, version, note }) });
  const lacking = (name: string, why: string, install: string, required = true) => findings.push({ ok: false, required, line: text(required ? "missing" : "warning", { name, why, install }) });
  const output = (r: CommandResult) => `${r.stdout}\n${r.stderr}`;
  /** A tool that is there when it answers and prints a version: found with it, or missing with how to install it. */
  const requireTool = (name: string, command: string, args: readonly string[], versionPattern: RegExp, install: string): void => {
    const result = run(command, args);
    const installed = result.missing || result.status !== 0 ? undefined : versionIn(output(result), versionPattern);
    if (!installed) lacking(name, text("notInstalled"), text(install));
    else found(name, installed);
  };

  // Terraform: the stacks' required_version.
  const terraform = run("terraform", ["version", "-json"]);
  const terraformVersion = terraform.missing ? undefined : (() => {
    try {
      return (JSON.parse(terraform.stdout) as { terraform_version?: string }).terraform_version;
    } catch {
      return versionIn(output(terraform), /Terraform v(\d+\.\d+\.\d+)/);
    }
  })();
  const minimum = TERRAFORM_MINIMUM_VERSION;
  if (!terraformVersion) lacking("Terraform", text("notInstalled"), text("install.terraform"));
  else if (!atLeast(terraformVersion, minimum)) lacking("Terraform", text("tooOld", { version: terraformVersion, minimum }), text("install.terraform"));
  else found("Terraform", terraformVersion, text("needs", { minimum }));

  // The AWS CLI, version 2: the runbooks' commands (v1 lacks `aws ssm start-session` port forwarding options and SSO).
  const aws = run("aws", ["--version"]);
  const awsVersion = aws.missing ? undefined : versionIn(output(aws), /aws-cli\/(\d+\.\d+\.\d+)/);
  if (!awsVersion) lacking("AWS CLI", text("notInstalled"), text("install.awsCli"));
  else if (!atLeast(awsVersion, "2.0.0")) lacking("AWS CLI", text("tooOld", { version: awsVersion, minimum: "2.0.0" }), text("install.awsCli"));
  else found("AWS CLI", awsVersion);

  // The Session Manager plugin: every shell and port forward through SSM (the bastion, the Docker host, the EKS tunnel).
  const network = config.settings["network"] as { bastion?: { enabled?: boolean } } | undefined;
  if (has("dockerHost") || has("eks") || (has("network") && network?.bastion?.enabled !== false)) {
    requireTool("Session Manager plugin", "session-manager-plugin", ["--version"], /(\d+\.\d+\.\d+(?:\.\d+)?)/, "install.ssmPlugin");
  }

  // Week 3: the page zips the app for the source bucket and checks the deployed page with curl.
  if (has("cicd")) {
    requireTool("zip", "zip", ["-v"], /Zip (\d+\.\d+)/, "install.zip");
    requireTool("curl", "curl", ["--version"], /curl (\d+\.\d+\.\d+)/, "install.curl");
  }

  // From week 5: kubectl and helm, and a local cluster when EKS is off.
  if (has("kubernetes") || has("eks")) {
    const kubectl = run("kubectl", ["version", "--client", "-o", "json"]);
    const kubectlVersion = kubectl.missing ? undefined : (() => {
      try {
        return (JSON.parse(kubectl.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion?.replace(/^v/, "");
      } catch {
        return versionIn(output(kubectl), /v(\d+\.\d+\.\d+)/);
      }
    })();
    if (!kubectlVersion) lacking("kubectl", text("notInstalled"), text("install.kubectl"));
    else {
      const eks = config.settings["eks"] as { kubernetesVersion?: string } | undefined;
      const cluster = has("eks") ? eks?.kubernetesVersion : undefined;
      const skew = cluster ? Math.abs(Number(kubectlVersion.split(".")[1]) - Number(cluster.split(".")[1])) : 0;
      // kubectl is supported within one minor version of the cluster (Kubernetes' version skew policy).
      if (cluster && skew > 1) lacking("kubectl", text("skew", { version: kubectlVersion, cluster }), text("install.kubectl"), false);
      else found("kubectl", kubectlVersion);
    }
    const helm = run("helm", ["version", "--short"]);
    const helmVersion = helm.missing ? undefined : versionIn(output(helm), /v(\d+\.\d+\.\d+)/);
    if (!helmVersion) lacking("helm", text("notInstalled"), text("install.helm"));
    else if (!atLeast(helmVersion, "3.0.0")) lacking("helm", text("tooOld", { version: helmVersion, minimum: "3.0.0" }), text("install.helm"));
    else found("helm", helmVersion);
    if (has("kubernetes") && !has("eks")) {
      const kind = run("kind", ["version"]);
      const minikube = kind.missing ? run("minikube", ["version", "--short"]) : undefined;
      const local = !kind.missing ? ["kind", versionIn(output(kind), /v(\d+\.\d+\.\d+)/)] : minikube && !minikube.missing ? ["minikube", versionIn(output(minikube), /v(\d+\.\d+\.\d+)/)] : undefined;
      if (!local) lacking("kind / minikube", text("noLocalCluster"), text("install.kind"));
      else found(local[0]!, local[1] ?? "?");
      // kind runs the cluster's nodes as Docker containers (minikube has drivers of its own).
      if (local?.[0] === "kind") {
        const docker = run("docker", ["version", "--format", "{{.Server.Version}}"]);
        const dockerVersion = docker.missing || docker.status !== 0 ? undefined : versionIn(output(docker), /(\d+\.\d+\.\d+)/);
        if (!dockerVersion) lacking("Docker", text(docker.missing ? "notInstalled" : "dockerNotRunning"), text("install.docker"));
        else found("Docker", dockerVersion);
      }
    }
  }

  // Credentials that work in the study's region, and are not the root user's.
  const region = config.core.region;
  if (awsVersion) {
    const identity = run("aws", ["sts", "get-caller-identity", "--region", region, "--output", "json"]);
    if (identity.status !== 0) lacking(text("credentials"), text("noCredentials", { region, error: output(identity).trim().split("\n")[0] ?? "" }), text("install.credentials"));
    else {
      const arn = (() => {
        try {
          return (JSON.parse(identity.stdout) as { Arn?: string }).Arn ?? "";
        } catch {
          return "";
        }
      })();
      if (/:root$/.test(arn)) lacking(text("credentials"), text("rootUser", { arn }), text("install.notRoot"));
      else found(text("credentials"), arn, text("inRegion", { region }));
    }
  }
  return findings;
}

export function formatFindings(findings: readonly Finding[], text: DoctorInput["text"], weeks: readonly number[]): { report: string; exitCode: number } {
  const missing = findings.filter((f) => !f.ok && f.required).length;
  const lines = [text("header", { weeks: weeks.join(", ") }), ...findings.map((f) => `  ${f.ok ? "✔" : f.required ? "✘" : "!"} ${f.line}`)];
  lines.push(missing === 0 ? text("allGood") : text("summary", { count: String(missing) }));
  return { report: `${lines.join("\n")}\n`, exitCode: missing === 0 ? 0 : 1 };
}
