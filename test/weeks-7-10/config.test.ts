/** study.yaml documents the sections of weeks 7-10 with their defaults, and a synth with none of them gives the same. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parse } from "yaml";
import { deployOptimizationModule } from "../../modules/deploy-optimization";
import { loggingModule } from "../../modules/logging";
import { monitoringModule } from "../../modules/monitoring";
import { serviceMeshModule } from "../../modules/service-mesh";
import { ALL_WEEKS_CONFIG } from "../support/all-weeks";
import { synthConfig } from "../support/synth";

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

test("the longest project and environment names still give names AWS accepts", () => {
  const project = "devops-weeks-study-2026a";
  const environment = "learner-kim-minjun-seoul";
  const synth = synthConfig({
    ...ALL_WEEKS_CONFIG,
    weeks: "6-10",
    project,
    environment,
    logging: { openSearch: { enabled: true } },
    deployOptimization: { spotNodeGroup: { enabled: true } },
  });
  const stack = `${project}-${environment}`;
  const mine = (type: string) =>
    Object.entries(synth.resources(stack, type))
      .filter(([id]) => /^(monitoring|logging|deployOptimization|serviceMesh)_/.test(id))
      .map(([, r]) => r as Record<string, unknown>);
  for (const role of mine("aws_iam_role")) expect(String(role.name).length, String(role.name)).toBeLessThanOrEqual(64);
  for (const rule of mine("aws_cloudwatch_event_rule")) expect(String(rule.name).length, String(rule.name)).toBeLessThanOrEqual(64);
  for (const group of mine("aws_eks_node_group")) expect(String(group.node_group_name).length).toBeLessThanOrEqual(63);
  const domain = mine("aws_opensearch_domain")[0];
  expect(String(domain.domain_name)).toMatch(/^[a-z][a-z0-9-]{2,27}$/);
  expect(mine("aws_iam_role").length).toBeGreaterThan(0);
}, 60_000);
