/** study.yaml documents the sections of weeks 7-10 with their defaults, and a synth with none of them gives the same. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { deployOptimizationModule } from "../../modules/deploy-optimization";
import { loggingModule } from "../../modules/logging";
import { monitoringModule } from "../../modules/monitoring";
import { serviceMeshModule } from "../../modules/service-mesh";

const studyYaml = parse(readFileSync(join(__dirname, "../../study.yaml"), "utf8")) as Record<string, unknown>;

test.each([monitoringModule, loggingModule, deployOptimizationModule, serviceMeshModule].map((m) => [m.id, m] as const))(
  "study.yaml's %s section spells out exactly the defaults",
  (id, module) => {
    expect(studyYaml[id], `a ${id} section in study.yaml`).toBeDefined();
    expect(module.settings.parse(studyYaml[id])).toEqual(module.settings.parse({}));
  },
);

test("the four modules belong to weeks 7-10 and pull in what they need", () => {
  expect([monitoringModule, loggingModule, deployOptimizationModule, serviceMeshModule].map((m) => [m.id, m.week, m.requires])).toEqual([
    ["monitoring", 7, ["eks"]],
    ["logging", 8, ["eks"]],
    ["deployOptimization", 9, ["kubernetes", "eks"]],
    ["serviceMesh", 10, ["kubernetes", "eks"]],
  ]);
});
