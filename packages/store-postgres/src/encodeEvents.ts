/**
 * Events in the form the write statement reads them: one array per field,
 * each bound as a text parameter (an array literal) and unpacked in SQL by
 * `unnest` (one round trip per group commit, however many events).
 *
 * PostgreSQL cannot hold every JavaScript string: `text` and `jsonb` refuse
 * NUL, and a lone UTF-16 surrogate has no UTF-8 form. The API accepts both,
 * so such strings are stored escaped, reversibly: each NUL, lone surrogate or
 * U+FFFF becomes U+FFFF followed by its code as four lower-case hex digits.
 * Every other string is stored as it is (the check is one regular
 * expression). An event's `context` column keeps the exact JSON text
 * (`json` keeps `\u0000` escapes); only the profile's copy is escaped.
 * Runtime-free.
 *
 * @module
 */

import type { NewEvent } from "@cdp/store"
import { jsonKey } from "@cdp/store"

const ESCAPE = "\uffff"
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding NUL is the point
const unsafeChar = /\u0000|\uffff|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/
const unsafeChars = new RegExp(unsafeChar.source, "g")
const escaped = /\uffff([0-9a-f]{4})/g
/** In JSON text made by `JSON.stringify`: NUL and lone surrogates are `\u` escapes, U+FFFF is itself. */
const unsafeJson = /\\u0000|\\ud[89abcdef]|\uffff/

/**
 * A string as PostgreSQL can store it (itself, unless it holds NUL, a lone
 * surrogate or U+FFFF).
 *
 * @since 0.1.0
 * @category encoding
 */
export const toPgText = (s: string): string =>
  unsafeChar.test(s) ? s.replace(unsafeChars, (c) => ESCAPE + c.charCodeAt(0).toString(16).padStart(4, "0")) : s

/**
 * The string `toPgText` was given.
 *
 * @since 0.1.0
 * @category encoding
 */
export const fromPgText = (s: string): string =>
  s.includes(ESCAPE) ? s.replace(escaped, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))) : s

const mapStrings = (value: unknown, f: (s: string) => string): unknown => {
  if (typeof value === "string") return f(value)
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f))
  if (typeof value === "object" && value !== null) {
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(value)) out[f(key)] = mapStrings((value as Record<string, unknown>)[key], f)
    return out
  }
  return value
}

/**
 * Parses JSON read from a `jsonb` column and undoes `toPgText` in every
 * string (keys included) when the text holds an escape.
 *
 * @since 0.1.0
 * @category encoding
 */
export const parsePgJson = (text: string): unknown => {
  const value = JSON.parse(text) as unknown
  return text.includes(ESCAPE) ? mapStrings(value, fromPgText) : value
}

const utf8 = new TextEncoder()

/** The order in which `jsonb` keeps an object's keys: shorter UTF-8 first, then byte by byte. */
const jsonbKeyOrder = (a: string, b: string): number => {
  const x = utf8.encode(a)
  const y = utf8.encode(b)
  if (x.length !== y.length) return x.length - y.length
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!
  return 0
}

/** The last key list seen, and the same keys in `jsonb` order. */
let lastKeys: ReadonlyArray<string> = []
let lastInJsonbOrder: ReadonlyArray<string> = []

/** `keys` in `jsonb` order, sorted once for each list (events of one client share theirs). */
const inJsonbOrder = (keys: ReadonlyArray<string>): ReadonlyArray<string> => {
  let same = keys.length === lastKeys.length
  for (let i = 0; same && i < keys.length; i++) same = keys[i] === lastKeys[i]
  if (!same) {
    lastKeys = keys
    lastInJsonbOrder = [...keys].sort(jsonbKeyOrder)
  }
  return lastInJsonbOrder
}

/**
 * `{ key: timestamp }` for each key that `JSON.stringify(context)` writes;
 * `ts` is the timestamp as JSON. The keys come in the order `jsonb` keeps
 * them, so that PostgreSQL finds them sorted (one pass) instead of sorting
 * them every time it reads the stamps.
 */
const stampsOf = (context: Readonly<Record<string, unknown>>, ts: string): string => {
  let out = "{"
  for (const key of inJsonbOrder(Object.keys(context))) {
    const value = context[key]
    if (value === undefined || typeof value === "function" || typeof value === "symbol") continue
    out += (out.length === 1 ? "" : ",") + jsonKey(key) + ts
  }
  return `${out}}`
}

/**
 * A group of batches, ready for the write statement.
 *
 * @since 0.1.0
 * @category models
 */
export interface EncodedGroup {
  /**
   * The statement's parameters: PostgreSQL array literals, one element per
   * event to insert (each distinct `(tenant, id)` of the group once, at its
   * first arrival, in arrival order): tenant, id, customer, event,
   * timestamp, received at, `x` the context as JSON that `jsonb` can hold,
   * `s` its stamps (`{ key: timestamp }` for each key of `x`), and `raw` the
   * exact JSON text of the context where `x` had to be escaped (else NULL).
   */
  readonly params: ReadonlyArray<string>
  /** How many events the arrays hold. */
  readonly count: number
  /**
   * For each batch, for each of its events: its position in the arrays (1
   * up, as `WITH ORDINALITY` counts), or 0 when an earlier event of the
   * group has its id (a duplicate whatever the database holds).
   */
  readonly ordinals: ReadonlyArray<ReadonlyArray<number>>
}

const needsQuoteEscape = /["\\]/
const element = (text: string): string =>
  needsQuoteEscape.test(text) ? `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"` : `"${text}"`

/**
 * Encodes the batches of a group commit, in arrival order (the ordinal breaks
 * ties of timestamps: the later arrival wins).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeGroup = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): EncodedGroup => {
  const seen = new Set<string>()
  const ordinals: number[][] = []
  const columns = ["", "", "", "", "", "", "", "", ""]
  let count = 0
  for (const batch of batches) {
    const mine: number[] = new Array(batch.length)
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!
      const id = toPgText(e.id)
      const key = `${e.tenant}\u0001${id}`
      if (seen.has(key)) {
        mine[i] = 0
        continue
      }
      seen.add(key)
      const context = e.contextJson ?? JSON.stringify(e.context)
      const ts = JSON.stringify(e.timestamp)
      let x = context
      let stamps: string
      let raw = "NULL"
      if (unsafeJson.test(context)) {
        const escapedContext = mapStrings(e.context, toPgText) as Record<string, unknown>
        x = JSON.stringify(escapedContext)
        stamps = stampsOf(escapedContext, ts)
        raw = element(context)
      } else stamps = stampsOf(e.context, ts)
      const sep = count === 0 ? "" : ","
      columns[0] += sep + String(e.tenant)
      columns[1] += sep + element(id)
      columns[2] += sep + element(toPgText(e.customer))
      columns[3] += sep + element(e.event)
      columns[4] += sep + element(e.timestamp)
      columns[5] += sep + element(e.receivedAt)
      columns[6] += sep + x
      columns[7] += sep + stamps
      columns[8] += sep + raw
      mine[i] = ++count
    }
    ordinals.push(mine)
  }
  return {
    params: columns.map((c, i) => (i === 6 || i === 7 ? `[${c}]` : `{${c}}`)),
    count,
    ordinals,
  }
}
