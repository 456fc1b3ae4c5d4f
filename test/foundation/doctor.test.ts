/**
 * `npm run doctor` with stand-in executables on PATH: one case per thing it checks, the exit code and
 * the line the learner reads (in the runbooks' first language).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { dump } from "js-yaml";
import { atLeast } from "../../lib/core/doctor";

const REPO = join(__dirname, "../..");

/** What each stand-in prints; a tool left out is not on PATH. */
interface Machine {
  terraform?: string;
  aws?: string;
  /** The `aws sts get-caller-identity` answer: an ARN, or "fail" (no credentials). */
  identity?: string;
  plugin?: string;
  kubectl?: string;
  helm?: string;
  kind?: string;
  /** The Docker engine's version, or "stopped" (the client answers, the engine does not). */
  docker?: string;
  zip?: string;
  curl?: string;
}

const GOOD: Machine = {
  terraform: "1.11.4",
  aws: "2.31.4",
  identity: "arn:aws:iam::123456789012:user/kim",
  plugin: "1.2.707.0",
  kubectl: "v1.35.0",
  helm: "v3.19.0",
  kind: "v0.30.0",
  docker: "28.5.1",
  zip: "3.0",
  curl: "8.14.1",
};

function standIns(machine: Machine): string {
  const dir = mkdtempSync(join(tmpdir(), "doctor-path-"));
  const script = (name: string, body: string) => {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  };
  if (machine.terraform) script("terraform", `echo '{"terraform_version":"${machine.terraform}","platform":"linux_amd64"}'`);
  if (machine.aws) {
    const sts = machine.identity === "fail" ? `echo 'Unable to locate credentials. You can configure credentials by running "aws configure".' >&2; exit 253` : `echo '{"UserId":"AIDA","Account":"123456789012","Arn":"${machine.identity}"}'`;
    script("aws", `if [ "$1" = "--version" ]; then echo "aws-cli/${machine.aws} Python/3.12.6 Linux/6.8 exe/x86_64"; exit 0; fi\nif [ "$1" = sts ]; then ${sts}; exit 0; fi\nexit 2`);
  }
  if (machine.plugin) script("session-manager-plugin", `echo ${machine.plugin}`);
  if (machine.kubectl) script("kubectl", `echo '{"clientVersion":{"gitVersion":"${machine.kubectl}"}}'`);
  if (machine.helm) script("helm", `echo ${machine.helm}+g1234567`);
  if (machine.kind) script("kind", `echo "kind ${machine.kind} go1.24 linux/amd64"`);
  if (machine.docker) script("docker", machine.docker === "stopped" ? `echo 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?' >&2; exit 1` : `echo ${machine.docker}`);
  if (machine.zip) script("zip", `echo "Copyright (c) 1990-2008 Info-ZIP"; echo "This is Zip ${machine.zip} (July 5th 2008), by Info-ZIP."`);
  if (machine.curl) script("curl", `echo "curl ${machine.curl} (x86_64-pc-linux-gnu) libcurl/${machine.curl}"`);
  return dir;
}

function doctor(machine: Machine, config: Record<string, unknown> = {}, weeks?: string) {
  const root = mkdtempSync(join(tmpdir(), "doctor-"));
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, "study.yaml"), dump(config));
  const env: NodeJS.ProcessEnv = { PATH: standIns(machine), HOME: root, STUDY_CONFIG: join(root, "study.yaml") };
  if (weeks) env.WEEKS = weeks;
  const run = spawnSync(process.execPath, ["--import", "tsx", "scripts/doctor.ts"], { cwd: REPO, env, encoding: "utf8" });
  return { status: run.status, out: run.stdout, err: run.stderr };
}

describe("npm run doctor", { timeout: 60_000 }, () => {
  test("everything there: exit 0, each tool with its version, in Korean by default", () => {
    const run = doctor(GOOD, {}, "1-6");
    expect(run.status, run.out + run.err).toBe(0);
    expect(run.out).toContain("devops-weeks doctor: 1, 2, 3, 4, 5, 6주 차에 필요한 도구와 자격 증명을 확인합니다");
    for (const line of ["✔ Terraform 1.11.4 (필요: 1.10.0 이상)", "✔ AWS CLI 2.31.4", "✔ Session Manager plugin 1.2.707.0", "✔ kubectl 1.35.0", "✔ helm 3.19.0", "✔ AWS 자격 증명 arn:aws:iam::123456789012:user/kim (ap-northeast-2 리전에서 확인)"]) {
      expect(run.out).toContain(line);
    }
    expect(run.out).toContain("모두 준비됐습니다");
  });

  test.each<[string, Machine, string]>([
    ["Terraform missing", { ...GOOD, terraform: undefined }, "✘ Terraform: PATH에서 찾을 수 없습니다. 설치 방법: https://developer.hashicorp.com/terraform/install"],
    ["Terraform older than the stacks' required_version", { ...GOOD, terraform: "1.9.8" }, "✘ Terraform: 설치된 1.9.8 버전은 너무 오래됐습니다. 1.10.0 이상이 필요합니다."],
    ["the AWS CLI v1", { ...GOOD, aws: "1.45.11" }, "✘ AWS CLI: 설치된 1.45.11 버전은 너무 오래됐습니다. 2.0.0 이상이 필요합니다."],
    ["no Session Manager plugin (the bastion needs it)", { ...GOOD, plugin: undefined }, "✘ Session Manager plugin: PATH에서 찾을 수 없습니다."],
    ["no credentials", { ...GOOD, identity: "fail" }, "✘ AWS 자격 증명: ap-northeast-2 리전에서 자격 증명을 확인하지 못했습니다 (Unable to locate credentials."],
    ["the root user's credentials", { ...GOOD, identity: "arn:aws:iam::123456789012:root" }, "✘ AWS 자격 증명: 루트 사용자로 로그인돼 있습니다(arn:aws:iam::123456789012:root)."],
  ])("%s: exit 1, and the line says what and how to fix it", (_case, machine, line) => {
    const run = doctor(machine, {}, "1");
    expect(run.status, run.out + run.err).toBe(1);
    expect(run.out).toContain(line);
    expect(run.out).toMatch(/필수 항목 1개가 없거나 맞지 않습니다/);
  });

  test("kubectl and helm are needed from week 5 on, not before", () => {
    const machine = { ...GOOD, kubectl: undefined, helm: undefined };
    expect(doctor(machine, {}, "1-4").status).toBe(0);
    const week6 = doctor(machine, {}, "6");
    expect(week6.status).toBe(1);
    expect(week6.out).toContain("✘ kubectl: PATH에서 찾을 수 없습니다. 설치 방법: https://kubernetes.io/ko/docs/tasks/tools/");
    expect(week6.out).toContain("✘ helm: PATH에서 찾을 수 없습니다.");
    expect(week6.out).toMatch(/필수 항목 2개가/);
  });

  test("week 5 without EKS needs kind or minikube; with EKS it does not", () => {
    const noKind = { ...GOOD, kind: undefined };
    const week5 = doctor(noKind, {}, "5");
    expect(week5.status).toBe(1);
    expect(week5.out).toContain("✘ kind / minikube:");
    expect(doctor(noKind, {}, "5-6").status).toBe(0);
  });

  test("week 3 needs zip and curl (the upload command and the page check), not before", () => {
    const machine = { ...GOOD, zip: undefined, curl: undefined };
    expect(doctor(machine, {}, "1-2").status).toBe(0);
    const week3 = doctor(machine, {}, "3");
    expect(week3.status).toBe(1);
    expect(week3.out).toContain("✘ zip: PATH에서 찾을 수 없습니다. 설치 방법: 패키지 관리자로 설치합니다 (sudo apt install zip, brew install zip)");
    expect(week3.out).toContain("✘ curl: PATH에서 찾을 수 없습니다.");
    expect(doctor(GOOD, {}, "3").out).toContain("✔ zip 3.0");
  });

  test("kind needs a running Docker engine; minikube does not", () => {
    const stopped = doctor({ ...GOOD, docker: "stopped" }, {}, "5");
    expect(stopped.status).toBe(1);
    expect(stopped.out).toContain("✘ Docker: docker 명령은 응답했지만 실행 중인 Docker 엔진이 없습니다");
    const missing = doctor({ ...GOOD, docker: undefined }, {}, "5");
    expect(missing.out).toContain("✘ Docker: PATH에서 찾을 수 없습니다. 설치 방법: https://docs.docker.com/get-started/get-docker/");
    expect(doctor(GOOD, {}, "5").out).toContain("✔ Docker 28.5.1");
    expect(doctor({ ...GOOD, docker: undefined }, {}, "5-6").status).toBe(0);
  });

  test("a kubectl two minor versions from the cluster is a warning, not a failure", () => {
    const run = doctor({ ...GOOD, kubectl: "v1.32.3" }, { eks: { kubernetesVersion: "1.35" } }, "6");
    expect(run.status).toBe(0);
    expect(run.out).toContain("! kubectl: 설치된 1.32.3 버전이 클러스터의 1.35 버전과 두 마이너 버전 이상 차이 납니다");
  });

  test("in English when the runbooks' first language is English", () => {
    const run = doctor({ ...GOOD, plugin: undefined }, { runbooks: { languages: ["en", "ko"] } }, "1");
    expect(run.status).toBe(1);
    expect(run.out).toContain("✘ Session Manager plugin: not found on PATH. Install: https://docs.aws.amazon.com/systems-manager/");
  });

  test("a wrong study config: exit 2 and the config's own message", () => {
    const run = doctor(GOOD, { region: "seoul" });
    expect(run.status).toBe(2);
    expect(run.err).toMatch(/devops-weeks doctor: .*region/);
  });

  test("versions compare by number", () => {
    expect(atLeast("1.10.0", "1.10.0")).toBe(true);
    expect(atLeast("1.11.4", "1.10.0")).toBe(true);
    expect(atLeast("1.9.8", "1.10.0")).toBe(false);
    expect(atLeast("2.0.0", "1.10.0")).toBe(true);
  });
});
