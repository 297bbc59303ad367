/**
 * The SQLite store on Node.js, with better-sqlite3
 * (https://github.com/WiseLibs/better-sqlite3): by default the database on
 * a thread of its own, with a checkpointer (`../threads/`); `{ worker: false }` runs it on the caller's thread.
 *
 * @module
 */
import type { IngestStore } from "@cdp/store"
import Database from "better-sqlite3"
import type { SqliteDriver } from "../core/SqliteDriver.ts"
import type { SqliteStore, SqliteStoreOptions } from "../core/SqliteStore.ts"
import type { DatabaseThreads } from "../threads/protocol.ts"
import {
  openSqliteStoreOnWorker,
  type SqliteWorkerOptions,
  type SqliteWorkerStore,
} from "../threads/SqliteWorkerStore.ts"
import { workerThreads } from "../threads/startThread.ts"
import { ensureFolder, openSqliteStoreInThread } from "./databaseFile.ts"

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
 * Opens the file at `path` as a driver (the threads' way in); throws what
 * better-sqlite3 throws.
 *
 * @since 0.3.0
 * @category drivers
 */
export const openConnection = (path: string): SqliteDriver => betterSqliteDriver(new Database(path))

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStoreInThread = (path: string, options: SqliteStoreOptions = {}): SqliteStore =>
  openSqliteStoreInThread(path, openConnection, options)

/**
 * The threads of the store on a worker (for `openSqliteStoreOnWorker`, when
 * one of them is to be replaced, as tests do).
 *
 * @since 0.2.0
 * @category constructors
 */
export const betterSqliteThreads: DatabaseThreads = workerThreads(import.meta.url)

/**
 * Opens the store with its database on a thread of its own, creating the
 * file's folder when missing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStoreOnWorker = async (
  path: string,
  options: BetterSqliteWorkerOptions = {},
): Promise<BetterSqliteStore> => {
  ensureFolder(path)
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
