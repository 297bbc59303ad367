/**
 * The SQLite store's work, synchronous and written once for every runtime:
 * migrations, the write path (insert-or-ignore the event, then patch the
 * profile in SQL when the event is at least as new as it, else read, merge
 * and write it), group commit of many batches in one transaction, reads,
 * erasure. It runs wherever the driver runs: on the caller's thread
 * (`makeSqliteStore`) or on a database thread of a driver's own.
 *
 * @module
 */

import type { AppendStatus, BatchOutcome, EventPage, NewEvent, Profile, StoredEvent } from "@cdp/store"
import { applyToProfile, decodeCursor, emptyProfileState, encodeCursor, type ProfileState } from "@cdp/store"
import { classifySqliteError, isLockError } from "./classifySqliteError.ts"
import { type EncodedEvents, encodeBatches, joinStamps } from "./encodeEvents.ts"
import { KEY_OVERFLOW, makeKeyMasks } from "./keyMasks.ts"
import { inTransaction, migrate } from "./migrations.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"

/**
 * How the core sets up a file database before migrating.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteCoreOptions {
  /**
   * `synchronous` pragma under WAL. `FULL` (the default) syncs the WAL at
   * every commit: a resolved append survives a process kill and a power
   * loss. `NORMAL` survives a process kill only.
   */
  readonly synchronous?: "FULL" | "NORMAL"
  /** How long a write waits for another connection's lock, in ms (default 5000). */
  readonly busyTimeoutMs?: number
  /**
   * Page cache of the connection, in KiB (default: SQLite's, 2 MiB). A larger
   * cache saves the writer re-reading profile and customer-index pages from
   * the file (which matters in large groups of events), but SQLite then
   * scans the whole cache at the end of every transaction, so that small
   * commits (single events) cost more: measure before raising it.
   */
  readonly cacheSizeKiB?: number
  /**
   * `wal_autocheckpoint` pragma, in pages: the writer copies the WAL back into
   * the database file, inside the commit that took the WAL past this size.
   * Default: SQLite's (1000 pages). A driver that checkpoints on a thread of
   * its own raises it, leaving the writer's checkpoint as a safety net.
   */
  readonly walAutocheckpoint?: number
  /**
   * Set the pragmas (WAL, synchronous, busy timeout) at open. Default `true`;
   * `false` for hosts that manage them (Durable Objects).
   */
  readonly pragmas?: boolean
}

/** The outcome of one batch of a group commit (shared with every store). */
export type { BatchOutcome }

/**
 * Counters for tests and metrics.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteCoreStats {
  /** Write transactions committed by `commitGroup`. */
  commits: number
  /** Write transactions rolled back by `commitGroup`. */
  rollbacks: number
  /** Batches committed. */
  batches: number
}

/**
 * The synchronous store.
 *
 * @since 0.1.0
 * @category models
 */
export interface SqliteCore {
  /**
   * Commits many batches in one transaction, in order, and returns one
   * outcome per batch. When a batch fails, the transaction is rolled back,
   * that batch is rejected and the others are committed again without it;
   * when the database is locked or the commit itself fails, every batch is
   * rejected. Never half-writes a batch.
   */
  readonly commitGroup: (batches: ReadonlyArray<ReadonlyArray<NewEvent>>) => BatchOutcome[]
  /**
   * `commitGroup` of batches already encoded (`encodeBatches`), as a database
   * thread receives them: the batches of every group in turn, in one
   * transaction, one outcome per batch.
   */
  readonly commitEncoded: (groups: ReadonlyArray<EncodedEvents>) => BatchOutcome[]
  readonly getProfile: (tenant: number, customer: string) => Profile | undefined
  readonly listEvents: (tenant: number, customer: string, limit: number, cursor: string | undefined) => EventPage
  readonly eraseCustomer: (tenant: number, customer: string) => boolean
  readonly ping: () => void
  readonly close: () => void
  readonly stats: SqliteCoreStats
  /** The migration versions applied when this core opened the database. */
  readonly migrated: ReadonlyArray<number>
}

interface ProfileRow {
  attributes: string
  stamps: string
  updated_at: string
}
interface EventRow {
  id: string
  event: string
  timestamp: string
  received_at: string
  context: string
}

/**
 * Stored form of a profile (migration 2), as JSONB: `attributes`
 * `{ key: value }` and `stamps` `{ key: timestamp of the event the value came
 * from }`, with the same keys; read back as JSON text.
 */
const decodeState = (row: ProfileRow): ProfileState => {
  const values = JSON.parse(row.attributes) as Record<string, unknown>
  const stamps = JSON.parse(row.stamps) as Record<string, string>
  const attributes: ProfileState["attributes"] = Object.create(null)
  for (const key of Object.keys(stamps)) attributes[key] = { value: values[key], ts: stamps[key]! }
  return { attributes, updatedAt: row.updated_at }
}

const encodeState = (state: ProfileState): { attributes: string; stamps: string } => {
  const values: Record<string, unknown> = {}
  const stamps: Record<string, string> = {}
  for (const key of Object.keys(state.attributes)) {
    const attribute = state.attributes[key]!
    values[key] = attribute.value
    stamps[key] = attribute.ts
  }
  return { attributes: JSON.stringify(values), stamps: JSON.stringify(stamps) }
}

/**
 * The queries of a page of a customer's events: the first page, and the page
 * after a cursor's `(timestamp, id)`. Both search `events_by_customer`
 * `(tenant, customer, timestamp)` and sort only runs of equal timestamps by id.
 *
 * @since 0.2.0
 * @category queries
 */
export const listEventsSql = {
  first:
    "SELECT id, event, timestamp, received_at, context FROM events WHERE tenant = ? AND customer = ? ORDER BY timestamp DESC, id DESC LIMIT ?",
  after:
    "SELECT id, event, timestamp, received_at, context FROM events WHERE tenant = ? AND customer = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ?",
} as const

/** Rethrows what the classifier does not turn into a `StoreError`. */
const classified = (error: unknown): unknown => classifySqliteError(error)

/**
 * Opens the core on a connection: sets the pragmas, applies the migrations,
 * prepares the statements. Throws (classified) when the database cannot be
 * used.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openSqliteCore = (driver: SqliteDriver, options: SqliteCoreOptions = {}): SqliteCore => {
  let migrated: number[]
  try {
    if (options.pragmas !== false) {
      driver.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`)
      driver.exec("PRAGMA journal_mode = WAL")
      driver.exec(`PRAGMA synchronous = ${options.synchronous === "NORMAL" ? "NORMAL" : "FULL"}`)
      if (options.cacheSizeKiB !== undefined) {
        driver.exec(`PRAGMA cache_size = ${-Math.max(0, Math.trunc(options.cacheSizeKiB))}`)
      }
      if (options.walAutocheckpoint !== undefined) {
        driver.exec(`PRAGMA wal_autocheckpoint = ${Math.max(0, Math.trunc(options.walAutocheckpoint))}`)
      }
    }
    migrated = migrate(driver)
  } catch (error) {
    throw classified(error)
  }

  const insertEvent = driver.prepare(
    "INSERT INTO events (tenant, id, customer, event, timestamp, received_at, context) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING",
  )
  // The common case, an event at least as new as its profile: every attribute
  // it carries wins (ties go to the later arrival), so SQLite patches the
  // stored values and stamps with the event's; when the event carries every
  // attribute the profile holds (its key mask covers the profile's, and the
  // profile holds no name past the masks' bits), they are the event's, no
  // patch needed (keyMasks.ts). No change: a late event, or a profile
  // without a mask yet (written before migration 4).
  const covered = `profiles.key_mask < ${KEY_OVERFLOW} AND (profiles.key_mask & ~excluded.key_mask) = 0`
  const patchProfile = driver.prepare(
    `INSERT INTO profiles (tenant, customer, attributes, stamps, updated_at, key_mask) VALUES (?, ?, jsonb(?), jsonb(?), ?, ?) ON CONFLICT (tenant, customer) DO UPDATE SET attributes = CASE WHEN ${covered} THEN excluded.attributes ELSE jsonb_patch(attributes, excluded.attributes) END, stamps = CASE WHEN ${covered} THEN excluded.stamps ELSE jsonb_patch(stamps, excluded.stamps) END, key_mask = key_mask | excluded.key_mask, updated_at = excluded.updated_at WHERE excluded.updated_at >= profiles.updated_at AND profiles.key_mask IS NOT NULL`,
  )
  const selectProfile = driver.prepare(
    "SELECT json(attributes) AS attributes, json(stamps) AS stamps, updated_at FROM profiles WHERE tenant = ? AND customer = ?",
  )
  const selectAttributes = driver.prepare(
    "SELECT json(attributes) AS attributes, updated_at FROM profiles WHERE tenant = ? AND customer = ?",
  )
  const writeProfile = driver.prepare(
    "INSERT INTO profiles (tenant, customer, attributes, stamps, updated_at, key_mask) VALUES (?, ?, jsonb(?), jsonb(?), ?, ?) ON CONFLICT (tenant, customer) DO UPDATE SET attributes = excluded.attributes, stamps = excluded.stamps, updated_at = excluded.updated_at, key_mask = excluded.key_mask",
  )
  const masks = makeKeyMasks(driver)
  const selectEvents = driver.prepare(listEventsSql.first)
  const selectEventsAfter = driver.prepare(listEventsSql.after)
  const deleteEvents = driver.prepare("DELETE FROM events WHERE tenant = ? AND customer = ?")
  const deleteProfile = driver.prepare("DELETE FROM profiles WHERE tenant = ? AND customer = ?")
  const selectOne = driver.prepare("SELECT 1 AS ok")

  const stats: SqliteCoreStats = { commits: 0, rollbacks: 0, batches: 0 }
  let closed = false

  /**
   * A late event (older than its profile), one whose context is no
   * overwriting merge patch, or the next event of a profile without a key
   * mask: merged attribute by attribute, by the rule of `applyToProfile`,
   * and written with the mask of the profile's attributes.
   */
  const mergeProfile = (tenant: number, customer: string, timestamp: string, context: string): void => {
    const row = selectProfile.get(tenant, customer) as ProfileRow | undefined | null
    const state = row == null ? emptyProfileState() : decodeState(row)
    applyToProfile(state, { timestamp, context: JSON.parse(context) as Record<string, unknown> })
    const { attributes, stamps } = encodeState(state)
    writeProfile.run(tenant, customer, attributes, stamps, state.updatedAt, masks.of(Object.keys(state.attributes)))
  }

  /** A batch of a group: `count` events of `events`, from event `from` on. */
  interface BatchRef {
    readonly events: EncodedEvents
    readonly from: number
    readonly count: number
  }

  /** Writes the events of `batch`; returns their statuses. */
  const writeBatch = ({ events, from, count }: BatchRef): AppendStatus[] => {
    const statuses: AppendStatus[] = new Array(count)
    for (let k = 0; k < count; k++) {
      const i = from + k
      const tenant = events.tenant[i]!
      const customer = events.customer[i]!
      const timestamp = events.timestamp[i]!
      const context = events.context[i]!
      const stamps = events.stamps[i]!
      const inserted = insertEvent.run(
        tenant,
        events.id[i]!,
        customer,
        events.event[i]!,
        timestamp,
        events.receivedAt[i]!,
        context,
      )
      if (Number(inserted.changes) === 0) {
        statuses[k] = "duplicate"
        continue
      }
      if (
        stamps === null ||
        Number(
          patchProfile.run(tenant, customer, context, joinStamps(stamps, timestamp), timestamp, masks.ofPieces(stamps))
            .changes,
        ) === 0
      ) {
        mergeProfile(tenant, customer, timestamp, context)
      }
      statuses[k] = "accepted"
    }
    return statuses
  }

  /** Failure while writing batch `index`, as opposed to while beginning or committing. */
  class BatchFailure {
    constructor(
      readonly index: number,
      readonly error: unknown,
    ) {}
  }

  const tryGroup = (batches: ReadonlyArray<BatchRef>): AppendStatus[][] => {
    try {
      const out = inTransaction(driver, () =>
        batches.map((batch, index) => {
          try {
            return writeBatch(batch)
          } catch (error) {
            throw new BatchFailure(index, error)
          }
        }),
      )
      stats.commits++
      stats.batches += batches.length
      return out
    } catch (error) {
      stats.rollbacks++
      // Bits claimed in the transaction are undone with it.
      masks.forget()
      throw error
    }
  }

  const commitBatches = (batches: ReadonlyArray<BatchRef>): BatchOutcome[] => {
    if (closed) return batches.map(() => ({ ok: false, error: classified(new Error("database is closed")) }))
    const outcomes: (BatchOutcome | undefined)[] = new Array(batches.length)
    let remaining = batches.map((_, index) => index)
    while (remaining.length > 0) {
      try {
        const statuses = tryGroup(remaining.length === batches.length ? batches : remaining.map((i) => batches[i]!))
        remaining.forEach((i, k) => {
          outcomes[i] = { ok: true, statuses: statuses[k]! }
        })
        remaining = []
      } catch (failure) {
        if (failure instanceof BatchFailure && !isLockError(failure.error)) {
          // One batch is at fault: reject it, commit the others without it.
          const culprit = remaining[failure.index]!
          outcomes[culprit] = { ok: false, error: classified(failure.error) }
          remaining = remaining.filter((i) => i !== culprit)
        } else {
          // Locked, or BEGIN/COMMIT failed: nobody's batch is at fault, and nobody's is written.
          const error = classified(failure instanceof BatchFailure ? failure.error : failure)
          for (const i of remaining) outcomes[i] = { ok: false, error }
          remaining = []
        }
      }
    }
    return outcomes as BatchOutcome[]
  }

  const commitEncoded = (groups: ReadonlyArray<EncodedEvents>): BatchOutcome[] => {
    const batches: BatchRef[] = []
    for (const events of groups) {
      let from = 0
      for (const count of events.sizes) {
        batches.push({ events, from, count })
        from += count
      }
    }
    return commitBatches(batches)
  }

  const guard = <T>(fn: () => T): T => {
    if (closed) throw classified(new Error("database is closed"))
    try {
      return fn()
    } catch (error) {
      throw classified(error)
    }
  }

  const toStored = (row: EventRow): StoredEvent => ({
    id: row.id,
    event: row.event,
    timestamp: row.timestamp,
    received_at: row.received_at,
    context: JSON.parse(row.context) as Record<string, unknown>,
  })

  return {
    commitGroup: (batches) => commitEncoded([encodeBatches(batches)]),
    commitEncoded,
    getProfile: (tenant, customer) =>
      guard(() => {
        const row = selectAttributes.get(tenant, customer) as Omit<ProfileRow, "stamps"> | undefined | null
        if (row == null) return undefined
        const values = JSON.parse(row.attributes) as Record<string, unknown>
        const attributes: Record<string, unknown> = {}
        for (const key of Object.keys(values).sort()) attributes[key] = values[key]
        return { tenant, customer, attributes, updated_at: row.updated_at }
      }),
    listEvents: (tenant, customer, requested, cursor) => {
      const after = cursor === undefined ? undefined : decodeCursor(cursor)
      // SQLite reads a negative LIMIT as "no limit": a page holds at least one event.
      const limit = Math.max(1, Math.floor(requested) || 1)
      return guard(() => {
        const rows = (
          after === undefined
            ? selectEvents.all(tenant, customer, limit + 1)
            : selectEventsAfter.all(tenant, customer, after.timestamp, after.id, limit + 1)
        ) as EventRow[]
        const events = rows.slice(0, limit).map(toStored)
        const last = events[events.length - 1]
        return { events, next: rows.length > limit && last !== undefined ? encodeCursor(last) : null }
      })
    },
    eraseCustomer: (tenant, customer) =>
      guard(() =>
        inTransaction(driver, () => {
          const events = Number(deleteEvents.run(tenant, customer).changes)
          const profiles = Number(deleteProfile.run(tenant, customer).changes)
          return events + profiles > 0
        }),
      ),
    ping: () => {
      guard(() => selectOne.get())
    },
    close: () => {
      if (closed) return
      closed = true
      driver.close()
    },
    stats,
    migrated,
  }
}
