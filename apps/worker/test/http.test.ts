/**
 * The HTTP contract suite (`httpContract` of `@cdp/testkit`) against the
 * Worker under real local workerd (`wrangler dev`, through
 * `scripts/start.mjs`), its Durable Objects persisting in a fresh folder,
 * with the contract tenants as its `INGEST_CONFIG`.
 */
import { httpContract, type ServerProcess } from "@cdp/testkit"
import { afterAll, beforeAll } from "vitest"
import { makeWorkspace, startWorker, type Workspace } from "./workerService.ts"

let ws: Workspace | undefined
let server: ServerProcess | undefined

beforeAll(async () => {
  ws = await makeWorkspace("http")
  server = await startWorker(ws)
})

afterAll(async () => {
  await server?.stop("SIGTERM")
  await ws?.remove()
})

httpContract("workerd + durable objects", () => {
  if (server === undefined || ws === undefined) throw new Error("the Worker did not start")
  return { baseUrl: server.baseUrl, tenants: ws.tenants }
})
