/**
 * The SQLite store's work, synchronous and written once for every runtime:
 * migrations, the write path (insert-or-ignore the event, then read, merge
 * and write the profile), group commit of many batches in one transaction,
 * reads, erasure. It runs wherever the driver runs: on the caller's thread
 * (`makeSqliteStore`) or on a database thread of a driver's own.
 *
 * @module
 */
import { decodeCursor, encodeCursor } from "@cdp/ingest/cursor.ts"
import { applyToProfile, attributesOf, type ProfileState } from "@cdp/ingest/profileFold.ts"
import type { AppendStatus, EventPage, NewEvent, Profile, StoredEvent } from "@cdp/ingest/StorePort.ts"
import { classifySqliteError, isLockError } from "./classifySqliteError.ts"
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
   * Set the pragmas (WAL, synchronous, busy timeout) at open. Default `true`;
   * `false` for hosts that manage them (Durable Objects).
   */
  readonly pragmas?: boolean
}

/**
 * The outcome of one batch of a group commit: its statuses, or the error that
 * rejected it (and none of its writes were kept).
 *
 * @since 0.1.0
 * @category models
 */
export type BatchOutcome =
  | { readonly ok: true; readonly statuses: ReadonlyArray<AppendStatus> }
  | { readonly ok: false; readonly error: unknown }

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
  updated_at: string
}
interface EventRow {
  id: string
  event: string
  timestamp: string
  received_at: string
  context: string
}

/** Stored form of the attributes: `{ key: [value, timestamp] }`. */
const decodeState = (row: ProfileRow): ProfileState => {
  const stored = JSON.parse(row.attributes) as Record<string, [unknown, string]>
  const attributes: ProfileState["attributes"] = Object.create(null)
  for (const key of Object.keys(stored)) {
    const [value, ts] = stored[key]!
    attributes[key] = { value, ts }
  }
  return { attributes, updatedAt: row.updated_at }
}

const encodeState = (state: ProfileState): string => {
  const stored: Record<string, [unknown, string]> = {}
  for (const key of Object.keys(state.attributes)) {
    const attribute = state.attributes[key]!
    stored[key] = [attribute.value, attribute.ts]
  }
  return JSON.stringify(stored)
}

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
    }
    migrated = migrate(driver)
  } catch (error) {
    throw classified(error)
  }

  const insertEvent = driver.prepare(
    "INSERT INTO events (tenant, id, customer, event, timestamp, received_at, context) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, id) DO NOTHING",
  )
  const selectProfile = driver.prepare("SELECT attributes, updated_at FROM profiles WHERE tenant = ? AND customer = ?")
  const upsertProfile = driver.prepare(
    "INSERT INTO profiles (tenant, customer, attributes, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (tenant, customer) DO UPDATE SET attributes = excluded.attributes, updated_at = excluded.updated_at",
  )
  const selectEvents = driver.prepare(
    "SELECT id, event, timestamp, received_at, context FROM events WHERE tenant = ? AND customer = ? ORDER BY timestamp DESC, id DESC LIMIT ?",
  )
  const selectEventsAfter = driver.prepare(
    "SELECT id, event, timestamp, received_at, context FROM events WHERE tenant = ? AND customer = ? AND (timestamp, id) < (?, ?) ORDER BY timestamp DESC, id DESC LIMIT ?",
  )
  const deleteEvents = driver.prepare("DELETE FROM events WHERE tenant = ? AND customer = ?")
  const deleteProfile = driver.prepare("DELETE FROM profiles WHERE tenant = ? AND customer = ?")
  const selectOne = driver.prepare("SELECT 1 AS ok")

  const stats: SqliteCoreStats = { commits: 0, rollbacks: 0, batches: 0 }
  let closed = false

  /** Profiles read or changed in the current transaction, written back before it commits. */
  type Pending = { tenant: number; customer: string; state: ProfileState; dirty: boolean }

  const profileOf = (pending: Map<string, Pending>, tenant: number, customer: string): Pending => {
    const key = `${tenant}\u0000${customer}`
    let entry = pending.get(key)
    if (entry === undefined) {
      const row = selectProfile.get(tenant, customer) as ProfileRow | undefined | null
      const state = row == null ? { attributes: Object.create(null), updatedAt: "" } : decodeState(row)
      entry = { tenant, customer, state, dirty: false }
      pending.set(key, entry)
    }
    return entry
  }

  const writeBatch = (pending: Map<string, Pending>, batch: ReadonlyArray<NewEvent>): AppendStatus[] =>
    batch.map((event) => {
      const { changes } = insertEvent.run(
        event.tenant,
        event.id,
        event.customer,
        event.event,
        event.timestamp,
        event.receivedAt,
        JSON.stringify(event.context),
      )
      if (Number(changes) === 0) return "duplicate"
      const profile = profileOf(pending, event.tenant, event.customer)
      applyToProfile(profile.state, event)
      profile.dirty = true
      return "accepted"
    })

  const flushProfiles = (pending: Map<string, Pending>): void => {
    for (const p of pending.values()) {
      if (p.dirty) upsertProfile.run(p.tenant, p.customer, encodeState(p.state), p.state.updatedAt)
    }
  }

  /** Failure while writing batch `index`, as opposed to while beginning or committing. */
  class BatchFailure {
    constructor(
      readonly index: number,
      readonly error: unknown,
    ) {}
  }

  const tryGroup = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): AppendStatus[][] => {
    const pending = new Map<string, Pending>()
    try {
      const out = inTransaction(driver, () => {
        const statuses = batches.map((batch, index) => {
          try {
            return writeBatch(pending, batch)
          } catch (error) {
            throw new BatchFailure(index, error)
          }
        })
        flushProfiles(pending)
        return statuses
      })
      stats.commits++
      stats.batches += batches.length
      return out
    } catch (error) {
      stats.rollbacks++
      throw error
    }
  }

  const commitGroup = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): BatchOutcome[] => {
    if (closed) return batches.map(() => ({ ok: false, error: classified(new Error("database is closed")) }))
    const outcomes: (BatchOutcome | undefined)[] = batches.map(() => undefined)
    let remaining = batches.map((_, index) => index)
    while (remaining.length > 0) {
      try {
        const statuses = tryGroup(remaining.map((i) => batches[i]!))
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
    commitGroup,
    getProfile: (tenant, customer) =>
      guard(() => {
        const row = selectProfile.get(tenant, customer) as ProfileRow | undefined | null
        if (row == null) return undefined
        return { tenant, customer, attributes: attributesOf(decodeState(row)), updated_at: row.updated_at }
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
