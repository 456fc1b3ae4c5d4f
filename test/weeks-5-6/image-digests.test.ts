/**
 * Images pinned by digest: the course's own app defaults to tag and digest, a digest is pulled only when
 * a node lacks it (IfNotPresent) and a tag at every start (Always), the same in the -k8s stack and the
 * manifests, for week 5's app and week 9's canary; the Docker host pulls a pinned image once.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parseAllDocuments } from "yaml";
import { imagePullPolicyFor, parseImageReference } from "../../lib/containers/image-reference";
import { dockerHostSettings } from "../../modules/docker-host/settings";
import { pullScript, renderDockerHostUserData } from "../../modules/docker-host/user-data";
import { KUBERNETES_DEFAULTS } from "../../modules/kubernetes/settings";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { synthConfig, type Synthesized } from "../support/synth";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const K8S_STACK = "devops-weeks-dev-k8s";
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** Image and pull policy of every container, by Deployment name, in the stack and in the manifests. */
function pullPolicies(synth: Synthesized): { stack: Record<string, [string, string]>; manifests: Record<string, [string, string]> } {
  const stack = Object.fromEntries(
    (Object.values(synth.resources(K8S_STACK, "kubernetes_deployment_v1")) as Json[]).map((d) => [d.metadata.name, [d.spec.template.spec.container[0].image, d.spec.template.spec.container[0].image_pull_policy]]),
  );
  const dir = join(synth.outdir, "manifests", "devops-weeks-dev");
  const manifests: Record<string, [string, string]> = {};
  for (const file of readdirSync(dir)) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => d.toJS() as Json)) {
      if (doc.kind === "Deployment") manifests[doc.metadata.name] = [doc.spec.template.spec.containers[0].image, doc.spec.template.spec.containers[0].imagePullPolicy];
    }
  }
  return { stack, manifests };
}

describe("the pull policy follows the reference", () => {
  test.each([
    ["nginx:1.27", "Always"],
    ["nginx", "Always"],
    [`nginx@${DIGEST}`, "IfNotPresent"],
    [`public.ecr.aws/nginx/nginx-unprivileged:1.30-alpine@${DIGEST}`, "IfNotPresent"],
    ["123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/app:v1", "Always"],
  ])("%s is pulled %s", (reference, policy) => {
    expect(imagePullPolicyFor(reference)).toBe(policy);
  });

  test("the default app image carries a tag and a multi-platform index digest", () => {
    const reference = parseImageReference(KUBERNETES_DEFAULTS.image)!;
    expect(reference).toMatchObject({ registry: "docker.io", path: "nginxinc/nginx-unprivileged", tag: "1.30.5-alpine" });
    expect(reference.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe("week 5's app and week 9's canary, in the stack and the manifests alike", () => {
  test("with the default (a digest): IfNotPresent in both forms", () => {
    const synth = synthConfig({ ...ALL_WEEKS_CONFIG, deployOptimization: { canary: { enabled: true } } });
    const { stack, manifests } = pullPolicies(synth);
    const expected = [KUBERNETES_DEFAULTS.image, "IfNotPresent"];
    expect(stack).toEqual({ web: expected, "web-canary": expected });
    expect(manifests).toEqual(stack);
  });

  test("a tag-only app image and a digest canary: Always for the app, IfNotPresent for the canary", () => {
    const canary = `docker.io/nginxinc/nginx-unprivileged:1.31-alpine@${DIGEST}`;
    const synth = synthConfig({ ...ALL_WEEKS_CONFIG, kubernetes: { app: { image: "docker.io/nginxinc/nginx-unprivileged:1.30-alpine" } }, deployOptimization: { canary: { enabled: true, image: canary } } });
    const { stack, manifests } = pullPolicies(synth);
    expect(stack).toEqual({ web: ["docker.io/nginxinc/nginx-unprivileged:1.30-alpine", "Always"], "web-canary": [canary, "IfNotPresent"] });
    expect(manifests).toEqual(stack);
  });

  test("week 5 alone, on a local cluster: a digest app image is IfNotPresent in both forms", () => {
    const image = `registry.example.com/team/web:2.0@${DIGEST}`;
    const { stack, manifests } = pullPolicies(synthConfig({ weeks: "5", kubernetes: { app: { image } } }));
    expect(stack).toEqual({ web: [image, "IfNotPresent"] });
    expect(manifests).toEqual(stack);
  });
});

describe("the Docker host pulls a pinned image by its digest, once", () => {
  const script = pullScript();

  test("a digest reference is pulled as name@digest (the tag is a label only) and skipped when the host has it", () => {
    expect(script).toContain('if [[ "$reference" == *@* ]]; then');
    expect(script).toContain('if [[ "${name##*/}" == *:* ]]; then name="${name%:*}"; fi');
    expect(script).toContain('if docker image inspect "$reference" >/dev/null 2>&1; then exit 0; fi');
    expect(script.trimEnd().split("\n").at(-1)).toBe('docker pull "$reference"');
  });

  test("the week-2 host takes a pinned image from its config as it is", () => {
    const image = `public.ecr.aws/docker/library/nginx:stable@${DIGEST}`;
    expect(renderDockerHostUserData(dockerHostSettings.parse({ container: { image } }))).toContain(`APP_IMAGE=${image}\n`);
    expect(() => synthConfig({ dockerHost: { container: { image } } }, { weeks: "2" })).not.toThrow();
  });
});
