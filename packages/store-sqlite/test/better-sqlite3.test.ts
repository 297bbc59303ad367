import { spawn } from "node:child_process"
import { statSync } from "node:fs"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { StoreError } from "@cdp/store"
import { expectCheckpointerSyncs, makeEvent, timestampAt } from "@cdp/testkit"
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { classifySqliteError } from "../src/core/classifySqliteError.ts"
import { migrate, migrations } from "../src/core/migrations.ts"
import { listEventsSql } from "../src/core/SqliteCore.ts"
import type { SqliteDriver } from "../src/core/SqliteDriver.ts"
import { makeSqliteStore, type SqliteStore } from "../src/core/SqliteStore.ts"
import {
  type BetterSqliteStore,
  betterSqliteDriver,
  betterSqliteThreads,
  openBetterSqliteStore,
  openBetterSqliteStoreInThread,
  openBetterSqliteStoreOnWorker,
} from "../src/drivers/better-sqlite3.ts"
import { CHECKPOINTER_PASSES, CHECKPOINTER_SYNCS } from "../src/threads/protocol.ts"
import { runCheckpointer } from "../src/threads/runCheckpointer.ts"
import { faultyDriver, scratch } from "./support.ts"

const { cleanups, temp } = scratch()
const track = <S extends { close: () => Promise<void> }>(store: S): S => {
  cleanups.push(() => store.close())
  return store
}

/** A driver that counts, at each COMMIT, how many appends had already resolved. */
const countingDriver = (path: string) => {
  const inner = betterSqliteDriver(new Database(path))
  const seen = { resolved: 0, resolvedAtCommit: [] as number[] }
  const driver: SqliteDriver = {
    prepare: (sql) => inner.prepare(sql),
    exec: (sql) => {
      if (sql === "COMMIT") seen.resolvedAtCommit.push(seen.resolved)
      inner.exec(sql)
    },
    close: () => inner.close(),
  }
  return { driver, seen }
}

describe("schema and pragmas", () => {
  it("applies the migrations once; reopening applies none", async () => {
    const path = await temp()
    const first = openBetterSqliteStoreInThread(path)
    expect(first.migrated).toEqual([1, 2, 3, 4])
    await first.close()
    const again = track(openBetterSqliteStoreInThread(path))
    expect(again.migrated).toEqual([])
    const onWorker = track(await openBetterSqliteStoreOnWorker(path))
    expect(onWorker.migrated).toEqual([])
    const db = new Database(path, { readonly: true })
    cleanups.push(() => void db.close())
    expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual([
      { version: 1, name: "events and profiles" },
      { version: 2, name: "profile values and stamps apart, as JSONB" },
      { version: 3, name: "a customer's events indexed by time alone" },
      { version: 4, name: "which attributes a profile holds, as bits" },
    ])
  })

  it("pages a customer's events by searching its index, sorting only runs of equal timestamps", async () => {
    const path = await temp()
    await openBetterSqliteStoreInThread(path).close()
    const db = new Database(path, { readonly: true })
    cleanups.push(() => void db.close())
    const plan = (sql: string, ...params: unknown[]) =>
      (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as Array<{ detail: string }>).map((r) => r.detail)
    expect(plan(listEventsSql.first, 1, "c", 10)).toEqual([
      "SEARCH events USING INDEX events_by_customer (tenant=? AND customer=?)",
      "USE TEMP B-TREE FOR LAST TERM OF ORDER BY",
    ])
    expect(plan(listEventsSql.after, 1, "c", "t", "i", 10)).toEqual([
      "SEARCH events USING INDEX events_by_customer (tenant=? AND customer=? AND timestamp<?)",
      "USE TEMP B-TREE FOR LAST TERM OF ORDER BY",
    ])
  })

  it("migrates version 1 profiles ({ key: [value, timestamp] }) to values and stamps, types and merge rule intact", async () => {
    const path = await temp()
    const v1 = new Database(path)
    migrate(betterSqliteDriver(v1), migrations.slice(0, 1))
    const attributes = {
      ootb_city: ["NYC", timestampAt(5)],
      ootb_is_blocked: [false, timestampAt(5)],
      ootb_is_test: [true, timestampAt(2)],
      ootb_age: [42, timestampAt(2)],
      ootb_score: [0.30000000000000004, timestampAt(2)],
      ootb_big: [1e21, timestampAt(2)],
      ootb_brand: ["", timestampAt(1)],
      ootb_name: ['Zoë "Z" \u2028', timestampAt(1)],
    }
    const insert = v1.prepare("INSERT INTO profiles (tenant, customer, attributes, updated_at) VALUES (?, ?, ?, ?)")
    insert.run(567, "old", JSON.stringify(attributes), timestampAt(5))
    insert.run(567, "empty", "{}", timestampAt(1))
    v1.close()

    const store = track(openBetterSqliteStoreInThread(path))
    expect(store.migrated).toEqual([2, 3, 4])
    const values = Object.fromEntries(Object.entries(attributes).map(([key, [value]]) => [key, value]))
    expect(await store.getProfile(567, "old")).toEqual({
      tenant: 567,
      customer: "old",
      attributes: values,
      updated_at: timestampAt(5),
    })
    expect(await store.getProfile(567, "empty")).toEqual({
      tenant: 567,
      customer: "empty",
      attributes: {},
      updated_at: timestampAt(1),
    })
    // The migrated stamps decide: a late event wins where it is newer than the stamp, not the profile.
    await store.append([
      makeEvent({ customer: "old", timestamp: 3, context: { ootb_city: "Paris", ootb_is_test: false, ootb_new: 1 } }),
    ])
    expect((await store.getProfile(567, "old"))?.attributes).toEqual({
      ...values,
      ootb_is_test: false,
      ootb_new: 1,
    })
    await store.append([makeEvent({ customer: "old", timestamp: 9, context: { ootb_city: "Rome" } })])
    expect(await store.getProfile(567, "old")).toEqual({
      tenant: 567,
      customer: "old",
      attributes: { ...values, ootb_is_test: false, ootb_new: 1, ootb_city: "Rome" },
      updated_at: timestampAt(9),
    })
    const db = new Database(path, { readonly: true })
    cleanups.push(() => void db.close())
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok")
  })

  it("runs in WAL mode with synchronous=FULL by default, NORMAL on request", async () => {
    const path = await temp()
    const db = new Database(path)
    const store = track(makeSqliteStore(betterSqliteDriver(db)))
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal")
    expect(db.pragma("synchronous", { simple: true })).toBe(2)
    await store.close()
    const normalDb = new Database(path)
    track(makeSqliteStore(betterSqliteDriver(normalDb), { synchronous: "NORMAL" }))
    expect(normalDb.pragma("synchronous", { simple: true })).toBe(1)
  })

  it("leads every index with tenant and passes integrity_check after a workload", async () => {
    const path = await temp()
    const store = track(await openBetterSqliteStore(path))
    await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        store.append([makeEvent({ tenant: 1 + (i % 3), customer: `c${i % 17}`, timestamp: i % 11 })]),
      ),
    )
    await store.eraseCustomer(1, "c3")
    await store.close()
    const db = new Database(path, { readonly: true })
    cleanups.push(() => void db.close())
    expect(db.pragma("integrity_check", { simple: true })).toBe("ok")
    const indexes = db
      .prepare("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('events', 'profiles')")
      .all() as Array<{ name: string; tbl_name: string }>
    expect(indexes.length).toBeGreaterThanOrEqual(3)
    for (const { name } of indexes) {
      const first = db.prepare(`SELECT name FROM pragma_index_info(?) WHERE seqno = 0`).get(name) as { name: string }
      expect(first.name, name).toBe("tenant")
    }
  })
})

describe("group commit", () => {
  it("commits concurrent appends in one transaction and resolves each only after it", async () => {
    const path = await temp()
    const { driver, seen } = countingDriver(path)
    const store = track(makeSqliteStore(driver))
    const before = { ...store.stats }
    const commitsBefore = seen.resolvedAtCommit.length
    const appends = Array.from({ length: 100 }, (_, i) =>
      store.append([makeEvent({ customer: `c${i % 7}`, timestamp: i })]).then((statuses) => {
        seen.resolved++
        return statuses
      }),
    )
    expect(await Promise.all(appends)).toEqual(Array.from({ length: 100 }, () => ["accepted"]))
    expect(store.stats.commits - before.commits).toBe(1)
    expect(store.stats.batches - before.batches).toBe(100)
    expect(seen.resolvedAtCommit.slice(commitsBefore)).toEqual([0])
  })

  it("keeps grouping while a commit runs on the database thread", async () => {
    const path = await temp()
    const store = track(await openBetterSqliteStoreOnWorker(path))
    const before = await store.stats()
    const appends = Array.from({ length: 300 }, (_, i) => store.append([makeEvent({ customer: `c${i % 7}` })]))
    await Promise.all(appends)
    const after = await store.stats()
    expect(after.batches - before.batches).toBe(300)
    expect(after.commits - before.commits).toBeLessThanOrEqual(5)
  })

  it("rejects the failing batch alone and commits the rest of its group", async () => {
    const path = await temp()
    const { driver, state } = faultyDriver(path)
    const store = track(makeSqliteStore(driver))
    const batches = Array.from({ length: 10 }, (_, i) => [
      makeEvent({ customer: `c${i}`, timestamp: 1 }),
      makeEvent({ customer: `c${i}`, timestamp: 2 }),
    ])
    state.poisoned = batches[4]![1]!.id
    const outcomes = await Promise.allSettled(batches.map((b) => store.append(b)))
    expect(outcomes.map((o) => o.status)).toEqual(batches.map((_, i) => (i === 4 ? "rejected" : "fulfilled")))
    const reason = (outcomes[4] as PromiseRejectedResult).reason
    expect(reason).toBeInstanceOf(StoreError)
    expect(reason.code).toBe("unavailable")
    expect(store.stats).toMatchObject({ rollbacks: 1 })
    expect(await store.getProfile(567, "c4")).toBeUndefined()
    expect((await store.getProfile(567, "c5"))?.updated_at).toBe(batches[5]![1]!.timestamp)
  })

  it("rejects every batch of a group, writing nothing, while another connection holds the lock", async () => {
    const path = await temp()
    const store = track(openBetterSqliteStoreInThread(path, { busyTimeoutMs: 50 }))
    const other = new Database(path)
    cleanups.push(() => void other.close())
    other.exec("BEGIN IMMEDIATE")
    const batches = Array.from({ length: 5 }, () => [makeEvent({ customer: "locked" })])
    const outcomes = await Promise.allSettled(batches.map((b) => store.append(b)))
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected")
      const reason = (outcome as PromiseRejectedResult).reason
      expect(reason).toBeInstanceOf(StoreError)
      expect(reason.code).toBe("unavailable")
    }
    await expect(store.ping()).resolves.toBeUndefined()
    other.exec("ROLLBACK")
    expect(await store.getProfile(567, "locked")).toBeUndefined()
    expect(await store.append(batches[0]!)).toEqual(["accepted"])
  })

  it("rejects appends to a read-only database with StoreError unavailable, and writes once it is writable again", async () => {
    // SQLite's own SQLITE_READONLY (`query_only`), as a file or mount made read-only gives it.
    const path = await temp()
    const db = new Database(path)
    const store = track(makeSqliteStore(betterSqliteDriver(db)))
    db.pragma("query_only = 1")
    const batches = Array.from({ length: 3 }, () => [makeEvent({ customer: "read-only" })])
    const outcomes = await Promise.allSettled(batches.map((b) => store.append(b)))
    for (const outcome of outcomes) {
      expect(outcome.status).toBe("rejected")
      const reason = (outcome as PromiseRejectedResult).reason
      expect(reason, String(reason)).toBeInstanceOf(StoreError)
      expect(reason.code).toBe("unavailable")
      expect(reason.message).toContain("SQLITE_READONLY")
    }
    db.pragma("query_only = 0")
    expect(await store.getProfile(567, "read-only")).toBeUndefined()
    expect(await store.append(batches[0]!)).toEqual(["accepted"])
  })
})

describe("checkpoints", () => {
  const sizes = async (checkpointIntervalMs: number) => {
    const path = await temp()
    const store = track(await openBetterSqliteStoreOnWorker(path, { checkpointIntervalMs }))
    const before = statSync(path).size
    const context = { ootb_address: "x".repeat(200) }
    await Promise.all(Array.from({ length: 200 }, (_, i) => store.append([makeEvent({ customer: `c${i}`, context })])))
    await new Promise((resolve) => setTimeout(resolve, 300))
    return { path, before, after: statSync(path).size, wal: statSync(`${path}-wal`).size }
  }

  it("copies the WAL into the database file on a thread of its own, not in the writer's commits", async () => {
    // Without a checkpointer, 200 small commits stay in the WAL (below the 1000 pages of the writer's autocheckpoint).
    const inline = await sizes(0)
    expect(inline.wal).toBeGreaterThan(0)
    expect(inline.after).toBe(inline.before)
    // The checkpointer thread starts beside the store (from source on Node.js,
    // through tsx, which takes a while on a busy machine): wait for its passes,
    // up to a bound, rather than a fixed time.
    const background = await sizes(20)
    for (let waited = 0; statSync(background.path).size === background.before && waited < 10_000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(statSync(background.path).size).toBeGreaterThan(background.before)
  })

  it("syncs the database file after each pass that copied pages, and not while idle", async () => {
    const path = await temp()
    const writer = new Database(path)
    cleanups.push(() => void writer.close())
    writer.pragma("journal_mode = WAL")
    writer.pragma("wal_autocheckpoint = 0")
    writer.exec("CREATE TABLE t (x TEXT NOT NULL)")
    writer.pragma("wal_checkpoint(TRUNCATE)")
    const insert = writer.prepare("INSERT INTO t (x) VALUES (?)")
    const counters = new Int32Array(new SharedArrayBuffer(8))
    const startCheckpointer = betterSqliteThreads.startCheckpointer
    if (startCheckpointer === undefined) throw new Error("no checkpointer thread")
    cleanups.push(
      runCheckpointer(startCheckpointer, {
        driverModule: betterSqliteThreads.driverModule,
        path,
        intervalMs: 10,
        counters,
      }),
    )
    await expectCheckpointerSyncs({
      passes: () => Atomics.load(counters, CHECKPOINTER_PASSES),
      syncs: () => Atomics.load(counters, CHECKPOINTER_SYNCS),
      write: () => {
        for (let i = 0; i < 20; i++) insert.run("x".repeat(2000))
      },
    })
  })
})

describe("errors", () => {
  it("classifies busy, locked, read-only, I/O, full, cannot-open and closed as unavailable, and nothing else", () => {
    const unavailable = [
      { code: "SQLITE_BUSY" },
      { code: "SQLITE_BUSY_SNAPSHOT" },
      { code: "SQLITE_LOCKED_SHAREDCACHE" },
      { code: "SQLITE_READONLY" },
      { code: "SQLITE_READONLY_DBMOVED" },
      { code: "SQLITE_IOERR_FSYNC" },
      { code: "SQLITE_FULL" },
      { code: "SQLITE_CANTOPEN" },
      { code: "ERR_SQLITE_ERROR", errcode: 517 }, // node:sqlite, SQLITE_BUSY_SNAPSHOT
      { code: "SQLITE_BUSY", errno: 5 }, // bun:sqlite
      { code: "SQLITE_READONLY", errno: 8 }, // bun:sqlite
    ]
    for (const fields of unavailable) {
      const mapped = classifySqliteError(Object.assign(new Error("x"), fields))
      expect(mapped, JSON.stringify(fields)).toBeInstanceOf(StoreError)
      expect((mapped as StoreError).code).toBe("unavailable")
    }
    for (const message of ["The database connection is not open", "Cannot use a closed database"]) {
      expect((classifySqliteError(new TypeError(message)) as StoreError).code).toBe("unavailable")
    }
    for (const error of [
      Object.assign(new Error("UNIQUE constraint failed"), { code: "SQLITE_CONSTRAINT_UNIQUE" }),
      Object.assign(new Error("no such table"), { code: "SQLITE_ERROR" }),
      new RangeError("Too many parameter values were provided"),
      "a string",
    ]) {
      expect(classifySqliteError(error)).toBe(error)
    }
  })

  it("rejects with StoreError unavailable when the file cannot be opened", async () => {
    const path = await temp()
    const file = join(path, "..", "a-file")
    await writeFile(file, "not a folder")
    for (const worker of [false, true]) {
      const error = await openBetterSqliteStore(join(file, "ingest.db"), { worker }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(error, `worker: ${worker}`).toBeInstanceOf(StoreError)
      expect((error as StoreError).code).toBe("unavailable")
    }
  })
})

describe("durability", () => {
  const fixture = join(import.meta.dirname, "fixtures", "appendUntilKilled.ts")

  for (const mode of ["thread", "worker"] as const) {
    it(`keeps every resolved append of a process killed with SIGKILL (${mode})`, async () => {
      const path = await temp()
      const child = spawn(process.execPath, ["--import", "tsx", fixture, path, mode], {
        stdio: ["ignore", "pipe", "pipe"],
      })
      const acknowledged: string[] = []
      let stderr = ""
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      let buffered = ""
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once("exit", (_, signal) => resolve(signal)))
      await new Promise<void>((resolve, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          buffered += chunk.toString()
          const lines = buffered.split("\n")
          buffered = lines.pop()!
          acknowledged.push(...lines)
          if (acknowledged.length >= 400) resolve()
        })
        child.once("exit", (code) => reject(new Error(`the writer exited (${code}) early: ${stderr}`)))
      })
      child.kill("SIGKILL")
      expect(await exited).toBe("SIGKILL")
      const db = new Database(path)
      cleanups.push(() => void db.close())
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok")
      const find = db.prepare("SELECT 1 FROM events WHERE tenant = 567 AND id = ?")
      const missing = acknowledged.filter((id) => find.get(id) === undefined)
      expect(missing).toEqual([])
    })
  }
})

// Type-level: both constructors give a store the app can use as an IngestStore.
export type _Stores = [SqliteStore, BetterSqliteStore]
