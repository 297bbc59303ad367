/**
 * The SQLite store on `node:sqlite` (`DatabaseSync`,
 * https://nodejs.org/api/sqlite.html, https://docs.deno.com/api/node/sqlite/):
 * Deno 2.2+ and Node.js 22.5+, no native addon to install. The database runs
 * on the caller's thread, behind the shared group-commit queue. (On Deno
 * 2.9 the shared database thread, over `node:worker_threads`, took about
 * 40% fewer single-event POSTs per second than the caller's thread, with a
 * p99 three times as long; nor does Deno's `receiveMessageOnPort` take a
 * `parentPort`.)
 *
 * @module
 */
/// <reference path="./node-sqlite.ambient.d.ts" />
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { DatabaseSync } from "node:sqlite"
import { classifySqliteError } from "./classifySqliteError.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"
import { makeSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./SqliteStore.ts"

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
export const openNodeSqliteDriver = (path: string): SqliteDriver => nodeSqliteDriver(new DatabaseSync(path))

const ensureFolder = (path: string): void => {
  if (path === ":memory:" || path === "") return
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw classifySqliteError(Object.assign(error as Error, { code: "SQLITE_CANTOPEN" }))
  }
}

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStoreInThread = (path: string, options: SqliteStoreOptions = {}): SqliteStore => {
  ensureFolder(path)
  let driver: SqliteDriver
  try {
    driver = openNodeSqliteDriver(path)
  } catch (error) {
    throw classifySqliteError(error)
  }
  try {
    return makeSqliteStore(driver, options)
  } catch (error) {
    driver.close()
    throw error
  }
}

/**
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it, on the caller's thread. Rejects with
 * `StoreError` (`unavailable`) when the file cannot be opened.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStore = async (path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> =>
  openNodeSqliteStoreInThread(path, options)
