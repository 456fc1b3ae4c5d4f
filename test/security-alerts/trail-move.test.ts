/**
 * The account's trail moved from week 10 to week 1 (the alerts read its events). A learner who applied
 * week 10 before has the trail, its key and its buckets in state at week 10's addresses: the `moved`
 * blocks must carry each to its new address, so that the next plan replaces and deletes nothing (a
 * bucket full of logs cannot even be deleted without force_destroy).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { synthConfig } from "../support/synth";
import { OfflineWorkspace } from "../support/terraform";
import { simulateApply, type PlanJson, type ProviderSchemas, type ResourceChange, type StackConfig } from "../support/simulated-state";

const AWS_STACK = "devops-weeks-dev";
const OLD_ADDRESSES = (JSON.parse(readFileSync(join(__dirname, "../fixtures/week10-trail-addresses.json"), "utf8")) as { addresses: string[] }).addresses;

describe("the trail's move from week 10 to week 1", () => {
  const synth = synthConfig({ costGuard: { emails: ["kim@example.com"] } }, { weeks: "1,10" });
  const stack = synth.stack(AWS_STACK) as StackConfig & { moved?: { from: string; to: string }[] };
  const moves = stack.moved ?? [];

  test("every address week 10 gave a trail resource is moved, to a resource that exists", () => {
    expect(moves.map((m) => m.from).sort()).toEqual([...OLD_ADDRESSES].sort());
    for (const { to } of moves) {
      const [type, name] = to.split(".");
      expect(stack.resource?.[type]?.[name], to).toBeDefined();
    }
  });

  test("a state with the trail at week 10's old addresses plans with the moves, and nothing replaced or deleted", { timeout: 300_000 }, () => {
    const workspace = new OfflineWorkspace();
    workspace.load(synth.stackDir(AWS_STACK));
    const fresh = workspace.plan() as unknown as PlanJson;
    const applied = simulateApply(fresh, workspace.schemas() as ProviderSchemas, stack, "ap-northeast-2");
    // The same state, but with the trail's resources where the earlier version kept them.
    const oldName = new Map(moves.map(({ from, to }) => [to, from.split(".")[1]]));
    const state = structuredClone(applied.state) as { resources: { type: string; name: string }[] };
    let renamed = 0;
    for (const resource of state.resources) {
      const old = oldName.get(`${resource.type}.${resource.name}`);
      if (old) (resource.name = old), renamed++;
    }
    expect(renamed).toBe(moves.length);

    const plan = workspace.plan(state) as unknown as { resource_changes: (ResourceChange & { previous_address?: string })[] };
    const changes = new Map(plan.resource_changes.map((change) => [change.address, change]));
    for (const { from, to } of moves) {
      const change = changes.get(to);
      expect(change?.previous_address, to).toBe(from);
      expect(change?.change.actions, to).not.toContain("create");
      expect(change?.change.actions, to).not.toContain("delete");
    }
    const destructive = plan.resource_changes.filter((change) => change.change.actions.includes("delete"));
    expect(destructive.map((change) => change.address)).toEqual([]);
  });
});
