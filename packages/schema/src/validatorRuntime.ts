/**
 * What the compiled validators (`generated/validators.ts`) call at run time:
 * key scans, the slow path of issue construction, and the few checks a
 * regular expression cannot make (or makes slowly). Plain functions, no code
 * generation at run time, so the validators run under Cloudflare Workers'
 * no-eval rule.
 *
 * Each function here that stands for one of `Field.ts` or `Timestamp.ts` gives
 * exactly its results, only faster; the property tests compare the compiled
 * validator with the Effect Schema decoder built on those.
 *
 * @module
 */
import { makeIssue } from "./describeIssue.ts"
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { channels as allChannels, type Channel, codePointLength as codePointLengthSlow } from "./Field.ts"
import {
  describeValue as describeValueSlow,
  escapePointerToken,
  type Issue,
  type IssueCode,
  sortIssues,
} from "./Issue.ts"
import { isCalendarDate, todayUtc as todayUtcAt } from "./Timestamp.ts"

/**
 * A compiled validator: checks one event of its kind, pushes every issue
 * into `issues` and returns the decoded event when there was none.
 * `channels` is a bit set of the tenant's channels (see `channelMask`).
 *
 * @since 0.1.0
 * @category models
 */
export type CompiledValidator = (
  input: Record<string, unknown>,
  channels: number,
  issues: Array<Issue>,
) => Record<string, unknown> | undefined

/**
 * The bit set of a list of channels: email 1, sms 2, push 4, whatsapp 8.
 *
 * @since 0.1.0
 * @category channels
 */
export const channelMask = (list: ReadonlyArray<Channel> | undefined): number => {
  let mask = 0
  if (list) for (const c of list) mask |= 1 << allChannels.indexOf(c)
  return mask
}

/**
 * The channels of a bit set (only its four low bits name channels).
 *
 * @since 0.1.0
 * @category channels
 */
export const channelList = (mask: number): Array<Channel> => allChannels.filter((_, i) => (mask & (1 << i)) !== 0)

/** Pushes one issue, its message built by `makeIssue`: the slow, general path. */
export const report = (
  issues: Array<Issue>,
  def: AnyEventDefinition,
  segments: ReadonlyArray<string>,
  code: IssueCode,
  actual: unknown,
  mask = 0,
): void => {
  issues.push(makeIssue(def, segments, code, actual, channelList(mask)))
}

/** Counts an object's enumerable keys (inherited ones included, as `for in` does). */
export const countKeys = (o: object): number => {
  let n = 0
  for (const _ in o) n++
  return n
}

/** Whether a value is a JSON object (not null, not an array). */
export const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * How the name of an unknown key shows in a message: as is when it looks like
 * an identifier, else as a JSON string. The compiler checks, on sample keys,
 * that this and a constant suffix make the message \`makeIssue\` makes.
 */
export const quoteKey = (k: string): string => {
  const n = k.length
  if (n === 0) return JSON.stringify(k)
  for (let i = 0; i < n; i++) {
    const c = k.charCodeAt(i)
    if (!(isUpper(c) || isLower(c) || c === 95 || (i > 0 && c >= 48 && c <= 57))) return JSON.stringify(k)
  }
  return k
}

/**
 * Inserts an issue among those from `start` on, which are in the order of
 * \`sortIssues\` (by path, then code), keeping that order.
 */
const insertSorted = (issues: Array<Issue>, start: number, issue: Issue): void => {
  let i = issues.length
  issues.push(issue)
  while (i > start) {
    const before = issues[i - 1] as Issue
    if (before.path < issue.path || (before.path === issue.path && before.code < issue.code)) break
    issues[i] = before
    i--
  }
  issues[i] = issue
}

/**
 * The slow path of the key check, run only when an object has keys the
 * validator did not see. It reports each unknown key (its message is
 * \`quoteKey(k) + unknownSuffix\`, its path \`pathPrefix\` and the escaped
 * key), and each known key whose value is \`undefined\` (which JSON cannot
 * say, but a JavaScript caller can). Neither message depends on the channels.
 * \`indexOf\` gives a known key's index in \`keysInOrder\` (the known keys) and
 * \`values\` (the values the validator read of them); as objects mostly list
 * their keys in that order, the key after the last one found is tried first.
 * The issues from \`start\` on are in order, and stay so.
 */
export const reportUnknownKeys = (
  issues: Array<Issue>,
  start: number,
  def: AnyEventDefinition,
  o: Record<string, unknown>,
  indexOf: (k: string) => number,
  keysInOrder: ReadonlyArray<string>,
  values: ReadonlyArray<unknown>,
  prefix: ReadonlyArray<string>,
  pathPrefix: string,
  unknownSuffix: string,
): void => {
  const keys = Object.keys(o)
  const found: Array<Issue> = []
  let next = 0
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string
    const known = keysInOrder[next] === k ? next : indexOf(k)
    if (known >= 0) next = known + 1
    if (known < 0) {
      found.push({
        path: pathPrefix + escapePointerToken(k),
        code: "unknown_property",
        message: quoteKey(k) + unknownSuffix,
      })
    } else if (values[known] === undefined) found.push(makeIssue(def, [...prefix, k], "invalid_type", undefined))
  }
  if (found.length === 1) insertSorted(issues, start, found[0] as Issue)
  else if (found.length > 1) {
    // Many unknown keys: one sort of the lot, not an insertion each (which
    // would be quadratic in a hostile body's key count).
    const merged = sortIssues(issues.splice(start).concat(found))
    for (const issue of merged) issues.push(issue)
  }
}

const surrogatePair = /[\uD800-\uDBFF][\uDC00-\uDFFF]/

/**
 * \`codePointLength\` of \`Field.ts\`: a string with no surrogate pair has as
 * many code points as code units, which a regular expression tells at once
 * for a one-byte string (it cannot hold a surrogate).
 */
export const codePointLength = (s: string): number => (surrogatePair.test(s) ? codePointLengthSlow(s) : s.length)

/**
 * `describeValue` of `Issue.ts`, without `JSON.stringify` for the common
 * case: a short string of printable ASCII with nothing to escape.
 */
export const describeValue = (value: unknown): string => {
  if (typeof value === "string" && value.length <= 40) {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i)
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return describeValueSlow(value)
    }
    return `"${value}"`
  }
  return describeValueSlow(value)
}

// --- character checks -------------------------------------------------------
// Straight-line code: \`s.charCodeAt(i) - 48\` is a digit's value, and \`>>> 0\`
// turns anything below \`0\` into a large number, so \`(c - 48) >>> 0 > 9\`
// says "not an ASCII digit" (callers check the length first: past the end,
// \`charCodeAt\` gives NaN).

/** Whether \`s[from, to)\` is all ASCII digits. */
const allDigits = (s: string, from: number, to: number): boolean => {
  for (let i = from; i < to; i++) if ((s.charCodeAt(i) - 48) >>> 0 > 9) return false
  return true
}

const isUpper = (c: number): boolean => c >= 65 && c <= 90
const isLower = (c: number): boolean => c >= 97 && c <= 122

/**
 * Whether a \`YYYY-MM-DD\` string names a real calendar date: \`isDateString\` of
 * \`Field.ts\` without a regular expression.
 */
export const isDateString = (s: string): boolean => {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false
  const y0 = s.charCodeAt(0) - 48
  const y1 = s.charCodeAt(1) - 48
  const y2 = s.charCodeAt(2) - 48
  const y3 = s.charCodeAt(3) - 48
  const m0 = s.charCodeAt(5) - 48
  const m1 = s.charCodeAt(6) - 48
  const d0 = s.charCodeAt(8) - 48
  const d1 = s.charCodeAt(9) - 48
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    m0 >>> 0 > 9 ||
    m1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9
  )
    return false
  return isCalendarDate(y0 * 1000 + y1 * 100 + y2 * 10 + y3, m0 * 10 + m1, d0 * 10 + d1)
}

/** \`/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/u\` (the shape of a date). */
export const isDatePattern = (s: string): boolean =>
  s.length === 10 &&
  s.charCodeAt(4) === 45 &&
  s.charCodeAt(7) === 45 &&
  allDigits(s, 0, 4) &&
  allDigits(s, 5, 7) &&
  allDigits(s, 8, 10)

/** \`/^[A-Z]{2}$/u\` (a country code). */
export const isUpper2 = (s: string): boolean => s.length === 2 && isUpper(s.charCodeAt(0)) && isUpper(s.charCodeAt(1))

/** \`/^[A-Z]{3}$/u\` (a currency code). */
export const isUpper3 = (s: string): boolean =>
  s.length === 3 && isUpper(s.charCodeAt(0)) && isUpper(s.charCodeAt(1)) && isUpper(s.charCodeAt(2))

/** \`/^\\+[0-9]{7,15}$/u\` (an E.164 phone number). */
export const isE164 = (s: string): boolean =>
  s.length >= 8 && s.length <= 16 && s.charCodeAt(0) === 43 && allDigits(s, 1, s.length)

/** \`/^[a-z]{2}(?:-(?:[A-Z]{2}|[0-9]{3}))?$/u\` (a language, optionally with a region). */
export const isLanguageTag = (s: string): boolean => {
  const n = s.length
  if (n !== 2 && n !== 5 && n !== 6) return false
  if (!isLower(s.charCodeAt(0)) || !isLower(s.charCodeAt(1))) return false
  if (n === 2) return true
  if (s.charCodeAt(2) !== 45) return false
  return n === 5 ? isUpper(s.charCodeAt(3)) && isUpper(s.charCodeAt(4)) : allDigits(s, 3, 6)
}

/**
 * Checks that stand for a format's regular expression, by the expression's
 * source (with the `u` flag or none: the same for these ASCII patterns). The
 * compiler emits the function instead of the expression when one is listed.
 */
export const patternChecks: Readonly<Record<string, string>> = {
  "^[A-Z]{2}$": "isUpper2",
  "^[A-Z]{3}$": "isUpper3",
  "^\\+[0-9]{7,15}$": "isE164",
  "^[a-z]{2}(?:-(?:[A-Z]{2}|[0-9]{3}))?$": "isLanguageTag",
  "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": "isDatePattern",
}

// --- timestamps ---------------------------------------------------------------

/** Two digits, as `String(n).padStart(2, "0")` for 0 to 99. */
const two = (n: number): string => (n < 10 ? "0" + n : "" + n)

/**
 * The documented form of a valid RFC 3339 timestamp `s` with an offset, given
 * its date and its minute of the day in UTC (from -1439 to 2878: the offset
 * may move it to the day before or after), and its six-digit fraction;
 * `undefined` when the date leaves the years 1 to 9999 (as with `Date`).
 */
const shiftedTimestamp = (
  s: string,
  year: number,
  month: number,
  day: number,
  minutes: number,
  micros: string,
): string | undefined => {
  let t = minutes
  let date: string
  if (t >= 0 && t < 1440) date = s.slice(0, 10)
  else {
    let y = year
    let m = month
    let d = day
    if (t < 0) {
      t += 1440
      if (d > 1) d--
      else {
        if (m > 1) m--
        else {
          y--
          m = 12
        }
        d = 31
        while (!isCalendarDate(y, m, d)) d--
      }
    } else {
      t -= 1440
      if (isCalendarDate(y, m, d + 1)) d++
      else if (m < 12) {
        m++
        d = 1
      } else {
        y++
        m = 1
        d = 1
      }
    }
    if (y < 1 || y > 9999) return undefined
    date = `${String(y).padStart(4, "0")}-${two(m)}-${two(d)}`
  }
  return `${date} ${two(Math.floor(t / 60))}:${two(t % 60)}:${s.slice(17, 19)}.${micros} UTC`
}

/**
 * \`normalizeTimestamp\` of \`Timestamp.ts\` without regular expressions or
 * \`Date\`: it accepts exactly the strings that function's pattern matches and
 * that name a real instant in the years 1 to 9999, with the same result: the
 * documented form (returned as is), or RFC 3339 with \`Z\` or an offset
 * (converted to the documented form in UTC, fraction cut to microseconds).
 */
export const normalizeTimestamp = (s: string): string | undefined => {
  const n = s.length
  // Both forms begin `YYYY-MM-DD?HH:MM:SS` (19 characters) and have more.
  if (n < 20 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58)
    return undefined
  const y0 = s.charCodeAt(0) - 48
  const y1 = s.charCodeAt(1) - 48
  const y2 = s.charCodeAt(2) - 48
  const y3 = s.charCodeAt(3) - 48
  const m0 = s.charCodeAt(5) - 48
  const m1 = s.charCodeAt(6) - 48
  const d0 = s.charCodeAt(8) - 48
  const d1 = s.charCodeAt(9) - 48
  const h0 = s.charCodeAt(11) - 48
  const h1 = s.charCodeAt(12) - 48
  const i0 = s.charCodeAt(14) - 48
  const i1 = s.charCodeAt(15) - 48
  const s0 = s.charCodeAt(17) - 48
  const s1 = s.charCodeAt(18) - 48
  if (
    y0 >>> 0 > 9 ||
    y1 >>> 0 > 9 ||
    y2 >>> 0 > 9 ||
    y3 >>> 0 > 9 ||
    m0 >>> 0 > 9 ||
    m1 >>> 0 > 9 ||
    d0 >>> 0 > 9 ||
    d1 >>> 0 > 9 ||
    h0 >>> 0 > 9 ||
    h1 >>> 0 > 9 ||
    i0 >>> 0 > 5 ||
    i1 >>> 0 > 9 ||
    s0 >>> 0 > 5 ||
    s1 >>> 0 > 9
  )
    return undefined
  const year = y0 * 1000 + y1 * 100 + y2 * 10 + y3
  const month = m0 * 10 + m1
  const day = d0 * 10 + d1
  const hour = h0 * 10 + h1
  if (year < 1 || hour > 23 || !isCalendarDate(year, month, day)) return undefined
  const sep = s.charCodeAt(10)
  if (sep === 32) {
    // `YYYY-MM-DD HH:MM:SS.ssssss UTC`
    return n === 30 &&
      s.charCodeAt(19) === 46 &&
      allDigits(s, 20, 26) &&
      s.charCodeAt(26) === 32 &&
      s.charCodeAt(27) === 85 &&
      s.charCodeAt(28) === 84 &&
      s.charCodeAt(29) === 67
      ? s
      : undefined
  }
  if (sep !== 84) return undefined
  // `YYYY-MM-DDTHH:MM:SS`, an optional fraction of 1 to 9 digits, then `Z`, `+HH:MM` or `-HH:MM`
  let end = 19
  let micros = "000000"
  if (s.charCodeAt(19) === 46) {
    end = 20
    while (end < n && (s.charCodeAt(end) - 48) >>> 0 <= 9) end++
    const digits = end - 20
    if (digits < 1 || digits > 9) return undefined
    micros = digits >= 6 ? s.slice(20, 26) : s.slice(20, end) + "000000".slice(digits)
  }
  const zone = s.charCodeAt(end)
  if (zone === 90) return n === end + 1 ? `${s.slice(0, 10)} ${s.slice(11, 19)}.${micros} UTC` : undefined
  if ((zone !== 43 && zone !== 45) || n !== end + 6 || s.charCodeAt(end + 3) !== 58) return undefined
  const oh0 = s.charCodeAt(end + 1) - 48
  const oh1 = s.charCodeAt(end + 2) - 48
  const om0 = s.charCodeAt(end + 4) - 48
  const om1 = s.charCodeAt(end + 5) - 48
  if (oh0 >>> 0 > 9 || oh1 >>> 0 > 9 || om0 >>> 0 > 5 || om1 >>> 0 > 9) return undefined
  const oh = oh0 * 10 + oh1
  if (oh > 23) return undefined
  const offset = (zone === 45 ? -1 : 1) * (oh * 60 + om0 * 10 + om1)
  if (offset === 0) return `${s.slice(0, 10)} ${s.slice(11, 19)}.${micros} UTC`
  return shiftedTimestamp(s, year, month, day, hour * 60 + i0 * 10 + i1 - offset, micros)
}

let dayStart = 0
let dayEnd = 0
let today = ""

/**
 * Today's date in UTC (`todayUtc()` of `Timestamp.ts`), formatted once per
 * day: the clock is read on every call, so a clock that jumps (a test's fake
 * timers) is followed at once.
 */
export const todayUtc = (): string => {
  const now = Date.now()
  if (!(now >= dayStart && now < dayEnd)) {
    today = todayUtcAt(now)
    dayStart = Math.floor(now / 86_400_000) * 86_400_000
    dayEnd = dayStart + 86_400_000
  }
  return today
}

/**
 * Whether an object has its own key: a key holding \`undefined\` is there
 * (and reported as \`invalid_type\`), not missing.
 */
export const has = (o: object, key: string): boolean => Object.hasOwn(o, key)
