/**
 * Event ids: a digest of the event's canonical form (its decoded value —
 * timestamp normalised — as JSON with sorted keys), so the same event sent
 * again, in any key order or timestamp form, gets the same id. The id opens
 * with the event time (microseconds since 0001-01-01, 15 hex digits), so ids
 * sort by event time and insert into indexes roughly in order.
 *
 * @module
 */
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
 * the documented form, as 15 hex digits (milliseconds in 12, the rest in 3,
 * so no precision is lost and the order is kept).
 *
 * @since 0.1.0
 * @category ids
 */
export const timePrefix = (ts: string): string => {
  const d = new Date(0)
  d.setUTCFullYear(+ts.slice(0, 4), +ts.slice(5, 7) - 1, +ts.slice(8, 10))
  d.setUTCHours(+ts.slice(11, 13), +ts.slice(14, 16), +ts.slice(17, 19), +ts.slice(20, 23))
  return (d.getTime() - EPOCH_0001).toString(16).padStart(12, "0") + (+ts.slice(23, 26)).toString(16).padStart(3, "0")
}

/**
 * The id of a decoded event: 15 hex digits of event time, then the first 32
 * hex digits of the SHA-256 of its canonical form.
 *
 * @since 0.1.0
 * @category ids
 */
export const eventId = (
  event: { readonly timestamp: string },
  sha256: Sha256Hex = sha256Hex,
): string | Promise<string> => {
  const prefix = timePrefix(event.timestamp)
  const digest = sha256(canonicalJson(event))
  return typeof digest === "string" ? prefix + digest.slice(0, 32) : digest.then((d) => prefix + d.slice(0, 32))
}
