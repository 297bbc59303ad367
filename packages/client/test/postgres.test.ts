/**
 * The client against the real Node service on PostgreSQL while the store
 * is made unavailable under it: the shared PostgreSQL server cannot be
 * stopped (other tests use it), so the service's schema is made to answer
 * as a read-only server does (SQLSTATE 25006, raised by the triggers of
 * `@cdp/testkit/postgres`'s `installServerFaults`), on and off, while the
 * client sends. The service answers 503 `unavailable` meanwhile; nothing
 * is lost and nothing is stored twice.
 */
import { makeWorkspace, type ServerProcess, type Workspace } from "@cdp/testkit"
import { freshSchema, installServerFaults, setServerFault, type TestSchema } from "@cdp/testkit/postgres"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createClient, type ErrorNotice, type SendResult } from "../src/index.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let ws: Workspace
let db: TestSchema
let service: ServerProcess | undefined

beforeAll(async () => {
  ws = await makeWorkspace("client-pg")
  db = freshSchema("client_outage")
  service = await startNodeService(ws, await freePort(), { INGEST_DB: db.url })
  // The service migrated the schema at start-up: the triggers go on its tables.
  await installServerFaults(db.sql, db.schema)
})

afterAll(async () => {
  try {
    await service?.stop("SIGTERM")
    await db?.drop()
  } finally {
    await ws?.remove()
  }
})

it("PostgreSQL read-only (SQLSTATE 25006 triggers) 3 times under the client: 503s retried, 1,500 events stored once", async () => {
  const { key, id: tenant } = ws.tenants[0]!
  const notices: Array<ErrorNotice> = []
  const client = createClient({
    url: service!.baseUrl,
    key,
    tenant,
    maxBatchEvents: 50,
    flushIntervalMs: 5,
    maxAttempts: 1000,
    maxRetryTimeMs: 60_000,
    baseDelayMs: 20,
    maxDelayMs: 300,
    onError: (n) => notices.push(n),
  })
  const total = 1500
  const customerOf = (i: number) => `pg-customer-${i % 10}`
  const sends: Array<Promise<SendResult>> = []
  let faulty = true
  const sending = (async () => {
    for (let i = 0; i < total; i++) {
      sends.push(
        client.send("ootb_user_details_update", { customer: customerOf(i), context: { ootb_city: `city-${i}` } }),
      )
      if (i % 10 === 9) await sleep(10)
    }
  })()
  const outages = (async () => {
    for (let k = 0; k < 3; k++) {
      await sleep(300)
      await setServerFault(db.sql, db.schema, "read-only")
      await sleep(500)
      await setServerFault(db.sql, db.schema, undefined)
    }
    faulty = false
  })()
  await Promise.all([sending, outages])
  expect(faulty).toBe(false)
  const results = await Promise.allSettled(sends)
  await client.close()
  expect(results.filter((r) => r.status === "rejected")).toEqual([])
  expect(notices.some((n) => n.type === "retry" && n.status === 503 && n.code === "unavailable")).toBe(true)
  expect(notices.filter((n) => n.type !== "retry")).toEqual([])

  const ids = results.map((r) => (r as PromiseFulfilledResult<SendResult>).value.id)
  const rows = await db.sql.unsafe(`SELECT id, context->>'ootb_city' AS city FROM "${db.schema}".events`)
  expect(rows.length).toBe(total)
  expect(new Set(rows.map((r) => r["id"]))).toEqual(new Set(ids))
  // And through the events route, as a sender would check.
  let read = 0
  for (let c = 0; c < 10; c++) for await (const _ of client.events(customerOf(c))) read++
  expect(read).toBe(total)
})
