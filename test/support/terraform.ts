/**
 * The offline Terraform of lib/security-gate/offline-plan.ts for the tests: every plan checks its types
 * against the registry's cost declarations unless a test gives its own (a throw-away week adds one).
 */
import { declaredCostsOf, type DeclaredCosts } from "../../lib/runbooks/costs";
import * as offline from "../../lib/security-gate/offline-plan";
import type { PlanResult } from "../../lib/security-gate/offline-plan";
import { STUDY_MODULES } from "../../modules";

export {
  AWS_PROVIDER_VERSION,
  findProviderMirror,
  isDirectory,
  OfflineTerraformUnavailable,
  planResult,
  prepareOfflineStack,
  terraformVersion,
  type PlannedResource,
  type PlanResult,
  type StackJson,
} from "../../lib/security-gate/offline-plan";

const registryCosts = (): DeclaredCosts => declaredCostsOf(STUDY_MODULES);

export function planStackOffline(stackDir: string, declaredCosts: DeclaredCosts = registryCosts()): PlanResult {
  return offline.planStackOffline(stackDir, declaredCosts);
}

export function expectEveryTypePriced(plan: PlanResult, where: string, declaredCosts: DeclaredCosts = registryCosts()): PlanResult {
  return offline.expectEveryTypePriced(plan, where, declaredCosts);
}

/** A journey's working directory (see lib/security-gate/offline-plan.ts), checking types against the registry. */
export class OfflineWorkspace extends offline.OfflineWorkspace {
  constructor() {
    super(registryCosts());
  }
}
