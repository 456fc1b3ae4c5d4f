/**
 * Security alerts as the registry sees them: on in every synth from week 1, since a leaked key is a
 * week-1 risk. Only `build` loads the provider classes (./index). In classroom mode only the trail,
 * when week 10 wants it: it is built here because the alerts read its events.
 */
import { defineModule } from "../../lib/core/module";
import { costGuardModule } from "../cost-guard/module";
import { securityModule } from "../security/module";
import { securityAlertsSettings, type SecurityAlertsSettings } from "./settings";
import type { SecurityAlertsExports } from "./exports";

export const securityAlertsModule = defineModule<SecurityAlertsSettings, SecurityAlertsExports>({
  id: "securityAlerts",
  week: 1,
  title: { ko: "보안 알림: GuardDuty 탐지와 위험한 변경", en: "Security alerts: GuardDuty findings and risky changes" },
  alwaysOn: true,
  settings: securityAlertsSettings,
  build: (ctx) => {
    const emails = ctx.settings.emails.length > 0 ? ctx.settings.emails : ctx.settingsOf(costGuardModule).emails;
    // A class's learners share one account: the instructor's own config holds its alerts.
    const alerting = !ctx.study.classroom;
    const security = ctx.settingsOf(securityModule);
    const trailWanted = security.cloudTrail.enabled && (alerting || ctx.has(securityModule.id));
    if (!alerting && !trailWanted) return {};
    // Without an address the rules and the topic exist all the same: week 4's chat bot subscribes, and
    // an address added later is one subscription more (the cost guard's notice asks for it on every synth).
    return (require("./build") as typeof import("./build")).buildSecurityAlerts(ctx, { alerting, emails, trail: trailWanted ? security.cloudTrail : undefined, accountId: security.accountId });
  },
});
