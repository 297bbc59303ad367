/**
 * Events in the form the write path binds them: one array per column, the
 * context already serialised once. Made on the caller's thread, it crosses
 * to a database thread as arrays of strings and numbers (a structured clone
 * of strings is a copy; of a context object, a walk over every key on both
 * sides), with the stamps as pieces shared by events of the same keys, and
 * is bound without another `JSON.stringify`. Runtime-free.
 *
 * @module
 */

import type { NewEvent } from "@cdp/store"
import { jsonKey } from "@cdp/store"

/**
 * The stamps JSON of an event (`{ key: timestamp }` for each key of its
 * context) cut around its timestamps: `{"k1":`, `,"k2":`, ..., `}`, which
 * `joinStamps` joins with the timestamp.
 *
 * @since 0.2.0
 * @category models
 */
export type StampPieces = ReadonlyArray<string>

/**
 * Batches of events, encoded column by column: event `i` is `tenant[i]`,
 * `id[i]`, ...; batch `b` holds `sizes[b]` events, after those of the
 * batches before it.
 *
 * @since 0.3.0
 * @category models
 */
export interface EncodedEvents {
  readonly sizes: ReadonlyArray<number>
  readonly tenant: ReadonlyArray<number>
  readonly id: ReadonlyArray<string>
  readonly customer: ReadonlyArray<string>
  readonly event: ReadonlyArray<string>
  readonly timestamp: ReadonlyArray<string>
  readonly receivedAt: ReadonlyArray<string>
  /** The context as JSON (the caller's `contextJson` when it has one). */
  readonly context: ReadonlyArray<string>
  /** `stampPieces` of the context: `null` when it cannot be applied as a JSON merge patch. */
  readonly stamps: ReadonlyArray<StampPieces | null>
}

/** The last key list seen, and its pieces. Never changed once made: events share them. */
let lastKeys: ReadonlyArray<string> = []
let lastPieces: StampPieces = ["{}"]

/**
 * The stamp pieces of an event's context, for the keys of the context in
 * the order of `JSON.stringify(context)`. `null` when a value is `null`,
 * `undefined` or an object other than an array: JSON merge patch
 * (`jsonb_patch`) would delete, skip or merge those instead of overwriting,
 * so such an event is merged in code.
 *
 * The pieces are kept for the key list that came last (events of one client
 * come with the same keys in the same order), and events with that list get
 * the same array: copied to a database thread, a group carries it once (the
 * structured clone writes a reference for each repeat) instead of a stamps
 * text for every event, and the database thread joins it (`joinStamps`),
 * work that would otherwise fall on the HTTP thread.
 *
 * @since 0.2.0
 * @category encoding
 */
export const stampPieces = (context: Readonly<Record<string, unknown>>): StampPieces | null => {
  const keys = Object.keys(context)
  let same = keys.length === lastKeys.length
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!
    const value = context[key]
    if (value === null || value === undefined || (typeof value === "object" && !Array.isArray(value))) return null
    if (same && key !== lastKeys[i]) same = false
  }
  if (!same) {
    const pieces: string[] = new Array(keys.length + 1)
    for (let i = 0; i < keys.length; i++) pieces[i] = (i === 0 ? "{" : ",") + jsonKey(keys[i]!)
    pieces[keys.length] = keys.length === 0 ? "{}" : "}"
    lastKeys = keys
    lastPieces = pieces
  }
  return lastPieces
}

/**
 * The stamps JSON of `pieces` with `timestamp`: one `join`, a flat string.
 * (Built with `+`, it cost more, and had to be flattened again when SQLite
 * bound it.)
 *
 * @since 0.2.0
 * @category encoding
 */
export const joinStamps = (pieces: StampPieces, timestamp: string): string => pieces.join(JSON.stringify(timestamp))

/**
 * The stamps of an event's attributes as JSON, `{ key: timestamp }` for each
 * key of its context, in the order of `JSON.stringify(context)`; `null`
 * where `stampPieces` is.
 *
 * @since 0.2.0
 * @category encoding
 */
export const stampsJson = (context: Readonly<Record<string, unknown>>, timestamp: string): string | null => {
  const pieces = stampPieces(context)
  return pieces === null ? null : joinStamps(pieces, timestamp)
}

/**
 * Encodes batches of events for the write path.
 *
 * @since 0.2.0
 * @category encoding
 */
export const encodeBatches = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): EncodedEvents => {
  const sizes: number[] = new Array(batches.length)
  const tenant: number[] = []
  const id: string[] = []
  const customer: string[] = []
  const event: string[] = []
  const timestamp: string[] = []
  const receivedAt: string[] = []
  const context: string[] = []
  const stamps: Array<StampPieces | null> = []
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!
    sizes[b] = batch.length
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!
      tenant.push(e.tenant)
      id.push(e.id)
      customer.push(e.customer)
      event.push(e.event)
      timestamp.push(e.timestamp)
      receivedAt.push(e.receivedAt)
      context.push(e.contextJson ?? JSON.stringify(e.context))
      stamps.push(stampPieces(e.context))
    }
  }
  return { sizes, tenant, id, customer, event, timestamp, receivedAt, context, stamps }
}
