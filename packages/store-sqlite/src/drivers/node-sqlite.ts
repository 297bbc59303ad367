/**
 * The SQLite store on `node:sqlite` (`DatabaseSync`,
 * https://nodejs.org/api/sqlite.html, https://docs.deno.com/api/node/sqlite/):
 * Deno 2.2+ and Node.js 22.5+, no native addon to install. The database runs
 * on a Web Worker of its own where the runtime has Web Workers (Deno:
 * `../threads/databaseThread.ts`, which commits what waits for it in one
 * transaction, with `synchronous = FULL`), else on the caller's thread,
 * behind the shared group-commit queue. (On Deno the database thread over
 * `node:worker_threads` took far fewer single-event POSTs per second than
 * the caller's thread: hence a Web Worker.)
 *
 * @module
 */
/// <reference path="./node-sqlite.ambient.d.ts" />
import { DatabaseSync } from "node:sqlite"
import type { IngestStore } from "@cdp/store"
import type { SqliteDriver } from "../core/SqliteDriver.ts"
import type { SqliteStore, SqliteStoreOptions } from "../core/SqliteStore.ts"
import type { DatabaseThreads } from "../threads/protocol.ts"
import {
  openSqliteStoreOnWorker,
  type SqliteWorkerOptions,
  type SqliteWorkerStore,
} from "../threads/SqliteWorkerStore.ts"
import { webWorkerThreads } from "../threads/startThread.ts"
import { ensureFolder, openSqliteStoreInThread } from "./databaseFile.ts"

/**
 * A `node:sqlite` connection as the core's driver. Its statements fit
 * `SqliteStatement` as they are: rows come back as null-prototype objects,
 * `get()` gives `undefined` when there is no row, `run()` gives
 * `{ changes, lastInsertRowid }`.
 *
 * @since 0.2.0
 * @category drivers
 */
export const nodeSqliteDriver = (db: DatabaseSync): SqliteDriver => ({
  prepare: (sql) => db.prepare(sql),
  exec: (sql) => {
    db.exec(sql)
  },
  close: () => {
    db.close()
  },
})

/**
 * Opens a connection to the file at `path` (its folder must exist). Throws
 * node:sqlite's error as it is.
 *
 * @since 0.2.0
 * @category drivers
 */
export const openConnection = (path: string): SqliteDriver => nodeSqliteDriver(new DatabaseSync(path))

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStoreInThread = (path: string, options: SqliteStoreOptions = {}): SqliteStore =>
  openSqliteStoreInThread(path, openConnection, options)

/**
 * The database thread on a Web Worker (for `openSqliteStoreOnWorker`).
 *
 * @since 0.3.0
 * @category constructors
 */
export const nodeSqliteThreads: DatabaseThreads = webWorkerThreads(import.meta.url)

/**
 * Opens the store with its database on a Web Worker of its own (Deno):
 * the caller's thread goes on serving requests while SQLite writes, and
 * the commits waiting for the Web Worker go in one transaction.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStoreOnWorker = async (
  path: string,
  options: SqliteWorkerOptions = {},
): Promise<SqliteWorkerStore> => {
  ensureFolder(path)
  return openSqliteStoreOnWorker(nodeSqliteThreads, path, options)
}

/** @since 0.2.0 @category models */
export interface NodeSqliteStoreOptions extends SqliteWorkerOptions {
  /** Run SQLite on a Web Worker of its own (default `true` where the runtime has Web Workers). */
  readonly worker?: boolean
}

/**
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it, its database on a Web Worker unless
 * `{ worker: false }` (or the runtime has none). Rejects with `StoreError`
 * (`unavailable`) when the file cannot be opened.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStore = async (path: string, options: NodeSqliteStoreOptions = {}): Promise<IngestStore> => {
  const { worker = typeof (globalThis as { Worker?: unknown }).Worker === "function", ...rest } = options
  return worker ? openNodeSqliteStoreOnWorker(path, rest) : openNodeSqliteStoreInThread(path, rest)
}
