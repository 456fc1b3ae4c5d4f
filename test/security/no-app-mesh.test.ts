/**
 * AWS App Mesh reaches end of support on 2026-09-30: no week may generate it, neither as AWS
 * resources nor as its Kubernetes controller or custom resources.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { synthConfig } from "../support/synth";
import { allRegisteredWeeks, fullSecurityConfig } from "./plans";

describe("no App Mesh", () => {
  test(`no stack synthesized with every registered week (${allRegisteredWeeks()}) holds App Mesh`, () => {
    const synth = synthConfig(fullSecurityConfig());
    const stacks = readdirSync(join(synth.outdir, "stacks"));
    expect(stacks.length).toBeGreaterThan(0);
    for (const name of stacks) {
      const stack = synth.stack(name);
      const blocks = { ...(stack.resource ?? {}), ...((stack.data as Record<string, unknown>) ?? {}) };
      expect(Object.keys(blocks).filter((type) => type.startsWith("aws_appmesh_")), name).toEqual([]);
      // The in-cluster side: the App Mesh controller chart or its custom resources (appmesh.k8s.aws).
      const inCluster = JSON.stringify([stack.resource?.helm_release ?? {}, stack.resource?.kubernetes_manifest ?? {}]);
      expect(inCluster, name).not.toMatch(/appmesh-controller|appmesh\.k8s\.aws/);
    }
  });
});
