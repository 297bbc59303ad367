/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the real Deno service, started through scripts/start.mjs with its narrow
 * permissions, on a fresh SQLite file, with the contract tenants as its
 * `INGEST_CONFIG`.
 */
import { serviceContract } from "@cdp/testkit"
import { startService } from "./denoService.ts"

serviceContract("deno + node:sqlite", { label: "app-deno-http", start: (ws) => startService(ws) })
