/**
 * The registry: every week module, in one place. A new week plugs in by adding its module here;
 * the core reads ids, weeks, dependencies and settings schemas from this list and nothing else.
 */
import type { AnyStudyModule } from "../lib/core/module";
import { cicdModule } from "./cicd/module";
import { costGuardModule } from "./cost-guard/module";
import { securityAlertsModule } from "./security-alerts/module";
import { deployOptimizationModule } from "./deploy-optimization/module";
import { dockerHostModule } from "./docker-host/module";
import { eksModule } from "./eks/module";
import { kubernetesModule } from "./kubernetes/module";
import { loggingModule } from "./logging/module";
import { monitoringModule } from "./monitoring/module";
import { networkModule } from "./network/module";
import { notificationsModule } from "./notifications/module";
import { securityModule } from "./security/module";
import { serviceMeshModule } from "./service-mesh/module";

export const STUDY_MODULES: readonly AnyStudyModule[] = [networkModule, costGuardModule, securityAlertsModule, dockerHostModule, cicdModule, notificationsModule, kubernetesModule, eksModule, monitoringModule, loggingModule, deployOptimizationModule, securityModule, serviceMeshModule];
