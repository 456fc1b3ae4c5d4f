/**
 * Who may reach the Kubernetes load balancers: week 5's app Service and week 10's Istio ingress gateway
 * get one only for the client ranges the config names. Bad ranges are refused at synth with one line
 * naming the field, the value and what is expected; no ranges means no load balancer at all.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { refusalOf, synthConfig } from "../support/synth";

const EMAIL = { costGuard: { emails: ["learner@example.com"] } };
const K8S_STACK = "devops-weeks-dev-k8s";

describe("bad source ranges are refused, one line each", () => {
  test.each([
    ["an address with host bits in its range", { weeks: "5", kubernetes: { service: { sourceRanges: ["203.0.113.10/24"] } } }, /kubernetes\.service\.sourceRanges\[0\] = "203\.0\.113\.10\/24" is not valid; expected kubernetes\.service\.sourceRanges: IPv4 CIDR blocks with no host bits set, such as 203\.0\.113\.10\/32/],
    ["a range given twice", { weeks: "5", kubernetes: { service: { sourceRanges: ["203.0.113.10/32", "203.0.113.10/32"] } } }, /kubernetes\.service\.sourceRanges = \["203\.0\.113\.10\/32","203\.0\.113\.10\/32"\] is not valid; expected each CIDR block listed once/],
    ["one range as a string, not a list", { weeks: "5", kubernetes: { service: { sourceRanges: "0.0.0.0/0" } } }, /kubernetes\.service\.sourceRanges = "0\.0\.0\.0\/0" is not valid; expected a list/],
    ["an IPv6 range (the Service's load balancer is IPv4)", { weeks: "5", kubernetes: { service: { sourceRanges: ["::/0"] } } }, /kubernetes\.service\.sourceRanges\[0\] = "::\/0" is not valid; expected kubernetes\.service\.sourceRanges: IPv4 CIDR blocks/],
    ["a gateway address without its prefix", { weeks: "10", ...EMAIL, serviceMesh: { istio: { ingressGatewaySourceRanges: ["203.0.113.10"] } } }, /serviceMesh\.istio\.ingressGatewaySourceRanges\[0\] = "203\.0\.113\.10" is not valid; expected serviceMesh\.istio\.ingressGatewaySourceRanges: IPv4 CIDR blocks with no host bits set/],
    ["the page open to the internet without saying so", { weeks: "5", kubernetes: { service: { sourceRanges: ["0.0.0.0/0"] } } }, /kubernetes\.service\.sourceRanges = \["0\.0\.0\.0\/0"\] is not valid; expected your own address as a \/32 \(the page open to the whole internet also needs kubernetes\.service\.allowPublicAccessFromInternet: true/],
    ["the gateway open to the internet without saying so", { weeks: "10", ...EMAIL, serviceMesh: { istio: { ingressGatewaySourceRanges: ["203.0.113.10/32", "0.0.0.0/0"] } } }, /serviceMesh\.istio\.ingressGatewaySourceRanges = .* is not valid; expected your own address as a \/32 \(the gateway open to the whole internet also needs serviceMesh\.istio\.ingressGatewayAllowPublicAccessFromInternet: true/],
    ["gateway ranges with no gateway", { weeks: "10", ...EMAIL, serviceMesh: { istio: { ingressGateway: false, ingressGatewaySourceRanges: ["203.0.113.10/32"] } } }, /serviceMesh\.istio\.ingressGatewaySourceRanges = \["203\.0\.113\.10\/32"\] is not valid; expected no ranges while serviceMesh\.istio\.ingressGateway is false/],
    ["gateway ranges with VPC Lattice", { weeks: "10", ...EMAIL, serviceMesh: { provider: "vpc-lattice", istio: { ingressGatewaySourceRanges: ["203.0.113.10/32"] } } }, /serviceMesh\.istio\.ingressGatewaySourceRanges = .* is not valid; expected no ranges while serviceMesh\.provider is vpc-lattice/],
  ])("%s", (_name, config, message) => {
    const error = refusalOf(config);
    expect(error.message).toMatch(message);
    expect(error.message.split("\n")).toHaveLength(1);
  });
});

describe("no ranges, no load balancer; the ranges named, a load balancer admitting only them", () => {
  test("by default the app's Service and the gateway are ClusterIP, with no load balancer output, and the page says how to reach them", () => {
    const synth = synthConfig(ALL_WEEKS_CONFIG);
    const [service] = Object.values(synth.resources(K8S_STACK, "kubernetes_service_v1")) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(service.spec.type).toBe("ClusterIP");
    expect(service.spec.load_balancer_source_ranges).toBeUndefined();
    expect(service.metadata.annotations).toBeUndefined();
    expect(service.wait_for_load_balancer).toBe(false);
    const gateway = Object.values(synth.resources(K8S_STACK, "helm_release")).find((r) => r.name === "istio-ingressgateway")!;
    expect(gateway.values).toEqual(["service:\n  type: ClusterIP\n"]);
    const outputs = Object.keys((synth.stack(K8S_STACK) as { output: object }).output);
    expect(outputs).not.toContain("web_load_balancer_hostname");
    expect(outputs).not.toContain("istio_ingress_hostname_command");
    for (const lang of ["en", "ko"]) {
      const week5 = readFileSync(join(synth.outdir, "runbooks", lang, "week-05.md"), "utf8");
      expect(week5).toContain("`kubernetes.service.sourceRanges`");
      expect(week5).toContain("kubectl -n devops-weeks port-forward service/web 8080:80");
      const week10 = readFileSync(join(synth.outdir, "runbooks", lang, "week-10.md"), "utf8");
      expect(week10).toContain("`serviceMesh.istio.ingressGatewaySourceRanges`");
      expect(week10).toContain("kubectl -n istio-ingress port-forward service/istio-ingressgateway 8080:80");
    }
  });

  test("with ranges: a LoadBalancer with the NLB annotations on EKS, admitting only those ranges, in both forms", () => {
    const synth = synthConfig({
      ...ALL_WEEKS_CONFIG,
      kubernetes: { service: { sourceRanges: ["203.0.113.10/32"] } },
      serviceMesh: { istio: { ingressGatewaySourceRanges: ["198.51.100.0/24", "0.0.0.0/0"], ingressGatewayAllowPublicAccessFromInternet: true } },
    });
    const [service] = Object.values(synth.resources(K8S_STACK, "kubernetes_service_v1")) as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(service.spec).toMatchObject({ type: "LoadBalancer", load_balancer_source_ranges: ["203.0.113.10/32"] });
    expect(service.metadata.annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"]).toBe("internet-facing");
    expect(service.wait_for_load_balancer).toBe(true);
    const manifest = readFileSync(join(synth.outdir, "manifests", "devops-weeks-dev", "30-web-service.yaml"), "utf8");
    expect(manifest).toContain("type: LoadBalancer\n");
    expect(manifest).toContain("loadBalancerSourceRanges:\n    - 203.0.113.10/32\n");
    const gateway = Object.values(synth.resources(K8S_STACK, "helm_release")).find((r) => r.name === "istio-ingressgateway") as { values: string[] };
    expect(gateway.values[0]).toContain("type: LoadBalancer\n  loadBalancerSourceRanges:\n    - 198.51.100.0/24\n    - 0.0.0.0/0\n");
    const outputs = Object.keys((synth.stack(K8S_STACK) as { output: object }).output);
    expect(outputs).toEqual(expect.arrayContaining(["web_load_balancer_hostname", "istio_ingress_hostname_command"]));
    expect(readFileSync(join(synth.outdir, "runbooks", "en", "week-05.md"), "utf8")).not.toContain("`kubernetes.service.sourceRanges`");
  });
});
