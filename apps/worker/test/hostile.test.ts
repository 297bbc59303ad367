/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * Worker under real local workerd (`wrangler dev`, through
 * `scripts/start.mjs`), its Durable Objects persisting in a fresh folder.
 * wrangler runs two workerd processes: one that listens on the service's
 * port (wrangler's own proxy) and one that runs the Worker and its objects;
 * memory is read from the second.
 */
import { commandLine, descendantsNamed, hostileSuite } from "@cdp/testkit"
import { startWorker } from "./workerService.ts"

hostileSuite("workerd + durable objects", {
  label: "app-worker-hostile",
  workspace: { store: "data" },
  // wrangler passes the Worker's log lines on only at its log level `log`.
  start: (ws, env) => startWorker(ws, { WRANGLER_LOG: "log", ...env }),
  servicePids: async (server) => {
    const proxy = `entry=${new URL(server.baseUrl).host}`
    const all = await descendantsNamed(server.child.pid as number, "workerd")
    return all.filter((pid) => !commandLine(pid).some((arg) => arg.endsWith(proxy)))
  },
  answersAnnouncedLength: false,
  // wrangler's proxy answers a connection workerd closed under a still-coming body with this 503.
  proxyReset: { status: 503, text: "Your worker restarted mid-request" },
})
