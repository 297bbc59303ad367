/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the real Deno service on PostgreSQL, through scripts/start.mjs (which
 * grants the database's host and port): `INGEST_DB` a `postgres://` URL with
 * a schema of this run's own on the shared test server (dropped afterwards).
 */

import { serviceContract } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./denoService.ts"

serviceContract("deno + postgres", {
  label: "app-deno-http-postgres",
  environment: async () => {
    const db = freshSchema("deno_http")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, { INGEST_CONFIG: ws.config, ...env }),
})
