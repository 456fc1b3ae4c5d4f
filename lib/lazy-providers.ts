/**
 * Provider classes too large to load on every synth. `@cdktf/provider-kubernetes/lib/deployment-v1`
 * is 5.4 MB of generated code (the whole pod spec), about 0.6 s to load: more than synthesizing
 * week 1 itself. Loaded on first use, a synth without Kubernetes weeks never pays for it.
 */
import type { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";

export function deploymentV1Class(): typeof DeploymentV1 {
  return (require("@cdktf/provider-kubernetes/lib/deployment-v1") as typeof import("@cdktf/provider-kubernetes/lib/deployment-v1")).DeploymentV1;
}
