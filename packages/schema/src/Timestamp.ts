/**
 * Event timestamps: parsing, checking and normalising to the platform's
 * documented form `YYYY-MM-DD HH:MM:SS.ssssss UTC`. Reach for it to accept a
 * timestamp from a client or to format one for a response.
 *
 * @module
 */

/**
 * The JSON Schema pattern of an accepted timestamp: the documented form, or
 * RFC 3339 with `Z` or a numeric offset and up to nine fraction digits.
 *
 * @since 0.1.0
 * @category patterns
 */
export const timestampPattern =
  /^\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2}\.\d{6} UTC|T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2}))$/u

const parts =
  /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})\.(\d{6}) UTC|T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:Z|([+-])(\d{2}):(\d{2})))$/

const pad = (n: number, width: number): string => String(n).padStart(width, "0")

/**
 * Whether `year-month-day` is a real calendar date (proleptic Gregorian).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCalendarDate = (year: number, month: number, day: number): boolean => {
  if (month < 1 || month > 12 || day < 1) return false
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
  return day <= days
}

/**
 * Parses an accepted timestamp and returns it in the documented form in UTC,
 * or `undefined` when it is not one (wrong shape, or not a real instant such
 * as `2024-02-30` or `25:00`). Fractions beyond microseconds are truncated.
 *
 * @since 0.1.0
 * @category parsing
 */
export const normalizeTimestamp = (input: string): string | undefined => {
  const m = parts.exec(input)
  if (m === null) return undefined
  const year = +(m[1] as string)
  const month = +(m[2] as string)
  const day = +(m[3] as string)
  if (year < 1 || !isCalendarDate(year, month, day)) return undefined
  if (m[4] !== undefined) {
    // The documented form: already UTC, already six fraction digits.
    if (+(m[4] as string) > 23 || +(m[5] as string) > 59 || +(m[6] as string) > 59) return undefined
    return input
  }
  const hour = +(m[8] as string)
  const minute = +(m[9] as string)
  const second = +(m[10] as string)
  if (hour > 23 || minute > 59 || second > 59) return undefined
  const micros = ((m[11] ?? "") + "000000").slice(0, 6)
  let offsetMinutes = 0
  if (m[12] !== undefined) {
    const oh = +(m[13] as string)
    const om = +(m[14] as string)
    if (oh > 23 || om > 59) return undefined
    offsetMinutes = (m[12] === "-" ? -1 : 1) * (oh * 60 + om)
  }
  if (offsetMinutes === 0) {
    return `${m[1]}-${m[2]}-${m[3]} ${m[8]}:${m[9]}:${m[10]}.${micros} UTC`
  }
  const utc = new Date(0)
  utc.setUTCFullYear(year, month - 1, day)
  utc.setUTCHours(hour, minute - offsetMinutes, second, 0)
  const y = utc.getUTCFullYear()
  if (y < 1 || y > 9999) return undefined
  return `${pad(y, 4)}-${pad(utc.getUTCMonth() + 1, 2)}-${pad(utc.getUTCDate(), 2)} ${pad(utc.getUTCHours(), 2)}:${pad(
    utc.getUTCMinutes(),
    2,
  )}:${pad(utc.getUTCSeconds(), 2)}.${micros} UTC`
}

/**
 * Formats an instant in the documented form. Accepts a `Date` or epoch
 * milliseconds; `micros` adds the sub-millisecond part (0 to 999).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatTimestamp = (instant: Date | number, micros = 0): string => {
  const d = typeof instant === "number" ? new Date(instant) : instant
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(
    d.getUTCHours(),
    2,
  )}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds() * 1000 + micros, 6)} UTC`
}

/**
 * Today's date in UTC as `YYYY-MM-DD`, the upper bound of a date of birth.
 *
 * @since 0.1.0
 * @category formatting
 */
export const todayUtc = (now: number = Date.now()): string => formatTimestamp(now).slice(0, 10)
