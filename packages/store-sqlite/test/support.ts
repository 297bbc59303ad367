/**
 * What the SQLite tests share: temporary database files, and a driver
 * wrapper that fails the write of chosen events the way a disk would.
 */
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import Database from "better-sqlite3"
import { afterEach } from "vitest"
import type { SqliteDriver } from "../src/core/SqliteDriver.ts"
import { betterSqliteDriver } from "../src/drivers/better-sqlite3.ts"

/** A fresh folder for a database file; `remove` deletes it. */
export const tempDatabase = async (): Promise<{ path: string; remove: () => Promise<void> }> => {
  const dir = await mkdtemp(join(tmpdir(), "cdp-store-sqlite-"))
  return { path: join(dir, "ingest.db"), remove: () => rm(dir, { recursive: true, force: true }) }
}

/**
 * A test file's cleanups, run in reverse after each test, and `temp()`: the
 * path of a database file in a fresh folder, removed after the test.
 */
export const scratch = () => {
  const cleanups: Array<() => Promise<void> | void> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  const temp = async (): Promise<string> => {
    const db = await tempDatabase()
    cleanups.push(db.remove)
    return db.path
  }
  return { cleanups, temp }
}

/**
 * A better-sqlite3 driver whose event inserts throw `SQLITE_IOERR` for the
 * poisoned id, and which records the statements it executes.
 */
export const faultyDriver = (path: string) => {
  const db = new Database(path)
  const inner = betterSqliteDriver(db)
  const state = { poisoned: undefined as string | undefined, log: [] as string[] }
  const driver: SqliteDriver = {
    prepare: (sql) => {
      const statement = inner.prepare(sql)
      if (!sql.startsWith("INSERT INTO events")) return statement
      return {
        run: (...params) => {
          if (params[1] === state.poisoned) {
            throw Object.assign(new Error(`disk I/O error (injected, writing ${String(params[1])})`), {
              code: "SQLITE_IOERR_WRITE",
            })
          }
          return statement.run(...params)
        },
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
      }
    },
    exec: (sql) => {
      state.log.push(sql)
      inner.exec(sql)
    },
    close: () => inner.close(),
  }
  return { driver, state }
}
