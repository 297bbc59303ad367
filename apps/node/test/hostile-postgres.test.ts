/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * real Node service on PostgreSQL: a schema of this run's own on the shared
 * test server (dropped afterwards).
 */
import { hostileSuite } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./nodeService.ts"

hostileSuite("node + postgres", {
  label: "app-node-hostile-postgres",
  environment: async () => {
    const db = freshSchema("node_hostile")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, env),
  closesInStages: true,
})
