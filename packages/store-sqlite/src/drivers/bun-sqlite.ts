/**
 * The SQLite store on Bun, with bun:sqlite (https://bun.sh/docs/api/sqlite).
 * By default the database runs on a thread of its own (a Bun worker running
 * `../threads/databaseThread.ts`, as the better-sqlite3 driver does on Node.js), groups
 * handed over as they form; `{ worker: false }` runs it on the caller's
 * thread, behind the shared group-commit queue. The worker is the default
 * because it keeps pace with the Node service, single events and batches
 * alike, where the caller's thread falls behind (it spends less CPU per
 * event, but HTTP and SQLite take turns on one thread).
 *
 * @module
 */

import { Database } from "bun:sqlite"
import type { IngestStore } from "@cdp/store"
import type { SqliteDriver, SqlValue } from "../core/SqliteDriver.ts"
import type { SqliteStore, SqliteStoreOptions } from "../core/SqliteStore.ts"
import type { DatabaseThreads } from "../threads/protocol.ts"
import { checkpointSettings, runCheckpointer } from "../threads/runCheckpointer.ts"
import {
  openSqliteStoreOnWorker,
  type SqliteWorkerOptions,
  type SqliteWorkerStore,
} from "../threads/SqliteWorkerStore.ts"
import { workerThreads } from "../threads/startThread.ts"
import { ensureFolder, openSqliteStoreInThread } from "./databaseFile.ts"

/**
 * The store on the caller's thread: the shared core's options, and how often
 * a checkpointer thread (a Bun worker with a connection of its own) copies
 * the WAL back into the database file, so that commits on the caller's
 * thread seldom carry a checkpoint (default 20 ms; `0`: none, the writer
 * checkpoints inline as SQLite does by default).
 *
 * @since 0.2.0
 * @category models
 */
export interface BunSqliteThreadOptions extends SqliteStoreOptions {
  readonly checkpointIntervalMs?: number
}

/** @since 0.2.0 @category models */
export interface BunSqliteStoreOptions extends SqliteWorkerOptions {
  /** Run SQLite on its own thread (default `true`). */
  readonly worker?: boolean
}

/**
 * A bun:sqlite connection as the core's driver. Its statements fit as they
 * are: `run` returns `{ changes }`, `get` returns `null` when there is no row.
 *
 * @since 0.2.0
 * @category drivers
 */
export const bunSqliteDriver = (db: Database): SqliteDriver => ({
  prepare: (sql) => db.prepare<unknown, SqlValue[]>(sql),
  exec: (sql) => {
    db.exec(sql)
  },
  close: () => {
    db.close()
  },
})

/**
 * Opens the file at `path` (creating it, not its folder) as a driver; throws
 * what bun:sqlite throws.
 *
 * @since 0.2.0
 * @category drivers
 */
export const openConnection = (path: string): SqliteDriver =>
  bunSqliteDriver(new Database(path, { create: true, readwrite: true, strict: true }))

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openBunSqliteStoreInThread = (path: string, options: BunSqliteThreadOptions = {}): SqliteStore => {
  const { intervalMs, walAutocheckpoint } = checkpointSettings(options, true)
  const store = openSqliteStoreInThread(
    path,
    openConnection,
    walAutocheckpoint === undefined ? options : { ...options, walAutocheckpoint },
  )
  // Started once the writer has set WAL mode and migrated.
  const stopCheckpointer = runCheckpointer(bunSqliteThreads.startCheckpointer!, {
    driverModule: bunSqliteThreads.driverModule,
    path,
    intervalMs,
  })
  return { ...store, close: () => store.close().finally(stopCheckpointer) }
}

/**
 * The threads of the store on a worker: the database thread and the
 * checkpointer (for `openSqliteStoreOnWorker`, when one of them is to be
 * replaced, as tests do).
 *
 * @since 0.2.0
 * @category constructors
 */
export const bunSqliteThreads: DatabaseThreads = workerThreads(import.meta.url)

/**
 * Opens the store with its database on a thread of its own.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openBunSqliteStoreOnWorker = async (
  path: string,
  options: SqliteWorkerOptions = {},
): Promise<SqliteWorkerStore> => {
  ensureFolder(path)
  return openSqliteStoreOnWorker(bunSqliteThreads, path, options)
}

/**
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it, its database on a thread of its own
 * unless `{ worker: false }`. Rejects with `StoreError` (`unavailable`) when
 * the file cannot be opened.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openBunSqliteStore = async (path: string, options: BunSqliteStoreOptions = {}): Promise<IngestStore> => {
  const { worker = true, ...rest } = options
  return worker ? openBunSqliteStoreOnWorker(path, rest) : openBunSqliteStoreInThread(path, rest)
}

export { CHECKPOINTER_PASSES, CHECKPOINTER_SYNCS, type CheckpointerData } from "../threads/protocol.ts"
/**
 * The checkpointer's runner and the indexes of its counters, for tests and
 * tools that run the thread of `bunSqliteThreads` on a file of their own.
 *
 * @since 0.2.0
 * @category constructors
 */
export { runCheckpointer } from "../threads/runCheckpointer.ts"
