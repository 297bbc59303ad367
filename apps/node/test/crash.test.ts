/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Node service on
 * SQLite: `node src/main.ts` itself is SIGKILLed under load and restarted on
 * the same database file, whose `integrity_check` must pass after each kill.
 */
import { crashSuite } from "@cdp/testkit"
import { integrityCheck, startService } from "./nodeService.ts"

crashSuite("node + sqlite", {
  label: "app-node-crash",
  start: (ws) => startService(ws),
  capabilities: { batchAtomicity: "request" },
  integrity: async (ws) => integrityCheck(ws.db),
})
