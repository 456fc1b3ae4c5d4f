import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Offline terraform plans take 10-30 s each; the suite's budget is in the README.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    pool: "forks",
  },
});
