/**
 * Week 10's part of its page (StudyModule.runbook): the mesh checks, read from the Istio objects the
 * week's local chart holds and the workloads week 5 runs.
 */
import type { Check, WeekFacts, WeekRunbook } from "../../lib/runbooks/facts";
import { argument, literal } from "../../lib/runbooks/inventory";
import { istioOf, meshWorkloads, resolvedName, type MeshWorkload } from "../../lib/runbooks/tips";
import { shellWord } from "../../lib/core/shell";

export const serviceMeshRunbook: WeekRunbook = { checks: meshChecks };

/**
 * Week 10's mesh checks, for each namespace whose PeerAuthentication the week creates: every pod of its
 * Deployments runs the istio-proxy sidecar, the namespace's mTLS mode, and with STRICT, a plain-text
 * request from a pod without a sidecar (in `default`, which has no injection label) is refused.
 */
function meshChecks(facts: WeekFacts): Check[] {
  const s = facts.strings;
  const istio = istioOf(facts);
  if (!istio) return [];
  const checks: Check[] = [];
  const workloads = meshWorkloads(facts);
  for (const peer of istio.objects.filter((o) => o.kind === "PeerAuthentication" && o.metadata.namespace)) {
    const namespace = peer.metadata.namespace!;
    const ns = shellWord(namespace);
    const inNamespace = workloads.filter((w) => w.namespace === namespace);
    for (const workload of inNamespace) {
      checks.push({
        title: s.text("checks.sidecar.title", { namespace, deployment: workload.deployment }),
        command: `kubectl get pods -n ${ns} -l ${shellWord(workload.selector)} -o ${shellWord("custom-columns=POD:.metadata.name,CONTAINERS:.spec.containers[*].name,INIT:.spec.initContainers[*].name")}`,
        expect: s.text("checks.sidecar.expect", { container: workload.container }),
      });
    }
    const mode = literal((peer.spec?.["mtls"] as Record<string, unknown> | undefined)?.["mode"]) ?? "-";
    checks.push({
      title: s.text("checks.mtls.title", { namespace }),
      command: `kubectl get peerauthentication -n ${ns} ${shellWord(peer.metadata.name)} -o jsonpath='{.spec.mtls.mode}{"\\n"}'`,
      expect: s.text(mode === "STRICT" ? "checks.mtls.expectStrict" : "checks.mtls.expect", { mode }),
    });
    const workload = inNamespace.find((w) => w.image);
    const service = workload && serviceOf(facts, workload);
    if (mode === "STRICT" && workload?.image && service) {
      checks.push({
        title: s.text("checks.plainText.title", { namespace }),
        command: `kubectl run mtls-probe -n default --rm -i --restart=Never --image=${shellWord(workload.image)} --command -- wget -q -T 5 -O- ${shellWord(`http://${service.name}.${namespace}.svc.cluster.local:${service.port}/`)}`,
        expect: s.text("checks.plainText.expect"),
      });
    }
  }
  return checks;
}

/** The Service in the workload's namespace that selects its pods, with its first port. */
function serviceOf(facts: WeekFacts, workload: MeshWorkload): { name: string; port: string } | undefined {
  const labels = new Set(workload.selector.split(","));
  for (const r of facts.inventory.resources.filter((r) => r.type === "kubernetes_service_v1" || r.type === "kubernetes_service")) {
    if (resolvedName(facts, r.stack, argument(r.config, "metadata", "namespace")) !== workload.namespace) continue;
    const selector = argument(r.config, "spec", "selector") as Record<string, unknown> | undefined;
    if (!selector || !Object.entries(selector).every(([k, v]) => labels.has(`${k}=${literal(v)}`))) continue;
    const name = literal(argument(r.config, "metadata", "name"));
    const port = literal(argument(r.config, "spec", "port", "port"));
    if (name && port) return { name, port };
  }
  return undefined;
}
