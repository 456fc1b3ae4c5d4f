/**
 * The notifications module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import { type ConfigProblem, nameLengthProblems } from "../../lib/core/errors";
import { defineModule } from "../../lib/core/module";
import { notificationsSettings, type NotificationsSettings } from "./settings";
import type { NotificationsExports } from "./exports";

export const notificationsModule = defineModule<NotificationsSettings, NotificationsExports>({
  id: "notifications",
  week: 4,
  title: { ko: "배포 알림과 챗봇", en: "Deploy notifications and a chat bot" },
  settings: notificationsSettings,
  // With week 3 on, its pipeline gets a notification rule; with week 1's security alerts built, the
  // function subscribes to their topic: build after both without requiring them.
  after: ["cicd", "securityAlerts"],
  validate(settings, study, environment) {
    const problems: ConfigProblem[] = [];
    // Lambda function and IAM role names stop at 64 characters: <project>-<environment>-deploy-notifier.
    problems.push(...nameLengthProblems(study, "the function", `${environment.name}-deploy-notifier`));
    const { webhook } = settings;
    if (webhook.enabled && webhook.timeoutMs >= (webhook.functionTimeoutSeconds - 2) * 1000) {
      problems.push({
        field: "notifications.webhook.timeoutMs",
        value: webhook.timeoutMs,
        expected: `less than the function's timeout minus 2 s (${(webhook.functionTimeoutSeconds - 2) * 1000} ms for functionTimeoutSeconds ${webhook.functionTimeoutSeconds}), so a slow webhook fails with a clear error instead of a killed function`,
      });
    }
    if (new Set(settings.emails).size !== settings.emails.length) {
      problems.push({ field: "notifications.emails", value: settings.emails, expected: "each address listed once" });
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildNotifications(ctx),
});
