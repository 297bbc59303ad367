/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the real Node service on PostgreSQL: `INGEST_DB` a `postgres://` URL with a
 * schema of this run's own on the shared test server (dropped afterwards).
 */

import { serviceContract } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./nodeService.ts"

serviceContract("node + postgres", {
  label: "app-node-http-postgres",
  environment: async () => {
    const db = freshSchema("node_http")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, { INGEST_CONFIG: ws.config, ...env }),
})
