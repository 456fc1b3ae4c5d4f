/**
 * The cost guard as the registry sees it: on in every synth from week 1, since a NAT gateway bills
 * from the first apply. Only `build` loads the provider classes (./index).
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { defineModule } from "../../lib/core/module";
import { costGuardSettings, type CostGuardSettings } from "./settings";
import type { CostGuardExports } from "./exports";

export const costGuardModule = defineModule<CostGuardSettings, CostGuardExports>({
  id: "costGuard",
  week: 1,
  title: { ko: "비용 가드: 예산 알림과 자동 정지", en: "Cost guard: budget alerts and an automatic brake" },
  alwaysOn: true,
  // Built last: the brake stops what the other weeks run.
  after: ["network", "dockerHost", "eks", "deployOptimization"],
  settings: costGuardSettings,
  // In classroom mode the classroom's per-learner budgets mail the learners and the instructor.
  notices: (settings, study) => (settings.emails.length === 0 && !study.classroom ? [NO_BUDGET_WARNING] : []),
  validate(settings) {
    const problems: ConfigProblem[] = [];
    if (settings.brake.enabled && settings.emails.length > 0 && !settings.alertThresholds.includes(settings.brake.atPercent)) {
      problems.push({
        field: "costGuard.brake.atPercent",
        value: settings.brake.atPercent,
        expected: `one of costGuard.alertThresholds (${settings.alertThresholds.join(", ")}): the brake acts on the alert of that threshold`,
      });
    }
    return problems;
  },
  // Without an address there is no budget to build: nothing of the build code (or its provider classes) loads.
  build: (ctx) => (ctx.settings.emails.length === 0 ? {} : (require("./build") as typeof import("./build")).buildCostGuard(ctx)),
});

/** What synth prints when nobody would hear about the bill. */
export const NO_BUDGET_WARNING =
  "no budget alert: nothing tells you when this study account starts to cost money. Add your address to study.yaml (costGuard: { emails: [you@example.com] }) and re-run synth.";
