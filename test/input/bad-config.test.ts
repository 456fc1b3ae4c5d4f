/**
 * Configs that would be accepted and then fail at apply or at run time, refused at synth instead:
 * AWS's limits, combinations of weeks that cannot work, versions that do not fit together. Each is
 * one line naming the field, the value and what is expected.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { refusalOf, synthConfig } from "../support/synth";

const EMAIL = { costGuard: { emails: ["learner@example.com"] } };

const cases: [string, Record<string, unknown>, RegExp][] = [
  ["a VPC larger than AWS allows", { network: { vpcCidr: "10.0.0.0/8" } }, /network\.vpcCidr = "10\.0\.0\.0\/8" is not valid; expected a block from \/16 to \/28/],
  ["an instance size that does not exist", { network: { bastion: { instanceType: "t3.metal" } } }, /network\.bastion\.instanceType = "t3\.metal" is not valid; expected an EC2 instance type the course runs/],
  ["no NAT while the Docker host needs the internet", { weeks: "2", network: { nat: { mode: "none" }, endpoints: { ssm: true } } }, /network\.nat\.mode = "none" is not valid; expected gateway or instance while week 2 is on/],
  ["no NAT while EKS nodes need ECR and the API", { weeks: "6", network: { nat: { mode: "none" }, endpoints: { ssm: true } } }, /network\.nat\.mode = "none" is not valid; expected gateway or instance while week 6 \(EKS\) is on/],
  ["an x86 build for a Graviton Docker host", { weeks: "3", dockerHost: { instanceType: "t4g.micro" }, cicd: { build: { image: "aws/codebuild/amazonlinux-x86_64-standard:5.0" } } }, /cicd\.build\.image = "aws\/codebuild\/amazonlinux-x86_64-standard:5\.0" is not valid; expected a build image of the Docker host's architecture: dockerHost\.instanceType t4g\.micro is arm64/],
  ["a disruption budget no drain can meet with the HPA off", { weeks: "9", deployOptimization: { hpa: { enabled: false }, podDisruptionBudget: { minAvailable: 3 } } }, /deployOptimization\.podDisruptionBudget\.minAvailable = 3 is not valid; expected less than kubernetes\.app\.replicas \(2\) while the HPA is off/],
  ["the app in Istio's own namespace", { weeks: "10", ...EMAIL, kubernetes: { namespace: "istio-system" } }, /kubernetes\.namespace = "istio-system" is not valid; expected a namespace of the study's own: istio-system belongs to Istio/],
  ["the app in the default namespace", { weeks: "5", kubernetes: { namespace: "default" } }, /kubernetes\.namespace = "default" is not valid; expected a namespace of the study's own, not default/],
  ["a load balancer source listed twice", { weeks: "2", dockerHost: { loadBalancer: { enabled: true, ingressCidrs: ["203.0.113.10/32", "203.0.113.10/32"] } } }, /dockerHost\.loadBalancer\.ingressCidrs = \["203\.0\.113\.10\/32","203\.0\.113\.10\/32"\] is not valid; expected each CIDR block listed once/],
  ["a cluster admin listed twice", { weeks: "6", eks: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/A", "arn:aws:iam::123456789012:role/A"] } }, /eks\.adminPrincipalArns = .* is not valid; expected each ARN listed once/],
  ["an image reference week 2 would refuse", { weeks: "5", kubernetes: { app: { image: "nginx:1.27:bad" } } }, /kubernetes\.app\.image = "nginx:1\.27:bad" is not valid; expected a container image reference/],
  ["a canary image Docker would refuse", { weeks: "9", deployOptimization: { canary: { enabled: true, image: "Nginx Latest" } } }, /deployOptimization\.canary\.image = "Nginx Latest" is not valid; expected a container image reference/],
  ["a kubeconfig context over two lines", { weeks: "5", kubernetes: { kubeconfig: { context: "kind-x\nrm -rf" } } }, /kubernetes\.kubeconfig\.context = "kind-x\\nrm -rf" is not valid; expected a kubeconfig context name on one line/],
  ["an Istio release past its end of life", { weeks: "10", ...EMAIL, serviceMesh: { istio: { version: "1.26.2" } } }, /serviceMesh\.istio\.version = "1\.26\.2" is not valid; expected a supported release of Istio, 1\.30\.x or 1\.31\.x \(the default is 1\.31\.1\): 1\.26\.x is refused, end of life since 2025-12-22/],
  ["a VPC Lattice controller older than the Gateway API it is paired with", { weeks: "10", ...EMAIL, serviceMesh: { provider: "vpc-lattice", vpcLattice: { chartVersion: "v1.1.0", gatewayApiVersion: "v1.5.1" } } }, /serviceMesh\.vpcLattice\.chartVersion = "v1\.1\.0" is not valid; expected a supported release/],
  ["a private API with no bastion to reach it through", { weeks: "6", network: { bastion: { enabled: false } } }, /network\.bastion\.enabled = false is not valid; expected true while week 6 \(EKS\) is on with a private API/],
];

describe("configs that would fail at apply are refused at synth, one line each", () => {
  test.each(cases)("%s", (_name, config, message) => {
    const error = refusalOf(config);
    expect(error?.message).toMatch(message);
    expect(error?.message.split("\n")).toHaveLength(1);
  });

  test("the same weeks with the combination fixed synthesize", () => {
    expect(() => synthConfig({ weeks: "3", dockerHost: { instanceType: "t4g.micro" } })).not.toThrow();
    expect(() => synthConfig({ weeks: "9", deployOptimization: { hpa: { enabled: false }, podDisruptionBudget: { minAvailable: 1 } } })).not.toThrow();
    expect(() => synthConfig({ weeks: "6", network: { bastion: { enabled: false } }, eks: { endpoint: { publicAccessCidrs: ["203.0.113.10/32"] } } })).not.toThrow();
  });
});

describe("regions, zones and tags AWS would refuse", () => {
  test.each([
    ["a made-up region", { region: "ap-northeast-9" }, /region = "ap-northeast-9" is not valid; expected a region AWS has, such as ap-northeast-2/],
    ["an AZ the region does not have", { region: "eu-north-1", availabilityZones: ["eu-north-1a", "eu-north-1z"] }, /availabilityZones\[1\] = "eu-north-1z" is not valid; expected an AZ of eu-north-1 \(eu-north-1a, eu-north-1b, eu-north-1c\)/],
    ["more tags than a resource can carry", { tags: Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`Tag${i}`, "x"])) }, /tags = .* is not valid; expected at most 46 tags \(AWS allows 50 on a resource/],
  ])("%s", (_name, config, message) => {
    expect(() => synthConfig(config, { weeks: "1" })).toThrow(message);
  });

  test("a nightly stop in UTC is a time zone Scheduler accepts", () => {
    expect(() => synthConfig({ costGuard: { nightlyStop: { enabled: true, timezone: "UTC" } } }, { weeks: "1" })).not.toThrow();
  });
});

describe("classroom mode: what one account holds once, or a global name, is refused in every learner's stack", () => {
  const roster = () => {
    const path = join(mkdtempSync(join(tmpdir(), "devops-weeks-roster-")), "roster.csv");
    writeFileSync(path, "id,name,email\nkim,Kim Minji,minji@example.com\nlee,Lee Junho,junho@example.com\n");
    return path;
  };
  test.each([
    ["the account's GitHub OIDC provider", { cicd: { source: { repository: "octocat/hello" }, githubActions: { enabled: true } } }, /cicd\.githubActions\.createOidcProvider = true is not valid; expected false in classroom mode with isolation tag: an account holds one GitHub OIDC provider/],
    ["a fixed artifact bucket name", { cicd: { artifacts: { bucketName: "class-artifacts" } } }, /cicd\.artifacts\.bucketName = "class-artifacts" is not valid; expected no fixed name in classroom mode: S3 bucket names are global/],
  ])("%s", (_name, config, message) => {
    expect(() => synthConfig({ ...config, classroom: { roster: roster() } }, { weeks: "3" })).toThrow(message);
  });
});

test("a class of six learners with week 10's trail: AWS allows five trails per region in one account", () => {
  const path = join(mkdtempSync(join(tmpdir(), "devops-weeks-roster-")), "roster.csv");
  writeFileSync(path, `id,name,email\n${["kim", "lee", "park", "choi", "jung", "kang"].map((id) => `${id},${id},${id}@example.com`).join("\n")}\n`);
  expect(() => synthConfig({ classroom: { roster: path }, security: { guardDuty: { enabled: false }, inspector: { enabled: false } } }, { weeks: "10" })).toThrow(
    /security\.cloudTrail\.enabled = true is not valid; expected false for a class of 6 learners in one account: AWS allows 5 trails per region/,
  );
});

test("learner IAM users whose names differ only in . and _ are two users, not a stack trace", () => {
  const synth = synthConfig({ security: { learners: { enabled: true, users: ["kim.lee", "kim_lee"] } } }, { weeks: "10" });
  const users = Object.values(synth.resources("devops-weeks-dev", "aws_iam_user")).map((u) => u.name);
  expect(users.sort()).toEqual(["kim.lee", "kim_lee"]);
});
