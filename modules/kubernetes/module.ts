/**
 * The kubernetes module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { defineModule } from "../../lib/core/module";
import { componentProblems } from "../../lib/kubernetes/compatibility";
import { eksModule } from "../eks/module";
import { kubernetesSettings, type KubernetesSettings } from "./settings";
import type { KubernetesExports } from "./exports";

export const kubernetesModule = defineModule<KubernetesSettings, KubernetesExports>({
  id: "kubernetes",
  week: 5,
  title: { ko: "쿠버네티스 워크로드 배포", en: "Kubernetes workloads" },
  settings: kubernetesSettings,
  // Week 6's cluster, when it is on, is built first: the controller's role needs it.
  after: ["eks"],
  kubernetesTarget: (settings) => ({ kind: "kubeconfig", configPath: settings.kubeconfig.path, context: settings.kubeconfig.context }),
  validate(settings, _study, _environment, selection) {
    const onEks = selection.has("eks");
    const problems: ConfigProblem[] = [
      ...componentProblems(selection.settingsOf(eksModule).kubernetesVersion, [["awsLoadBalancerController", settings.loadBalancerController.chartVersion, onEks && settings.loadBalancerController.enabled]]),
    ];
    const { maxSurge, maxUnavailable } = settings.app.rollingUpdate;
    const isZero = (v: number | string) => v === 0 || v === "0%";
    if (isZero(maxSurge) && isZero(maxUnavailable)) {
      problems.push({ field: "kubernetes.app.rollingUpdate", value: { maxSurge, maxUnavailable }, expected: "maxSurge or maxUnavailable above 0 (with both 0 a rollout can never start)" });
    }
    const { requests, limits } = settings.app.resources;
    if (cpuMillis(requests.cpu) > cpuMillis(limits.cpu)) {
      problems.push({ field: "kubernetes.app.resources.requests.cpu", value: requests.cpu, expected: `at most the limit (${limits.cpu})` });
    }
    if (memoryBytes(requests.memory) > memoryBytes(limits.memory)) {
      problems.push({ field: "kubernetes.app.resources.requests.memory", value: requests.memory, expected: `at most the limit (${limits.memory})` });
    }
    const { sourceRanges, allowPublicAccessFromInternet } = settings.service;
    if (sourceRanges.some((cidr) => cidr.endsWith("/0")) && !allowPublicAccessFromInternet) {
      problems.push({
        field: "kubernetes.service.sourceRanges",
        value: sourceRanges,
        expected: "your own address as a /32 (the page open to the whole internet also needs kubernetes.service.allowPublicAccessFromInternet: true; with [] the Service has no load balancer and kubectl port-forward opens it)",
      });
    }
    const all = [settings.namespace, ...settings.extraNamespaces];
    const repeated = all.filter((name, i) => all.indexOf(name) !== i);
    if (repeated.length > 0) {
      problems.push({ field: "kubernetes.extraNamespaces", value: settings.extraNamespaces, expected: `namespaces other than each other and kubernetes.namespace (${repeated.join(", ")} given twice)` });
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildKubernetes(ctx),
});

function cpuMillis(quantity: string): number {
  return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

function memoryBytes(quantity: string): number {
  const units: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  const match = /^(\d+)([A-Za-z]*)$/.exec(quantity);
  return match ? Number(match[1]) * (units[match[2]] ?? 1) : NaN;
}
