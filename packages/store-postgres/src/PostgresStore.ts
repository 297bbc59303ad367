/**
 * The PostgreSQL `IngestStore`, written once over the little it needs of a
 * connection pool (`PgConnection`): migrations at open, group commit of
 * concurrent appends into one statement (`statements.ts`), retries of
 * serialization failures and deadlocks, reads, erasure, and every error
 * through `classifyPostgresError`. The driver (`openPostgresStore`) hands it
 * porsager's `postgres` client; any other pool with the same three methods
 * fits. Runtime-free.
 *
 * @module
 */

import type { AppendStatus, IngestStore, NewEvent, StoredEvent } from "@cdp/store"
import {
  type BatchOutcome,
  decodeCursor,
  encodeCursor,
  type GroupCommitOptions,
  makeGroupCommit,
  StoreError,
} from "@cdp/store"
import { classifyPostgresError, isRetryableConflict } from "./classifyPostgresError.ts"
import { encodeGroup, fromPgText, parsePgJson, toPgText } from "./encodeEvents.ts"
import { type MigrationConnection, migrate } from "./migrations.ts"
import { statementsFor } from "./statements.ts"

/** A value bound to a statement parameter. @since 0.1.0 @category models */
export type PgValue = string | number

/**
 * What the store needs of a PostgreSQL connection pool.
 *
 * @since 0.1.0
 * @category models
 */
export interface PgConnection extends MigrationConnection {
  /**
   * Runs one statement with `$n` parameters on any connection of the pool
   * (prepared once per connection, where the client does that) and returns
   * its rows as plain objects. Rejects with the client's error.
   */
  readonly query: (text: string, params: ReadonlyArray<PgValue>) => Promise<ReadonlyArray<Record<string, unknown>>>
  /**
   * Runs a write statement like `query`, but every write on one connection of
   * its own, in the order of the calls, each sent without waiting for the
   * answer of the one before (pipelined): PostgreSQL runs and commits them in
   * that order. With it, the store keeps two write statements in flight (the
   * service parses the next requests while the database writes) and still
   * commits appends in call order; without it, one at a time.
   */
  readonly write?: (text: string, params: ReadonlyArray<PgValue>) => Promise<ReadonlyArray<Record<string, unknown>>>
  /** Waits for running statements, then closes every connection. */
  readonly end: () => Promise<void>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface PostgresStoreOptions extends GroupCommitOptions {
  /** The schema that holds the tables (created when missing). Default `cdp_ingest`. */
  readonly schema?: string
  /** Times a write that lost a race (serialization failure, deadlock) is run again before it is `unavailable`. Default 3. */
  readonly conflictRetries?: number
}

/**
 * Counters for tests and metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostgresStoreStats {
  /** Write statements committed (one per group commit). */
  commits: number
  /** Batches committed. */
  batches: number
  /** Writes run again after a serialization failure or a deadlock. */
  conflictRetries: number
  /** Groups that failed for a reason other than availability and were retried batch by batch. */
  splitGroups: number
}

/**
 * The store, with what it did at open and its counters.
 *
 * @since 0.1.0
 * @category models
 */
export interface PostgresStore extends IngestStore {
  readonly schema: string
  /** The migration versions applied when this store opened the database. */
  readonly migrated: ReadonlyArray<number>
  /** The `synchronous_commit` of the store's sessions, read at open (`on`, `remote_apply`, ...: durable; `off`: not). */
  readonly synchronousCommit: string
  /** The `lock_timeout` of the store's sessions, read at open (`5s`; `0`: a statement waits for a lock as long as it is held). */
  readonly lockTimeout: string
  readonly stats: Readonly<PostgresStoreStats>
}

/** The default schema. @since 0.1.0 @category constants */
export const DEFAULT_SCHEMA = "cdp_ingest"

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) =>
    (globalThis as { setTimeout: (fn: () => void, ms: number) => unknown }).setTimeout(resolve, ms),
  )

interface EventRow {
  id: string
  event: string
  timestamp: string
  received_at: string
  context: string
}

/**
 * Opens the store on a pool: applies the migrations (safely when many
 * processes start at once), prepares the statements. Rejects with
 * `StoreError("unavailable")` when the database cannot be reached. The store
 * owns the pool from then on and ends it on `close()`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makePostgresStore = async (
  connection: PgConnection,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> => {
  const schema = options.schema ?? DEFAULT_SCHEMA
  const sql = statementsFor(schema)
  const retries = Math.max(0, options.conflictRetries ?? 3)
  let migrated: number[]
  let synchronousCommit: string
  let lockTimeout: string
  try {
    migrated = await migrate(connection, schema)
    const [row] = await connection.query(
      "SELECT current_setting('synchronous_commit') AS value, current_setting('lock_timeout') AS lock_timeout",
      [],
    )
    synchronousCommit = String(row?.["value"])
    lockTimeout = String(row?.["lock_timeout"])
  } catch (error) {
    throw classifyPostgresError(error)
  }

  const stats: PostgresStoreStats = { commits: 0, batches: 0, conflictRetries: 0, splitGroups: 0 }
  const write = connection.write ?? connection.query

  /** Runs a statement (`on`: the pool's `query` or its `write`); retries lost races; rejects with the classified error. */
  const run = async (text: string, params: ReadonlyArray<PgValue>, on = connection.query) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await on(text, params)
      } catch (error) {
        if (isRetryableConflict(error) && attempt < retries) {
          stats.conflictRetries++
          await sleep(5 * 2 ** attempt + Math.random() * 10)
          continue
        }
        throw classifyPostgresError(error)
      }
    }
  }

  /**
   * Commits the batches of a group in one statement (one transaction). When
   * it fails for a reason other than availability, one batch may be at
   * fault: each batch is then committed alone, in order, and only the
   * failing ones are rejected. Never half-writes a batch.
   */
  const commitGroup = async (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): Promise<BatchOutcome[]> => {
    const group = encodeGroup(batches)
    let accepted = new Set<number>()
    if (group.count > 0) {
      try {
        const rows = await run(sql.append, group.params, write)
        accepted = new Set(rows.map((row) => Number(row["n"])))
      } catch (error) {
        if (error instanceof StoreError || batches.length === 1) {
          return batches.map(() => ({ ok: false, error }))
        }
        stats.splitGroups++
        const outcomes: BatchOutcome[] = []
        for (const batch of batches) outcomes.push(...(await commitGroup([batch])))
        return outcomes
      }
      stats.commits++
    }
    stats.batches += batches.length
    return group.ordinals.map((ordinals) => ({
      ok: true,
      statuses: ordinals.map((n): AppendStatus => (n > 0 && accepted.has(n) ? "accepted" : "duplicate")),
    }))
  }

  // Pipelined writes keep the call order: two groups in flight, each handed
  // over once 16 events wait, so the next group forms and travels while the
  // database commits the one before (more events per second and a much
  // shorter tail than one group at a time). Else one group at a time, which
  // keeps the order itself.
  const queue = makeGroupCommit(
    commitGroup,
    connection.write === undefined
      ? { maxEventsPerCommit: 1000, ...options }
      : { maxEventsPerCommit: 1000, maxInFlight: 2, launchAt: 16, ...options },
  )
  let closing: Promise<void> | undefined
  const open = (): void => {
    if (closing !== undefined) throw new StoreError("unavailable", "the PostgreSQL store is closed")
  }

  const toStored = (row: EventRow): StoredEvent => ({
    id: fromPgText(row.id),
    event: row.event,
    timestamp: row.timestamp,
    received_at: row.received_at,
    context: JSON.parse(row.context) as Record<string, unknown>,
  })

  return {
    append: async (events) => {
      open()
      if (events.length === 0) return []
      return queue.submit(events)
    },
    getProfile: async (tenant, customer) => {
      open()
      const rows = await run(sql.profile, [tenant, toPgText(customer)])
      const row = rows[0] as { attributes: string; updated_at: string } | undefined
      if (row === undefined) return undefined
      const values = parsePgJson(row.attributes) as Record<string, unknown>
      const attributes: Record<string, unknown> = {}
      for (const key of Object.keys(values).sort()) attributes[key] = values[key]
      return { tenant, customer, attributes, updated_at: row.updated_at }
    },
    listEvents: async (tenant, customer, { limit: requested, cursor }) => {
      open()
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      const limit = Math.max(1, Math.floor(requested) || 1)
      const c = toPgText(customer)
      const rows = (after === undefined
        ? await run(sql.events, [tenant, c, limit + 1])
        : await run(sql.eventsAfter, [
            tenant,
            c,
            after.timestamp,
            toPgText(after.id),
            limit + 1,
          ])) as unknown as ReadonlyArray<EventRow>
      const events = rows.slice(0, limit).map(toStored)
      const last = events[events.length - 1]
      return { events, next: rows.length > limit && last !== undefined ? encodeCursor(last) : null }
    },
    eraseCustomer: async (tenant, customer) => {
      open()
      const rows = await run(sql.erase, [tenant, toPgText(customer)], write)
      return Number(rows[0]?.["n"] ?? 0) > 0
    },
    ping: async () => {
      open()
      await run(sql.ping, [])
    },
    close: () => {
      closing ??= queue.drain().then(() => connection.end())
      return closing
    },
    schema,
    migrated,
    synchronousCommit,
    lockTimeout,
    stats,
  }
}
