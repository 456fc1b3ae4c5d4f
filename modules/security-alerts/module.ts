/**
 * Security alerts as the registry sees them: on in every synth from week 1, since a leaked key is a
 * week-1 risk. Only `build` loads the provider classes (./index), and only when someone would hear.
 */
import { defineModule } from "../../lib/module";
import { costGuardModule } from "../cost-guard/module";
import { securityAlertsSettings, type SecurityAlertsSettings } from "./settings";
import type { SecurityAlertsExports } from "./index";

export const securityAlertsModule = defineModule<SecurityAlertsSettings, SecurityAlertsExports>({
  id: "securityAlerts",
  week: 1,
  title: { ko: "보안 알림: GuardDuty 탐지와 위험한 변경", en: "Security alerts: GuardDuty findings and risky changes" },
  alwaysOn: true,
  settings: securityAlertsSettings,
  build: (ctx) => {
    const emails = ctx.settings.emails.length > 0 ? ctx.settings.emails : ctx.settingsOf(costGuardModule).emails;
    if (emails.length === 0 || ctx.study.classroom) return {};
    return (require("./index") as typeof import("./index")).buildSecurityAlerts(ctx, emails);
  },
});
