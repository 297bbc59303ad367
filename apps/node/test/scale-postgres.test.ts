/**
 * Scale-out on PostgreSQL: three service processes, started at once on one
 * fresh schema (their migrations race), take interleaved single events,
 * batches and duplicates from a dozen clients at once, for a handful of
 * customers, with many equal timestamps. Afterwards:
 *
 * - every event was `accepted` by exactly one answer, all other sends of it
 *   were `duplicate` with the same id, whichever process answered;
 * - every acknowledged event is stored exactly once (counted in the
 *   database) and listed by the API;
 * - every profile is one the overwrite rule gives for some order of arrival
 *   consistent with what the clients saw (`concurrentFoldComplaints`: each
 *   attribute's value comes from an event with its latest timestamp, and
 *   never from one answered before a tied rival was sent).
 *
 * Each attribute value is unique to its event, so a profile names the event
 * each of its values came from.
 */
import {
  bearer,
  concurrentFoldComplaints,
  contractTenantIds,
  getCustomer,
  type IngestBody,
  listAllEvents,
  type ObservedEvent,
  request,
  type ServerProcess,
} from "@cdp/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { makeWorkspace, startService, tenantOf, type Workspace } from "./nodeService.ts"
import { freshSchema, type TestSchema } from "./postgres.ts"

const PROCESSES = 3
const LOOPS = 12
const REQUESTS_PER_LOOP = 40
const CUSTOMERS = 5
const TEXT_ATTRIBUTES = ["ootb_city", "ootb_address", "ootb_first_name", "ootb_last_name", "ootb_alias", "ootb_brand"]

interface Sent {
  readonly key: string
  readonly customer: string
  readonly timestamp: string
  readonly context: Record<string, string>
}

interface Send {
  readonly event: Sent
  readonly sentAt: number
  readonly ackAt: number
  readonly status: string
  readonly id: string | undefined
  readonly process: number
}

describe("several service processes on one PostgreSQL database", () => {
  let ws: Workspace | undefined
  let db: TestSchema | undefined
  const servers: ServerProcess[] = []
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop("SIGTERM")))
    await db?.drop()
    await ws?.remove()
  })

  it("end every profile in the fold and store every acknowledged event exactly once", async () => {
    ws = await makeWorkspace("scale")
    db = freshSchema("scale")
    servers.push(
      ...(await Promise.all(Array.from({ length: PROCESSES }, () => startService(ws!, { INGEST_DB: db!.url })))),
    )
    const tenant = tenantOf(ws.tenants, contractTenantIds.A)
    const run = Math.random().toString(36).slice(2, 8)
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `scale-${run}-${i}`)
    const pool: Sent[] = []
    const sends: Send[] = []
    const problems: string[] = []
    let serial = 0

    const fresh = (loop: number): Sent => {
      const customer = customers[Math.floor(Math.random() * CUSTOMERS)]!
      // Six timestamps only: ties across clients and processes all the time.
      const timestamp = `2024-05-27 10:00:0${Math.floor(Math.random() * 6)}.000000 UTC`
      const context: Record<string, string> = {}
      for (const a of TEXT_ATTRIBUTES) if (Math.random() < 0.4) context[a] = `l${loop}-${serial++}`
      const event = { key: `${customer}|${timestamp}|${JSON.stringify(context)}`, customer, timestamp, context }
      pool.push(event)
      return event
    }

    const loop = async (n: number) => {
      for (let r = 0; r < REQUESTS_PER_LOOP; r++) {
        const kind = Math.random()
        const events: Sent[] =
          kind < 0.2 && pool.length > 0
            ? // a duplicate of any event sent so far, answered or still in flight, maybe to another process
              [pool[Math.floor(Math.random() * pool.length)]!]
            : kind < 0.6
              ? [fresh(n)]
              : Array.from({ length: 2 + Math.floor(Math.random() * 9) }, () => fresh(n))
        const process = Math.floor(Math.random() * PROCESSES)
        const wire = events.map((e) => ({
          tenant: tenant.id,
          timestamp: e.timestamp,
          event: "ootb_user_details_update",
          customer: e.customer,
          context: e.context,
        }))
        const sentAt = performance.now()
        const res = await request<IngestBody>(servers[process]!.baseUrl, "/v1/events", {
          method: "POST",
          headers: { "content-type": "application/json", ...bearer(tenant.key) },
          body: JSON.stringify(wire.length === 1 ? wire[0] : wire),
        })
        const ackAt = performance.now()
        if (res.status !== 202) {
          problems.push(`process ${process} answered ${res.status}: ${res.text.slice(0, 300)}`)
          continue
        }
        events.forEach((event, i) => {
          const result = res.body.results[i]
          sends.push({ event, sentAt, ackAt, status: String(result?.status), id: result?.id, process })
        })
      }
    }
    await Promise.all(Array.from({ length: LOOPS }, (_, n) => loop(n)))
    expect(problems).toEqual([])

    // One id per event content; exactly one `accepted` answer per id, every other send a `duplicate`.
    const byKey = new Map<string, Send[]>()
    for (const s of sends) byKey.set(s.event.key, [...(byKey.get(s.event.key) ?? []), s])
    const observed = new Map<string, ObservedEvent & { customer: string }>()
    let duplicateSends = 0
    for (const [key, list] of byKey) {
      const ids = new Set(list.map((s) => s.id))
      expect(ids.size, `${key}: one id`).toBe(1)
      const accepted = list.filter((s) => s.status === "accepted")
      expect(accepted.length, `${key}: accepted once in ${JSON.stringify(list.map((s) => s.status))}`).toBe(1)
      expect(list.filter((s) => s.status !== "accepted" && s.status !== "duplicate")).toEqual([])
      duplicateSends += list.length - 1
      const first = accepted[0]!
      observed.set(first.id!, { id: first.id!, ...first.event, sentAt: first.sentAt, ackAt: first.ackAt })
    }
    expect(duplicateSends, "duplicates were sent").toBeGreaterThan(20)
    expect(new Set(sends.map((s) => s.process)).size).toBe(PROCESSES)

    // Stored exactly once, counted in the database.
    const rows = await db.sql.unsafe(`SELECT id, count(*)::int AS n FROM "${db.schema}".events GROUP BY id`)
    expect(rows.filter((r) => r["n"] !== 1)).toEqual([])
    expect(new Set(rows.map((r) => String(r["id"])))).toEqual(new Set(observed.keys()))

    for (const customer of customers) {
      const mine = [...observed.values()].filter((e) => e.customer === customer)
      const via = servers[Math.floor(Math.random() * PROCESSES)]!.baseUrl
      const profile = await getCustomer(via, tenant.key, customer)
      expect(profile.status).toBe(200)
      expect(concurrentFoldComplaints(mine, profile.body), `profile of ${customer}`).toEqual([])
      const { events } = await listAllEvents(via, tenant.key, customer, 100)
      expect(events.map((e) => e.id).sort()).toEqual(mine.map((e) => e.id).sort())
    }
    console.info(
      `scale test: ${PROCESSES} processes, ${sends.length} event sends (${duplicateSends} duplicates), ${observed.size} events stored`,
    )
  })
})
