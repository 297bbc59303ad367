/**
 * The crash suite (`crashSuite` of `@cdp/testkit`) on the Deno service on
 * SQLite: the deno process itself (not the start script around it) is
 * SIGKILLed under load and restarted on the same database file, whose
 * `integrity_check` must pass after each kill.
 */
import { crashSuite } from "@cdp/testkit"
import { integrityCheck, startDeno } from "./directDeno.ts"

crashSuite("deno + sqlite", {
  label: "app-deno-crash",
  start: (ws) => startDeno(ws),
  capabilities: { batchAtomicity: "request" },
  integrity: async (ws) => integrityCheck(ws.db),
})
