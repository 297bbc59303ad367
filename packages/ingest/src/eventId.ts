/**
 * Event ids: a digest of the event's canonical form (its decoded value —
 * timestamp normalised — as JSON with sorted keys), so the same event sent
 * again, in any key order or timestamp form, gets the same id. The id opens
 * with the event time (microseconds since 0001-01-01, 16 hex digits), so ids
 * sort by event time and insert into indexes roughly in order.
 *
 * @module
 */
import { jsonKey } from "./jsonKey.ts"
import { type Sha256Hex, sha256Hex } from "./TenantConfig.ts"

/** Canonical JSON: keys sorted at every level, no whitespace. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  const o = value as Record<string, unknown>
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`
}

const EPOCH_0001 = Date.UTC(2000, 0, 1) - 730_119 * 86_400_000 // 0001-01-01T00:00:00Z

/**
 * The time prefix of an id: microseconds since 0001-01-01 of a timestamp in
 * the documented form, as 16 hex digits (milliseconds in 13, the rest in 3,
 * so no precision is lost and the order is kept).
 *
 * @since 0.1.0
 * @category ids
 */
export const timePrefix = (ts: string): string => {
  const year = +ts.slice(0, 4)
  const rest = [
    +ts.slice(5, 7) - 1,
    +ts.slice(8, 10),
    +ts.slice(11, 13),
    +ts.slice(14, 16),
    +ts.slice(17, 19),
    +ts.slice(20, 23),
  ] as const
  let ms: number
  if (year >= 100) ms = Date.UTC(year, ...rest)
  else {
    // Date.UTC reads years 0 to 99 as 1900 to 1999.
    const d = new Date(0)
    d.setUTCFullYear(year, rest[0], rest[1])
    d.setUTCHours(rest[2], rest[3], rest[4], rest[5])
    ms = d.getTime()
  }
  return (ms - EPOCH_0001).toString(16).padStart(13, "0") + (+ts.slice(23, 26)).toString(16).padStart(3, "0")
}

const quotedCache = new WeakMap<ReadonlyArray<string>, ReadonlyArray<string>>()
/** `"key":` for each key; kept for a list that is used again (an event kind's sorted parameters). */
const quotedKeys = (keys: ReadonlyArray<string>, keep: boolean): ReadonlyArray<string> => {
  let quoted = keep ? quotedCache.get(keys) : undefined
  if (quoted === undefined) {
    quoted = keys.map(jsonKey)
    if (keep) quotedCache.set(keys, quoted)
  }
  return quoted
}

/**
 * The canonical JSON of a decoded event, as `canonicalJson` writes it, on
 * the hot path: the envelope's keys in their sorted order, written out, and
 * only the context's keys sorted.
 *
 * @since 0.1.0
 * @category ids
 */
export const canonicalEventJson = (
  event: {
    readonly tenant: number
    readonly timestamp: string
    readonly event: string
    readonly customer: string
    readonly visitor?: string | undefined
    readonly context: Readonly<Record<string, unknown>>
  },
  sortedKeys?: ReadonlyArray<string>,
): string => {
  const context = event.context
  let s = '{"context":{'
  let separator = ""
  let written = 0
  // With the sorted parameter names of the event's kind, no sort is needed
  // and their quoted forms are made once; a context with any other key takes
  // the general path.
  const keys = sortedKeys ?? Object.keys(context).sort()
  const quoted = quotedKeys(keys, sortedKeys !== undefined)
  for (let i = 0; i < keys.length; i++) {
    const v = context[keys[i] as string]
    if (v === undefined) continue
    s +=
      separator + (quoted[i] as string) + (typeof v === "object" && v !== null ? canonicalJson(v) : JSON.stringify(v))
    separator = ","
    written++
  }
  if (sortedKeys !== undefined && written !== Object.keys(context).length) return canonicalEventJson(event)
  s += `},"customer":${JSON.stringify(event.customer)},"event":${JSON.stringify(event.event)},"tenant":${JSON.stringify(event.tenant)},"timestamp":${JSON.stringify(event.timestamp)}`
  return event.visitor === undefined ? `${s}}` : `${s},"visitor":${JSON.stringify(event.visitor)}}`
}

/**
 * The id of a decoded event: 16 hex digits of event time, then the first 32
 * hex digits of the SHA-256 of its canonical form.
 *
 * @since 0.1.0
 * @category ids
 */
export const eventId = (
  event: Parameters<typeof canonicalEventJson>[0],
  sha256: Sha256Hex = sha256Hex,
  sortedKeys?: ReadonlyArray<string>,
): string | Promise<string> => {
  const prefix = timePrefix(event.timestamp)
  const digest = sha256(canonicalEventJson(event, sortedKeys))
  return typeof digest === "string" ? prefix + digest.slice(0, 32) : digest.then((d) => prefix + d.slice(0, 32))
}
