/**
 * The synchronous SQLite connection that the shared core needs, and nothing
 * more: better-sqlite3, bun:sqlite and node:sqlite each satisfy it as they
 * are (or through an adapter of a few lines). A driver file opens the
 * connection and hands it to `makeSqliteStore`.
 *
 * @module
 */

/** A value SQLite binds or returns. @since 0.1.0 @category models */
export type SqlValue = string | number | bigint | null | Uint8Array

/**
 * A prepared statement: positional `?` parameters; rows come back as plain
 * objects keyed by column name.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteStatement {
  run(...params: SqlValue[]): { readonly changes: number | bigint }
  /** The first row, or `undefined`/`null` when there is none. */
  get(...params: SqlValue[]): unknown
  all(...params: SqlValue[]): unknown[]
}

/**
 * An open connection.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteDriver {
  prepare(sql: string): SqliteStatement
  /** Runs one or more statements without parameters. */
  exec(sql: string): void
  close(): void
  /**
   * Runs `fn` in a write transaction, committing when it returns and rolling
   * back when it throws. Optional: without it the core uses
   * `BEGIN IMMEDIATE`/`COMMIT`/`ROLLBACK`. For hosts that forbid those
   * statements (Durable Objects' `transactionSync`).
   */
  transactionSync?<T>(fn: () => T): T
}

/**
 * Whether `path` names a database file: not `:memory:`, nor `""` (SQLite's
 * private temporary database), neither of which has a folder or a WAL file
 * of its own to sync or checkpoint.
 *
 * @since 0.2.0
 * @category files
 */
export const isFileDatabase = (path: string): boolean => path !== ":memory:" && path !== ""
