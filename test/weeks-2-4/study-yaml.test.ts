/** study.yaml documents weeks 2-4 with exactly their defaults: a learner reading it sees what they get. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { STUDY_MODULES } from "../../modules";
import { synthConfig } from "../support/synth";

const studyYaml = parse(readFileSync(join(__dirname, "../../study.yaml"), "utf8")) as Record<string, unknown>;

describe("study.yaml, weeks 2-4", () => {
  test.each(["dockerHost", "cicd", "notifications"])("the %s section spells out exactly the defaults", (id) => {
    const module = STUDY_MODULES.find((m) => m.id === id)!;
    expect(studyYaml[id], `a ${id} section in study.yaml`).toBeDefined();
    expect(module.settings.parse(studyYaml[id])).toEqual(module.settings.parse({}));
  });
});

describe("names AWS caps at 64 characters", () => {
  const longNames = { project: "a-very-long-project-name", environment: "an-even-longer-env-names" };

  test.each([
    ["2", /environment = "an-even-longer-env-names" is not valid; expected a shorter project or environment: the Docker host's role a-very-long-project-name-an-even-longer-env-names-docker-host-role has 66 characters, IAM allows 64/],
    ["4", /environment = "an-even-longer-env-names" is not valid; expected a shorter project or environment: the function a-very-long-project-name-an-even-longer-env-names-deploy-notifier has 65 characters, AWS allows 64/],
  ])("week %s refuses a project and environment too long for them", (weeks, message) => {
    expect(() => synthConfig(longNames, { weeks })).toThrow(message);
  });

  test("week 3 names the EventBridge rule that would be too long", () => {
    expect(() => synthConfig({ ...longNames, cicd: { artifacts: { bucketName: "kim-artifacts", sourceBucketName: "kim-source" } } }, { weeks: "3" })).toThrow(
      /the name a-very-long-project-name-an-even-longer-env-names-source-uploaded has 65 characters, AWS allows 64/,
    );
  });
});
