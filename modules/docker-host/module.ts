/**
 * The docker-host module as the registry sees it: id, week, dependencies, settings and validation, loaded on
 * every synth. Only `build` loads the provider classes (./index), when the week is enabled.
 */
import { type ConfigProblem, nameLengthProblems } from "../../lib/core/errors";
import { azCountOf } from "../../lib/core/config";
import { defineModule } from "../../lib/core/module";
import { networkModule } from "../network/module";
import { dockerHostSettings, type DockerHostSettings } from "./settings";
import type { DockerHostExports } from "./exports";

export const dockerHostModule = defineModule<DockerHostSettings, DockerHostExports>({
  id: "dockerHost",
  week: 2,
  title: { ko: "EC2에 Docker 호스트 구성", en: "A Docker host on EC2" },
  requires: ["network"],
  settings: dockerHostSettings,
  validate(settings, study, environment, selection) {
    const problems: ConfigProblem[] = [];
    if (selection.settingsOf(networkModule).nat.mode === "none") {
      problems.push({
        field: "network.nat.mode",
        value: "none",
        expected: "gateway or instance while week 2 is on: the Docker host sits in a private subnet and installs Docker and pulls its image from the internet at first boot",
      });
    }
    // IAM role names stop at 64 characters: the host's role is <project>-<environment>-docker-host-role.
    const hostSuffix = settings.blueGreen.enabled ? "docker-host-green" : "docker-host";
    problems.push(...nameLengthProblems(study, "the Docker host's role", `${environment.name}-${hostSuffix}-role`, 64, "IAM"));
    const azCount = azCountOf(study);
    if (settings.loadBalancer.enabled && azCount < 2) {
      problems.push({
        field: "dockerHost.loadBalancer.enabled",
        value: true,
        expected: `false, or availabilityZones of at least 2: an Application Load Balancer needs subnets in two AZs (availabilityZones is ${JSON.stringify(study.availabilityZones)})`,
      });
    }
    const { blueGreen } = settings;
    if (blueGreen.enabled && !settings.loadBalancer.enabled) {
      problems.push({
        field: "dockerHost.blueGreen.enabled",
        value: true,
        expected: "false, or dockerHost.loadBalancer.enabled: true as well: the load balancer's listener is what switches traffic between the blue and green hosts",
      });
    }
    if (!blueGreen.enabled) {
      for (const key of ["blueImage", "greenImage"] as const) {
        if (blueGreen[key] !== undefined) {
          problems.push({ field: `dockerHost.blueGreen.${key}`, value: blueGreen[key], expected: "no value while blueGreen.enabled is false (set enabled: true to run two hosts, or remove it)" });
        }
      }
    }
    return problems;
  },
  runbook: () => (require("./runbook") as typeof import("./runbook")).dockerHostRunbook,
  build: (ctx) => (require("./build") as typeof import("./build")).buildDockerHost(ctx),
});
