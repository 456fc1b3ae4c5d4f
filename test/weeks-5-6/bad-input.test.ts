import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { refusalOf, synthConfig } from "../support/synth";

/** Each case: the config, and the one line the learner should see (field, bad value, what is expected). */
const cases: [string, Record<string, unknown>, RegExp][] = [
  [
    "a Kubernetes version EKS does not offer",
    { weeks: "6", eks: { kubernetesVersion: "1.29" } },
    /eks\.kubernetesVersion = "1\.29" is not valid; expected a Kubernetes version EKS offers, as a quoted string: 1\.35, 1\.36 \(or 1\.32, 1\.33, 1\.34 with eks\.allowExtendedSupport: true\)/,
  ],
  [
    "an unquoted version that YAML turns into 1.3",
    { weeks: "6", eks: { kubernetesVersion: 1.3 } },
    /eks\.kubernetesVersion = 1\.3 is not valid; expected a Kubernetes version EKS offers, as a quoted string/,
  ],
  [
    "a version in extended support without opting in to its price",
    { weeks: "6", eks: { kubernetesVersion: "1.32" } },
    /eks\.kubernetesVersion = "1\.32" is not valid; expected a version in standard support \(1\.35, 1\.36\); .*0\.60 USD per cluster hour.*eks\.allowExtendedSupport: true/,
  ],
  [
    "min above desired",
    { weeks: "6", eks: { nodeGroup: { minSize: 3, desiredSize: 2, maxSize: 4 } } },
    /eks\.nodeGroup = \{"minSize":3,"desiredSize":2,"maxSize":4\} is not valid; expected minSize <= desiredSize <= maxSize/,
  ],
  [
    "desired above max",
    { weeks: "6", eks: { nodeGroup: { minSize: 1, desiredSize: 5, maxSize: 3 } } },
    /eks\.nodeGroup = \{"minSize":1,"desiredSize":5,"maxSize":3\} is not valid; expected minSize <= desiredSize <= maxSize/,
  ],
  [
    "a malformed instance type",
    { weeks: "6", eks: { nodeGroup: { instanceTypes: ["t3.medium", "t3-medium"] } } },
    /eks\.nodeGroup\.instanceTypes\[1\] = "t3-medium" is not valid; expected an EC2 instance type the course runs, such as t3\.micro/,
  ],
  [
    "instance types of two architectures in one node group",
    { weeks: "6", eks: { nodeGroup: { instanceTypes: ["t3.medium", "t4g.medium"] } } },
    /eks\.nodeGroup\.instanceTypes = \["t3\.medium","t4g\.medium"\] is not valid; expected instance types of one architecture/,
  ],
  [
    "the API endpoint open to the whole internet without the explicit flag",
    { weeks: "6", eks: { endpoint: { publicAccessCidrs: ["0.0.0.0/0"] } } },
    /eks\.endpoint\.publicAccessCidrs = \["0\.0\.0\.0\/0"\] is not valid; expected your own address as a \/32 .*allowPublicAccessFromInternet: true/,
  ],
  [
    "an admin that is not an IAM ARN",
    { weeks: "6", eks: { adminPrincipalArns: ["admin@example.com"] } },
    /eks\.adminPrincipalArns\[0\] = "admin@example\.com" is not valid; expected an IAM role or user ARN/,
  ],
  [
    "EKS in a single AZ",
    { weeks: "6", availabilityZones: 1 },
    /availabilityZones = 1 is not valid; expected at least 2 AZs when week 6 \(EKS\) is on/,
  ],
  [
    "a namespace that is not a DNS label",
    { weeks: "5", kubernetes: { namespace: "My_Shop" } },
    /kubernetes\.namespace = "My_Shop" is not valid; expected a DNS label \(RFC 1123\): 1-63 lowercase letters, digits and hyphens/,
  ],
  [
    "a namespace Kubernetes reserves",
    { weeks: "5", kubernetes: { extraNamespaces: ["kube-system"] } },
    /kubernetes\.extraNamespaces\[0\] = "kube-system" is not valid; expected a name that does not start with kube-/,
  ],
  ["negative replicas", { weeks: "5", kubernetes: { app: { replicas: -1 } } }, /kubernetes\.app\.replicas = -1 is not valid; expected a number >= 0/],
  [
    "a rolling update that can never start",
    { weeks: "5", kubernetes: { app: { rollingUpdate: { maxSurge: 0, maxUnavailable: "0%" } } } },
    /kubernetes\.app\.rollingUpdate = \{"maxSurge":0,"maxUnavailable":"0%"\} is not valid; expected maxSurge or maxUnavailable above 0/,
  ],
  [
    "requests above limits",
    { weeks: "5", kubernetes: { app: { resources: { requests: { memory: "1Gi" } } } } },
    /kubernetes\.app\.resources\.requests\.memory = "1Gi" is not valid; expected at most the limit \(64Mi\)/,
  ],
  [
    "a CPU quantity Kubernetes would not parse",
    { weeks: "5", kubernetes: { app: { resources: { limits: { cpu: "2 cores" } } } } },
    /kubernetes\.app\.resources\.limits\.cpu = "2 cores" is not valid; expected a CPU quantity such as 100m or 0\.5/,
  ],
];

describe("weeks 5-6 refuse bad input with one clear line each", () => {
  test.each(cases)("%s", (_name, config, message) => {
    const error = refusalOf(config);
    expect(error?.message).toMatch(message);
    expect(error?.message.split("\n")).toHaveLength(1);
  });

  test("a failed synth leaves out/ untouched: nothing half-written", () => {
    const good = synthConfig({ weeks: "1,5,6" });
    const deployment = join(good.outdir, "manifests", "devops-weeks-dev", "20-web-deployment.yaml");
    const before = [readFileSync(join(good.stackDir("devops-weeks-dev-k8s"), "cdk.tf.json"), "utf8"), readFileSync(deployment, "utf8")];
    expect(() => synthConfig({ weeks: "1,5,6", kubernetes: { app: { replicas: -1 } } }, { outdir: good.outdir })).toThrow(/kubernetes\.app\.replicas/);
    expect(() => synthConfig({ weeks: "1,5,6", eks: { nodeGroup: { desiredSize: 9 } } }, { outdir: good.outdir })).toThrow(/eks\.nodeGroup/);
    expect([readFileSync(join(good.stackDir("devops-weeks-dev-k8s"), "cdk.tf.json"), "utf8"), readFileSync(deployment, "utf8")]).toEqual(before);
  });
});
