/**
 * The hostile-input suite (`hostileSuite` of `@cdp/testkit`) against the
 * real Deno service (through scripts/start.mjs, with its narrow
 * permissions) on a fresh node:sqlite file; memory is read from the `deno`
 * process the start script runs.
 */
import { descendantsNamed, hostileSuite } from "@cdp/testkit"
import { startService } from "./denoService.ts"

hostileSuite("deno + node:sqlite", {
  label: "app-deno-hostile",
  start: (ws, env) => startService(ws, env),
  servicePids: (server) => descendantsNamed(server.child.pid as number, "deno"),
})
