/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * real Bun service on PostgreSQL: a schema of this run's own on the shared
 * test server (dropped afterwards).
 */
import { hostileSuite } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./bunService.ts"

hostileSuite("bun + postgres", {
  label: "app-bun-hostile-postgres",
  environment: async () => {
    const db = freshSchema("bun_hostile")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, { INGEST_CONFIG: ws.config, ...env }),
})
