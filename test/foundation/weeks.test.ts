import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { parseConfig } from "../../lib/core/config";
import { defineModule, type AnyStudyModule } from "../../lib/core/module";
import { synthesizeStudy } from "../../lib/core/synth";
import { lastWeekOf, parseWeekSelection, selectModules } from "../../lib/core/weeks";
import { STUDY_MODULES } from "../../modules";

const fake = (id: string, week: number, requires: string[] = []): AnyStudyModule =>
  defineModule({ id, week, requires, title: { ko: id, en: id }, settings: z.strictObject({}), build: () => undefined });

describe("week selection", () => {
  test("accepts lists, ranges and numbers, sorted and without repeats", () => {
    expect(parseWeekSelection("1-3,6", STUDY_MODULES)).toEqual([1, 2, 3, 6]);
    expect(parseWeekSelection([6, "1-2", 2], STUDY_MODULES)).toEqual([1, 2, 6]);
    expect(parseWeekSelection(4, STUDY_MODULES)).toEqual([4]);
    expect(parseWeekSelection(" 10 , 9 ", STUDY_MODULES)).toEqual([9, 10]);
  });

  test("explains what is wrong with a bad selection", () => {
    expect(parseWeekSelection("11", STUDY_MODULES)).toMatch(/week 11 does not exist/);
    expect(parseWeekSelection("0-2", STUDY_MODULES)).toMatch(/week 0 does not exist/);
    expect(parseWeekSelection("3-1", STUDY_MODULES)).toMatch(/runs backwards/);
    expect(parseWeekSelection("one", STUDY_MODULES)).toMatch(/"one" is not a week number/);
    expect(parseWeekSelection([], STUDY_MODULES)).toBe("at least one week");
    expect(parseWeekSelection(" , ", STUDY_MODULES)).toBe("at least one week");
  });

  test("ends at the registry's last week: week 10 for the study's registry, another week for another registry", () => {
    expect(lastWeekOf(STUDY_MODULES)).toBe(Math.max(...STUDY_MODULES.map((m) => m.week)));
    expect(parseWeekSelection("11", STUDY_MODULES)).toBe("week 11 does not exist (the study has weeks 1-10)");
    const twelveWeeks = [fake("network", 1), fake("extra", 12)];
    expect(parseWeekSelection("11-12", twelveWeeks)).toEqual([11, 12]);
    expect(parseWeekSelection("13", twelveWeeks)).toBe("week 13 does not exist (the study has weeks 1-12)");
    expect(parseWeekSelection("4", [fake("network", 1), fake("cicd", 3)])).toBe("week 4 does not exist (the study has weeks 1-3)");
  });

  test("a config's weeks are refused with the registry's range", () => {
    expect(() => parseConfig({ weeks: "11" }, "study.yaml", STUDY_MODULES)).toThrow(/weeks = "11" is not valid; expected weeks 1-10 as a list or ranges such as "1-3,6" \(week 11 does not exist \(the study has weeks 1-10\)\)/);
    expect(() => parseConfig({ weeks: "13" }, "study.yaml", [fake("network", 1), fake("extra", 12)])).toThrow(/expected weeks 1-12 as a list or ranges such as "1-3,6" \(week 13 does not exist \(the study has weeks 1-12\)\)/);
  });
});

describe("module selection", () => {
  const registry = [fake("network", 1), fake("docker", 2, ["network"]), fake("cicd", 3, ["docker"]), fake("eks", 6, ["network"]), fake("k8s", 5)];

  test("enabling a week pulls in what it needs, transitively, and says why", () => {
    const selection = selectModules([3], registry);
    expect(selection.modules.map((m) => m.id)).toEqual(["network", "docker", "cicd"]);
    expect(selection.added.map((a) => `${a.module.id}<-${a.neededBy.id}`)).toEqual(["docker<-cicd", "network<-docker"]);
  });

  test("orders dependencies before dependants even when the dependant's week is earlier", () => {
    const registryWithBackwardsDependency = [fake("network", 1), fake("k8s", 5, ["eks"]), fake("eks", 6, ["network"])];
    expect(selectModules([5], registryWithBackwardsDependency).modules.map((m) => m.id)).toEqual(["network", "eks", "k8s"]);
  });

  test("adds nothing that was already chosen", () => {
    expect(selectModules([1, 6], registry).added).toEqual([]);
  });

  test("refuses a dependency cycle with the whole cycle in the message", () => {
    const cyclic = [fake("a", 1, ["b"]), fake("b", 2, ["a"])];
    expect(() => selectModules([1], cyclic)).toThrow(/cycle: a -> b -> a/);
  });

  test("the real registry has unique ids, weeks 1-10 and only registered dependencies", () => {
    const ids = STUDY_MODULES.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const module of STUDY_MODULES) {
      expect(module.week).toBeGreaterThanOrEqual(1);
      expect(module.week).toBeLessThanOrEqual(10);
      for (const dependency of module.requires ?? []) expect(ids).toContain(dependency);
    }
  });
});

describe("synth with weeks that have no module", () => {
  test("is refused with the weeks that do have modules", () => {
    const root = mkdtempSync(join(tmpdir(), "devops-weeks-empty-"));
    writeFileSync(join(root, "study.yaml"), "weeks: 2\n");
    const registry = [fake("network", 1), fake("cicd", 3)];
    expect(() => synthesizeStudy({ configPath: join(root, "study.yaml"), outdir: join(root, "out"), registry })).toThrow(/weeks = "2" is not valid; expected weeks that have modules \(1, 3\)/);
    expect(existsSync(join(root, "out"))).toBe(false);
  });
});
