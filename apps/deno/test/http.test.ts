/**
 * The HTTP contract suite (`httpContract` of `@cdp/testkit`) against the
 * real Deno service, started through scripts/start.mjs with its narrow
 * permissions, on a fresh SQLite file, with the contract tenants as its
 * `INGEST_CONFIG`.
 */
import { httpContract, type ServerProcess } from "@cdp/testkit"
import { afterAll, beforeAll } from "vitest"
import { makeWorkspace, startService, type Workspace } from "./denoService.ts"

let ws: Workspace | undefined
let server: ServerProcess | undefined

beforeAll(async () => {
  ws = await makeWorkspace("http")
  server = await startService(ws)
})

afterAll(async () => {
  await server?.stop("SIGTERM")
  await ws?.remove()
})

httpContract("deno + node:sqlite", () => {
  if (server === undefined || ws === undefined) throw new Error("the service did not start")
  return { baseUrl: server.baseUrl, tenants: ws.tenants }
})
