/**
 * The store conformance suite (`storeConformance` of `@cdp/testkit`) on
 * bun:sqlite, inside Bun (`bun test ./test-runtime/`, which runs the
 * suite's vitest calls on bun:test), on a real SQLite file in a temporary
 * folder, closed and reopened for the durability tests: on a database
 * thread (as the app runs it) and on the caller's thread, each with the
 * store's faults caused on the thread its connection lives on.
 */

import { Database } from "bun:sqlite"
import { statSync } from "node:fs"
import { mkdir, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { StoreError } from "@cdp/ingest"
import {
  bunSqliteThreads,
  CHECKPOINTER_PASSES,
  CHECKPOINTER_SYNCS,
  openBunSqliteStore,
  openBunSqliteStoreInThread,
  openBunSqliteStoreOnWorker,
  runCheckpointer,
} from "@cdp/store-sqlite/bun-sqlite"
import { expectCheckpointerSyncs, faultsThrough, makeEvent, storeConformance } from "@cdp/testkit"
import { describe, expect, it } from "vitest"

const tempDatabase = async () => {
  const dir = await mkdtemp(join(tmpdir(), "cdp-bun-sqlite-"))
  return { dir, path: join(dir, "data", "ingest.db"), remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Faults in the connection; a short busy timeout, so that a held lock fails a write soon. */
const faultOptions = { faultInjection: true, busyTimeoutMs: 250 } as const

for (const worker of [true, false]) {
  storeConformance(
    `bun:sqlite (${worker ? "database thread" : "caller's thread"})`,
    async () => {
      const { path, remove } = await tempDatabase()
      const store = worker
        ? await openBunSqliteStoreOnWorker(path, faultOptions)
        : openBunSqliteStoreInThread(path, faultOptions)
      return {
        store,
        reopen: () => openBunSqliteStore(path, { worker }),
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

  describe(`openBunSqliteStore (${worker ? "database thread" : "caller's thread"})`, () => {
    it("creates the folder of the file, and refuses a path it cannot open with StoreError unavailable", async () => {
      const { dir, path, remove } = await tempDatabase()
      try {
        const store = await openBunSqliteStore(path, { worker })
        await store.ping()
        await store.close()
        // A folder where the file should be, and a file where a folder should be.
        for (const bad of [join(dir, "data"), join(path, "inside.db")]) {
          const error = await openBunSqliteStore(bad, { worker }).then(
            (store) => store.close().then(() => new Error(`${bad} opened`)),
            (e: unknown) => e,
          )
          expect(error).toBeInstanceOf(StoreError)
          expect((error as StoreError).code).toBe("unavailable")
        }
      } finally {
        await remove()
      }
    })
  })
}

describe("checkpoints", () => {
  // 200 small commits stay in the WAL without a checkpointer (below the 1000
  // pages of the writer's autocheckpoint); with one, the database file grows
  // while the store runs, copied by the checkpointer thread.
  const sizes = async (worker: boolean, checkpointIntervalMs: number) => {
    const { path, remove } = await tempDatabase()
    const store = await openBunSqliteStore(path, { worker, checkpointIntervalMs })
    try {
      const before = statSync(path).size
      const context = { ootb_address: "x".repeat(200) }
      await Promise.all(
        Array.from({ length: 200 }, (_, i) => store.append([makeEvent({ customer: `c${i}`, context })])),
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      return { before, after: statSync(path).size, wal: statSync(`${path}-wal`).size }
    } finally {
      await store.close()
      await remove()
    }
  }

  for (const worker of [true, false]) {
    it(`copies the WAL into the database file on a thread of its own (${worker ? "database thread" : "caller's thread"})`, async () => {
      const inline = await sizes(worker, 0)
      expect(inline.wal).toBeGreaterThan(0)
      expect(inline.after).toBe(inline.before)
      const background = await sizes(worker, 20)
      expect(background.after).toBeGreaterThan(background.before)
    })
  }

  it("syncs the database file after each pass that copied pages, and not while idle", async () => {
    const { path, remove } = await tempDatabase()
    await mkdir(dirname(path), { recursive: true })
    const writer = new Database(path)
    const counters = new Int32Array(new SharedArrayBuffer(8))
    let stop = (): Promise<void> => Promise.resolve()
    try {
      writer.exec("PRAGMA journal_mode = WAL")
      writer.exec("PRAGMA wal_autocheckpoint = 0")
      writer.exec("CREATE TABLE t (x TEXT NOT NULL)")
      writer.exec("PRAGMA wal_checkpoint(TRUNCATE)")
      const insert = writer.prepare("INSERT INTO t (x) VALUES (?)")
      const startCheckpointer = bunSqliteThreads.startCheckpointer
      if (startCheckpointer === undefined) throw new Error("no checkpointer thread")
      stop = runCheckpointer(startCheckpointer, {
        driverModule: bunSqliteThreads.driverModule,
        path,
        intervalMs: 10,
        counters,
      })
      await expectCheckpointerSyncs({
        passes: () => Atomics.load(counters, CHECKPOINTER_PASSES),
        syncs: () => Atomics.load(counters, CHECKPOINTER_SYNCS),
        write: () => {
          for (let i = 0; i < 20; i++) insert.run("x".repeat(2000))
        },
      })
    } finally {
      await stop()
      writer.close()
      await remove()
    }
  })
})

describe("database thread", () => {
  it("answers a large group and a small one sent together, and finds the large one's events afterwards", async () => {
    const { path, remove } = await tempDatabase()
    const store = await openBunSqliteStore(path)
    try {
      const large = Array.from({ length: 300 }, (_, i) => makeEvent({ customer: "large", timestamp: i }))
      const small = [makeEvent({ customer: "small", timestamp: 1 })]
      const [bigStatuses, smallStatuses] = await Promise.all([store.append(large), store.append(small)])
      expect(bigStatuses).toEqual(large.map(() => "accepted"))
      expect(smallStatuses).toEqual(["accepted"])
      expect(await store.append(large.slice(0, 80))).toEqual(large.slice(0, 80).map(() => "duplicate"))
      expect((await store.listEvents(567, "large", { limit: 100 })).events).toHaveLength(100)
    } finally {
      await store.close()
      await remove()
    }
  })
})
