/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * real Deno service on PostgreSQL (a schema of this run's own on the shared
 * test server, dropped afterwards); memory is read from the `deno` process
 * the start script runs.
 */
import { descendantsNamed, hostileSuite } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./denoService.ts"

hostileSuite("deno + postgres", {
  label: "app-deno-hostile-postgres",
  environment: async () => {
    const db = freshSchema("deno_hostile")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, env),
  servicePids: (server) => descendantsNamed(server.child.pid as number, "deno"),
})
