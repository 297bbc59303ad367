/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the real Bun service: `bun src/main.ts` as a child process, on a fresh
 * SQLite file, with the contract tenants as its `INGEST_CONFIG`.
 */
import { serviceContract } from "@cdp/testkit"
import { startService } from "./bunService.ts"

serviceContract("bun + bun:sqlite", { label: "app-bun-http", start: (ws) => startService(ws) })
