/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Bun service on
 * PostgreSQL: the bun process itself is SIGKILLed under load and restarted
 * on the same schema (one of this run's own on the shared test server,
 * dropped afterwards).
 */
import { crashSuite } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./bunService.ts"

crashSuite("bun + postgres", {
  label: "app-bun-crash-postgres",
  environment: async () => {
    const db = freshSchema("bun_crash")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, { INGEST_CONFIG: ws.config, ...env }),
  capabilities: { batchAtomicity: "request" },
})
