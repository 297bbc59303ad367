/**
 * The storage port: the operations the ingestion handler needs, and nothing
 * else. Every driver (memory, SQLite on each runtime, PostgreSQL, Durable
 * Objects) implements it and passes the one conformance suite
 * (`@cdp/testkit`'s `storeConformance`).
 *
 * @module
 */

/**
 * An accepted event, ready to store: validated, with its id derived from its
 * canonical form. `timestamp` and `receivedAt` are in the documented form
 * `YYYY-MM-DD HH:MM:SS.ssssss UTC`, so that they sort as strings.
 *
 * @since 0.1.0
 * @category models
 */
export interface NewEvent {
  readonly tenant: number
  readonly customer: string
  readonly id: string
  readonly event: string
  readonly timestamp: string
  readonly receivedAt: string
  /** The event's parameters: each one overwrites the profile attribute of the same key. */
  readonly context: Readonly<Record<string, unknown>>
  /**
   * `context` as JSON text, when the caller has it already (the handler has
   * its canonical form, made for the event id): a store that keeps the
   * context as JSON text may store it instead of serialising `context` again.
   * It must be JSON of exactly `context`; the key order may differ.
   *
   * @since 0.2.0
   */
  readonly contextJson?: string
}

/**
 * A recorded event, as the activity API returns it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoredEvent {
  readonly id: string
  readonly event: string
  readonly timestamp: string
  readonly received_at: string
  readonly context: Readonly<Record<string, unknown>>
}

/**
 * A customer's profile: each attribute holds the value of the event with the
 * latest timestamp that carried it (ties: the later arrival). `updated_at` is
 * the latest timestamp of the customer's events.
 *
 * @since 0.1.0
 * @category models
 */
export interface Profile {
  readonly tenant: number
  readonly customer: string
  readonly attributes: Readonly<Record<string, unknown>>
  readonly updated_at: string
}

/**
 * A page of a customer's events, newest timestamp first.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventPage {
  readonly events: ReadonlyArray<StoredEvent>
  /** The cursor of the next page, or `null` on the last page. */
  readonly next: string | null
}

/** @since 0.1.0 @category models */
export type AppendStatus = "accepted" | "duplicate"

/**
 * The port.
 *
 * @since 0.1.0
 * @category models
 */
export interface IngestStore {
  /**
   * Records a batch of events and applies their profile overwrites, in order,
   * atomically and durably: when the promise resolves, all of it is
   * committed; when it rejects, none of it is. An event whose `(tenant, id)`
   * is already stored (or came earlier in the same batch) is a `duplicate`
   * and changes nothing.
   */
  readonly append: (events: ReadonlyArray<NewEvent>) => Promise<ReadonlyArray<AppendStatus>>
  /** The customer's profile in the tenant, or `undefined`. */
  readonly getProfile: (tenant: number, customer: string) => Promise<Profile | undefined>
  /**
   * A page of the customer's events, newest `timestamp` first (ties: newest
   * id first). `cursor` is a `next` value of an earlier page; a malformed
   * cursor rejects with `StoreError` code `invalid_cursor`.
   */
  readonly listEvents: (
    tenant: number,
    customer: string,
    options: { readonly limit: number; readonly cursor?: string | undefined },
  ) => Promise<EventPage>
  /** Erases the profile and every event of the customer in the tenant; `true` when there was anything. */
  readonly eraseCustomer: (tenant: number, customer: string) => Promise<boolean>
  /** Resolves when the store answers; rejects with `StoreError` (`unavailable`) when not. */
  readonly ping: () => Promise<void>
  /** Finishes pending writes and releases the store. */
  readonly close: () => Promise<void>
}

/**
 * What a store fails with. `unavailable`: the database is down or busy (the
 * API answers 503 with `Retry-After`; nothing was written). `invalid_cursor`:
 * a malformed paging cursor (400).
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreError extends Error {
  readonly code: "unavailable" | "invalid_cursor"
  constructor(code: "unavailable" | "invalid_cursor", message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = "StoreError"
    this.code = code
  }
}
