/** Week 2: the Docker host's generated user data, its image validation and what synth produces. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DOCKER_HOST_DEFAULTS, dockerHostSettings, isImageReference, parseImageReference, renderDockerHostUserData } from "../../modules/docker-host";
import { synthConfig } from "../support/synth";

const STACK = "devops-weeks-dev";

function userDataOf(config: Record<string, unknown>, weeks: string): string {
  const synthesized = synthConfig(config, { weeks });
  const instances = synthesized.resources(STACK, "aws_instance");
  const host = Object.values(instances).find((i) => (i.tags as Record<string, string>).Name === "devops-weeks-dev-docker-host")!;
  return Buffer.from(host.user_data_base64 as string, "base64").toString("utf8");
}

describe("week 2 image references", () => {
  test.each([
    "nginx",
    "nginx:1.27",
    "public.ecr.aws/docker/library/nginx:stable",
    "123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/devops-weeks-dev-app:build-7",
    "localhost:5000/team/app:v1.2.3",
    "ghcr.io/octocat/hello_world__x:latest",
    `nginx@sha256:${"a".repeat(64)}`,
    `nginx:1.27@sha256:${"0123456789abcdef".repeat(4)}`,
  ])("accepts %s", (reference) => {
    expect(isImageReference(reference)).toBe(true);
  });

  test.each([
    ["two tags", "nginx:latest:bad"],
    ["an uppercase repository", "Nginx"],
    ["an uppercase repository under a namespace", "MyTeam/app:1"],
    ["a space", "nginx :latest"],
    ["an empty tag", "nginx:"],
    ["a tag starting with a dot", "nginx:.hidden"],
    ["a double slash", "docker.io//nginx"],
    ["a shell metacharacter", "nginx;rm -rf /"],
    ["an empty string", ""],
    ["a short digest", "nginx@sha256:abc"],
  ])("refuses %s (%s)", (_why, reference) => {
    expect(isImageReference(reference)).toBe(false);
  });

  test("splits registry, path and tag the way Docker does", () => {
    expect(parseImageReference("nginx/nginx:1")).toEqual({ registry: undefined, path: "nginx/nginx", tag: "1", digest: undefined });
    expect(parseImageReference("public.ecr.aws/docker/library/nginx:stable")).toMatchObject({ registry: "public.ecr.aws", path: "docker/library/nginx", tag: "stable" });
  });
});

describe("week 2 user data", () => {
  const defaults = dockerHostSettings.parse({});

  test("installs Docker from the distribution's packages and enables it", () => {
    const script = renderDockerHostUserData(defaults);
    expect(script).toContain("dnf install -y docker\n");
    expect(script).toContain("systemctl enable --now docker.service");
  });

  test("runs the configured image as a systemd unit that restarts always and starts at boot", () => {
    const script = renderDockerHostUserData(dockerHostSettings.parse({ container: { image: "nginx:1.27", hostPort: 8080, containerPort: 80 } }));
    expect(script).toContain("APP_IMAGE=nginx:1.27\nHOST_PORT=8080\nCONTAINER_PORT=80\n");
    expect(script).toContain("cat > /etc/systemd/system/devops-weeks-app.service <<'UNIT'");
    expect(script).toMatch(/^Restart=always$/m);
    expect(script).toMatch(/^WantedBy=multi-user.target$/m);
    expect(script).toMatch(/^Requires=docker.service$/m);
    expect(script).toContain("ExecStart=/usr/bin/docker run --rm --name devops-weeks-app -p ${HOST_PORT}:${CONTAINER_PORT} ${APP_IMAGE}");
    expect(script).toContain("systemctl enable devops-weeks-app.service");
  });

  test("logs in to ECR with the instance role only for private ECR images", () => {
    const script = renderDockerHostUserData(defaults);
    expect(script).toContain('aws ecr get-login-password --region "${BASH_REMATCH[1]}" | docker login --username AWS --password-stdin "$registry"');
    expect(script).toContain("\\.dkr\\.ecr\\.([a-z0-9-]+)\\.amazonaws\\.com");
  });

  test("the default image is Docker's nginx through ECR Public", () => {
    expect(renderDockerHostUserData(defaults)).toContain(`APP_IMAGE=${DOCKER_HOST_DEFAULTS.image}\n`);
  });

  test("the synthesized host carries the week-2 script; week 3 installs the CodeDeploy agent without replacing it", () => {
    const weekTwo = userDataOf({}, "2");
    expect(weekTwo.startsWith("#!/bin/bash\n")).toBe(true);
    expect(weekTwo).toContain("dnf install -y docker");
    expect(weekTwo).not.toContain("codedeploy");
    // The host's user data is the same with week 3: a changed script would replace the instance.
    expect(userDataOf({}, "3")).toBe(weekTwo);
    const synth = synthConfig({}, { weeks: "3" });
    const associations = Object.values(synth.resources("devops-weeks-dev", "aws_ssm_association")) as { name: string; association_name: string; targets: { key: string; values: string[] }[]; parameters: { commands: string } }[];
    const agent = associations.find((a) => a.association_name === "devops-weeks-dev-docker-host-codedeploy-agent")!;
    expect(agent).toMatchObject({ name: "AWS-RunShellScript", targets: [{ key: "InstanceIds", values: [expect.stringMatching(/^\$\{aws_instance\.dockerHost_docker-host_instance_\w+\.id\}$/)] }] });
    expect(agent.parameters.commands).toContain("cloud-init status --wait");
    expect(agent.parameters.commands).toContain("https://aws-codedeploy-ap-northeast-2.s3.ap-northeast-2.amazonaws.com/latest/install");
  });
});

describe("week 2 synth", () => {
  test("the ECR repository scans on push, keeps the last N images and can use a KMS key", () => {
    const synthesized = synthConfig({ dockerHost: { ecr: { encryption: "KMS", keepLastImages: 5, immutableTags: false } } }, { weeks: "2" });
    const [repository] = Object.values(synthesized.resources(STACK, "aws_ecr_repository"));
    expect(repository).toMatchObject({ name: "devops-weeks-dev-app", image_tag_mutability: "MUTABLE", image_scanning_configuration: { scan_on_push: true }, force_delete: false });
    expect((repository.encryption_configuration as object[])[0]).toMatchObject({ encryption_type: "KMS", kms_key: expect.stringMatching(/^\$\{aws_kms_key\..*\.arn\}$/) });
    const [lifecycle] = Object.values(synthesized.resources(STACK, "aws_ecr_lifecycle_policy"));
    expect(JSON.parse(lifecycle.policy as string).rules[0]).toMatchObject({ selection: { countType: "imageCountMoreThan", countNumber: 5 }, action: { type: "expire" } });
    expect(Object.values(synthesized.resources(STACK, "aws_kms_key"))[0]).toMatchObject({ enable_key_rotation: true });
  });

  test("a bad image reference is refused with the field, the value and what is expected; out/ is not written", () => {
    const outdir = join(process.env.TMPDIR ?? "/tmp", `devops-weeks-bad-image-${process.pid}`);
    expect(() => synthConfig({ dockerHost: { container: { image: "nginx:latest:bad" } } }, { weeks: "2", outdir })).toThrow(
      /dockerHost\.container\.image = "nginx:latest:bad" is not valid; expected a container image reference such as nginx:1\.27/,
    );
    expect(existsSync(outdir)).toBe(false);
    expect(() => synthConfig({ dockerHost: { container: { image: "Nginx:1" } } }, { weeks: "2" })).toThrow(/dockerHost\.container\.image = "Nginx:1" is not valid; expected .*lowercase repository path/);
    expect(() => synthConfig({ dockerHost: { container: { image: "nginx 1" } } }, { weeks: "2" })).toThrow(/dockerHost\.container\.image = "nginx 1" is not valid; expected .*no spaces/);
  });

  test.each([
    [{ container: { hostPort: 70000 } }, /dockerHost\.container\.hostPort = 70000 is not valid; expected a number <= 65535/],
    [{ loadBalancer: { healthCheckPath: "healthz" } }, /dockerHost\.loadBalancer\.healthCheckPath = "healthz" is not valid; expected an absolute URL path such as \/ or \/healthz/],
    [{ loadBalancer: { ingressCidrs: ["10.0.0.1/8"] } }, /dockerHost\.loadBalancer\.ingressCidrs\[0\] = "10\.0\.0\.1\/8" is not valid; expected .*IPv4 CIDR blocks with no host bits set/],
    [{ ecr: { encryption: "aws:kms" } }, /dockerHost\.ecr\.encryption = "aws:kms" is not valid; expected one of "AES256", "KMS"/],
    [{ instanceType: "micro" }, /dockerHost\.instanceType = "micro" is not valid; expected an EC2 instance type the course runs, such as t3\.micro/],
  ])("refuses %j", (dockerHost, message) => {
    expect(() => synthConfig({ dockerHost }, { weeks: "2" })).toThrow(message);
  });

  test("a load balancer with a single AZ is refused: an ALB needs two", () => {
    expect(() => synthConfig({ availabilityZones: 1, dockerHost: { loadBalancer: { enabled: true } } }, { weeks: "2" })).toThrow(
      /dockerHost\.loadBalancer\.enabled = true is not valid; expected false, or availabilityZones of at least 2/,
    );
  });
});
