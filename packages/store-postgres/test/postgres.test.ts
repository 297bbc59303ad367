/**
 * What the conformance suite cannot say about the PostgreSQL store: many
 * pools (as many processes) on one schema, migrations raced at start-up,
 * strings PostgreSQL cannot hold, the key order of encoded stamps, group
 * commit, a batch at fault in a group, lost races retried, locks held
 * elsewhere (lock_timeout), the server's own errors for storage faults, and
 * the database going away and coming back. All on the real server.
 */
import { type AppendStatus, type NewEvent, StoreError } from "@cdp/store"
import { concurrentFoldComplaints, makeEvent, type ObservedEvent, timestampAt } from "@cdp/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { classifyPostgresError, isRetryableConflict } from "../src/classifyPostgresError.ts"
import { encodeGroup } from "../src/encodeEvents.ts"
import { MIGRATION_LOCK_CLASS, migrations } from "../src/migrations.ts"
import { openPostgresStore } from "../src/openPostgresStore.ts"
import type { PostgresStore } from "../src/PostgresStore.ts"
import {
  adminClient,
  dropSchema,
  freshSchema,
  holdTableLock,
  installFaultTrigger,
  installServerFaults,
  postgresUrl,
  type ServerFault,
  setServerFault,
} from "./support.ts"
import { startTcpProxy } from "./tcpProxy.ts"

const admin = adminClient()
const schemas: string[] = []
const stores: PostgresStore[] = []
const schema = (label: string): string => {
  const s = freshSchema(label)
  schemas.push(s)
  return s
}
const open = async (s: string, url = postgresUrl, options = {}): Promise<PostgresStore> => {
  const store = await openPostgresStore(url, { schema: s, ...options })
  stores.push(store)
  return store
}
afterAll(async () => {
  for (const store of stores) await store.close()
  for (const s of schemas) await dropSchema(admin, s)
  await admin.end()
})

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  )

describe("migrations", () => {
  it("are applied exactly once when several processes open a new schema at once", async () => {
    const s = schema("migrate")
    const opened = await Promise.all(Array.from({ length: 6 }, () => open(s)))
    const applied = opened.flatMap((store) => store.migrated)
    expect(applied).toEqual(migrations.map((m) => m.version))
    const rows = await admin.unsafe(`SELECT version FROM "${s}".schema_migrations ORDER BY version`)
    expect(rows.map((r) => r["version"])).toEqual(migrations.map((m) => m.version))
    expect((await open(s)).migrated).toEqual([])
  })

  it("wait for another process's migrations longer than lock_timeout", async () => {
    const s = schema("migrate_wait")
    // Another process migrating: it holds the schema's advisory lock for a while.
    const other = await admin.reserve()
    try {
      await other.unsafe("BEGIN")
      await other.unsafe("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_CLASS, s])
      let settled = false
      const opening = open(s, postgresUrl, { lockTimeoutMs: 100, startupTimeoutMs: 0 }).finally(() => {
        settled = true
      })
      await new Promise((r) => setTimeout(r, 800))
      expect(settled, "opening waits for the lock").toBe(false)
      await other.unsafe("ROLLBACK")
      const store = await opening
      expect(store.migrated).toEqual(migrations.map((m) => m.version))
      expect(store.lockTimeout).toBe("100ms")
    } finally {
      other.release()
    }
  })

  it("lead every key and index with tenant", async () => {
    const s = schema("layout")
    await open(s)
    const indexes = await admin.unsafe(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('events', 'profiles')`,
      [s],
    )
    expect(indexes.length).toBe(3)
    for (const index of indexes) expect(String(index["indexdef"])).toMatch(/USING btree \(tenant, /)
  })
})

describe("durable commits", () => {
  it("run with synchronous_commit on, also for a role whose default is off", async () => {
    expect((await open(schema("durable"))).synchronousCommit).toBe("on")
    const role = `cdp_test_async_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
    await admin.unsafe(`CREATE ROLE "${role}" LOGIN`)
    try {
      await admin.unsafe(`ALTER ROLE "${role}" SET synchronous_commit = off`)
      await admin.unsafe(`GRANT CREATE ON DATABASE "${new URL(postgresUrl).pathname.slice(1)}" TO "${role}"`)
      const url = new URL(postgresUrl)
      url.username = role
      const s = schema("async")
      const store = await openPostgresStore(url.toString(), { schema: s })
      try {
        expect(store.synchronousCommit).toBe("on")
        expect(await store.append([makeEvent({ customer: "durable" })])).toEqual(["accepted"])
      } finally {
        await store.close()
        await dropSchema(admin, s)
      }
    } finally {
      await admin.unsafe(`REVOKE ALL ON DATABASE "${new URL(postgresUrl).pathname.slice(1)}" FROM "${role}"`)
      await admin.unsafe(`DROP ROLE "${role}"`)
    }
  })
})

describe("text PostgreSQL cannot hold", () => {
  it("stores NUL, lone surrogates and U+FFFF in customers and values, and gives them back unchanged", async () => {
    const store = await open(schema("text"))
    const odd = ["a\u0000b", "\ud800x", "y\udc00", "\uffff", "\uffff0000", "é😀", "a\\u0000"]
    for (const customer of odd) {
      const context = Object.fromEntries(odd.map((v, i) => [`ootb_k${i}`, v]))
      const e = makeEvent({ customer, timestamp: 1, context })
      expect(await store.append([e])).toEqual(["accepted"])
      expect(await store.append([e])).toEqual(["duplicate"])
      const profile = await store.getProfile(567, customer)
      expect(profile).toEqual({ tenant: 567, customer, attributes: context, updated_at: timestampAt(1) })
      const page = await store.listEvents(567, customer, { limit: 5 })
      expect(page.events.map((x) => [x.id, x.context])).toEqual([[e.id, context]])
    }
    // Escaped forms never meet: each customer has exactly its own event.
    for (const customer of odd) expect((await store.listEvents(567, customer, { limit: 5 })).events.length).toBe(1)
    expect(await store.eraseCustomer(567, "a\u0000b")).toBe(true)
    expect(await store.getProfile(567, "a\u0000b")).toBeUndefined()
    expect(await store.getProfile(567, "\uffff0000")).toBeDefined()
  })
})

describe("encoding", () => {
  it("writes stamps with their keys in the order jsonb keeps them (shorter UTF-8 first, then bytewise)", async () => {
    // é is one UTF-16 unit but two UTF-8 bytes; the emoji two units, four bytes.
    const context = { ootb_email: 1, b: 2, é: 3, aa: 4, z: 5, ab: 6, "\u{1F600}": 7, "\uE000": 8, ootb_city: 9 }
    const { params } = encodeGroup([[makeEvent({ context })]])
    const stamps = params[7]!.slice(1, -1) // the one element of the JSON array
    const written = [...stamps.matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string)
    const [row] = await admin`
      SELECT json_agg(k ORDER BY n)::text AS keys FROM jsonb_object_keys(${stamps}::text::jsonb) WITH ORDINALITY AS j(k, n)`
    expect(written).toEqual(JSON.parse(row!.keys as string))
    expect(written).toEqual(["b", "z", "aa", "ab", "é", "\uE000", "\u{1F600}", "ootb_city", "ootb_email"])
  })
})

describe("group commit", () => {
  it("commits concurrent appends together, in fewer statements than calls", async () => {
    const store = await open(schema("group"))
    const customer = "grouped"
    const calls = Array.from({ length: 100 }, (_, i) =>
      store.append([makeEvent({ customer, timestamp: i, context: { ootb_city: `c${i}` } })]),
    )
    expect(await Promise.all(calls)).toEqual(calls.map(() => ["accepted"]))
    expect(store.stats.batches).toBe(100)
    expect(store.stats.commits).toBeLessThan(20)
    expect((await store.getProfile(567, customer))?.attributes).toEqual({ ootb_city: "c99" })
  })

  it("rejects only the batch at fault when a group fails on its data", async () => {
    const s = schema("split")
    const store = await open(s)
    await installFaultTrigger(admin, s)
    // A data error this time (22023), not an I/O error: the group is retried batch by batch.
    await admin.unsafe(
      `CREATE OR REPLACE FUNCTION "${s}".fail_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.id = (SELECT id FROM "${s}".fault) THEN RAISE EXCEPTION 'bad value' USING ERRCODE = '22023'; END IF;
         RETURN NEW;
       END $$`,
    )
    const batches = Array.from({ length: 20 }, (_, i) =>
      [0, 1].map((j) => makeEvent({ customer: `split-${i % 4}`, timestamp: i, context: { ootb_city: `${i}-${j}` } })),
    )
    await admin.unsafe(`UPDATE "${s}".fault SET id = $1`, [batches[7]![1]!.id])
    const outcomes = await Promise.allSettled(batches.map((b) => store.append(b)))
    outcomes.forEach((outcome, i) => {
      if (i === 7) {
        expect(outcome.status).toBe("rejected")
        expect((outcome as PromiseRejectedResult).reason).not.toBeInstanceOf(StoreError)
      } else expect(outcome).toEqual({ status: "fulfilled", value: ["accepted", "accepted"] })
    })
    expect(store.stats.splitGroups).toBeGreaterThan(0)
    const ids = await admin.unsafe(`SELECT id FROM "${s}".events`)
    expect(ids.length).toBe(38)
    expect(ids.map((r) => r["id"])).not.toContain(batches[7]![0]!.id)
  })
})

/** Appends through several stores at once and records, per event, its accepted send (see concurrentFold.ts). */
const hammer = async (
  writers: ReadonlyArray<PostgresStore>,
  events: ReadonlyArray<NewEvent>,
  clients: number,
): Promise<{ observed: Map<string, ObservedEvent & { customer: string }>; statuses: Map<string, AppendStatus[]> }> => {
  const observed = new Map<string, ObservedEvent & { customer: string }>()
  const statuses = new Map<string, AppendStatus[]>()
  let next = 0
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      for (let k = 0; next < events.length; k++) {
        const at = next
        // 1 to 3 events per call; every 5th call repeats an earlier event (a retry, on another writer).
        const size = 1 + ((at + client) % 3)
        next += size
        const batch = events.slice(at, at + size)
        if (k % 5 === 4 && at > 0) batch.push(events[(at * 7) % at]!)
        const writer = writers[(client + k) % writers.length]!
        const sentAt = performance.now()
        const result = await writer.append(batch)
        const ackAt = performance.now()
        batch.forEach((e, i) => {
          statuses.set(e.id, [...(statuses.get(e.id) ?? []), result[i]!])
          if (result[i] === "accepted") observed.set(e.id, { ...e, sentAt, ackAt })
        })
      }
    }),
  )
  return { observed, statuses }
}

/**
 * Events for a few customers, each attribute value unique. Six timestamps
 * (many ties); even events grow newer along the run, odd ones older, so late
 * arrivals of old events meet newer profiles all along.
 */
const contendedEvents = (count: number, customers: ReadonlyArray<string>): NewEvent[] =>
  Array.from({ length: count }, (_, i) => {
    const keys = ["ootb_city", "ootb_first_name", "ootb_last_name", "ootb_alias"].filter(
      (_, k) => (i + k + Math.floor(i / customers.length)) % 3 !== 0,
    )
    return makeEvent({
      customer: customers[i % customers.length]!,
      timestamp: Math.floor(((i % 2 === 0 ? i : count - 1 - i) * 6) / count),
      context: Object.fromEntries(keys.map((key) => [key, `v${i}`])),
    })
  })

const checkFold = async (
  store: PostgresStore,
  s: string,
  customers: ReadonlyArray<string>,
  run: Awaited<ReturnType<typeof hammer>>,
  sent: number,
) => {
  for (const [id, list] of run.statuses) {
    expect(list.filter((x) => x === "accepted").length, `${id} accepted exactly once`).toBe(1)
  }
  expect(run.observed.size).toBe(sent)
  const rows = await admin.unsafe(`SELECT id, count(*)::int AS n FROM "${s}".events GROUP BY id`)
  expect(rows.length).toBe(sent)
  expect(rows.every((r) => r["n"] === 1)).toBe(true)
  for (const customer of customers) {
    const mine = [...run.observed.values()].filter((e) => e.customer === customer)
    expect(concurrentFoldComplaints(mine, await store.getProfile(567, customer)), customer).toEqual([])
  }
}

describe("several processes on one database", () => {
  it("end every profile in the fold, with every event stored once, whatever the interleaving", async () => {
    const s = schema("shared")
    const writers = await Promise.all(Array.from({ length: 4 }, () => open(s)))
    const customers = ["c-1", "c-2", "c-3"]
    const events = contendedEvents(600, customers)
    const run = await hammer(writers, events, 16)
    await checkFold(writers[0]!, s, customers, run, events.length)
  })

  it("retry the writes that lose a race under repeatable read (serialization failures), then fold right", async () => {
    const s = schema("serial")
    await open(s) // migrate first, at the default isolation
    const url = `${postgresUrl}?default_transaction_isolation=${encodeURIComponent("repeatable read")}`
    const writers = await Promise.all(Array.from({ length: 3 }, () => open(s, url, { conflictRetries: 50 })))
    const customers = ["hot"]
    const events = contendedEvents(240, customers)
    const run = await hammer(writers, events, 9)
    expect(writers.reduce((n, w) => n + w.stats.conflictRetries, 0)).toBeGreaterThan(0)
    await checkFold(writers[0]!, s, customers, run, events.length)
  })
})

describe("the database going away", () => {
  it("fails fast with StoreError unavailable, writes nothing half, and reconnects by itself", async () => {
    const target = new URL(postgresUrl)
    const proxy = await startTcpProxy(target.hostname, Number(target.port || 5432))
    try {
      const via = new URL(postgresUrl)
      via.port = String(proxy.port)
      const s = schema("outage")
      const store = await open(s, via.toString())
      const before = makeEvent({ customer: "outage", timestamp: 1, context: { ootb_city: "A" } })
      expect(await store.append([before])).toEqual(["accepted"])

      // Batches in flight while the connection drops: each is all there or not at all.
      const batches = Array.from({ length: 30 }, (_, i) =>
        [0, 1, 2].map((j) => makeEvent({ customer: `outage-${i % 3}`, timestamp: i, context: { ootb_city: `${j}` } })),
      )
      const inFlight = batches.map((b) => store.append(b))
      await proxy.cut()
      const outcomes = await Promise.allSettled(inFlight)

      const started = performance.now()
      const attempts = [
        store.append([makeEvent({ customer: "outage" })]),
        store.getProfile(567, "outage"),
        store.listEvents(567, "outage", { limit: 5 }),
        store.eraseCustomer(567, "outage"),
        store.ping(),
      ].map(rejection)
      for (const error of await Promise.all(attempts)) {
        expect(error).toBeInstanceOf(StoreError)
        expect((error as StoreError).code).toBe("unavailable")
      }
      expect(performance.now() - started).toBeLessThan(15_000)

      await proxy.restore()
      const deadline = Date.now() + 10_000
      for (;;) {
        try {
          await store.ping()
          break
        } catch (error) {
          if (Date.now() > deadline) throw error
          await new Promise((r) => setTimeout(r, 100))
        }
      }
      const after = makeEvent({ customer: "outage", timestamp: 2, context: { ootb_email: "a@b.co" } })
      expect(await store.append([after])).toEqual(["accepted"])

      const stored = new Set((await admin.unsafe(`SELECT id FROM "${s}".events`)).map((r) => String(r["id"])))
      outcomes.forEach((outcome, i) => {
        const present = batches[i]!.map((e) => stored.has(e.id))
        if (outcome.status === "fulfilled") expect(present, `batch ${i} resolved`).toEqual([true, true, true])
        else {
          expect(outcome.reason).toBeInstanceOf(StoreError)
          // Rejected: none of it, or (commit done, answer lost) all of it.
          expect([0, 3], `batch ${i} rejected`).toContain(present.filter(Boolean).length)
        }
      })
      expect(stored.has(before.id) && stored.has(after.id)).toBe(true)
    } finally {
      await proxy.close()
    }
  })

  it("refuses to open on a server that is not there, with StoreError unavailable", async () => {
    const proxy = await startTcpProxy("127.0.0.1", 1)
    await proxy.close() // a port nobody listens on
    const error = await rejection(
      openPostgresStore(`postgres://postgres@127.0.0.1:${proxy.port}/test`, { startupTimeoutMs: 0 }),
    )
    expect(error).toBeInstanceOf(StoreError)
    expect((error as StoreError).code).toBe("unavailable")
  })
})

describe("locks held elsewhere", () => {
  it("are waited for 5 s by default; lockTimeoutMs and the URL's lock_timeout change it", async () => {
    expect((await open(schema("lock_default"))).lockTimeout).toBe("5s")
    expect((await open(schema("lock_option"), postgresUrl, { lockTimeoutMs: 1500 })).lockTimeout).toBe("1500ms")
    const url = `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}lock_timeout=2s`
    expect((await open(schema("lock_url"), url, { lockTimeoutMs: 100 })).lockTimeout).toBe("2s")
  })

  it("make a write that waits past lock_timeout unavailable (55P03); it goes through once the lock is gone", async () => {
    const s = schema("locked")
    const store = await open(s, postgresUrl, { lockTimeoutMs: 300 })
    const first = makeEvent({ customer: "locked", timestamp: 1, context: { ootb_city: "Before" } })
    expect(await store.append([first])).toEqual(["accepted"])
    const release = await holdTableLock(admin, s)
    const event = makeEvent({ customer: "locked", timestamp: 2, context: { ootb_city: "After" } })
    let elapsed: number
    try {
      const started = performance.now()
      const error = await rejection(store.append([event]))
      elapsed = performance.now() - started
      expect(error).toBeInstanceOf(StoreError)
      expect((error as StoreError).code).toBe("unavailable")
      expect((error as StoreError).message).toContain("55P03")
      // A read of the locked table gives up as well, instead of hanging.
      const read = await rejection(store.listEvents(567, "locked", { limit: 10 }))
      expect((read as StoreError).code).toBe("unavailable")
    } finally {
      await release()
    }
    expect(elapsed).toBeGreaterThanOrEqual(250)
    expect(elapsed).toBeLessThan(4000)
    expect(await store.append([event])).toEqual(["accepted"])
    expect((await store.getProfile(567, "locked"))?.attributes).toEqual({ ootb_city: "After" })
  })
})

describe("storage faults raised by the server", () => {
  // What the conformance suite's triggers raise (support.ts): the SQLSTATE
  // and the wording of PostgreSQL's own errors for each fault.
  const cases: ReadonlyArray<readonly [ServerFault, string, RegExp]> = [
    ["read-only", "25006", /cannot execute INSERT in a read-only transaction/],
    ["disk-full", "53100", /could not extend file ".+": No space left on device/],
    ["io-error", "58030", /could not write block \d+ in file ".+": Input\/output error/],
  ]
  it.each(cases)(
    "%s: the write fails with SQLSTATE %s, unavailable, and nothing of it is stored",
    async (fault, state, text) => {
      const s = schema(`fault_${state}`)
      const store = await open(s)
      await installFaultTrigger(admin, s)
      await installServerFaults(admin, s)
      const events = [0, 1, 2].map((i) =>
        makeEvent({ customer: `fault-${i % 2}`, timestamp: i, context: { ootb_age: i } }),
      )
      await setServerFault(admin, s, fault)
      const error = await rejection(store.append(events))
      await setServerFault(admin, s, undefined)
      expect(error).toBeInstanceOf(StoreError)
      expect((error as StoreError).code).toBe("unavailable")
      expect((error as StoreError).message).toContain(`SQLSTATE ${state}`)
      expect(((error as StoreError).cause as Error).message).toMatch(text)
      expect(await admin.unsafe(`SELECT id FROM "${s}".events`)).toHaveLength(0)
      expect(await admin.unsafe(`SELECT customer FROM "${s}".profiles`)).toHaveLength(0)
      expect(await store.append(events)).toEqual(["accepted", "accepted", "accepted"])
    },
  )
})

describe("classifyPostgresError", () => {
  const pg = (code: string) => Object.assign(new Error(`server says ${code}`), { code })
  it.each([
    "57P01",
    "57P02",
    "57P03",
    "08006",
    "08001",
    "53300",
    "53100",
    "58030",
    "40001",
    "40P01",
    "3D000",
    "25006",
    "55P03",
    "57014",
    "ECONNREFUSED",
    "ECONNRESET",
    "CONNECTION_CLOSED",
    "CONNECTION_ENDED",
    "CONNECT_TIMEOUT",
  ])("%s is unavailable", (code) => {
    const classified = classifyPostgresError(pg(code))
    expect(classified).toBeInstanceOf(StoreError)
    expect((classified as StoreError).code).toBe("unavailable")
    expect((classified as StoreError).message).toContain(code)
  })
  it.each(["23505", "42P01", "22023", "42601", "XX000", "ERR_SOMETHING"])("%s is rethrown as it is", (code) => {
    const error = pg(code)
    expect(classifyPostgresError(error)).toBe(error)
  })
  it("retries serialization failures and deadlocks only", () => {
    expect(isRetryableConflict(pg("40001"))).toBe(true)
    expect(isRetryableConflict(pg("40P01"))).toBe(true)
    expect(isRetryableConflict(pg("57P01"))).toBe(false)
  })
})
