/**
 * A study config with every registered week on: the smallest additions to the defaults that the
 * later weeks require (e.g. an email for the week-10 budget alerts). Tests and the bench share it;
 * a module that adds a required field adds its value here.
 */
import { STUDY_MODULES } from "../../modules";

export const ALL_WEEKS = [...new Set(STUDY_MODULES.map((m) => m.week))].sort((a, b) => a - b).join(",");

export const ALL_WEEKS_CONFIG: Record<string, unknown> = {
  weeks: ALL_WEEKS,
  security: { budget: { emails: ["learner@example.com"] } },
};
