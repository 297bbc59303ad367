/**
 * The HTTP contract suite (`serviceContract` of `@cdp/testkit`) against
 * the real Node service: `node src/main.ts` as a child process, on a fresh
 * SQLite file, with the contract tenants as its `INGEST_CONFIG`.
 */
import { serviceContract } from "@cdp/testkit"
import { startService } from "./nodeService.ts"

serviceContract("node + sqlite", { label: "app-node-http", start: (ws) => startService(ws) })
