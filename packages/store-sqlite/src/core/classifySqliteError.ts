/**
 * The one place where a SQLite failure becomes a store failure: every driver
 * routes its errors here, so every driver fails the same way. Busy, locked,
 * read-only, I/O, cannot-open, disk-full and closed-database errors become
 * `StoreError("unavailable")` (the API answers 503 and the client retries):
 * each is a state of the storage that ends without the service changing,
 * and nothing was written; anything else is a bug and is rethrown as it is.
 *
 * @module
 */
import { StoreError } from "@cdp/store"

/** Primary result codes (the low byte of an extended code) that mean "try again later". */
const unavailableCodes = new Map<number, string>([
  [5, "SQLITE_BUSY"],
  [6, "SQLITE_LOCKED"],
  // A file, folder or mount made read-only, a database file moved away, `query_only`.
  [8, "SQLITE_READONLY"],
  [10, "SQLITE_IOERR"],
  [13, "SQLITE_FULL"],
  [14, "SQLITE_CANTOPEN"],
])
const unavailableNames = [...unavailableCodes.values()]

/** Messages of the drivers' "database is closed" errors (better-sqlite3, node:sqlite, bun:sqlite). */
const closedPattern = /database (connection )?is not open|closed database|database (is|has) closed/i

/**
 * SQLite's own messages for those codes (`sqlite3_errstr`): node:sqlite on
 * Deno gives no `errcode` for errors raised by `exec()` or by the
 * constructor, only `code: "ERR_SQLITE_ERROR"` and the message.
 */
const unavailableMessages: ReadonlyArray<readonly [string, string]> = [
  ["database is locked", "SQLITE_BUSY"],
  ["database table is locked", "SQLITE_LOCKED"],
  ["attempt to write a readonly database", "SQLITE_READONLY"],
  ["disk I/O error", "SQLITE_IOERR"],
  ["database or disk is full", "SQLITE_FULL"],
  ["unable to open database file", "SQLITE_CANTOPEN"],
]

const codeName = (error: {
  code?: unknown
  errcode?: unknown
  errno?: unknown
  message?: unknown
  name?: unknown
}): string | undefined => {
  // better-sqlite3 and bun:sqlite: code "SQLITE_BUSY_SNAPSHOT"; node:sqlite: errcode 517
  if (typeof error.code === "string" && error.code.startsWith("SQLITE_")) {
    return unavailableNames.find((name) => error.code === name || (error.code as string).startsWith(`${name}_`))
  }
  const numeric = typeof error.errcode === "number" ? error.errcode : error.errno
  if (typeof numeric === "number") return unavailableCodes.get(numeric & 0xff)
  if (error.code === "ERR_SQLITE_ERROR" && typeof error.message === "string") {
    // Deno refusing a path outside --allow-read/--allow-write: the file cannot be opened.
    if (error.name === "NotCapable") return "SQLITE_CANTOPEN"
    const message = error.message
    return unavailableMessages.find(([text]) => message.startsWith(text))?.[1]
  }
  return undefined
}

/**
 * Maps a thrown SQLite error: returns a `StoreError` with code `unavailable`
 * when the database is down, busy or closed; returns the error itself
 * otherwise (the caller rethrows it).
 *
 * @since 0.1.0
 * @category errors
 */
export const classifySqliteError = (error: unknown): unknown => {
  if (error instanceof StoreError) return error
  if (typeof error !== "object" || error === null) return error
  const name = codeName(error)
  if (name !== undefined) {
    return new StoreError("unavailable", `the database is unavailable (${name}): ${String((error as Error).message)}`, {
      cause: error,
    })
  }
  if (error instanceof Error && closedPattern.test(error.message)) {
    return new StoreError("unavailable", `the database is closed: ${error.message}`, { cause: error })
  }
  return error
}

/**
 * Whether an error means another connection holds the lock (busy, locked):
 * retrying at once would only wait again.
 *
 * @since 0.1.0
 * @category errors
 */
export const isLockError = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false
  const name = codeName(error)
  return name === "SQLITE_BUSY" || name === "SQLITE_LOCKED"
}
