/**
 * The SQLite store on `node:sqlite` (`DatabaseSync`,
 * https://nodejs.org/api/sqlite.html, https://docs.deno.com/api/node/sqlite/):
 * Deno 2.2+ and Node.js 22.5+, no native addon to install. The database runs
 * on the caller's thread, like `openBetterSqliteStoreInThread`.
 *
 * @module
 */
/// <reference path="./nodeSqliteTypes.d.ts" />
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

const ensureFolder = (path: string): void => {
  if (path === ":memory:" || path === "") return
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw classifySqliteError(Object.assign(error as Error, { code: "SQLITE_CANTOPEN" }))
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
export const openNodeSqliteStore = async (path: string, options: SqliteStoreOptions = {}): Promise<SqliteStore> => {
  ensureFolder(path)
  let db: DatabaseSync
  try {
    db = new DatabaseSync(path)
  } catch (error) {
    throw classifySqliteError(error)
  }
  try {
    return makeSqliteStore(nodeSqliteDriver(db), options)
  } catch (error) {
    db.close()
    throw error
  }
}
