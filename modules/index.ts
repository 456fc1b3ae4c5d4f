/**
 * The registry: every week module, in one place. A new week plugs in by adding its module here;
 * the core reads ids, weeks, dependencies and settings schemas from this list and nothing else.
 */
import type { AnyStudyModule } from "../lib/module";
import { cicdModule } from "./cicd";
import { deployOptimizationModule } from "./deploy-optimization";
import { dockerHostModule } from "./docker-host";
import { eksModule } from "./eks";
import { kubernetesModule } from "./kubernetes";
import { loggingModule } from "./logging";
import { monitoringModule } from "./monitoring";
import { networkModule } from "./network";
import { notificationsModule } from "./notifications";
import { securityModule } from "./security";
import { serviceMeshModule } from "./service-mesh";

export const STUDY_MODULES: readonly AnyStudyModule[] = [networkModule, dockerHostModule, cicdModule, notificationsModule, kubernetesModule, eksModule, monitoringModule, loggingModule, deployOptimizationModule, securityModule, serviceMeshModule];
