/**
 * A study config with every registered week on: the smallest additions to the defaults that the
 * weeks use (an address for the cost guard's alerts). Tests and the bench share it;
 * a module that adds a required field adds its value here.
 */
import { STUDY_MODULES } from "../../modules";

export const ALL_WEEKS = [...new Set(STUDY_MODULES.map((m) => m.week))].sort((a, b) => a - b).join(",");

export const ALL_WEEKS_CONFIG: Record<string, unknown> = {
  weeks: ALL_WEEKS,
  costGuard: { emails: ["learner@example.com"] },
};
