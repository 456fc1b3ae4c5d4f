/**
 * Security alerts as the registry sees them: on in every synth from week 1, since a leaked key is a
 * week-1 risk. Only `build` loads the provider classes (./index): when someone would hear, or when
 * week 10 wants the account's trail, which is built here because the alerts read its events.
 */
import { defineModule } from "../../lib/module";
import { costGuardModule } from "../cost-guard/module";
import { securityModule } from "../security/module";
import { securityAlertsSettings, type SecurityAlertsSettings } from "./settings";
import type { SecurityAlertsExports } from "./index";

export const securityAlertsModule = defineModule<SecurityAlertsSettings, SecurityAlertsExports>({
  id: "securityAlerts",
  week: 1,
  title: { ko: "보안 알림: GuardDuty 탐지와 위험한 변경", en: "Security alerts: GuardDuty findings and risky changes" },
  alwaysOn: true,
  settings: securityAlertsSettings,
  build: (ctx) => {
    const addresses = ctx.settings.emails.length > 0 ? ctx.settings.emails : ctx.settingsOf(costGuardModule).emails;
    // A class's learners share one account: the instructor's own config holds its alerts.
    const emails = ctx.study.classroom ? [] : addresses;
    const security = ctx.settingsOf(securityModule);
    const trailWanted = security.cloudTrail.enabled && (emails.length > 0 || ctx.has(securityModule.id));
    if (emails.length === 0 && !trailWanted) return {};
    return (require("./index") as typeof import("./index")).buildSecurityAlerts(ctx, { emails, trail: trailWanted ? security.cloudTrail : undefined, accountId: security.accountId });
  },
});
