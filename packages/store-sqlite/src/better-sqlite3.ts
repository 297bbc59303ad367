import { createRequire } from "node:module"
import { Worker } from "node:worker_threads"
import type { IngestStore } from "@cdp/store"
import Database from "better-sqlite3"
import { openSqliteStoreInThread } from "./databaseFile.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"
import type { SqliteStore, SqliteStoreOptions } from "./SqliteStore.ts"
import {
  type DatabaseThreads,
  openSqliteStoreOnWorker,
  type SqliteWorkerOptions,
  type SqliteWorkerStore,
} from "./SqliteWorkerStore.ts"
import { startWalSyncer } from "./walSyncer.ts"
import { CHECKPOINTER_PASSES, CHECKPOINTER_SYNCS, type CheckpointerData, type WorkerData } from "./workerProtocol.ts"

/** @since 0.2.0 @category models */
export type BetterSqliteWorkerOptions = SqliteWorkerOptions

/** @since 0.1.0 @category models */
export interface BetterSqliteStoreOptions extends BetterSqliteWorkerOptions {
  /** Run SQLite on its own thread (default `true`). */
  readonly worker?: boolean
}

/**
 * A store whose database runs on a thread of its own; its counters are
 * fetched from there.
 *
 * @since 0.1.0
 * @category models
 */
export type BetterSqliteStore = SqliteWorkerStore

/**
 * A better-sqlite3 connection as the core's driver. (better-sqlite3's own
 * `transaction` wraps a function instead of running it, so it is not passed
 * through.)
 *
 * @since 0.1.0
 * @category drivers
 */
export const betterSqliteDriver = (db: Database.Database): SqliteDriver => ({
  prepare: (sql) => db.prepare<unknown[]>(sql),
  exec: (sql) => {
    db.exec(sql)
  },
  close: () => {
    db.close()
  },
})

/**
 * Opens the file at `path` as a driver (the database thread's way in);
 * throws what better-sqlite3 throws.
 *
 * @since 0.2.0
 * @category drivers
 */
export const openBetterSqliteDriver = (path: string): SqliteDriver => betterSqliteDriver(new Database(path))

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStoreInThread = (path: string, options: SqliteStoreOptions = {}): SqliteStore =>
  openSqliteStoreInThread(path, openBetterSqliteDriver, options)

/**
 * Starts the database thread. While the package runs from its TypeScript
 * sources, the thread registers tsx (Node 20 does not hand a loader given by
 * `--import` on to worker threads) before it loads its entry.
 */
const startWorker = (options: WorkerData): Worker => {
  const data: WorkerData = { ...options, driver: "better-sqlite3" }
  const fromSource = import.meta.url.endsWith(".ts")
  const entry = new URL(fromSource ? "./sqliteWorker.ts" : "./sqliteWorker.js", import.meta.url)
  if (!fromSource) return new Worker(entry, { workerData: data })
  const tsx = import.meta.resolve("tsx/esm/api")
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData: data })
}

/**
 * The checkpointer thread: a connection of its own that copies committed
 * pages from the WAL back into the database file every `intervalMs`
 * (`PRAGMA wal_checkpoint(PASSIVE)`, which never waits for, nor blocks, the
 * writer). The writer's commits then seldom carry a checkpoint (megabytes
 * written and a second fsync, every few commits otherwise). Frequent small
 * passes, each that copied pages followed by a sync of the database file
 * (see checkpointer.ts): one large pass, or pages left dirty for long, sync
 * megabytes of the database file at once while the writer syncs the WAL,
 * and the writer waits. Under sustained load the WAL
 * is never wholly copied between two commits, so it cannot start over; the
 * writer's autocheckpoint, set higher, then finishes a pass that is mostly
 * done and lets it. Durability does not depend on it: a commit is durable
 * in the WAL before it is answered. Plain JavaScript, so that it starts
 * without a TypeScript loader.
 */
const checkpointerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const fs = require("node:fs")
const Database = require(workerData.driver)
const counters = workerData.counters
let db
let file
try {
  db = new Database(workerData.path, { fileMustExist: true })
  // A checkpoint syncs the WAL before copying and the database file after.
  db.pragma("synchronous = FULL")
  // Read-write (never written through): Windows syncs only such handles.
  file = fs.openSync(workerData.path, "r+")
} catch {
  db?.close()
  process.exit(0) // the writer checkpoints by itself
}
let copied = 0
const timer = setInterval(() => {
  try {
    const [result] = db.pragma("wal_checkpoint(PASSIVE)")
    if (counters) Atomics.add(counters, ${CHECKPOINTER_PASSES}, 1)
    // Frames copied so far in this WAL; it changed: this pass copied pages, sync them.
    const changed = result.checkpointed > 0 && result.checkpointed !== copied
    copied = result.checkpointed
    if (changed) {
      fs.fdatasyncSync(file)
      if (counters) Atomics.add(counters, ${CHECKPOINTER_SYNCS}, 1)
    }
  } catch {
    // busy (another checkpoint runs) or an I/O error: the next pass, or the writer, tries again
  }
}, workerData.intervalMs)
parentPort.once("message", () => {
  clearInterval(timer)
  try {
    fs.closeSync(file)
    db.close()
  } finally {
    parentPort.close()
  }
})
`

const startCheckpointer = (data: CheckpointerData): Worker =>
  new Worker(checkpointerSource, {
    eval: true,
    workerData: { ...data, driver: createRequire(import.meta.url).resolve("better-sqlite3") },
  })

/**
 * The threads of the store on a worker: the database thread, the
 * checkpointer and the WAL syncer (for `openSqliteStoreOnWorker`, when one
 * of them is to be replaced, as tests do).
 *
 * @since 0.2.0
 * @category constructors
 */
export const betterSqliteThreads: DatabaseThreads = { startWorker, startCheckpointer, startSyncer: startWalSyncer }

/**
 * Opens the store with its database on a thread of its own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStoreOnWorker = async (
  path: string,
  options: BetterSqliteWorkerOptions = {},
): Promise<BetterSqliteStore> => {
  return openSqliteStoreOnWorker(betterSqliteThreads, path, options)
}

/**
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it, its database on a thread of its own
 * unless `{ worker: false }`. Rejects with `StoreError` (`unavailable`) when
 * the file cannot be opened.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStore = async (
  path: string,
  options: BetterSqliteStoreOptions = {},
): Promise<IngestStore> => {
  const { worker = true, ...rest } = options
  return worker ? openBetterSqliteStoreOnWorker(path, rest) : openBetterSqliteStoreInThread(path, rest)
}
