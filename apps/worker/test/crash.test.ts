/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Worker under
 * `wrangler dev`: the whole process group (wrangler and the workerd that
 * serves) is SIGKILLed under load and started again on the same local state
 * folder, whose Durable Object SQLite files must pass `integrity_check`
 * after each kill. A batch is atomic per customer here, not as a whole.
 */
import { crashSuite } from "@cdp/testkit"
import { killWorkerGroup, startWorkerGroup, stateIntegrity } from "./workerProcessGroup.ts"

crashSuite("workerd + durable objects", {
  label: "app-worker-crash",
  workspace: { store: "data" },
  start: (ws) => startWorkerGroup(ws),
  kill: killWorkerGroup,
  capabilities: { batchAtomicity: "customer" },
  integrity: async (ws) => stateIntegrity(ws.db),
})
