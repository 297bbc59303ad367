/**
 * Events in the form the write path binds them: a flat array of
 * `EVENT_FIELDS` values per event, the context already serialised once.
 * Made on the caller's thread, it crosses to a database thread as an array
 * of strings (a structured clone of strings is a copy; of a context object,
 * a walk over every key on both sides) and is bound without another
 * `JSON.stringify`. Runtime-free.
 *
 * @module
 */

import { jsonKey } from "@cdp/ingest/jsonKey.ts"
import type { NewEvent } from "@cdp/ingest/StorePort.ts"

/**
 * Values per event, in this order: tenant, id, customer, event, timestamp,
 * receivedAt, the context as JSON, and the stamps as JSON (`{ key: timestamp }`
 * for each key of the context) or `null` when the context cannot be applied
 * as a JSON merge patch (see `stampsJson`).
 *
 * @since 0.2.0
 * @category encoding
 */
export const EVENT_FIELDS = 8

/**
 * Batches of events, encoded: `sizes[i]` events of batch `i`, one after the
 * other in `values`.
 *
 * @since 0.2.0
 * @category models
 */
export interface EncodedBatches {
  readonly values: ReadonlyArray<string | number | null>
  readonly sizes: ReadonlyArray<number>
}

/** The last key list seen, and its pieces: `{"k1":`, `,"k2":`, ..., `}`. */
let lastKeys: ReadonlyArray<string> = []
let lastPieces: ReadonlyArray<string> = ["{}"]

/**
 * The stamps of an event's attributes as JSON, `{ key: timestamp }` for each
 * key of its context, in the order of `JSON.stringify(context)`. `null` when
 * a value is `null`, `undefined` or an object other than an array: JSON merge
 * patch (`jsonb_patch`) would delete, skip or merge those instead of
 * overwriting, so such an event is merged in code.
 *
 * Written by one `join` of the pieces around the keys with the timestamp,
 * the pieces kept for the key list that came last (events of one client come
 * with the same keys in the same order): a flat string, which crosses to a
 * database thread as one copy. Built with `+`, it cost about twice as much
 * to make, and as much again to flatten when it was copied.
 *
 * @since 0.2.0
 * @category encoding
 */
export const stampsJson = (context: Readonly<Record<string, unknown>>, timestamp: string): string | null => {
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
  return lastPieces.join(JSON.stringify(timestamp))
}

/**
 * Encodes batches of events for the write path.
 *
 * @since 0.2.0
 * @category encoding
 */
export const encodeBatches = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): EncodedBatches => {
  const values: Array<string | number | null> = []
  const sizes: number[] = new Array(batches.length)
  for (let b = 0; b < batches.length; b++) {
    const batch = batches[b]!
    sizes[b] = batch.length
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!
      values.push(
        e.tenant,
        e.id,
        e.customer,
        e.event,
        e.timestamp,
        e.receivedAt,
        JSON.stringify(e.context),
        stampsJson(e.context, e.timestamp),
      )
    }
  }
  return { values, sizes }
}
