/**
 * Event ids: a digest of the event's canonical form (its decoded value —
 * timestamp normalised — as JSON with sorted keys), so the same event sent
 * again, in any key order or timestamp form, gets the same id. The id opens
 * with the event time (microseconds since 0001-01-01, 16 hex digits), so ids
 * sort by event time and insert into indexes roughly in order.
 *
 * @module
 */
import { jsonKey } from "@cdp/store"
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

/** Digits of `s` from `at` to `end` as a number (the caller has checked they are digits). */
const digits = (s: string, at: number, end: number): number => {
  let n = 0
  for (let i = at; i < end; i++) n = n * 10 + s.charCodeAt(i) - 48
  return n
}

/**
 * Days from 0001-01-01 to the proleptic Gregorian date `year-month-day`
 * (years 1 to 9999), by whole-number arithmetic (eras of 400 years, years
 * counted from March so that the leap day comes last).
 */
const daysSince0001 = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  // Days from 0000-03-01 minus those from 0000-03-01 to 0001-01-01 (306).
  return era * 146_097 + doe - 306
}

/**
 * The time prefix of an id: microseconds since 0001-01-01 of a timestamp in
 * the documented form, as 16 hex digits (milliseconds in 13, the rest in 3,
 * so no precision is lost and the order is kept). Read digit by digit and
 * written by a table: it runs for every event, and `Date.UTC` over six
 * slices with `toString(16)` costs several times as much.
 *
 * @since 0.1.0
 * @category ids
 */
export const timePrefix = (ts: string): string => {
  const days = daysSince0001(digits(ts, 0, 4), digits(ts, 5, 7), digits(ts, 8, 10))
  const seconds = digits(ts, 11, 13) * 3600 + digits(ts, 14, 16) * 60 + digits(ts, 17, 19)
  const ms = (days * 86_400 + seconds) * 1000 + digits(ts, 20, 23)
  // The 64 bits of ms * 4096 + micros as two 32-bit halves (ms < 2^49 up to the year 9999).
  const high = Math.floor(ms / 1_048_576)
  const low = (ms - high * 1_048_576) * 4096 + digits(ts, 23, 26)
  return hex8(high) + hex8(low)
}

/** Two hex digits of each byte value. */
const HEX: ReadonlyArray<string> = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))
/** 8 hex digits of a 32-bit unsigned integer. */
const hex8 = (n: number): string =>
  (HEX[n >>> 24] as string) + HEX[(n >>> 16) & 255] + HEX[(n >>> 8) & 255] + HEX[n & 255]

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
 * The canonical JSON of an event's context (keys sorted, no whitespace), as
 * `canonicalJson` writes it, on the hot path: with the sorted parameter names
 * of the event's kind, no sort is needed and their quoted forms are made
 * once; a context with any other key takes the general path. It is also JSON
 * text of the context as it is, which a store may keep instead of
 * serialising the context again (`NewEvent.contextJson`). One `join` makes
 * it a flat string: built with `+`, it was flattened again where it was
 * hashed and where it was copied to a database thread, once per event each.
 *
 * @since 0.2.0
 * @category ids
 */
export const canonicalContextJson = (
  context: Readonly<Record<string, unknown>>,
  sortedKeys?: ReadonlyArray<string>,
): string => {
  const keys = sortedKeys ?? Object.keys(context).sort()
  const quoted = quotedKeys(keys, sortedKeys !== undefined)
  const parts: string[] = []
  for (let i = 0; i < keys.length; i++) {
    const v = context[keys[i] as string]
    if (v === undefined) continue
    parts.push(
      (parts.length === 0 ? "{" : ",") +
        (quoted[i] as string) +
        (typeof v === "object" && v !== null ? canonicalJson(v) : JSON.stringify(v)),
    )
  }
  if (sortedKeys !== undefined && parts.length !== Object.keys(context).length) return canonicalContextJson(context)
  parts.push(parts.length === 0 ? "{}" : "}")
  return parts.join("")
}

/**
 * The canonical JSON of a decoded event, as `canonicalJson` writes it, on
 * the hot path: the envelope's keys in their sorted order, written out, and
 * only the context's keys sorted (`canonicalContextJson`, or `contextJson`
 * when the caller has made it already).
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
  contextJson: string = canonicalContextJson(event.context, sortedKeys),
): string => {
  const s = `{"context":${contextJson},"customer":${JSON.stringify(event.customer)},"event":${JSON.stringify(event.event)},"tenant":${JSON.stringify(event.tenant)},"timestamp":${JSON.stringify(event.timestamp)}`
  return event.visitor === undefined ? `${s}}` : `${s},"visitor":${JSON.stringify(event.visitor)}}`
}

/**
 * The id of a decoded event: 16 hex digits of event time, then the first 32
 * hex digits of the SHA-256 of its canonical form. `contextJson`, when
 * given, is `canonicalContextJson(event.context, sortedKeys)`, made already.
 *
 * @since 0.1.0
 * @category ids
 */
export const eventId = (
  event: Parameters<typeof canonicalEventJson>[0],
  sha256: Sha256Hex = sha256Hex,
  sortedKeys?: ReadonlyArray<string>,
  contextJson?: string,
): string | Promise<string> => {
  const prefix = timePrefix(event.timestamp)
  const digest = sha256(canonicalEventJson(event, sortedKeys, contextJson))
  return typeof digest === "string" ? prefix + digest.slice(0, 32) : digest.then((d) => prefix + d.slice(0, 32))
}
