/**
 * Events in the form the write statement reads them: one JSON array, one
 * object per event, bound as a single text parameter and unpacked in SQL by
 * `json_to_recordset` (one round trip per group commit, however many events).
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
import type { NewEvent } from "@cdp/ingest/StorePort.ts"

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

/**
 * A group of batches, ready for the write statement.
 *
 * @since 0.1.0
 * @category models
 */
export interface EncodedGroup {
  /** The JSON array of the events to insert: each distinct `(tenant, id)` of the group once, at its first arrival. */
  readonly json: string
  /** How many events `json` holds. */
  readonly count: number
  /**
   * For each batch, for each of its events: the ordinal `n` of the event in
   * `json` (0 up), or -1 when an earlier event of the group has its id (a
   * duplicate whatever the database holds).
   */
  readonly ordinals: ReadonlyArray<ReadonlyArray<number>>
}

/**
 * Encodes the batches of a group commit, in arrival order. Fields: `n` the
 * ordinal (arrival order, for ties), `t` tenant, `id`, `c` customer, `e`
 * event, `ts` timestamp, `r` received at, `x` the context as JSON that
 * `jsonb` can hold, and `raw` (only when `x` had to be escaped) the exact
 * JSON text of the context, as a JSON string.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeGroup = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>): EncodedGroup => {
  const seen = new Set<string>()
  const ordinals: number[][] = []
  let json = "["
  let count = 0
  for (const batch of batches) {
    const mine: number[] = new Array(batch.length)
    for (let i = 0; i < batch.length; i++) {
      const e = batch[i]!
      const id = toPgText(e.id)
      const key = `${e.tenant}\u0001${id}`
      if (seen.has(key)) {
        mine[i] = -1
        continue
      }
      seen.add(key)
      const context = JSON.stringify(e.context)
      const safe = unsafeJson.test(context)
        ? `${JSON.stringify(mapStrings(e.context, toPgText))},"raw":${JSON.stringify(context)}`
        : context
      json +=
        (count === 0 ? "" : ",") +
        `{"n":${count},"t":${e.tenant},"id":${JSON.stringify(id)},"c":${JSON.stringify(toPgText(e.customer))},` +
        `"e":${JSON.stringify(e.event)},"ts":${JSON.stringify(e.timestamp)},"r":${JSON.stringify(e.receivedAt)},"x":${safe}}`
      mine[i] = count++
    }
    ordinals.push(mine)
  }
  return { json: `${json}]`, count, ordinals }
}
