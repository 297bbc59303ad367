/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Node service on
 * PostgreSQL: `node src/main.ts` itself is SIGKILLed under load and restarted
 * on the same schema (one of this run's own on the shared test server,
 * dropped afterwards).
 */
import { crashSuite } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startService } from "./nodeService.ts"

crashSuite("node + postgres", {
  label: "app-node-crash-postgres",
  environment: async () => {
    const db = freshSchema("node_crash")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startService(ws, env),
  capabilities: { batchAtomicity: "request" },
})
