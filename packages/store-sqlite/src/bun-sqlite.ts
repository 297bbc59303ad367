/**
 * The SQLite store on Bun, with bun:sqlite (https://bun.sh/docs/api/sqlite).
 * The database runs on the caller's thread: the shared core behind the
 * group-commit queue (`makeSqliteStore`).
 *
 * @module
 */

import { Database } from "bun:sqlite"
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import type { IngestStore } from "@cdp/ingest/StorePort.ts"
import { classifySqliteError } from "./classifySqliteError.ts"
import type { SqliteDriver, SqlValue } from "./SqliteDriver.ts"
import { makeSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./SqliteStore.ts"

/** @since 0.2.0 @category models */
export type BunSqliteStoreOptions = SqliteStoreOptions

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
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it. Throws `StoreError` (`unavailable`) when
 * the file cannot be opened.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openBunSqliteStore = (path: string, options: BunSqliteStoreOptions = {}): SqliteStore & IngestStore => {
  let db: Database
  try {
    if (path !== ":memory:" && path !== "") mkdirSync(dirname(path), { recursive: true })
    db = new Database(path, { create: true, readwrite: true, strict: true })
  } catch (error) {
    const code = (error as { code?: unknown }).code
    // A folder that cannot be made is a file that cannot be opened.
    throw classifySqliteError(
      typeof code === "string" && code.startsWith("SQLITE_")
        ? error
        : Object.assign(error as Error, { code: "SQLITE_CANTOPEN" }),
    )
  }
  try {
    return makeSqliteStore(bunSqliteDriver(db), options)
  } catch (error) {
    db.close()
    throw error
  }
}
