import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigMap } from "@cdktf/provider-kubernetes/lib/config-map";
import { describe, expect, test } from "vitest";
import { stringify } from "yaml";
import { z } from "zod";
import { defineModule, type AnyStudyModule, type KubernetesTarget } from "../../lib/core/module";
import { synthesizeStudy } from "../../lib/core/synth";
import { selectModules } from "../../lib/core/weeks";

const settings = z.strictObject({});
const workloadModule = (id: string, week: number, extra: Partial<AnyStudyModule> = {}): AnyStudyModule =>
  defineModule({
    id,
    week,
    title: { ko: id, en: id },
    settings,
    build: (ctx) => {
      new ConfigMap(ctx.workloads(), "greeting", { metadata: { name: `${id}-greeting` }, data: { hello: "world" } });
      ctx.output(`${id}_configmap`, "done", "a workloads-stack output", { stack: "workloads" });
    },
    ...extra,
  });
const clusterModule = (target: KubernetesTarget | undefined): AnyStudyModule =>
  defineModule({ id: "cluster", week: 6, title: { ko: "c", en: "c" }, settings, kubernetesTarget: () => target, build: () => ({ built: true }) });

function synth(registry: AnyStudyModule[], weeks: string) {
  const root = mkdtempSync(join(tmpdir(), "devops-weeks-k8s-"));
  writeFileSync(join(root, "study.yaml"), stringify({ weeks }));
  const outdir = join(root, "out");
  synthesizeStudy({ configPath: join(root, "study.yaml"), outdir, registry });
  const stack = (name: string) => JSON.parse(readFileSync(join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
  return { stack, has: (name: string) => existsSync(join(outdir, "stacks", name)) };
}

describe("the workloads stack", () => {
  test("appears as <environment>-k8s only when a module asks for it, with its own local state", () => {
    expect(synth([clusterModule(undefined)], "6").has("devops-weeks-dev-k8s")).toBe(false);

    const out = synth([workloadModule("web", 5)], "5");
    const k8s = out.stack("devops-weeks-dev-k8s");
    expect(Object.values(k8s.resource.kubernetes_config_map).map((c: any) => c.metadata.name)).toEqual(["web-greeting"]);
    expect(k8s.terraform.backend.local.path).toBe("../../../terraform.devops-weeks-dev-k8s.tfstate");
    expect(Object.keys(k8s.output)).toEqual(["web_configmap"]);
  });

  test("points at the kubeconfig's current context when no module names a target", () => {
    const k8s = synth([workloadModule("web", 5)], "5").stack("devops-weeks-dev-k8s");
    expect(k8s.provider.kubernetes).toEqual([{ config_path: "~/.kube/config" }]);
    expect(k8s.provider.helm).toEqual([{ kubernetes: { config_path: "~/.kube/config" } }]);
    expect(k8s.provider.aws).toBeUndefined();
  });

  test("points at an EKS cluster by name, with a token from aws eks get-token, when a module names one", () => {
    const eks: KubernetesTarget = { kind: "eks", clusterName: "devops-weeks-dev-eks", region: "ap-northeast-2", access: { kind: "public", kubeconfig: [] } };
    const kind: KubernetesTarget = { kind: "kubeconfig", configPath: "~/.kube/config", context: "kind-devops-weeks" };
    const registry = [workloadModule("web", 5, { kubernetesTarget: () => kind }), clusterModule(eks)];
    const k8s = synth(registry, "5-6").stack("devops-weeks-dev-k8s");
    expect(k8s.data.aws_eks_cluster["eks-cluster-data"].name).toBe("devops-weeks-dev-eks");
    const [provider] = k8s.provider.kubernetes;
    expect(provider.host).toBe("${data.aws_eks_cluster.eks-cluster-data.endpoint}");
    expect(provider.cluster_ca_certificate).toContain("base64decode(data.aws_eks_cluster.eks-cluster-data.certificate_authority[0].data)");
    expect(provider.exec[0]).toEqual({
      api_version: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", "devops-weeks-dev-eks", "--region", "ap-northeast-2"],
    });
    expect(k8s.provider.helm[0].kubernetes.exec.command).toBe("aws");
    expect(provider.config_path).toBeUndefined();
  });

  test("a module's `after` list builds it after those modules when they are enabled, without enabling them", () => {
    const registry = [workloadModule("web", 5, { after: ["cluster"] }), clusterModule(undefined)];
    expect(selectModules([5, 6], registry).modules.map((m) => m.id)).toEqual(["cluster", "web"]);
    expect(selectModules([5], registry).modules.map((m) => m.id)).toEqual(["web"]);
  });
});
