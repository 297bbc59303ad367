/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the Worker under real local workerd (`wrangler dev`, through
 * `scripts/start.mjs`), its Durable Objects persisting in a fresh folder,
 * with the contract tenants as its `INGEST_CONFIG`.
 */
import { serviceContract } from "@cdp/testkit"
import { startWorker } from "./workerService.ts"

serviceContract("workerd + durable objects", {
  label: "app-worker-http",
  workspace: { store: "data" },
  start: (ws) => startWorker(ws),
})
