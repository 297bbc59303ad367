/**
 * The Node service's answers while the storage under it fails: the app as
 * main.ts builds it, served over real HTTP by @hono/node-server, on
 * better-sqlite3 on its database thread, opened with `faultInjection` so
 * that each fault (I/O error, disk full, locked, read-only) is caused on
 * that thread. During a fault a POST answers 503 `unavailable` with
 * Retry-After and writes nothing; once it ends the same process accepts it.
 */
import { createHash } from "node:crypto"
import { mkdtemp, rm } from "node:fs/promises"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeApp, parseConfig } from "@cdp/ingest"
import { openBetterSqliteStoreOnWorker } from "@cdp/store-sqlite/better-sqlite3"
import type { StoreFault } from "@cdp/testkit"
import { getCustomer, postEvents } from "@cdp/testkit"
import { serve } from "@hono/node-server"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const key = "faults-test-key"
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")

let baseUrl: string
let injectFault: (fault: { readonly kind: StoreFault } | undefined) => Promise<void>
let stop: () => Promise<void> = async () => undefined

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), "cdp-node-faults-"))
  const store = await openBetterSqliteStoreOnWorker(join(dir, "ingest.db"), {
    faultInjection: true,
    busyTimeoutMs: 250,
  })
  injectFault = store.injectFault!
  const config = parseConfig({ tenants: [{ id: 567, keys: [sha256(key)] }] }, "faults.test.ts")
  const app = makeApp({ store, config, sha256 })
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" })
  await new Promise<void>((resolve) => server.once("listening", () => resolve()))
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  stop = async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await store.close()
    await rm(dir, { recursive: true, force: true })
  }
})

afterAll(() => stop())

const event = (customer: string, second: number, context: Record<string, unknown>) => ({
  tenant: 567,
  timestamp: `2024-05-27 10:${String(30 + Math.floor(second / 60))}:${String(second % 60).padStart(2, "0")}.000000 UTC`,
  event: "ootb_user_details_update",
  customer,
  context,
})

describe("faults of the storage, through the Node service", () => {
  for (const fault of ["io-error", "disk-full", "locked", "read-only"] as const) {
    it(`fault: ${fault}: POST answers 503 unavailable and writes nothing; the same process accepts it once the fault ends`, async () => {
      const customer = `faulty-${fault}`
      const first = await postEvents(baseUrl, key, event(customer, 1, { ootb_city: "Before" }))
      expect(first.status, first.text).toBe(202)
      // ~1 KB an event, 40 KB a batch: more than the free space of the file's pages (disk full).
      const long = (i: number) => `${"x".repeat(250)}${i}`.slice(-255)
      const context = (i: number) => ({
        ootb_city: `c${i}`,
        ootb_address: long(i),
        ootb_first_name: long(i + 1),
        ootb_last_name: long(i + 2),
        ootb_alias: long(i + 3),
      })
      const batch = Array.from({ length: 40 }, (_, i) => event(customer, 2 + i, context(i)))

      await injectFault({ kind: fault })
      try {
        const during = await postEvents(baseUrl, key, batch)
        expect(during.status, during.text).toBe(503)
        expect(during.headers.get("content-type")).toMatch(/^application\/problem\+json/)
        expect((during.body as unknown as { code: string }).code).toBe("unavailable")
        expect(during.headers.get("retry-after")).toMatch(/^\d+$/)
      } finally {
        await injectFault(undefined)
      }

      const unchanged = await getCustomer(baseUrl, key, customer)
      expect(unchanged.status, unchanged.text).toBe(200)
      expect(unchanged.body.attributes).toEqual({ ootb_city: "Before" })
      const again = await postEvents(baseUrl, key, batch)
      expect(again.status, again.text).toBe(202)
      expect(again.body).toMatchObject({ accepted: 40, duplicates: 0, rejected: 0 })
      const after = await getCustomer(baseUrl, key, customer)
      expect(after.body.attributes).toEqual(context(39))
    })
  }
})
