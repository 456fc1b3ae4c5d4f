/** Which resources of the stacks make Kubernetes create a load balancer, which Terraform does not own but the learner pays for. */
import { load as loadYaml } from "js-yaml";
import { argument, literal, type StackResource } from "./inventory";

/**
 * Whether Kubernetes will make a load balancer for this resource (an Ingress, a Service of type
 * LoadBalancer, Istio's gateway chart unless its values make the Service a ClusterIP): what the cost
 * table prices, the diagram marks and the checks expect an external address of.
 */
export function isKubernetesLoadBalancer(r: StackResource): boolean {
  if (r.type === "kubernetes_ingress_v1") return true;
  if (r.type === "helm_release") return isIstioGatewayChart(r) && chartServiceType(r) === "LoadBalancer";
  return (r.type === "kubernetes_service" || r.type === "kubernetes_service_v1") && literal(argument(r.config, "spec", "type")) === "LoadBalancer";
}

function isIstioGatewayChart(r: StackResource): boolean {
  return literal(r.config["chart"]) === "gateway" && (literal(r.config["repository"]) ?? "").includes("istio");
}

/** `service.type` as the release's values set it (later documents win), else the chart's default, LoadBalancer. */
function chartServiceType(r: StackResource): string {
  const documents = Array.isArray(r.config["values"]) ? (r.config["values"] as unknown[]) : [];
  let type = "LoadBalancer";
  for (const document of documents) {
    if (typeof document !== "string") continue;
    const values = loadYaml(document) as { service?: { type?: unknown } } | undefined;
    if (typeof values?.service?.type === "string") type = values.service.type;
  }
  return type;
}
