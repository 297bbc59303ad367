/**
 * The in-runtime tests of the Worker (project `worker-workerd`): vitest runs
 * inside workerd (`@cloudflare/vitest-pool-workers`), with the Durable
 * Object binding of `wrangler.jsonc` and a test entry that re-exports the
 * Worker (its object class wrapped for fault injection). The global setup
 * starts the Node service that `@cdp/client` sends to from inside workerd.
 */
import { fileURLToPath } from "node:url"
import { cloudflareTest } from "@cloudflare/vitest-pool-workers"
import { defineProject } from "vitest/config"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

export default defineProject({
  plugins: [
    cloudflareTest({
      main: here("./test-runtime/testWorker.ts"),
      wrangler: { configPath: here("./wrangler.jsonc") },
    }),
  ],
  test: {
    name: "worker-workerd",
    root: here("."),
    include: ["test-runtime/**/*.test.ts"],
    // The Node service the client's tests inside workerd send to.
    globalSetup: [here("./test/nodeServiceSetup.ts")],
    testTimeout: 60_000,
  },
})
