import { defineProject } from "vitest/config"

// Node-side tests: the real Deno server, started through scripts/start.mjs.
export default defineProject({
  test: { name: "app-deno", include: ["test/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
})
