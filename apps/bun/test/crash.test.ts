/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Bun service on
 * SQLite: the bun process itself is SIGKILLed under load and restarted on
 * the same database file, whose `integrity_check` must pass after each kill.
 */
import { crashSuite } from "@cdp/testkit"
import { integrityCheck, startService } from "./bunService.ts"

crashSuite("bun + sqlite", {
  label: "app-bun-crash",
  start: (ws) => startService(ws),
  capabilities: { batchAtomicity: "request" },
  integrity: async (ws) => integrityCheck(ws.db),
})
