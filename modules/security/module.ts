/**
 * The security module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import type { ConfigProblem } from "../../lib/core/errors";
import { defineModule } from "../../lib/core/module";
import { securitySettings, type SecuritySettings } from "./settings";
import type { SecurityExports } from "./exports";

/** CloudTrail's quota: trails per region in an account (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/WhatIsCloudTrail-Limits.html). */
const MAX_TRAILS_PER_REGION = 5;

export const securityModule = defineModule<SecuritySettings, SecurityExports>({
  id: "security",
  week: 10,
  title: { ko: "계정 보안: GuardDuty, CloudTrail, Inspector", en: "Account security: GuardDuty, CloudTrail, Inspector" },
  requires: ["network"],
  settings: securitySettings,
  validate(settings, study, _environment, selection) {
    const problems: ConfigProblem[] = [];
    // In account isolation each learner has an account of their own: one trail, detector and Inspector each, as
    // a learner alone has. Only tag isolation puts every learner's stack in one account.
    const oneAccount = study.classroom?.isolation === "tag";
    if (oneAccount && settings.cloudTrail.enabled && selection.environments > MAX_TRAILS_PER_REGION) {
      problems.push({
        field: "security.cloudTrail.enabled",
        value: true,
        expected: `false for a class of ${selection.environments} learners in one account: AWS allows ${MAX_TRAILS_PER_REGION} trails per region, and each learner's stack would add one (one account trail, made outside the class, covers every learner)`,
      });
    }
    if (oneAccount) {
      // Every learner's stack would build these once more in the same account: GuardDuty allows one
      // detector per account and region, and the others are account-wide or duplicate the classroom's own.
      const accountWide: [boolean, string, string][] = [
        [settings.guardDuty.enabled, "security.guardDuty.enabled", "GuardDuty allows one detector per account and region, and every learner stack would create one"],
        [settings.inspector.enabled, "security.inspector.enabled", "Inspector is switched on for the whole account, and one learner's destroy would switch it off for all"],
        [settings.learners.enabled, "security.learners.enabled", "classroom.iamUsers already creates one IAM user per learner in the instructor stack"],
      ];
      for (const [on, field, why] of accountWide) {
        if (on) problems.push({ field, value: true, expected: `false in classroom mode with isolation tag (${why}); turn it on in a single-learner config of the account, or give each learner an account (classroom.isolation: account)` });
      }
      return problems;
    }
    if (settings.budget.enabled || settings.budget.emails.length > 0) {
      problems.push({
        field: "security.budget",
        value: settings.budget,
        expected: "no budget here: the budget is the cost guard's now, on from week 1 (costGuard: { monthlyLimitUsd, emails }); move the limit and the addresses there",
      });
    }
    if (settings.learners.enabled && settings.learners.users.length === 0) {
      problems.push({ field: "security.learners.users", value: settings.learners.users, expected: "at least one IAM user name when security.learners.enabled is true, one per learner (never share the root user)" });
    }
    const duplicates = settings.learners.users.filter((u, i, all) => all.findIndex((v) => v.toLowerCase() === u.toLowerCase()) !== i);
    if (duplicates.length > 0) {
      problems.push({ field: "security.learners.users", value: settings.learners.users, expected: `each user named once (IAM names ignore case): ${[...new Set(duplicates)].join(", ")} repeats` });
    }
    const accountless = settings.inspector.enabled && !settings.accountId && !settings.cloudTrail.enabled && !settings.guardDuty.enabled;
    if (accountless) {
      problems.push({
        field: "security.accountId",
        value: undefined,
        expected: "your 12-digit account id: Inspector needs it, and with CloudTrail and GuardDuty both off there is no resource to read it from",
      });
    }
    return problems;
  },
  build: (ctx) => (require("./build") as typeof import("./build")).buildSecurity(ctx),
});
