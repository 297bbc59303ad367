/**
 * Faults a test can cause in a SQLite store, on the thread its connection
 * lives on (the caller's, a database thread, Deno's Web Worker): the store is
 * opened with `faultInjection: true`, its connection is wrapped here, and
 * `injectFault` reaches it in order with the store's other requests. Most
 * are SQLite's own errors, raised by SQLite on that connection: disk full
 * (`max_page_count` held at the database's size: a write that needs a new
 * page fails with `SQLITE_FULL`), read-only (`query_only`: `SQLITE_READONLY`),
 * locked (another connection holds the write lock: `SQLITE_BUSY` once the
 * busy timeout passes). An I/O error cannot be had from a healthy disk, so
 * the wrapper throws the driver's `SQLITE_IOERR_WRITE` where a failing disk
 * would: at `COMMIT`, when SQLite writes the transaction's pages to the WAL
 * (nothing written; the core rolls back), or from the insert of one event,
 * in the middle of its batch. Not for production: nothing opens a store this
 * way unless asked to.
 *
 * @module
 */
import type { SqliteDriver } from "./SqliteDriver.ts"

/**
 * A fault to cause in a store's connection until the next `injectFault`.
 * `io-error` with an `id` fails only the insert of that event (in the
 * middle of whatever batch carries it); without, every commit.
 *
 * @since 0.2.0
 * @category models
 */
export type SqliteFault =
  | { readonly kind: "io-error"; readonly id?: string }
  | { readonly kind: "disk-full" }
  | { readonly kind: "read-only" }
  | { readonly kind: "locked" }

/**
 * A connection that can be made to fail, and the switch.
 *
 * @since 0.2.0
 * @category models
 */
export interface FaultableDriver {
  readonly driver: SqliteDriver
  /** Ends the fault in force, then starts `fault` (none: `undefined`). */
  readonly setFault: (fault: SqliteFault | undefined) => void
}

/** The error better-sqlite3 and bun:sqlite throw when a write to the file fails (`SQLITE_IOERR_WRITE`, 778). */
const ioError = (what: string): Error =>
  Object.assign(new Error(`disk I/O error (injected, writing ${what})`), {
    code: "SQLITE_IOERR_WRITE",
    errno: 778,
  })

const pragmaValue = (driver: SqliteDriver, name: string): number =>
  Number(Object.values(driver.prepare(`PRAGMA ${name}`).get() as Record<string, unknown>)[0])

/**
 * Wraps `driver` so that faults can be switched on and off; `openOther`
 * opens a second connection to the same database (the one that holds the
 * lock for `locked`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const faultableDriver = (driver: SqliteDriver, openOther: () => SqliteDriver): FaultableDriver => {
  let failing: { readonly id: string | undefined } | undefined
  let maxPageCount: number | undefined
  let readOnly = false
  let holder: SqliteDriver | undefined

  /** Releases the other connection's lock. */
  const release = (): void => {
    if (holder !== undefined) {
      const other = holder
      holder = undefined
      try {
        other.exec("ROLLBACK")
      } finally {
        other.close()
      }
    }
  }

  const end = (): void => {
    failing = undefined
    if (maxPageCount !== undefined) {
      driver.exec(`PRAGMA max_page_count = ${maxPageCount}`)
      maxPageCount = undefined
    }
    if (readOnly) {
      driver.exec("PRAGMA query_only = 0")
      readOnly = false
    }
    release()
  }

  const setFault = (fault: SqliteFault | undefined): void => {
    end()
    switch (fault?.kind) {
      case undefined:
        return
      case "io-error":
        failing = { id: fault.id }
        return
      case "disk-full":
        maxPageCount = pragmaValue(driver, "max_page_count")
        // SQLite raises a limit below the database's size to its size.
        driver.exec("PRAGMA max_page_count = 1")
        return
      case "read-only":
        driver.exec("PRAGMA query_only = 1")
        readOnly = true
        return
      case "locked": {
        const other = openOther()
        try {
          other.exec("BEGIN IMMEDIATE")
        } catch (error) {
          other.close()
          throw error
        }
        holder = other
        return
      }
    }
  }

  const wrapped: SqliteDriver = {
    prepare: (sql) => {
      const statement = driver.prepare(sql)
      if (!sql.startsWith("INSERT INTO events")) return statement
      return {
        run: (...params) => {
          if (failing?.id !== undefined && failing.id === params[1]) throw ioError(`event ${String(params[1])}`)
          return statement.run(...params)
        },
        get: (...params) => statement.get(...params),
        all: (...params) => statement.all(...params),
      }
    },
    exec: (sql) => {
      if (sql === "COMMIT" && failing !== undefined && failing.id === undefined) throw ioError("the commit")
      driver.exec(sql)
    },
    close: () => {
      try {
        release()
      } finally {
        driver.close()
      }
    },
    ...(driver.transactionSync === undefined
      ? {}
      : {
          // Thrown inside: the host rolls the transaction back.
          transactionSync: <T>(fn: () => T): T =>
            driver.transactionSync!(() => {
              const result = fn()
              if (failing !== undefined && failing.id === undefined) throw ioError("the commit")
              return result
            }),
        }),
  }
  return { driver: wrapped, setFault }
}
