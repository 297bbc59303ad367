/**
 * Durable commits with the WAL synced off the caller's thread
 * (`syncWal`, `walSync.ts`): an append resolves only after an fsync that
 * began after its commit; one fsync serves every group committed before it
 * began; a failed fsync stops the store.
 */
import { makeEvent } from "@cdp/testkit"
import Database from "better-sqlite3"
import { afterEach, describe, expect, it } from "vitest"
import { betterSqliteDriver } from "../src/better-sqlite3.ts"
import { makeSqliteStore } from "../src/SqliteStore.ts"
import { walFile } from "../src/walFile.ts"
import { makeSyncer } from "../src/walSync.ts"
import { tempDatabase } from "./support.ts"

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** An fsync the test finishes by hand. */
const manualSync = () => {
  const calls: Array<{ resolve: () => void; reject: (e: Error) => void }> = []
  const fsync = () => new Promise<void>((resolve, reject) => calls.push({ resolve, reject }))
  return { fsync, calls }
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 20))

describe("makeSyncer", () => {
  it("runs one fsync at a time; callers during one share the next, which begins after it", async () => {
    const { fsync, calls } = manualSync()
    const sync = makeSyncer(fsync)
    const done: string[] = []
    void sync().then(() => done.push("a"))
    await flush()
    expect(calls.length).toBe(1)
    void sync().then(() => done.push("b"))
    void sync().then(() => done.push("c"))
    await flush()
    expect(calls.length).toBe(1) // b and c wait for the next fsync, which begins after the first
    calls[0]!.resolve()
    await flush()
    expect(done).toEqual(["a"])
    expect(calls.length).toBe(2)
    calls[1]!.resolve()
    await flush()
    expect(done).toEqual(["a", "b", "c"])
    void sync().then(
      () => done.push("d"),
      (e: Error) => done.push(`d: ${e.message}`),
    )
    await flush()
    expect(calls.length).toBe(3)
    calls[2]!.reject(new Error("EIO"))
    await flush()
    expect(done).toEqual(["a", "b", "c", "d: EIO"])
  })
})

describe("makeSqliteStore with syncWal", () => {
  const open = async (fsync: () => Promise<void>) => {
    const { path, remove } = await tempDatabase()
    const db = new Database(path)
    const store = makeSqliteStore(betterSqliteDriver(db), { syncWal: fsync })
    cleanups.push(remove)
    cleanups.push(() => store.close().catch(() => undefined))
    return { store, db, path }
  }

  it("commits with synchronous = NORMAL and resolves each append only after an fsync that began after it", async () => {
    const { fsync, calls } = manualSync()
    const { store, db } = await open(fsync)
    expect(db.pragma("synchronous", { simple: true })).toBe(1) // NORMAL
    let resolved = false
    const first = store.append([makeEvent({ customer: "a" })]).then((s) => {
      resolved = true
      return s
    })
    await flush()
    expect(calls.length).toBe(1)
    expect(resolved).toBe(false) // committed, not yet synced
    // Committed in SQLite all the same: a read sees it.
    expect((await store.getProfile(567, "a"))?.customer).toBe("a")
    const second = store.append([makeEvent({ customer: "b" })])
    await flush()
    calls[0]!.resolve()
    expect(await first).toEqual(["accepted"])
    await flush()
    expect(calls.length).toBe(2) // the second group waits for an fsync of its own
    calls[1]!.resolve()
    expect(await second).toEqual(["accepted"])
  })

  it("stops the store with StoreError unavailable when an fsync fails", async () => {
    const { fsync, calls } = manualSync()
    const { store } = await open(fsync)
    const pending = store.append([makeEvent({ customer: "a" })])
    await flush()
    calls[0]!.reject(Object.assign(new Error("EIO: i/o error, fdatasync"), { code: "EIO" }))
    await expect(pending).rejects.toMatchObject({ name: "StoreError", code: "unavailable" })
    await expect(store.append([makeEvent({ customer: "b" })])).rejects.toMatchObject({ code: "unavailable" })
    await expect(store.getProfile(567, "a")).rejects.toMatchObject({ code: "unavailable" })
  })

  it("with the real WAL file: every resolved append is in the database after reopening", async () => {
    const { path, remove } = await tempDatabase()
    cleanups.push(remove)
    const wal = walFile(path)
    const store = makeSqliteStore(betterSqliteDriver(new Database(path)), { syncWal: wal.sync })
    const batches = Array.from({ length: 40 }, (_, i) => [makeEvent({ customer: `c${i % 7}` })])
    const statuses = await Promise.all(batches.map((b) => store.append(b)))
    expect(statuses.flat().every((s) => s === "accepted")).toBe(true)
    await store.close()
    await wal.close()
    const db = new Database(path, { readonly: true })
    expect((db.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n).toBe(40)
    db.close()
  })
})
