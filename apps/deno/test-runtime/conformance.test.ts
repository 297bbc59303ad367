/**
 * The store conformance suite on node:sqlite, under Deno itself (run by the
 * root's `node scripts/test-runtimes.mjs deno`), on real temporary files,
 * durable through `reopen`, with the store's faults caused on the thread its
 * connection lives on; and node:sqlite's real errors (busy, cannot open,
 * closed) going through the one classifier.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { StoreError } from "@cdp/ingest"
import { classifySqliteError } from "@cdp/store-sqlite"
import {
  openNodeSqliteStore,
  openNodeSqliteStoreInThread,
  openNodeSqliteStoreOnWorker,
} from "@cdp/store-sqlite/node-sqlite"
import { faultsThrough, makeEvent, storeConformance } from "@cdp/testkit"
import { describe, expect, it } from "vitest"

const tempDatabase = async (): Promise<{ path: string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), "cdp-app-deno-"))
  return { path: join(dir, "data", "ingest.db"), remove: () => rm(dir, { recursive: true, force: true }) }
}

describe("the runtime", () => {
  it("is Deno, with node:sqlite on SQLite 3.45 or later", () => {
    expect(typeof Deno).toBe("object")
    expect(Deno.version.deno).toMatch(/^2\./)
    const db = new DatabaseSync(":memory:")
    const row = db.prepare("SELECT sqlite_version() AS v").get() as { v: string }
    db.close()
    const [major, minor] = row.v.split(".").map(Number) as [number, number]
    expect(major * 1000 + minor, row.v).toBeGreaterThanOrEqual(3045) // jsonb()
  })
})

/** Faults in the connection; a short busy timeout, so that a held lock fails a write soon. */
const faultOptions = { faultInjection: true, busyTimeoutMs: 250 } as const

// On a Web Worker (as the app runs it) and on the caller's thread.
for (const worker of [true, false]) {
  storeConformance(
    `node:sqlite (Deno, ${worker ? "database thread" : "caller's thread"})`,
    async () => {
      const { path, remove } = await tempDatabase()
      const store = worker
        ? await openNodeSqliteStoreOnWorker(path, faultOptions)
        : openNodeSqliteStoreInThread(path, faultOptions)
      return {
        store,
        reopen: () => openNodeSqliteStore(path, { worker }),
        cleanup: remove,
        ...faultsThrough(store.injectFault!),
      }
    },
    {
      durable: true,
      faultInjection: true,
      faults: ["io-error", "disk-full", "locked", "read-only"],
      propertyRuns: 60,
    },
  )
}

const failure = async (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  )

describe("node:sqlite errors, classified", () => {
  it("a file that cannot be opened rejects with StoreError unavailable", async () => {
    const { path, remove } = await tempDatabase()
    try {
      const file = join(path, "..", "..", "a-file")
      await writeFile(file, "not a folder")
      const error = await failure(openNodeSqliteStore(join(file, "ingest.db")))
      expect(error).toBeInstanceOf(StoreError)
      expect((error as StoreError).code).toBe("unavailable")
    } finally {
      await remove()
    }
  })

  it("a write lock held by another connection is unavailable (busy), from exec and from statements", async () => {
    const { path, remove } = await tempDatabase()
    const store = await openNodeSqliteStore(path, { busyTimeoutMs: 0 })
    const other = new DatabaseSync(path)
    try {
      other.exec("PRAGMA busy_timeout = 0")
      other.exec("BEGIN IMMEDIATE")
      const error = await failure(store.append([makeEvent({ customer: "busy" })]))
      expect(error, String(error)).toBeInstanceOf(StoreError)
      expect((error as StoreError).code).toBe("unavailable")
      // node:sqlite's two shapes of the same error: with errcode (statements), without (exec).
      const third = new DatabaseSync(path)
      third.exec("PRAGMA busy_timeout = 0")
      for (const attempt of [() => third.exec("BEGIN IMMEDIATE"), () => third.prepare("DELETE FROM events").run()]) {
        let thrown: unknown
        try {
          attempt()
        } catch (e) {
          thrown = e
        }
        expect(thrown, "the lock is held").toBeDefined()
        const mapped = classifySqliteError(thrown)
        expect(mapped, String(thrown)).toBeInstanceOf(StoreError)
        expect((mapped as StoreError).message).toMatch(/SQLITE_BUSY/)
      }
      third.close()
      other.exec("ROLLBACK")
      expect(await store.append([makeEvent({ customer: "busy" })])).toEqual(["accepted"])
    } finally {
      other.close()
      await store.close()
      await remove()
    }
  })

  it("a closed connection and a closed store are unavailable; a syntax error is not", () => {
    const db = new DatabaseSync(":memory:")
    let syntax: unknown
    try {
      db.exec("SELEC 1")
    } catch (e) {
      syntax = e
    }
    expect(classifySqliteError(syntax)).toBe(syntax)
    db.close()
    let closed: unknown
    try {
      db.exec("SELECT 1")
    } catch (e) {
      closed = e
    }
    expect((classifySqliteError(closed) as StoreError).code).toBe("unavailable")
  })
})
