/**
 * The messages between a store and its database thread, and how errors
 * cross the thread boundary (a structured clone keeps neither the class nor
 * the `code` of an error, so they travel as plain data and are rebuilt).
 * Runtime-free.
 *
 * @module
 */
import type { MessagePort } from "node:worker_threads"
import { StoreError } from "@cdp/store"
import type { EncodedBatches } from "./encodeEvents.ts"
import type { SqliteFault } from "./faultInjection.ts"
import type { BatchOutcome, SqliteCore, SqliteCoreOptions } from "./SqliteCore.ts"

/**
 * The drivers a database thread can open (`sqliteWorker.ts`).
 *
 * @since 0.2.0
 * @category models
 */
export type WorkerDriver = "better-sqlite3" | "bun:sqlite"

/** @since 0.1.0 @category models */
export interface WorkerData {
  readonly path: string
  readonly options: SqliteCoreOptions
  /** Which driver the thread opens the file with (default `better-sqlite3`). @since 0.2.0 */
  readonly driver?: WorkerDriver
  /** Tests only: wrap the connection so that `fault` requests can make it fail (`faultInjection.ts`). @since 0.2.0 */
  readonly faultInjection?: boolean
}

/** @since 0.2.0 @category models */
export interface WalSyncerData {
  /** The WAL file to sync: the database file's path and `-wal`. */
  readonly walPath: string
}

/** @since 0.2.0 @category models */
export interface CheckpointerData {
  readonly path: string
  readonly intervalMs: number
  /**
   * Counters the thread keeps, when given (tests read them): `[0]` passes,
   * `[1]` syncs of the database file (one after each pass that copied
   * pages). An `Int32Array` over a `SharedArrayBuffer`, 2 elements or more.
   */
  readonly counters?: Int32Array
}

/**
 * Indexes of `CheckpointerData.counters`.
 *
 * @since 0.2.0
 * @category models
 */
export const CHECKPOINTER_PASSES = 0
/** @since 0.2.0 @category models */
export const CHECKPOINTER_SYNCS = 1

/** @since 0.1.0 @category models */
export type Request = { readonly id: number } & (
  | ({ readonly op: "commit" } & EncodedBatches)
  | { readonly op: "getProfile"; readonly tenant: number; readonly customer: string }
  | {
      readonly op: "listEvents"
      readonly tenant: number
      readonly customer: string
      readonly limit: number
      readonly cursor: string | undefined
    }
  | { readonly op: "eraseCustomer"; readonly tenant: number; readonly customer: string }
  | { readonly op: "ping" | "stats" | "close" }
  /** Tests only: start this fault in the connection (`undefined`: end the one in force). */
  | { readonly op: "fault"; readonly fault: SqliteFault | undefined }
  /** From now on, pass the replies of writes to the WAL syncer through this port (`walSyncer.ts`). */
  | { readonly op: "syncVia"; readonly port: MessagePort }
)

/** @since 0.1.0 @category models */
export interface SerializedError {
  readonly name: string
  readonly message: string
  readonly code?: string
  readonly storeCode?: StoreError["code"]
}

/** @since 0.1.0 @category errors */
export const serializeError = (error: unknown): SerializedError => {
  if (error instanceof StoreError) return { name: error.name, message: error.message, storeCode: error.code }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code
    return typeof code === "string"
      ? { name: error.name, message: error.message, code }
      : { name: error.name, message: error.message }
  }
  return { name: "Error", message: String(error) }
}

/** @since 0.1.0 @category errors */
export const deserializeError = (error: SerializedError): Error => {
  if (error.storeCode !== undefined) return new StoreError(error.storeCode, error.message)
  const rebuilt = new Error(error.message)
  rebuilt.name = error.name
  if (error.code !== undefined) Object.assign(rebuilt, { code: error.code })
  return rebuilt
}

/**
 * A database thread's answer to one request.
 *
 * @since 0.2.0
 * @category models
 */
export type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: SerializedError }

/**
 * What a database thread answers to a request other than a commit, from its
 * core (the same on every thread); `setFault` is the connection's fault
 * switch, when it was opened with one. Throws what the core throws.
 *
 * @since 0.2.0
 * @category protocol
 */
export const answerRequest = (
  core: SqliteCore,
  request: Exclude<Request, { op: "commit" | "syncVia" }>,
  setFault?: (fault: SqliteFault | undefined) => void,
): unknown => {
  switch (request.op) {
    case "fault":
      if (setFault === undefined) throw new Error("the store was not opened with faultInjection")
      setFault(request.fault)
      return undefined
    case "getProfile":
      return core.getProfile(request.tenant, request.customer)
    case "listEvents":
      return core.listEvents(request.tenant, request.customer, request.limit, request.cursor)
    case "eraseCustomer":
      return core.eraseCustomer(request.tenant, request.customer)
    case "ping":
      return core.ping()
    case "stats":
      return { ...core.stats }
    case "close":
      core.close()
      return undefined
  }
}

/**
 * Batch outcomes as they cross to the caller's thread (errors as data).
 *
 * @since 0.2.0
 * @category protocol
 */
export const serializeOutcomes = (
  outcomes: ReadonlyArray<BatchOutcome>,
): Array<BatchOutcome | { ok: false; error: SerializedError }> =>
  outcomes.map((o) => (o.ok ? o : { ok: false as const, error: serializeError(o.error) }))

/**
 * Commits the batches of many commit requests in one transaction of `core`
 * and appends one reply per request, in order, to `replies`.
 *
 * @since 0.2.0
 * @category protocol
 */
export const commitRequests = (
  core: SqliteCore,
  requests: ReadonlyArray<Extract<Request, { op: "commit" }>>,
  replies: Reply[],
): void => {
  if (requests.length === 0) return
  const outcomes = core.commitEncoded(requests)
  let at = 0
  for (const request of requests) {
    const mine = outcomes.slice(at, at + request.sizes.length)
    at += request.sizes.length
    replies.push({ id: request.id, ok: true, value: serializeOutcomes(mine) })
  }
}
