/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * real Node service on a fresh SQLite file.
 */
import { hostileSuite } from "@cdp/testkit"
import { startService } from "./nodeService.ts"

hostileSuite("node + sqlite", {
  label: "app-node-hostile",
  start: (ws, env) => startService(ws, env),
  closesInStages: true,
})
