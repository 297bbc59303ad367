/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the real Bun service on PostgreSQL: `INGEST_DB` a `postgres://` URL with a
 * schema of this run's own on the shared test server (dropped afterwards).
 */

import { serviceContract } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./bunService.ts"

serviceContract("bun + postgres", {
  label: "app-bun-http-postgres",
  environment: async () => {
    const db = freshSchema("bun_http")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, { INGEST_CONFIG: ws.config, ...env }),
})
