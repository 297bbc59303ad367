import { defineConfig } from "vitest/config"

// In-runtime tests, run under Deno by the root's scripts/test-runtimes.mjs
// (not a project of the root vitest.config.ts, which takes vitest.config.ts files only).
export default defineConfig({
  test: { include: ["test-runtime/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000, pool: "forks" },
})
