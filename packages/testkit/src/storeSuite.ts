/**
 * The conformance suite of the storage port (`IngestStore`), written once and
 * run against every driver: memory, SQLite on each runtime, PostgreSQL,
 * Durable Objects. What a driver can do beyond the port's everyday behaviour
 * it declares in `StoreCapabilities`; each test that needs a capability the
 * driver lacks is still declared, skipped, its name saying so (and why, from
 * `StoreCapabilities.without`), so that a driver never has fewer tests in
 * silence. No test is skipped by a driver's name.
 *
 * Reach for it from a driver's test file:
 *
 * ```ts
 * storeConformance("memory", async () => ({ store: makeMemoryStore() }))
 * ```
 *
 * @module
 */
import {
  type AppendStatus,
  foldProfile,
  type IngestStore,
  type NewEvent,
  type StoredEvent,
  StoreError,
} from "@cdp/store"
import fc from "fast-check"
import { afterEach, beforeEach, describe, expect, it } from "vitest"

/**
 * A store under test, fresh and empty, with what the suite may do to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreFixture {
  readonly store: IngestStore
  /**
   * Opens the same data again, after the suite has closed `store` (durable
   * drivers). The suite closes the store it returns.
   */
  readonly reopen?: () => Promise<IngestStore>
  /** Removes what the fixture made (files, schemas), after every store is closed. */
  readonly cleanup?: () => Promise<void>
  /**
   * Makes every later write of the event with this id fail at the driver
   * level, in the middle of whatever batch or transaction carries it, until
   * called with `undefined`. Required by the `faultInjection` capability.
   */
  readonly injectFault?: (id: string | undefined) => void
  /**
   * Starts a fault that every later write meets, ending the one in force
   * (`undefined`: ends it, and the store must work again). Required by each
   * fault that `StoreCapabilities.faults` lists.
   */
  readonly setFault?: (fault: StoreFault | undefined) => Promise<void>
}

/**
 * A fault of the storage under a store, as the suite asks a fixture for it:
 * `io-error` (a write to the storage fails), `disk-full`, `locked` (another
 * connection holds the write lock), `read-only`. During each, every append
 * must reject with `StoreError` `unavailable` (503 at the API) and write
 * nothing; once it ends, the same store object must work again.
 *
 * @since 0.1.0
 * @category models
 */
export type StoreFault = "io-error" | "disk-full" | "locked" | "read-only"

/** Every fault, in the order of their tests. */
const storeFaults: ReadonlyArray<StoreFault> = ["io-error", "disk-full", "locked", "read-only"]

/**
 * What a driver can do beyond the port's everyday behaviour; each flag turns
 * on the tests that need it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreCapabilities {
  /** The data outlives the store: the fixture's `reopen` sees every resolved append. */
  readonly durable?: boolean
  /** The fixture's `injectFault` can fail a write in the middle of a batch. */
  readonly faultInjection?: boolean
  /** Runs of each property-based test (default 100). */
  readonly propertyRuns?: number
  /**
   * What a failed append leaves behind (default `"whole"`): nothing of the
   * batch. `"per-customer"`: nothing of the failing customer's events;
   * each other customer's events of the batch are stored whole or not at
   * all (a store that writes each customer in a place of its own, such as
   * one Durable Object per customer). Used by the `faultInjection` tests.
   */
  readonly batchAtomicity?: "whole" | "per-customer"
  /** The faults the fixture's `setFault` can start. */
  readonly faults?: ReadonlyArray<StoreFault>
  /**
   * Why the driver lacks a capability (`durable`, `faultInjection`, or a
   * fault), shown in the name of each test skipped for it.
   */
  readonly without?: { readonly [K in "durable" | "faultInjection" | StoreFault]?: string }
}

/**
 * A fixture's `injectFault` and `setFault` through a store's own fault
 * switch that takes the suite's fault names (as the SQLite stores opened
 * with `faultInjection` do): `injectFault(id)` is an I/O error that only the
 * event `id` meets, sent without waiting (the switch keeps it in order with
 * the calls that follow).
 *
 * @since 0.1.0
 * @category constructors
 */
export const faultsThrough = (
  inject: (fault: { readonly kind: StoreFault; readonly id?: string } | undefined) => Promise<void>,
): Required<Pick<StoreFixture, "injectFault" | "setFault">> => ({
  injectFault: (id) => {
    void inject(id === undefined ? undefined : { kind: "io-error", id })
  },
  setFault: (fault) => inject(fault === undefined ? undefined : { kind: fault }),
})

// --- event builders -----------------------------------------------------------

const baseMs = Date.UTC(2024, 4, 27, 10, 30, 0)

/**
 * The documented timestamp form of `baseMs + seconds` (fractions allowed, to
 * the microsecond): `YYYY-MM-DD HH:MM:SS.ssssss UTC`.
 */
export const timestampAt = (seconds: number): string => {
  const micros = Math.round(seconds * 1e6)
  const date = new Date(baseMs + Math.floor(micros / 1000))
  const frac = String(((micros % 1e6) + 1e6) % 1e6).padStart(6, "0")
  return `${date.toISOString().slice(0, 19).replace("T", " ")}.${frac} UTC`
}

let idCounter = 0
/** A fresh id in the style of the handler's: a time-ordered prefix, then hex. */
const freshId = (): string => {
  idCounter++
  return `${idCounter.toString(16).padStart(8, "0")}${Math.floor(Math.random() * 0xffffffff)
    .toString(16)
    .padStart(8, "0")}`
}

let customerCounter = 0
/** A customer id that no other test uses. */
const freshCustomer = (label = "customer"): string =>
  `${label}-${++customerCounter}-${Math.random().toString(36).slice(2, 8)}`

/** Builds an accepted event; anything not given gets a fresh or default value. */
export const makeEvent = (
  fields: Partial<Omit<NewEvent, "timestamp">> & { readonly timestamp?: string | number } = {},
): NewEvent => ({
  tenant: fields.tenant ?? 567,
  customer: fields.customer ?? "customerId1",
  id: fields.id ?? freshId(),
  event: fields.event ?? "ootb_user_details_update",
  timestamp:
    typeof fields.timestamp === "number" ? timestampAt(fields.timestamp) : (fields.timestamp ?? timestampAt(0)),
  receivedAt: fields.receivedAt ?? timestampAt(3600),
  context: fields.context ?? {},
})

/** Every event of a customer, page by page; checks each page's shape on the way. */
const listAll = async (store: IngestStore, tenant: number, customer: string, limit: number) => {
  const events: StoredEvent[] = []
  let cursor: string | undefined
  for (let pages = 0; ; pages++) {
    if (pages > 10_000) throw new Error("listEvents never ends")
    const page = await store.listEvents(tenant, customer, { limit, cursor })
    expect(page.events.length).toBeLessThanOrEqual(limit)
    events.push(...page.events)
    if (page.next === null) return events
    expect(page.events.length).toBe(limit)
    cursor = page.next
  }
}

/** The order the port promises: newest timestamp first, ties greatest id first. */
const newestFirst = (a: { timestamp: string; id: string }, b: { timestamp: string; id: string }): number =>
  a.timestamp === b.timestamp ? (a.id < b.id ? 1 : a.id > b.id ? -1 : 0) : a.timestamp < b.timestamp ? 1 : -1

/** The statuses that arrival order implies: the first arrival of an id is accepted. */
const expectedStatuses = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>, known = new Set<string>()) =>
  batches.map((batch) =>
    batch.map((e): AppendStatus => {
      const key = `${e.tenant}\u0000${e.id}`
      if (known.has(key)) return "duplicate"
      known.add(key)
      return "accepted"
    }),
  )

const expectStoreError = async (promise: Promise<unknown>, code: StoreError["code"]): Promise<void> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error, `expected a rejection with StoreError ${code}`).toBeInstanceOf(StoreError)
  expect((error as StoreError).code).toBe(code)
}

// --- the suite ----------------------------------------------------------------

/**
 * Registers the conformance tests of `IngestStore` for one driver. `makeStore`
 * is called before every test and must give a fresh, empty store.
 *
 * @since 0.1.0
 * @category suites
 */
export const storeConformance = (
  name: string,
  makeStore: () => Promise<StoreFixture>,
  capabilities: StoreCapabilities = {},
): void => {
  describe(`IngestStore conformance: ${name}`, () => {
    let fixture: StoreFixture
    /** The store the current test talks to (a reopened one after `reopen`). */
    let store: IngestStore
    const opened: IngestStore[] = []

    beforeEach(async () => {
      fixture = await makeStore()
      store = fixture.store
      opened.push(store)
    })

    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close()
      await fixture.cleanup?.()
    })

    const reopen = async (): Promise<IngestStore> => {
      if (fixture.reopen === undefined) throw new Error(`${name} declares durable but its fixture has no reopen`)
      await store.close()
      store = await fixture.reopen()
      opened.push(store)
      return store
    }

    describe("append", () => {
      it("accepts new events and returns one status per event, in order", async () => {
        const customer = freshCustomer()
        const batch = [1, 2, 3].map((t) => makeEvent({ customer, timestamp: t }))
        expect(await store.append(batch)).toEqual(["accepted", "accepted", "accepted"])
        expect(await store.append([])).toEqual([])
      })

      it("reports an id repeated in the same batch as a duplicate", async () => {
        const customer = freshCustomer()
        const a = makeEvent({ customer, timestamp: 1, context: { ootb_city: "NYC" } })
        const b = makeEvent({ customer, timestamp: 2 })
        const again = { ...a, context: { ootb_city: "Paris" }, timestamp: timestampAt(9) }
        expect(await store.append([a, b, again, b])).toEqual(["accepted", "accepted", "duplicate", "duplicate"])
        const profile = await store.getProfile(a.tenant, customer)
        expect(profile?.attributes).toEqual({ ootb_city: "NYC" })
        expect(profile?.updated_at).toBe(timestampAt(2))
        expect((await listAll(store, a.tenant, customer, 10)).map((e) => e.id).sort()).toEqual([a.id, b.id].sort())
      })

      it("reports an id stored by an earlier batch as a duplicate that changes nothing", async () => {
        const customer = freshCustomer()
        const a = makeEvent({ customer, timestamp: 1, context: { ootb_city: "NYC" } })
        expect(await store.append([a])).toEqual(["accepted"])
        const again = { ...a, timestamp: timestampAt(5), context: { ootb_city: "Paris", ootb_email: "x@y.z" } }
        const fresh = makeEvent({ customer, timestamp: 2 })
        expect(await store.append([again, fresh])).toEqual(["duplicate", "accepted"])
        expect(await store.getProfile(a.tenant, customer)).toEqual({
          tenant: a.tenant,
          customer,
          attributes: { ootb_city: "NYC" },
          updated_at: timestampAt(2),
        })
        const events = await listAll(store, a.tenant, customer, 10)
        expect(events.map((e) => e.id)).toEqual([fresh.id, a.id])
        expect(events[1]?.context).toEqual({ ootb_city: "NYC" })
      })

      it("records every field of an event", async () => {
        const customer = freshCustomer()
        const context = { ootb_email: "a@b.co", ootb_age: 42, ootb_score: 1.5, ootb_allow_sms: false, ootb_city: "" }
        const e = makeEvent({ customer, timestamp: 7.25, receivedAt: timestampAt(8.5), context })
        await store.append([e])
        const page = await store.listEvents(e.tenant, customer, { limit: 10 })
        expect(page).toEqual({
          events: [{ id: e.id, event: e.event, timestamp: e.timestamp, received_at: e.receivedAt, context }],
          next: null,
        })
        expect((await store.getProfile(e.tenant, customer))?.attributes).toEqual(context)
      })

      it("records the context of an event given with its JSON (contextJson, keys in another order)", async () => {
        const customer = freshCustomer()
        // Text some databases cannot hold as it is (NUL, a lone surrogate) comes this way too.
        const context = { ootb_last_name: "O'Brien\u0000", ootb_city: "\ud800x", ootb_is_test: true, ootb_age: 7 }
        const contextJson = JSON.stringify(
          Object.fromEntries(Object.entries(context).sort(([a], [b]) => (a < b ? -1 : 1))),
        )
        const e = { ...makeEvent({ customer, timestamp: 3, context }), contextJson }
        expect(await store.append([e])).toEqual(["accepted"])
        const [stored] = (await store.listEvents(e.tenant, customer, { limit: 10 })).events
        expect(stored?.context).toEqual(context)
        expect((await store.getProfile(e.tenant, customer))?.attributes).toEqual(context)
      })
    })

    describe("tenant isolation", () => {
      it("keeps the same customer id apart in two tenants", async () => {
        const customer = freshCustomer()
        const a = makeEvent({ tenant: 1, customer, timestamp: 1, context: { ootb_city: "NYC" } })
        const b = makeEvent({ tenant: 2, customer, timestamp: 2, context: { ootb_email: "b@b.b" } })
        await store.append([a, b])
        expect(await store.getProfile(1, customer)).toEqual({
          tenant: 1,
          customer,
          attributes: { ootb_city: "NYC" },
          updated_at: timestampAt(1),
        })
        expect(await store.getProfile(2, customer)).toEqual({
          tenant: 2,
          customer,
          attributes: { ootb_email: "b@b.b" },
          updated_at: timestampAt(2),
        })
        expect((await store.listEvents(1, customer, { limit: 10 })).events.map((e) => e.id)).toEqual([a.id])
        expect((await store.listEvents(2, customer, { limit: 10 })).events.map((e) => e.id)).toEqual([b.id])
        expect(await store.getProfile(3, customer)).toBeUndefined()
        expect(await store.listEvents(3, customer, { limit: 10 })).toEqual({ events: [], next: null })
      })

      it("does not count the same event id in another tenant as a duplicate", async () => {
        const customer = freshCustomer()
        const a = makeEvent({ tenant: 1, customer, context: { ootb_city: "NYC" } })
        const b = { ...a, tenant: 2 }
        expect(await store.append([a, b])).toEqual(["accepted", "accepted"])
        const c = { ...a, tenant: 3 }
        expect(await store.append([c, a])).toEqual(["accepted", "duplicate"])
        for (const tenant of [1, 2, 3]) {
          expect((await store.getProfile(tenant, customer))?.attributes).toEqual({ ootb_city: "NYC" })
          expect((await store.listEvents(tenant, customer, { limit: 10 })).events.map((e) => e.id)).toEqual([a.id])
        }
      })
    })

    describe("profile overwrite", () => {
      it("replaces each key present (an empty string too) and leaves absent keys alone", async () => {
        const customer = freshCustomer()
        const tenant = 567
        await store.append([
          makeEvent({ customer, timestamp: 1, context: { ootb_email: "a@b.co", ootb_city: "NYC", ootb_age: 30 } }),
        ])
        await store.append([makeEvent({ customer, timestamp: 2, context: { ootb_city: "", ootb_age: 31 } })])
        expect(await store.getProfile(tenant, customer)).toEqual({
          tenant,
          customer,
          attributes: { ootb_email: "a@b.co", ootb_city: "", ootb_age: 31 },
          updated_at: timestampAt(2),
        })
        await store.append([makeEvent({ customer, timestamp: 3, context: {} })])
        expect(await store.getProfile(tenant, customer)).toEqual({
          tenant,
          customer,
          attributes: { ootb_email: "a@b.co", ootb_city: "", ootb_age: 31 },
          updated_at: timestampAt(3),
        })
      })

      it("records a late older event but keeps the newer values it carries", async () => {
        const customer = freshCustomer()
        const newer = makeEvent({ customer, timestamp: 10, context: { ootb_city: "NYC" } })
        const older = makeEvent({ customer, timestamp: 5, context: { ootb_city: "Paris", ootb_email: "o@o.o" } })
        await store.append([newer])
        expect(await store.append([older])).toEqual(["accepted"])
        expect(await store.getProfile(567, customer)).toEqual({
          tenant: 567,
          customer,
          attributes: { ootb_city: "NYC", ootb_email: "o@o.o" },
          updated_at: timestampAt(10),
        })
        expect((await listAll(store, 567, customer, 10)).map((e) => e.id)).toEqual([newer.id, older.id])
      })

      it("gives an equal timestamp to the later arrival, within a batch and across batches", async () => {
        const customer = freshCustomer()
        // ids chosen so that id order disagrees with arrival order
        const first = makeEvent({ customer, id: "ff01", timestamp: 4, context: { ootb_city: "A", ootb_age: 1 } })
        const second = makeEvent({ customer, id: "0a02", timestamp: 4, context: { ootb_city: "B" } })
        await store.append([first, second])
        expect((await store.getProfile(567, customer))?.attributes).toEqual({ ootb_city: "B", ootb_age: 1 })
        const third = makeEvent({ customer, id: "0003", timestamp: 4, context: { ootb_age: 2 } })
        await store.append([third])
        expect((await store.getProfile(567, customer))?.attributes).toEqual({ ootb_city: "B", ootb_age: 2 })
      })

      it("sets updated_at to the latest timestamp of the customer's events", async () => {
        const customer = freshCustomer()
        await store.append([makeEvent({ customer, timestamp: 3 }), makeEvent({ customer, timestamp: 9 })])
        await store.append([makeEvent({ customer, timestamp: 1, context: { ootb_city: "X" } })])
        const profile = await store.getProfile(567, customer)
        expect(profile?.updated_at).toBe(timestampAt(9))
        expect(profile?.attributes).toEqual({ ootb_city: "X" })
      })

      it("has no profile for a customer without events", async () => {
        expect(await store.getProfile(567, freshCustomer())).toBeUndefined()
      })
    })

    describe("listEvents", () => {
      it("lists newest first, ties by greatest id, and pages through everything exactly once", async () => {
        const customer = freshCustomer()
        // 23 events over 5 timestamps: ties straddle page boundaries.
        const events = Array.from({ length: 23 }, (_, i) =>
          makeEvent({ customer, id: `${(i * 7919) % 1000}`.padStart(4, "0") + `-${i}`, timestamp: (i * 3) % 5 }),
        )
        await store.append(events.slice(0, 10))
        await store.append(events.slice(10))
        await store.append([makeEvent({ customer: freshCustomer(), timestamp: 2 })]) // another customer
        const expected = [...events].sort(newestFirst).map((e) => e.id)
        for (const limit of [1, 2, 3, 5, 10, 22, 23, 24, 100]) {
          const listed = await listAll(store, 567, customer, limit)
          expect(
            listed.map((e) => e.id),
            `limit ${limit}`,
          ).toEqual(expected)
        }
      })

      it("treats a limit below 1 as 1", async () => {
        const customer = freshCustomer()
        const events = [1, 2, 3].map((t) => makeEvent({ customer, timestamp: t }))
        await store.append(events)
        for (const limit of [0, -1, 0.5]) {
          const page = await store.listEvents(567, customer, { limit })
          expect(
            page.events.map((e) => e.id),
            `limit ${limit}`,
          ).toEqual([events[2]!.id])
          expect(page.next).not.toBeNull()
        }
      })

      it("answers an unknown customer with an empty last page", async () => {
        expect(await store.listEvents(567, freshCustomer(), { limit: 10 })).toEqual({ events: [], next: null })
      })

      it("rejects a malformed cursor with StoreError invalid_cursor", async () => {
        const customer = freshCustomer()
        await store.append([makeEvent({ customer, timestamp: 1 }), makeEvent({ customer, timestamp: 2 })])
        const notJson = btoa("not json").replace(/=+$/, "")
        const notAPosition = btoa(JSON.stringify({ a: 1 })).replace(/=+$/, "")
        for (const cursor of ["!!!", "a b", "%%", notJson, notAPosition, "x".repeat(5000)]) {
          await expectStoreError(store.listEvents(567, customer, { limit: 1, cursor }), "invalid_cursor")
        }
      })
    })

    describe("eraseCustomer", () => {
      it("erases the customer's profile and events, and nothing else", async () => {
        const customer = freshCustomer()
        const other = freshCustomer()
        const mine = [makeEvent({ customer, timestamp: 1, context: { ootb_city: "A" } }), makeEvent({ customer })]
        const theirs = makeEvent({ customer: other, context: { ootb_city: "B" } })
        const otherTenant = makeEvent({ tenant: 9, customer, context: { ootb_city: "C" } })
        await store.append([...mine, theirs, otherTenant])
        expect(await store.eraseCustomer(567, customer)).toBe(true)
        expect(await store.getProfile(567, customer)).toBeUndefined()
        expect(await store.listEvents(567, customer, { limit: 10 })).toEqual({ events: [], next: null })
        expect((await store.getProfile(567, other))?.attributes).toEqual({ ootb_city: "B" })
        expect((await store.getProfile(9, customer))?.attributes).toEqual({ ootb_city: "C" })
        expect((await store.listEvents(9, customer, { limit: 10 })).events.map((e) => e.id)).toEqual([otherTenant.id])
        expect(await store.eraseCustomer(567, customer)).toBe(false)
      })

      it("answers false when there is nothing to erase", async () => {
        expect(await store.eraseCustomer(567, freshCustomer())).toBe(false)
      })

      it("forgets the erased event ids: the same events sent again are new", async () => {
        const customer = freshCustomer()
        const e = makeEvent({ customer, context: { ootb_city: "A" } })
        await store.append([e])
        await store.eraseCustomer(e.tenant, customer)
        expect(await store.append([e])).toEqual(["accepted"])
        expect((await store.getProfile(e.tenant, customer))?.attributes).toEqual({ ootb_city: "A" })
      })
    })

    describe("ping and close", () => {
      it("answers ping while open", async () => {
        await expect(store.ping()).resolves.toBeUndefined()
      })

      it("finishes pending appends on close, then refuses work with StoreError unavailable", async () => {
        const customer = freshCustomer()
        const pending = Array.from({ length: 20 }, (_, i) => store.append([makeEvent({ customer, timestamp: i })]))
        await store.close()
        expect(await Promise.all(pending)).toEqual(Array.from({ length: 20 }, () => ["accepted"]))
        await expectStoreError(store.ping(), "unavailable")
        await expectStoreError(store.append([makeEvent({ customer })]), "unavailable")
        await expectStoreError(store.getProfile(567, customer), "unavailable")
        await store.close() // twice is fine
      })
    })

    /**
     * `it` when the driver has the capability; else the same test skipped,
     * its name saying that the driver lacks it, and why.
     */
    const itWith =
      (capability: "durable" | "faultInjection" | StoreFault, has: boolean) =>
      (title: string, fn: () => Promise<void>): void => {
        if (has) it(title, fn)
        else
          it.skip(
            `${title} — not supported by ${name}: ${capabilities.without?.[capability] ?? `the fixture declares no ${capability}`}`,
            fn,
          )
      }

    describe("durability", () => {
      itWith("durable", capabilities.durable === true)(
        "keeps every resolved append across close and reopen",
        async () => {
          const customer = freshCustomer()
          const events = Array.from({ length: 30 }, (_, i) =>
            makeEvent({ customer, timestamp: i % 7, context: { ootb_city: `c${i}`, [`ootb_k${i % 3}`]: i } }),
          )
          await Promise.all(events.map((e) => store.append([e])))
          const profile = await store.getProfile(567, customer)
          const reopened = await reopen()
          expect(await reopened.getProfile(567, customer)).toEqual(profile)
          expect(profile).toEqual({ tenant: 567, customer, ...foldProfile(events) })
          expect((await listAll(reopened, 567, customer, 7)).map((e) => e.id)).toEqual(
            [...events].sort(newestFirst).map((e) => e.id),
          )
          expect(await reopened.append([events[3]!])).toEqual(["duplicate"])
        },
      )
    })

    describe("atomicity", () => {
      const inject = (id: string | undefined) => {
        if (fixture.injectFault === undefined) throw new Error(`${name} declares faultInjection but has no injectFault`)
        fixture.injectFault(id)
      }

      const perCustomer = capabilities.batchAtomicity === "per-customer"
      /** Checks that each customer's events of `batch` are all in `stored` or none; returns the stored ones. */
      const wholePerCustomer = (batch: ReadonlyArray<NewEvent>, stored: ReadonlySet<string>, label: string) => {
        for (const customer of new Set(batch.map((e) => e.customer))) {
          const mine = batch.filter((e) => e.customer === customer).map((e) => stored.has(e.id))
          expect(new Set(mine).size, `${label}: ${customer}'s events stored whole or not at all`).toBe(1)
        }
        return batch.filter((e) => stored.has(e.id))
      }

      itWith("faultInjection", capabilities.faultInjection === true)(
        `writes nothing of ${perCustomer ? "the failing customer's part of " : ""}a batch that fails in its middle`,
        async () => {
          const customer = freshCustomer()
          const before = makeEvent({ customer, timestamp: 1, context: { ootb_city: "Before" } })
          await store.append([before])
          const batch = [
            makeEvent({ customer, timestamp: 5, context: { ootb_city: "A" } }),
            makeEvent({ customer: freshCustomer(), timestamp: 5, context: { ootb_city: "B" } }),
            makeEvent({ customer, timestamp: 6, context: { ootb_email: "c@c.c" } }),
            makeEvent({ customer, timestamp: 7 }),
          ]
          inject(batch[2]!.id)
          await expectStoreError(store.append(batch), "unavailable")
          expect(await store.getProfile(567, customer)).toEqual({
            tenant: 567,
            customer,
            attributes: { ootb_city: "Before" },
            updated_at: timestampAt(1),
          })
          const other = batch[1]!
          const otherStored = perCustomer && (await store.getProfile(567, other.customer)) !== undefined
          if (otherStored) {
            expect((await listAll(store, 567, other.customer, 10)).map((e) => e.id)).toEqual([other.id])
          } else {
            expect(await store.getProfile(567, other.customer)).toBeUndefined()
            expect(await store.listEvents(567, other.customer, { limit: 10 })).toEqual({ events: [], next: null })
          }
          expect((await listAll(store, 567, customer, 10)).map((e) => e.id)).toEqual([before.id])
          inject(undefined)
          // Sent again, what was stored is a duplicate.
          expect(await store.append(batch)).toEqual([
            "accepted",
            otherStored ? "duplicate" : "accepted",
            "accepted",
            "accepted",
          ])
          expect((await store.getProfile(567, customer))?.attributes).toEqual({ ootb_city: "A", ootb_email: "c@c.c" })
        },
      )

      itWith("faultInjection", capabilities.faultInjection === true)(
        "keeps concurrent batches whole: each resolves with all its events stored or rejects with none",
        async () => {
          const customers = [freshCustomer(), freshCustomer(), freshCustomer()]
          const batches = Array.from({ length: 30 }, (_, i) =>
            Array.from({ length: 3 }, (_, j) =>
              makeEvent({ customer: customers[(i + j) % 3]!, timestamp: i, context: { ootb_city: `${i}-${j}` } }),
            ),
          )
          const poisoned = batches[13]!
          inject(poisoned[1]!.id)
          const outcomes = await Promise.allSettled(batches.map((b) => store.append(b)))
          expect(outcomes[13]?.status).toBe("rejected")
          const stored = new Set<string>()
          for (const c of customers) for (const e of await listAll(store, 567, c, 50)) stored.add(e.id)
          const delivered: NewEvent[] = []
          outcomes.forEach((outcome, i) => {
            const ids = batches[i]!.map((e) => e.id)
            if (outcome.status === "fulfilled") {
              expect(outcome.value).toEqual(["accepted", "accepted", "accepted"])
              for (const id of ids) expect(stored.has(id), `batch ${i} resolved: ${id} stored`).toBe(true)
              delivered.push(...batches[i]!)
            } else {
              expect(outcome.reason).toBeInstanceOf(StoreError)
              if (perCustomer) {
                expect(stored.has(poisoned[1]!.id), `batch ${i} rejected: its failing event not stored`).toBe(false)
                delivered.push(...wholePerCustomer(batches[i]!, stored, `batch ${i} rejected`))
              } else {
                for (const id of ids) expect(stored.has(id), `batch ${i} rejected: ${id} not stored`).toBe(false)
              }
            }
          })
          for (const c of customers) {
            const expected = foldProfile(delivered.filter((e) => e.customer === c))
            expect(await store.getProfile(567, c)).toEqual(expected && { tenant: 567, customer: c, ...expected })
          }
        },
      )
    })

    describe("faults", () => {
      // Large enough that each event needs pages the database does not have
      // yet: a store whose disk is full cannot take it in free space.
      const large = "x".repeat(24_000)
      const labels: Record<StoreFault, string> = {
        "io-error": "I/O error",
        "disk-full": "disk full",
        locked: "locked by another connection",
        "read-only": "read-only database",
      }

      /** A read made during a fault: the state from before it, or `StoreError` `unavailable`. */
      const beforeOrUnavailable = async (read: Promise<unknown>, before: unknown, label: string) => {
        const outcome = await read.then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        )
        if ("value" in outcome) expect(outcome.value, label).toEqual(before)
        else {
          expect(outcome.error, label).toBeInstanceOf(StoreError)
          expect((outcome.error as StoreError).code, label).toBe("unavailable")
        }
      }

      for (const fault of storeFaults) {
        itWith(fault, capabilities.faults?.includes(fault) === true)(
          `fault: ${labels[fault]}: appends reject with StoreError unavailable, nothing half-written remains, the same store works once it ends`,
          async () => {
            const setFault = fixture.setFault
            if (setFault === undefined) throw new Error(`${name} declares the fault ${fault} but has no setFault`)
            const customer = freshCustomer()
            const other = freshCustomer()
            const before = makeEvent({ customer, timestamp: 1, context: { ootb_city: "Before" } })
            expect(await store.append([before])).toEqual(["accepted"])
            const profileBefore = await store.getProfile(567, customer)
            const batch = [
              makeEvent({ customer, timestamp: 5, context: { ootb_city: "A", ootb_address: large } }),
              makeEvent({ customer: other, timestamp: 5, context: { ootb_city: "B", ootb_address: large } }),
              makeEvent({ customer, timestamp: 6, context: { ootb_email: "c@c.c", ootb_address: `${large}6` } }),
            ]
            // Sent at once: a store may write them in one transaction.
            const singles = [7, 8, 9].map((t) => [
              makeEvent({ customer, timestamp: t, context: { ootb_age: t, ootb_address: `${large}${t}` } }),
            ])

            await setFault(fault)
            try {
              await expectStoreError(store.append(batch), "unavailable")
              const outcomes = await Promise.allSettled(singles.map((b) => store.append(b)))
              outcomes.forEach((outcome, i) => {
                expect(outcome.status, `concurrent append ${i} during the fault`).toBe("rejected")
                const reason = (outcome as PromiseRejectedResult).reason as unknown
                expect(reason, `concurrent append ${i}`).toBeInstanceOf(StoreError)
                expect((reason as StoreError).code).toBe("unavailable")
              })
              await beforeOrUnavailable(store.getProfile(567, customer), profileBefore, "profile during the fault")
              await beforeOrUnavailable(
                store.listEvents(567, other, { limit: 10 }),
                { events: [], next: null },
                "the other customer's events during the fault",
              )
            } finally {
              await setFault(undefined)
            }

            // Nothing of the failed appends, once the fault has ended.
            expect(await store.getProfile(567, customer)).toEqual(profileBefore)
            expect((await listAll(store, 567, customer, 10)).map((e) => e.id)).toEqual([before.id])
            expect(await store.getProfile(567, other)).toBeUndefined()
            expect(await store.listEvents(567, other, { limit: 10 })).toEqual({ events: [], next: null })

            // The same store object, without a restart: everything sent again is new.
            await store.ping()
            expect(await store.append(batch)).toEqual(["accepted", "accepted", "accepted"])
            for (const single of singles) expect(await store.append(single)).toEqual(["accepted"])
            expect(await store.getProfile(567, customer)).toEqual({
              tenant: 567,
              customer,
              attributes: { ootb_city: "A", ootb_email: "c@c.c", ootb_age: 9, ootb_address: `${large}9` },
              updated_at: timestampAt(9),
            })
            expect((await store.getProfile(567, other))?.attributes).toEqual({ ootb_city: "B", ootb_address: large })
            expect((await listAll(store, 567, customer, 10)).map((e) => e.id).sort()).toEqual(
              [before, batch[0]!, batch[2]!, ...singles.flat()].map((e) => e.id).sort(),
            )
          },
        )
      }
    })

    describe("concurrency", () => {
      it("resolves many concurrent appends and folds them in call order", async () => {
        const customers = [freshCustomer(), freshCustomer()]
        const calls = Array.from({ length: 200 }, (_, i) => {
          const customer = customers[i % 2]!
          const e = makeEvent({ customer, timestamp: i % 4, context: { ootb_city: `c${i}`, [`ootb_k${i % 5}`]: i } })
          return i % 10 === 9 ? [e, makeEvent({ customer, timestamp: 1, context: { ootb_age: i } })] : [e]
        })
        // some calls repeat an earlier call's event
        for (let i = 20; i < 200; i += 20) calls[i] = [...calls[i]!, calls[i - 7]![0]!]
        const statuses = await Promise.all(calls.map((batch) => store.append(batch)))
        expect(statuses).toEqual(expectedStatuses(calls))
        for (const customer of customers) {
          const arrived = calls.flat().filter((e) => e.customer === customer)
          expect(await store.getProfile(567, customer)).toEqual({ tenant: 567, customer, ...foldProfile(arrived) })
          const ids = new Set(arrived.map((e) => e.id))
          expect((await listAll(store, 567, customer, 37)).length).toBe(ids.size)
        }
      })
    })

    describe("property: any delivery folds like foldProfile", () => {
      const keys = ["ootb_city", "ootb_email", "ootb_age", "ootb_allow_sms"] as const
      const value = fc.oneof(
        fc.constant(""),
        fc.string({ maxLength: 6 }),
        fc.integer({ min: -1000, max: 1000 }),
        fc.constantFrom(0.5, 2.25, 1e21),
        fc.boolean(),
      )
      const eventSpec = fc.record({
        // few distinct timestamps: many ties
        second: fc.integer({ min: 0, max: 5 }),
        context: fc.dictionary(fc.constantFrom(...keys), value, { maxKeys: keys.length }),
      })
      const scenario = fc.array(eventSpec, { minLength: 1, maxLength: 12 }).chain((specs) =>
        fc.record({
          specs: fc.constant(specs),
          // random order, with repeats (duplicates), maybe leaving some out
          delivery: fc.array(fc.nat(specs.length - 1), { minLength: 1, maxLength: specs.length * 2 }),
          cuts: fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 24 }),
          concurrent: fc.boolean(),
        }),
      )

      it("ends in the profile foldProfile computes, with every distinct id stored once", async () => {
        await fc.assert(
          fc.asyncProperty(scenario, async ({ specs, delivery, cuts, concurrent }) => {
            const customer = freshCustomer("prop")
            const events = specs.map((s) => makeEvent({ customer, timestamp: s.second, context: s.context }))
            const delivered = delivery.map((i) => events[i]!)
            const batches: NewEvent[][] = []
            for (let at = 0, c = 0; at < delivered.length; c++) {
              const size = cuts[c % cuts.length]!
              batches.push(delivered.slice(at, at + size))
              at += size
            }
            const statuses = concurrent
              ? await Promise.all(batches.map((b) => store.append(b)))
              : await batches.reduce<Promise<ReadonlyArray<AppendStatus>[]>>(
                  async (acc, b) => [...(await acc), await store.append(b)],
                  Promise.resolve([]),
                )
            expect(statuses).toEqual(expectedStatuses(batches))
            const expected = foldProfile(delivered)
            expect(await store.getProfile(567, customer)).toEqual(expected && { tenant: 567, customer, ...expected })
            const listed = await listAll(store, 567, customer, 3)
            const distinct = [...new Set(delivered.map((e) => e.id))]
            expect(listed.map((e) => e.id).sort()).toEqual(distinct.sort())
            expect(listed.map((e) => e.id)).toEqual([...listed].sort(newestFirst).map((e) => e.id))
          }),
          { numRuns: capabilities.propertyRuns ?? 100 },
        )
      })
    })
  })
}
