/**
 * The SQLite `IngestStore` on the caller's thread: the shared core behind a
 * group-commit queue. Every runtime's driver opens its connection and hands
 * it here (or runs the same core on a database thread of its own).
 * Runtime-free.
 *
 * @module
 */

import type { IngestStore } from "@cdp/store"
import { type GroupCommitOptions, makeGroupCommit, StoreError } from "@cdp/store"
import type { SqliteFault } from "./faultInjection.ts"
import { openSqliteCore, type SqliteCoreOptions, type SqliteCoreStats } from "./SqliteCore.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"

/** @since 0.1.0 @category models */
export interface SqliteStoreOptions extends SqliteCoreOptions, GroupCommitOptions {
  /**
   * Tests only: a store opened from a file path (each driver's `open…Store`,
   * on any thread) gets `injectFault` (`faultInjection.ts`), its connection
   * wrapped so that writes can be made to fail. `makeSqliteStore` takes a
   * connection already made: wrap it with `faultableDriver` instead.
   * @since 0.2.0
   */
  readonly faultInjection?: boolean
}

/**
 * An `IngestStore` over SQLite, with the core's counters.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteStore extends IngestStore {
  readonly stats: Readonly<SqliteCoreStats>
  /** The migration versions applied when the store opened the database. */
  readonly migrated: ReadonlyArray<number>
  /**
   * Starts a fault in the store's connection, ending the one in force
   * (`undefined`: none). Only on a store opened with `faultInjection`.
   * @since 0.2.0
   */
  readonly injectFault?: (fault: SqliteFault | undefined) => Promise<void>
}

/**
 * Opens the store on a connection: pragmas, migrations, prepared statements.
 * The store owns the connection from then on and closes it on `close()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSqliteStore = (driver: SqliteDriver, options: SqliteStoreOptions = {}): SqliteStore => {
  const core = openSqliteCore(driver, options)
  const group = makeGroupCommit((batches) => core.commitGroup(batches), options)
  let closing: Promise<void> | undefined

  const open = (): void => {
    if (closing !== undefined) throw new StoreError("unavailable", "the SQLite store is closed")
  }

  return {
    append: async (events) => {
      open()
      if (events.length === 0) return []
      return group.submit(events)
    },
    getProfile: async (tenant, customer) => {
      open()
      return core.getProfile(tenant, customer)
    },
    listEvents: async (tenant, customer, { limit, cursor }) => {
      open()
      return core.listEvents(tenant, customer, limit, cursor)
    },
    eraseCustomer: async (tenant, customer) => {
      open()
      return core.eraseCustomer(tenant, customer)
    },
    ping: async () => {
      open()
      core.ping()
    },
    close: () => {
      closing ??= group.drain().then(() => core.close())
      return closing
    },
    stats: core.stats,
    migrated: core.migrated,
  }
}
