import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Offline terraform plans take 10-30 s each; the suite's budget is in the README.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one, on the 2-core machines this runs on. The
    // slow files wait on terraform and Chromium child processes, so two at a time finish sooner.
    maxWorkers: 2,
    // Project code runs as it does under `npx tsx main.ts`: Node loads lib/ and modules/ itself (tsx
    // compiles them), so a module's lazy `require("./index")` at build time finds the same module
    // instances the test imported (one KubernetesStudyStack class, one ManagedInstance class).
    execArgv: ["--import", "tsx"],
    server: { deps: { external: [/^(?!.*\/node_modules\/).*\/(lib|modules)\/.*\.ts$/] } },
  },
});
