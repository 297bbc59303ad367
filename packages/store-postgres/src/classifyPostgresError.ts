/**
 * The one place where a PostgreSQL failure becomes a store failure: every
 * query of the driver routes its errors here, so it fails the same way as
 * every other store. The database down, restarting, shutting down, out of
 * resources, unreachable, or the connection lost: `StoreError("unavailable")`
 * (the API answers 503 with `Retry-After`; the client retries). A
 * serialization failure or a deadlock is retried by the caller first
 * (`isRetryableConflict`) and is `unavailable` when retries run out. Anything
 * else is a bug and is rethrown as it is.
 *
 * SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
 *
 * @module
 */
import { StoreError } from "@cdp/store"

/**
 * SQLSTATE classes (first two characters) that mean "try again later":
 * 08 connection exception, 53 insufficient resources (disk full, out of
 * memory, too many connections), 57 operator intervention (admin or crash
 * shutdown 57P01/57P02, cannot connect now 57P03 while starting or
 * recovering, statement timeout 57014), 58 system error (I/O), 28 invalid
 * authorization (the server refuses our role: an operator must act, and the
 * client should not give up), 40 transaction rollback (serialization
 * failure, deadlock) once retries are spent.
 */
const unavailableClasses = new Set(["08", "28", "40", "53", "57", "58"])

/** Single SQLSTATEs outside those classes: no such database (3D000), read-only transaction on a standby after a failover (25006), lock not available (55P03). */
const unavailableStates = new Set(["3D000", "25006", "55P03"])

/** What the client library and the socket report when there is no connection (postgres.js and Node/Bun/Deno sockets). */
const connectionCodes = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_DESTROYED",
  "ERR_STREAM_WRITE_AFTER_END",
  "ConnectionRefused",
  "ConnectionReset",
])

const sqlState = (error: { code?: unknown }): string | undefined =>
  typeof error.code === "string" && /^[0-9A-Z]{5}$/.test(error.code) ? error.code : undefined

/**
 * Maps a thrown PostgreSQL or connection error: a `StoreError` with code
 * `unavailable` when the database cannot serve now; the error itself
 * otherwise (the caller rethrows it).
 *
 * @since 0.1.0
 * @category errors
 */
export const classifyPostgresError = (error: unknown): unknown => {
  if (error instanceof StoreError) return error
  if (typeof error !== "object" || error === null) return error
  const code = (error as { code?: unknown }).code
  const message = String((error as { message?: unknown }).message ?? error)
  const state = sqlState(error as { code?: unknown })
  if (state !== undefined && (unavailableClasses.has(state.slice(0, 2)) || unavailableStates.has(state))) {
    return new StoreError("unavailable", `PostgreSQL is unavailable (SQLSTATE ${state}): ${message}`, { cause: error })
  }
  if (typeof code === "string" && connectionCodes.has(code)) {
    return new StoreError("unavailable", `PostgreSQL is unreachable (${code}): ${message}`, { cause: error })
  }
  return error
}

/**
 * Whether the transaction lost a race with another one and may simply be run
 * again: serialization failure (40001) or deadlock (40P01).
 *
 * @since 0.1.0
 * @category errors
 */
export const isRetryableConflict = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null) return false
  const state = sqlState(error as { code?: unknown })
  return state === "40001" || state === "40P01"
}

/**
 * Whether the error says nothing about the data of the statement: the
 * connection, the server or its resources failed. Such a failure rejects a
 * whole group commit at once; any other one is retried batch by batch, to
 * find the batch at fault.
 *
 * @since 0.1.0
 * @category errors
 */
export const isAvailabilityError = (error: unknown): boolean => {
  const classified = classifyPostgresError(error)
  return classified instanceof StoreError && classified.code === "unavailable"
}
