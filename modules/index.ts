/**
 * The registry: every week module, in one place. A new week plugs in by adding its module here;
 * the core reads ids, weeks, dependencies and settings schemas from this list and nothing else.
 */
import type { AnyStudyModule } from "../lib/module";
import { networkModule } from "./network";
import { securityModule } from "./security";

export const STUDY_MODULES: readonly AnyStudyModule[] = [networkModule, securityModule];
