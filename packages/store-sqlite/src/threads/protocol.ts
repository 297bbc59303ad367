/**
 * What the store and its threads say to one another: the data each thread
 * starts with, the requests to the database thread and its replies, and
 * how errors cross a thread boundary (a structured clone keeps neither the
 * class nor the `code` of an error, so they travel as plain data and are
 * rebuilt). Runtime-free.
 *
 * @module
 */
import { StoreError } from "@cdp/store"
import type { EncodedEvents } from "../core/encodeEvents.ts"
import type { SqliteFault } from "../core/faultInjection.ts"
import type { BatchOutcome, SqliteCore, SqliteCoreOptions } from "../core/SqliteCore.ts"
import type { SqliteDriver } from "../core/SqliteDriver.ts"

/**
 * What a driver module exports for its threads: they import the module by
 * its URL (`driverModule`) and open their connection with it.
 *
 * @since 0.3.0
 * @category models
 */
export interface DriverModule {
  /** Opens the database file at `path` (its folder exists); throws what the library throws. */
  readonly openConnection: (path: string) => SqliteDriver
}

/** @since 0.1.0 @category models */
export interface DatabaseThreadData {
  /** The URL of the driver module whose `openConnection` opens the file. */
  readonly driverModule: string
  readonly path: string
  readonly options: SqliteCoreOptions
  /** Tests only: wrap the connection so that `fault` requests can make it fail (`faultInjection.ts`). @since 0.2.0 */
  readonly faultInjection?: boolean
}

/** @since 0.2.0 @category models */
export interface CheckpointerData {
  /** The URL of the driver module whose `openConnection` opens the file. */
  readonly driverModule: string
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
  | { readonly op: "commit"; readonly events: EncodedEvents }
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
  request: Exclude<Request, { op: "commit" }>,
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
  const outcomes = core.commitEncoded(requests.map((request) => request.events))
  let at = 0
  for (const request of requests) {
    const batches = request.events.sizes.length
    const mine = outcomes.slice(at, at + batches)
    at += batches
    replies.push({ id: request.id, ok: true, value: serializeOutcomes(mine) })
  }
}

/**
 * What a thread posts to the store: `ready` (the database thread opened and
 * migrated), `failed` (it could not; it stops), `replies` (to requests),
 * `closed` (a Web Worker's last
 * word, which stands for the `exit` event it has not got).
 *
 * @since 0.3.0
 * @category models
 */
export type ThreadMessage =
  | { readonly type: "ready"; readonly migrated: ReadonlyArray<number> }
  | { readonly type: "failed"; readonly error: SerializedError }
  | { readonly type: "replies"; readonly replies: ReadonlyArray<Reply> }
  | { readonly type: "closed" }

/**
 * The store's side of a thread (`startThread.ts`): what it posts there, and
 * what it hears back. Each `on…` returns how to stop listening.
 *
 * @since 0.3.0
 * @category models
 */
export interface ThreadHandle {
  /** Posts a message; `transfer` moves `MessagePort`s to the thread. */
  readonly post: (message: unknown, transfer?: ReadonlyArray<unknown>) => void
  readonly onMessage: (listener: (message: ThreadMessage) => void) => () => void
  readonly onError: (listener: (error: Error) => void) => () => void
  /** The thread has ended (or, for a Web Worker, said `closed` or failed). */
  readonly onExit: (listener: (code: number) => void) => () => void
}

/**
 * How a driver starts each thread of its store: the database thread, and,
 * where its runtime runs one, the checkpointer.
 *
 * @since 0.2.0
 * @category models
 */
export interface DatabaseThreads {
  /** The URL of the driver module whose `openConnection` the threads open their connections with. */
  readonly driverModule: string
  readonly startDatabase: (data: DatabaseThreadData) => ThreadHandle
  readonly startCheckpointer?: (data: CheckpointerData) => ThreadHandle
}
