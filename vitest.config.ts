import { defineConfig } from "vitest/config"

// Every package and app is a test project; the runner takes them all.
// A project that finds no test files fails the run (passWithNoTests: false).
export default defineConfig({
  test: {
    passWithNoTests: false,
    reporters: ["default", "./scripts/everyProjectHasTests.ts"],
    projects: ["packages/*/vitest.config.ts", "apps/*/vitest.config.ts", "apps/worker/vitest.workerd.config.ts"],
  },
})
