/**
 * The client against the real Node service on a PostgreSQL server that is
 * really stopped and started under it: a private cluster of this test's own
 * (`startPrivateCluster` of `@cdp/testkit/postgres`; the shared server is
 * never stopped, other tests use it). While the client sends thousands of
 * events for several customers, the cluster is stopped (`fast`: sessions
 * ended, then connections refused; once `immediate`: a crash, recovery at
 * the next start) and started again, three times. The service answers 503
 * `unavailable` meanwhile and the client retries; every `send` resolves, and
 * every event is stored exactly once under the id its `send` got.
 * (`postgres.test.ts` is the other fault: the server up, its schema
 * refusing writes.)
 */
import { makeWorkspace, type ServerProcess, type Workspace } from "@cdp/testkit"
import { freshSchema, type PrivateCluster, startPrivateCluster, type TestSchema } from "@cdp/testkit/postgres"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createClient, type ErrorNotice, type SendResult } from "../src/index.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const TOTAL = 3000
const CUSTOMERS = 12
const OUTAGES = ["fast", "immediate", "fast"] as const
/** Prefixes no notice may contain: the customer ids and the context values sent. */
const CUSTOMER_PREFIX = "stopped-customer-"
const VALUE_PREFIX = "stopped-value-"

let cluster: PrivateCluster | undefined
let db: TestSchema | undefined
let ws: Workspace | undefined
let service: ServerProcess | undefined

beforeAll(async () => {
  cluster = await startPrivateCluster()
  db = freshSchema("client_stopped", cluster.url)
  ws = await makeWorkspace("client-pg-stopped")
  service = await startNodeService(ws, await freePort(), { INGEST_DB: db.url })
}, 120_000)

afterAll(async () => {
  try {
    await service?.stop("SIGTERM")
    await db?.sql.end({ timeout: 1 }).catch(() => {})
    await cluster?.destroy()
  } finally {
    await ws?.remove()
  }
})

it(`PostgreSQL stopped (${OUTAGES.join(", ")}) and started under the client: 503s retried, ${TOTAL} events stored once with their ids`, async () => {
  const { key, id: tenant } = ws!.tenants[0]!
  let phase = "up"
  const notices: Array<{ readonly notice: ErrorNotice; readonly phase: string }> = []
  const client = createClient({
    url: service!.baseUrl,
    key,
    tenant,
    maxBatchEvents: 50,
    flushIntervalMs: 5,
    maxAttempts: 1000,
    maxRetryTimeMs: 120_000,
    baseDelayMs: 20,
    maxDelayMs: 500,
    onError: (notice) => notices.push({ notice, phase }),
  })
  const customerOf = (i: number) => `${CUSTOMER_PREFIX}${i % CUSTOMERS}`
  const contextOf = (i: number) => ({ ootb_city: `${VALUE_PREFIX}city-${i}`, ootb_alias: `${VALUE_PREFIX}alias-${i}` })
  const sends: Array<Promise<SendResult>> = []
  const sentIn = new Map<string, number>() // phase -> events sent in it
  let outagesOver = false
  // Paced so that the sends span every outage; the last ones go after the last restart.
  const sending = (async () => {
    for (let i = 0; i < TOTAL; i++) {
      sends.push(client.send("ootb_user_details_update", { customer: customerOf(i), context: contextOf(i) }))
      sentIn.set(phase, (sentIn.get(phase) ?? 0) + 1)
      if (i % 10 === 9) await sleep(outagesOver ? 1 : 25)
    }
  })()
  const outages = (async () => {
    for (const [k, mode] of OUTAGES.entries()) {
      await sleep(400)
      // pg_ctl runs synchronously: the test's event loop (and the client) waits for it to stop or start.
      cluster!.stop(mode)
      phase = `stopped ${k} (${mode})`
      await sleep(1200)
      cluster!.start()
      phase = `up after ${k}`
    }
    outagesOver = true
  })()
  await Promise.all([sending, outages])
  const results = await Promise.allSettled(sends)
  await client.close()

  expect(results.filter((r) => r.status === "rejected")).toEqual([])
  // Each outage met sends, and the service's 503 reached the client as retries.
  for (const [k, mode] of OUTAGES.entries()) {
    const stopped = `stopped ${k} (${mode})`
    expect(sentIn.get(stopped) ?? 0, `events sent while ${stopped}`).toBeGreaterThan(0)
    expect(
      notices.some(({ notice, phase }) => phase === stopped && notice.type === "retry" && notice.status === 503),
      `a 503 retry while ${stopped}`,
    ).toBe(true)
  }
  // Every notice is a retry of a send answered 503 `unavailable`, with codes and counts only.
  expect(
    notices.filter(
      ({ notice: n }) =>
        n.type !== "retry" || n.operation !== "send" || n.status !== 503 || n.code !== "unavailable" || n.events < 1,
    ),
  ).toEqual([])
  for (const { notice } of notices) {
    expect(
      Object.keys(notice).every((k) =>
        ["type", "operation", "code", "status", "attempt", "delayMs", "events"].includes(k),
      ),
    ).toBe(true)
    expect(JSON.stringify(notice)).not.toContain(CUSTOMER_PREFIX)
    expect(JSON.stringify(notice)).not.toContain(VALUE_PREFIX)
  }

  // The private cluster's events table: each event once, under the id its `send` got.
  const got = new Map<string, number>() // id -> index of the send
  for (const [i, r] of results.entries()) got.set((r as PromiseFulfilledResult<SendResult>).value.id, i)
  expect(got.size, "a distinct id per event").toBe(TOTAL)
  const rows = await db!.sql.unsafe(
    `SELECT id, customer, context->>'ootb_city' AS city, context->>'ootb_alias' AS alias FROM "${db!.schema}".events`,
  )
  expect(rows.length).toBe(TOTAL)
  const stored = rows.map((r) => {
    const i = got.get(String(r["id"]))
    return { i, customer: r["customer"], city: r["city"], alias: r["alias"] }
  })
  expect(
    stored.filter(({ i, customer, city, alias }) => {
      if (i === undefined) return true
      const context = contextOf(i)
      return customer !== customerOf(i) || city !== context.ootb_city || alias !== context.ootb_alias
    }),
  ).toEqual([])
  expect(new Set(stored.map(({ i }) => i)).size).toBe(TOTAL)

  // And through the events route, as a sender would check: the same ids, once each.
  const read: Array<string> = []
  for (let c = 0; c < CUSTOMERS; c++) for await (const e of client.events(customerOf(c))) read.push(e.id)
  expect(read.length).toBe(TOTAL)
  expect(new Set(read)).toEqual(new Set(got.keys()))
  const retries = notices.length
  console.info(
    `client under PostgreSQL stopped and started: ${TOTAL} events, ${retries} 503 retries, sent by phase ${JSON.stringify(Object.fromEntries(sentIn))}`,
  )
}, 300_000)
