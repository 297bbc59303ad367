/**
 * The Node service's answers while PostgreSQL under it fails: the real
 * service process (`INGEST_DB` a `postgres://` URL with a schema of this
 * run's own, the store's default lock_timeout of 5 s, as deployed), the
 * faults caused on the database's side (`@cdp/testkit/postgresFaults.ts`):
 * another session holding a lock on the events table, and the server's own
 * errors for an I/O error, a full disk and a read-only server (a standby
 * after a failover). During each a POST answers 503 `unavailable` with
 * Retry-After and writes nothing; once it ends the same process accepts it.
 */
import { getCustomer, postEvents } from "@cdp/testkit/http/ApiClient.ts"
import { holdTableLock, installServerFaults, setServerFault } from "@cdp/testkit/postgresFaults.ts"
import { freshSchema, type TestSchema } from "@cdp/testkit/postgresSchema.ts"
import type { ServerProcess } from "@cdp/testkit/serverProcess.ts"
import type { StoreFault } from "@cdp/testkit/storeSuite.ts"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeWorkspace, startService, type Workspace } from "./nodeService.ts"

let ws: Workspace
let db: TestSchema
let service: ServerProcess
let key: string
let tenant: number

beforeAll(async () => {
  ws = await makeWorkspace("faults-postgres")
  db = freshSchema("node_faults")
  key = ws.tenants[0]!.key
  tenant = ws.tenants[0]!.id
  service = await startService(ws, { INGEST_DB: db.url })
  // The service has migrated the schema at start-up: the triggers go on its tables.
  await installServerFaults(db.sql, db.schema)
})

afterAll(async () => {
  await service?.stop("SIGTERM")
  await db?.drop()
  await ws?.remove()
})

/** Starts `fault` on the database's side; resolves with what ends it. */
const startFault = async (fault: StoreFault): Promise<() => Promise<void>> => {
  if (fault === "locked") return holdTableLock(db.sql, db.schema)
  await setServerFault(db.sql, db.schema, fault)
  return () => setServerFault(db.sql, db.schema, undefined)
}

const event = (customer: string, second: number, context: Record<string, unknown>) => ({
  tenant,
  timestamp: `2024-05-27 10:${String(30 + Math.floor(second / 60))}:${String(second % 60).padStart(2, "0")}.000000 UTC`,
  event: "ootb_user_details_update",
  customer,
  context,
})

describe("faults of PostgreSQL, through the Node service", () => {
  for (const fault of ["io-error", "disk-full", "locked", "read-only"] as const) {
    it(`fault: ${fault}: POST answers 503 unavailable and writes nothing; the same process accepts it once the fault ends`, async () => {
      const customer = `faulty-${fault}`
      const first = await postEvents(service.baseUrl, key, event(customer, 1, { ootb_city: "Before" }))
      expect(first.status, first.text).toBe(202)
      const long = (i: number) => `${"x".repeat(250)}${i}`.slice(-255)
      const context = (i: number) => ({ ootb_city: `c${i}`, ootb_address: long(i), ootb_last_name: long(i + 1) })
      // Two customers: the statement writes both, and neither may keep anything.
      const batch = Array.from({ length: 40 }, (_, i) =>
        event(i % 4 === 3 ? `${customer}-b` : customer, 2 + i, context(i)),
      )

      const end = await startFault(fault)
      try {
        const started = performance.now()
        const during = await postEvents(service.baseUrl, key, batch)
        // Behind the lock, after lock_timeout; the server's errors at once.
        expect(performance.now() - started).toBeLessThan(fault === "locked" ? 30_000 : 5_000)
        expect(during.status, during.text).toBe(503)
        expect(during.headers.get("content-type")).toMatch(/^application\/problem\+json/)
        expect((during.body as unknown as { code: string }).code).toBe("unavailable")
        expect(during.headers.get("retry-after")).toMatch(/^\d+$/)
      } finally {
        await end()
      }

      const unchanged = await getCustomer(service.baseUrl, key, customer)
      expect(unchanged.status, unchanged.text).toBe(200)
      expect(unchanged.body.attributes).toEqual({ ootb_city: "Before" })
      expect((await getCustomer(service.baseUrl, key, `${customer}-b`)).status).toBe(404)
      const rows = await db.sql.unsafe(`SELECT count(*)::int AS n FROM "${db.schema}".events WHERE customer LIKE $1`, [
        `${customer}%`,
      ])
      expect(rows[0]?.["n"]).toBe(1)

      const again = await postEvents(service.baseUrl, key, batch)
      expect(again.status, again.text).toBe(202)
      expect(again.body).toMatchObject({ accepted: 40, duplicates: 0, rejected: 0 })
      expect((await getCustomer(service.baseUrl, key, customer)).body.attributes).toEqual(context(38))
      expect((await getCustomer(service.baseUrl, key, `${customer}-b`)).body.attributes).toEqual(context(39))
    })
  }
})
