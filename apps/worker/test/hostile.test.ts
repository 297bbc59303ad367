/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * Worker under real local workerd (`wrangler dev`, through
 * `scripts/start.mjs`), its Durable Objects persisting in a fresh folder;
 * memory is read from the `workerd` processes that wrangler runs.
 */
import { hostileSuite } from "@cdp/testkit"
import { descendantsNamed } from "@cdp/testkit/serviceMemory.ts"
import { startWorker } from "./workerService.ts"

hostileSuite("workerd + durable objects", {
  label: "app-worker-hostile",
  workspace: { store: "data" },
  // wrangler passes the Worker's log lines on only at its log level `log`.
  start: (ws, env) => startWorker(ws, { WRANGLER_LOG: "log", ...env }),
  servicePids: (server) => descendantsNamed(server.child.pid as number, "workerd"),
  answersAnnouncedLength: false,
})
