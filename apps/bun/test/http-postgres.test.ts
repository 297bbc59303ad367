/**
 * The HTTP contract suite (`httpContract` of `@cdp/testkit`) against the
 * real Bun service on PostgreSQL: `INGEST_DB` a `postgres://` URL with
 * a schema of this run's own on the shared test server (dropped afterwards).
 */
import { httpContract, type ServerProcess } from "@cdp/testkit"
import { freshSchema, type TestSchema } from "@cdp/testkit/postgresSchema.ts"
import { afterAll, beforeAll } from "vitest"
import { makeWorkspace, startService, type Workspace } from "./bunService.ts"

let ws: Workspace | undefined
let db: TestSchema | undefined
let server: ServerProcess | undefined

beforeAll(async () => {
  ws = await makeWorkspace("http-postgres")
  db = freshSchema("bun_http")
  server = await startService(ws, { INGEST_CONFIG: ws.config, INGEST_DB: db.url })
})

afterAll(async () => {
  await server?.stop("SIGTERM")
  await db?.drop()
  await ws?.remove()
})

httpContract("bun + postgres", () => {
  if (server === undefined || ws === undefined) throw new Error("the service did not start")
  return { baseUrl: server.baseUrl, tenants: ws.tenants }
})
