/**
 * A service's answers while PostgreSQL under it fails, black-box: the real
 * service process on a schema of its own (`INGEST_DB` a `postgres://` URL,
 * the store's default lock_timeout, as deployed), the faults caused on the
 * database's side (`postgresFaults.ts`): another session holding a lock on
 * the events table, and the server's own errors for an I/O error, a full
 * disk and a read-only server (a standby after a failover). During each a
 * POST answers 503 `unavailable` with Retry-After and stores nothing; once
 * it ends the same process accepts it. One suite for every runtime that
 * serves on PostgreSQL; its tests are named `fault: …`.
 *
 * @module
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { getCustomer, postEvents } from "./http/ApiClient.ts"
import { holdTableLock, installServerFaults, setServerFault } from "./postgresFaults.ts"
import { freshSchema, type TestSchema } from "./postgresSchema.ts"
import type { ServerProcess } from "./serverProcess.ts"
import { makeWorkspace, type ServiceSetup, type Workspace } from "./serviceWorkspace.ts"
import type { StoreFault } from "./storeSuite.ts"

/**
 * Registers the fault tests of the service `start` runs (`env` holds
 * `INGEST_DB` and `INGEST_CONFIG`); `label` names its workspace and schema.
 *
 * @since 0.2.0
 * @category suites
 */
export const postgresFaultSuite = (name: string, options: Pick<ServiceSetup, "label" | "start">): void => {
  describe(`faults of PostgreSQL, through the ${name} service`, () => {
    let ws: Workspace | undefined
    let db: TestSchema | undefined
    let service: ServerProcess | undefined

    beforeAll(async () => {
      ws = await makeWorkspace(options.label)
      db = freshSchema(options.label.replace(/[^a-z0-9_]/g, "_"))
      service = await options.start(ws, { INGEST_DB: db.url, INGEST_CONFIG: ws.config })
      // The service has migrated the schema at start-up: the triggers go on its tables.
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

    /** Starts `fault` on the database's side; resolves with what ends it. */
    const startFault = async (fault: StoreFault, at: TestSchema): Promise<() => Promise<void>> => {
      if (fault === "locked") return holdTableLock(at.sql, at.schema)
      await setServerFault(at.sql, at.schema, fault)
      return () => setServerFault(at.sql, at.schema, undefined)
    }

    for (const fault of ["io-error", "disk-full", "locked", "read-only"] as const) {
      it(`fault: ${fault}: POST answers 503 unavailable and stores nothing; the same process accepts it once the fault ends`, async () => {
        if (service === undefined || db === undefined || ws === undefined) throw new Error(`${name}: did not start`)
        const { baseUrl } = service
        const { key, id: tenant } = ws.tenants[0]!
        const event = (customer: string, second: number, context: Record<string, unknown>) => ({
          tenant,
          timestamp: `2024-05-27 10:${String(30 + Math.floor(second / 60))}:${String(second % 60).padStart(2, "0")}.000000 UTC`,
          event: "ootb_user_details_update",
          customer,
          context,
        })
        const customer = `faulty-${fault}`
        const first = await postEvents(baseUrl, key, event(customer, 1, { ootb_city: "Before" }))
        expect(first.status, first.text).toBe(202)
        const long = (i: number) => `${"x".repeat(250)}${i}`.slice(-255)
        const context = (i: number) => ({ ootb_city: `c${i}`, ootb_address: long(i), ootb_last_name: long(i + 1) })
        // Two customers: the statement writes both, and neither may keep anything.
        const batch = Array.from({ length: 40 }, (_, i) =>
          event(i % 4 === 3 ? `${customer}-b` : customer, 2 + i, context(i)),
        )

        const end = await startFault(fault, db)
        try {
          const started = performance.now()
          const during = await postEvents(baseUrl, key, batch)
          // Behind the lock, after lock_timeout (5 s); the server's errors at once.
          expect(performance.now() - started).toBeLessThan(fault === "locked" ? 30_000 : 5_000)
          expect(during.status, during.text).toBe(503)
          expect(during.headers.get("content-type")).toMatch(/^application\/problem\+json/)
          expect((during.body as unknown as { code: string }).code).toBe("unavailable")
          expect(during.headers.get("retry-after")).toMatch(/^\d+$/)
        } finally {
          await end()
        }

        const unchanged = await getCustomer(baseUrl, key, customer)
        expect(unchanged.status, unchanged.text).toBe(200)
        expect(unchanged.body.attributes).toEqual({ ootb_city: "Before" })
        expect((await getCustomer(baseUrl, key, `${customer}-b`)).status).toBe(404)
        const rows = await db.sql.unsafe(
          `SELECT count(*)::int AS n FROM "${db.schema}".events WHERE customer LIKE $1`,
          [`${customer}%`],
        )
        expect(rows[0]?.["n"]).toBe(1)

        const again = await postEvents(baseUrl, key, batch)
        expect(again.status, again.text).toBe(202)
        expect(again.body).toMatchObject({ accepted: 40, duplicates: 0, rejected: 0 })
        expect((await getCustomer(baseUrl, key, customer)).body.attributes).toEqual(context(38))
        expect((await getCustomer(baseUrl, key, `${customer}-b`)).body.attributes).toEqual(context(39))
      })
    }
  })
}
