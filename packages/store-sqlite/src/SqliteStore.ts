/**
 * The SQLite `IngestStore` on the caller's thread: the shared core behind a
 * group-commit queue. Every runtime's driver opens its connection and hands
 * it here (or runs the same core on a database thread of its own).
 * Runtime-free.
 *
 * @module
 */

import type { BatchOutcome } from "@cdp/ingest/groupCommit.ts"
import { type GroupCommitOptions, makeGroupCommit } from "@cdp/ingest/groupCommit.ts"
import type { IngestStore, NewEvent } from "@cdp/ingest/StorePort.ts"
import { StoreError } from "@cdp/ingest/StorePort.ts"
import { openSqliteCore, type SqliteCoreOptions, type SqliteCoreStats } from "./SqliteCore.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"
import { makeSyncer } from "./walSync.ts"

/** @since 0.1.0 @category models */
export interface SqliteStoreOptions extends SqliteCoreOptions, GroupCommitOptions {
  /**
   * The driver's asynchronous fsync of the database's WAL file (see
   * `walSync.ts`). Given, with `synchronous` not `NORMAL`, commits run with
   * `synchronous = NORMAL` and every append resolves after an fsync of the
   * WAL that began after its commit: as durable as `FULL`, without blocking
   * the caller's thread on the disk. Up to `maxInFlight` groups (default 2
   * then) are committed or syncing at once.
   */
  readonly syncWal?: () => Promise<void>
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
}

/**
 * Opens the store on a connection: pragmas, migrations, prepared statements.
 * The store owns the connection from then on and closes it on `close()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSqliteStore = (driver: SqliteDriver, options: SqliteStoreOptions = {}): SqliteStore => {
  const syncWal = options.synchronous === "NORMAL" ? undefined : options.syncWal
  const core = openSqliteCore(driver, syncWal === undefined ? options : { ...options, synchronous: "NORMAL" })
  let closing: Promise<void> | undefined
  /** Set when an fsync of the WAL failed: what was committed may not be on disk, so the store stops. */
  let failed: StoreError | undefined

  const commit =
    syncWal === undefined
      ? (batches: ReadonlyArray<ReadonlyArray<NewEvent>>) => core.commitGroup(batches)
      : (() => {
          const sync = makeSyncer(syncWal)
          return async (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): Promise<ReadonlyArray<BatchOutcome>> => {
            if (failed !== undefined) return batches.map(() => ({ ok: false, error: failed }))
            const outcomes = core.commitGroup(batches)
            if (!outcomes.some((o) => o.ok)) return outcomes
            try {
              await sync()
              return outcomes
            } catch (error) {
              failed ??= new StoreError("unavailable", `the WAL could not be synced to disk: ${String(error)}`, {
                cause: error,
              })
              return batches.map(() => ({ ok: false, error: failed }))
            }
          }
        })()
  const group = makeGroupCommit(commit, syncWal === undefined ? options : { maxInFlight: 2, ...options })

  const open = (): void => {
    if (closing !== undefined) throw new StoreError("unavailable", "the SQLite store is closed")
    if (failed !== undefined) throw failed
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
