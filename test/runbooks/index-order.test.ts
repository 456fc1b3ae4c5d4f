/**
 * The site index's apply order, read as a learner reads it, and what the pages say of load balancers
 * on the defaults: the private cluster is reached (tunnel, kubeconfig) before the Kubernetes stack is
 * applied; the default ClusterIP Services are not priced or checked as load balancers, and the Istio
 * gateway is once the config names who may reach it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { bashSyntaxErrors, codeBlocks } from "../support/markdown";
import { synthConfig, type Synthesized } from "../support/synth";

const page = (synth: Synthesized, lang: string, file: string) => readFileSync(join(synth.outdir, "runbooks", lang, file), "utf8");

describe("the index and the pages of an all-weeks synth on the defaults", () => {
  let synth: Synthesized;
  beforeAll(() => {
    synth = synthConfig(ALL_WEEKS_CONFIG);
  });

  test.each(["en", "ko"])("%s index: the AWS stack, the tunnel in a second terminal, the kubeconfig, then the Kubernetes stack; every block is valid bash", (lang) => {
    const index = page(synth, lang, "index.md");
    const order = index.slice(index.indexOf("\n## ", index.indexOf("](week-10.md)")));
    const blocks = codeBlocks(order);
    const at = (pattern: RegExp) => blocks.findIndex((block) => pattern.test(block));
    const awsApply = at(/-chdir=out\/stacks\/devops-weeks-dev init && .* apply$/m);
    const tunnel = at(/AWS-StartPortForwardingSessionToRemoteHost/);
    const kubeconfig = at(/--tls-server-name=/);
    const k8sApply = at(/-chdir=out\/stacks\/devops-weeks-dev-k8s init && .* apply$/m);
    const destroy = at(/destroy/);
    expect([awsApply, tunnel, kubeconfig, k8sApply, destroy].every((i) => i >= 0), blocks.join("\n---\n")).toBe(true);
    expect(awsApply).toBeLessThan(tunnel);
    expect(tunnel).toBeLessThan(kubeconfig);
    expect(kubeconfig).toBeLessThan(k8sApply);
    expect(k8sApply).toBeLessThan(destroy);
    // The tunnel runs until stopped: alone in its block, so nothing after it waits behind it.
    expect(blocks[tunnel].trim().split("\n")).toHaveLength(1);
    expect(blocks[destroy].trim().split("\n")).toEqual(["terraform -chdir=out/stacks/devops-weeks-dev-k8s destroy", "terraform -chdir=out/stacks/devops-weeks-dev destroy"]);
    expect(bashSyntaxErrors(blocks)).toEqual([]);
  });

  test("no page checks for an external hostname, and the Kubernetes stack costs nothing by the hour: the Services are ClusterIP", () => {
    for (const lang of ["en", "ko"]) {
      for (const week of ["05", "10"]) {
        const text = page(synth, lang, `week-${week}.md`);
        expect(text).not.toMatch(/external hostname|외부 호스트 이름/);
        expect(text).toMatch(lang === "en" ? /the Service has only a cluster IP/ : /Service는 클러스터 IP만 가집니다/);
      }
    }
    expect(synth.log.join("\n")).toMatch(/devops-weeks-dev-k8s +0\.0000 USD\/h +0\.00 USD\/month/);
    expect(page(synth, "en", "week-10.md")).not.toContain("Load balancer created by Kubernetes");
  });

  test("with source ranges for the Istio gateway, its NLB and addresses are priced and its namespace's check expects an address", () => {
    const exposed = synthConfig({ ...ALL_WEEKS_CONFIG, serviceMesh: { istio: { ingressGatewaySourceRanges: ["203.0.113.10/32"] } } });
    const week10 = page(exposed, "en", "week-10.md");
    expect(week10).toMatch(/\| Load balancer created by Kubernetes \| `istio-ingressgateway` \| 0\.0\d{3} \|/);
    expect(week10).toMatch(/\| Public IPv4 address \| `istio-ingressgateway \(2 × IPv4\)` \| 0\.0100 \|/);
    expect(exposed.log.join("\n")).toMatch(/devops-weeks-dev-k8s +0\.0\d{3} USD\/h/);
    const checks = week10.slice(week10.indexOf("The workloads in istio-ingress run"));
    expect(checks).toMatch(/^[^]*?a LoadBalancer Service shows an external hostname/);
  });
});
