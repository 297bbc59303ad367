/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * real Bun service on a fresh bun:sqlite file.
 */
import { hostileSuite } from "@cdp/testkit"
import { startService } from "./bunService.ts"

hostileSuite("bun + bun:sqlite", {
  label: "app-bun-hostile",
  start: (ws, env) => startService(ws, { INGEST_CONFIG: ws.config, ...env }),
})
