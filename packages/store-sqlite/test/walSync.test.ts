/**
 * The off-thread fsync of the node:sqlite database thread (`walSync.ts`,
 * `walFile.ts`): one fsync at a time, callers during one share the next,
 * which begins after it; the WAL file synced on a live database.
 */
import Database from "better-sqlite3"
import { afterEach, describe, expect, it } from "vitest"
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

  it("rejects only the callers of a failed fsync: those that came during it get a fsync of their own", async () => {
    const { fsync, calls } = manualSync()
    const sync = makeSyncer(fsync)
    const done: string[] = []
    const note = (name: string) => [() => done.push(name), (e: Error) => done.push(`${name}: ${e.message}`)] as const
    void sync().then(...note("a"))
    await flush()
    void sync().then(...note("b"))
    calls[0]!.reject(new Error("EIO"))
    await flush()
    // b came after a's fsync began: a's failure is not b's; b's own fsync runs.
    expect(done).toEqual(["a: EIO"])
    expect(calls.length).toBe(2)
    calls[1]!.resolve()
    await flush()
    expect(done).toEqual(["a: EIO", "b"])
  })
})

describe("walFile", () => {
  it("syncs the WAL of a live database, opening it on first use, and lets it go on close", async () => {
    const { path, remove } = await tempDatabase()
    cleanups.push(remove)
    const db = new Database(path)
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    db.exec("CREATE TABLE t (x INTEGER)")
    const wal = walFile(path)
    for (let i = 0; i < 40; i++) {
      db.prepare("INSERT INTO t (x) VALUES (?)").run(i)
      await wal.sync()
    }
    await wal.close()
    db.close()
    const reopened = new Database(path, { readonly: true })
    expect((reopened.prepare("SELECT count(*) AS n FROM t").get() as { n: number }).n).toBe(40)
    reopened.close()
  })

  it("rejects when the database has no WAL file, and tries again on the next call", async () => {
    const { path, remove } = await tempDatabase()
    cleanups.push(remove)
    const wal = walFile(path)
    await expect(wal.sync()).rejects.toMatchObject({ code: "ENOENT" })
    const db = new Database(path)
    db.pragma("journal_mode = WAL")
    db.exec("CREATE TABLE t (x INTEGER)")
    await expect(wal.sync()).resolves.toBeUndefined()
    await wal.close()
    db.close()
  })
})
