/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Deno service on
 * PostgreSQL: the deno process itself (not the start script around it) is
 * SIGKILLed under load and restarted on the same schema (one of this run's
 * own on the shared test server, dropped afterwards).
 */
import { crashSuite } from "@cdp/testkit"
import { freshSchema } from "@cdp/testkit/postgres"
import { startDeno } from "./directDeno.ts"

crashSuite("deno + postgres", {
  label: "app-deno-crash-postgres",
  environment: async () => {
    const db = freshSchema("deno_crash")
    return { env: { INGEST_DB: db.url }, cleanup: db.drop }
  },
  start: (ws, env) => startDeno(ws, env),
  capabilities: { batchAtomicity: "request" },
})
