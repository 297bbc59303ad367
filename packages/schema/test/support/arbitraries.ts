/**
 * fast-check arbitraries of `ootb_user_details_update` events: valid ones
 * (every parameter optional, values drawn valid, timestamps in both accepted
 * forms) and invalid ones made by mutating valid ones. The parameters come
 * from the event definition, so a parameter added there is generated here.
 *
 * The helpers that decide validity (`isRealInstant`, `breaksNotExpressible`)
 * are written independently of src/ so that they can catch it out.
 */
import fc from "fast-check"
import { OotbUserDetailsUpdate } from "../../src/events/ootb_user_details_update.ts"
import { channels as allChannels, type Channel, type FieldSpec } from "../../src/Field.ts"

export const def = OotbUserDetailsUpdate
export const fieldNames = Object.keys(def.fields) as Array<keyof typeof def.fields & string>
export const specOf = (name: string): FieldSpec => (def.fields as Record<string, FieldSpec>)[name] as FieldSpec
export type Json = null | boolean | number | string | Array<Json> | { [k: string]: Json }
export type JsonObject = { [k: string]: Json }

// ---------------------------------------------------------------------------
// Dates and timestamps, computed with Date arithmetic (not with src/Timestamp)

const pad = (n: number, w: number): string => String(n).padStart(w, "0")

/** Epoch milliseconds of a UTC date-time; years 0-99 taken literally. */
export const utcMillis = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0): number => {
  const date = new Date(0)
  date.setUTCFullYear(y, mo - 1, d)
  date.setUTCHours(h, mi, s, 0)
  return date.getTime()
}

const ymd = (ms: number): string => {
  const d = new Date(ms)
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
}
const hms = (ms: number): string => {
  const d = new Date(ms)
  return `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`
}

/** Today (UTC) as YYYY-MM-DD. */
export const today = (): string => ymd(Date.now())
/** A date `days` from today (UTC) as YYYY-MM-DD. */
export const daysFromToday = (days: number): string => ymd(Date.now() + days * 86_400_000)

/** Whether y-m-d is a real date of the proleptic Gregorian calendar. */
export const isRealDate = (y: number, m: number, d: number): boolean => {
  if (m < 1 || m > 12 || d < 1 || d > 31) return false
  const date = new Date(utcMillis(y, m, d))
  return date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d
}

const timestampShape =
  /^(\d{4})-(\d{2})-(\d{2})(?: (\d{2}):(\d{2}):(\d{2})\.\d{6} UTC|T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|([+-])(\d{2}):(\d{2})))$/

/**
 * Whether a timestamp of an accepted shape names a real instant: a real date,
 * hours 0-23, minutes and seconds 0-59 (no leap second), an offset below 24
 * hours, and a UTC year from 0001 to 9999 (what the documented form can say).
 */
export const isRealInstant = (ts: string): boolean => {
  const m = timestampShape.exec(ts)
  if (m === null) return false
  const [y, mo, d] = [+(m[1] as string), +(m[2] as string), +(m[3] as string)]
  const h = +(m[4] ?? m[7] ?? "")
  const mi = +(m[5] ?? m[8] ?? "")
  const s = +(m[6] ?? m[9] ?? "")
  if (y < 1 || !isRealDate(y, mo, d) || h > 23 || mi > 59 || s > 59) return false
  let offset = 0
  if (m[10] !== undefined) {
    const [oh, om] = [+(m[11] as string), +(m[12] as string)]
    if (oh > 23 || om > 59) return false
    offset = (m[10] === "-" ? -1 : 1) * (oh * 60 + om)
  }
  const year = new Date(utcMillis(y, mo, d, h, mi, s) - offset * 60_000).getUTCFullYear()
  return year >= 1 && year <= 9999
}

/** Whether an input breaks a rule listed in the JSON Schema's `x-not-expressible` (with no channels). */
export const breaksNotExpressible = (x: unknown): boolean => {
  if (typeof x !== "object" || x === null || Array.isArray(x)) return false
  const o = x as Record<string, unknown>
  if (typeof o.timestamp === "string" && timestampShape.test(o.timestamp) && !isRealInstant(o.timestamp)) return true
  const c = o.context
  if (typeof c === "object" && c !== null && !Array.isArray(c) && Object.hasOwn(c, "ootb_date_of_birth")) {
    const dob = (c as Record<string, unknown>).ootb_date_of_birth
    if (typeof dob === "string" && /^\d{4}-\d{2}-\d{2}$/.test(dob)) {
      const [y, m, d] = dob.split("-").map(Number) as [number, number, number]
      if (isRealDate(y, m, d) && dob > today()) return true
    }
  }
  return false
}

const MIN_MS = utcMillis(2, 1, 1)
const MAX_MS = utcMillis(9998, 12, 31, 23, 59, 59)
const RECENT_MIN = utcMillis(1970, 1, 1)
const RECENT_MAX = utcMillis(2100, 1, 1)

/** A timestamp as a sender may write it, with the documented form it must decode to. */
export interface TimestampSample {
  readonly input: string
  readonly normalized: string
}

const instantMs = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: RECENT_MIN, max: RECENT_MAX }) },
  { weight: 1, arbitrary: fc.integer({ min: MIN_MS, max: MAX_MS }) },
  // leap days and the turn of a year, month or day
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        fc.constantFrom(
          utcMillis(2024, 2, 29),
          utcMillis(2000, 2, 29),
          utcMillis(2023, 12, 31, 23, 59, 59),
          utcMillis(2024, 1, 1),
          utcMillis(1999, 12, 31, 23),
          utcMillis(2023, 3, 1),
        ),
        fc.integer({ min: -36, max: 36 }),
      )
      .map(([t, h]) => t + h * 3_600_000),
  },
)

/** Whole seconds, so that the fraction comes only from the fraction digits. */
const wholeSeconds = instantMs.map((ms) => ms - (((ms % 1000) + 1000) % 1000))

const documentedTimestamp: fc.Arbitrary<TimestampSample> = fc
  .tuple(wholeSeconds, fc.integer({ min: 0, max: 999_999 }))
  .map(([ms, micros]) => {
    const s = `${ymd(ms)} ${hms(ms)}.${pad(micros, 6)} UTC`
    return { input: s, normalized: s }
  })

const rfc3339Timestamp: fc.Arbitrary<TimestampSample> = fc
  .tuple(
    wholeSeconds,
    fc.oneof(fc.constant(""), fc.stringMatching(/^[0-9]{1,9}$/)),
    fc.oneof(
      { weight: 2, arbitrary: fc.constantFrom("Z", "+00:00", "-00:00") },
      {
        weight: 3,
        arbitrary: fc
          .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
          .map(([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`),
      },
    ),
  )
  .map(([utcMs, fraction, offset]) => {
    const minutes = offset === "Z" ? 0 : (offset[0] === "-" ? -1 : 1) * (+offset.slice(1, 3) * 60 + +offset.slice(4))
    const local = utcMs + minutes * 60_000
    const micros = (fraction + "000000").slice(0, 6)
    return {
      input: `${ymd(local)}T${hms(local)}${fraction === "" ? "" : `.${fraction}`}${offset}`,
      normalized: `${ymd(utcMs)} ${hms(utcMs)}.${micros} UTC`,
    }
  })

/** Valid timestamps in both forms, with the documented form they decode to. */
export const timestampSample: fc.Arbitrary<TimestampSample> = fc.oneof(documentedTimestamp, rfc3339Timestamp)

/**
 * Timestamps built from arbitrary two-digit fields: mostly the right shape,
 * often not a real instant (day 31 of a short month, hour 24, second 60,
 * offset 24:00, year 0000).
 */
export const shapedTimestamp: fc.Arbitrary<string> = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 1900, 2000, 2023, 2024, 9999)),
    fc.integer({ min: 0, max: 13 }),
    fc.integer({ min: 0, max: 32 }),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
    fc.integer({ min: 0, max: 61 }),
    fc.constantFrom("documented", "Z", "offset"),
    fc.constantFrom("+", "-"),
    fc.integer({ min: 0, max: 25 }),
    fc.integer({ min: 0, max: 61 }),
  )
  .map(([y, mo, d, h, mi, s, form, sign, oh, om]) => {
    const date = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}`
    const time = `${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`
    if (form === "documented") return `${date} ${time}.000000 UTC`
    return `${date}T${time}${form === "Z" ? "Z" : `${sign}${pad(oh, 2)}:${pad(om, 2)}`}`
  })

/** Timestamps of a wrong shape or naming no real instant. */
export const badTimestamp: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "2024-02-30T10:00:00Z",
    "2023-02-29 00:00:00.000000 UTC",
    "1900-02-29T00:00:00Z",
    "2024-01-01T24:00:00Z",
    "2024-01-01 24:00:00.000000 UTC",
    "2024-01-01T23:59:60Z",
    "2024-01-01T10:00:00+24:00",
    "2024-01-01T10:00:00+05:60",
    "0000-01-01 00:00:00.000000 UTC",
    "0001-01-01T00:30:00+01:00",
    "9999-12-31T23:30:00-01:00",
    "2024-13-01T00:00:00Z",
    "2024-00-10T00:00:00Z",
    "2024-01-01 10:00:00 UTC",
    "2024-01-01 10:00:00.000 UTC",
    "2024-01-01 10:00:00.000000",
    "2024-01-01 10:00:00.000000 GMT",
    "2024-01-01T10:00:00",
    "2024-01-01t10:00:00z",
    "2024-01-01T10:00:00.1234567890Z",
    "2024-01-01T10:00:00.Z",
    "2024-01-01T10:00Z",
    "2024-01-01T10:00:00+0100",
    "2024-01-01",
    " 2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00Z\n",
    "２０２４-01-01T10:00:00Z",
    "",
  ),
  shapedTimestamp,
  fc.string({ maxLength: 40 }),
)

// ---------------------------------------------------------------------------
// Parameter values

const astral = fc.constantFrom("😀", "𝄞", "🀄", "\u{10FFFF}")
const bmp = fc.constantFrom("a", "é", "ß", "中", " ", "\u0000", "\uFFFF", '"', "\\")
const loneSurrogate = fc.constantFrom("\uD800", "\uDBFF", "\uDC00", "\uDFFF")

/**
 * A string of exactly `n` code points: some astral characters (two UTF-16
 * units each) and one BMP character (or a lone surrogate) repeated, in one of
 * three arrangements. Built, not drawn character by character, to stay cheap.
 */
export const stringOfCodePoints = (n: number, withLoneSurrogates = false): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.integer({ min: 0, max: n }),
      astral,
      withLoneSurrogates ? fc.oneof(bmp, loneSurrogate) : bmp,
      fc.constantFrom("astral first", "bmp first", "alternate"),
    )
    .map(([k, a, b, order]) => {
      if (order === "astral first") return a.repeat(k) + b.repeat(n - k)
      if (order === "bmp first") return b.repeat(n - k) + a.repeat(k)
      const m = Math.min(k, n - k)
      return (a + b).repeat(m) + a.repeat(k - m) + b.repeat(n - k - m)
    })

/** Free text of at most 255 code points, the empty string included. */
export const validText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 255 }) },
  { weight: 1, arbitrary: fc.constant("") },
  { weight: 1, arbitrary: fc.integer({ min: 250, max: 255 }).chain((n) => stringOfCodePoints(n)) },
)

/** Text longer than 255 code points, near the boundary, with astral characters. */
export const tooLongText: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 256, max: 260 }).chain((n) => stringOfCodePoints(n)),
  fc.integer({ min: 256, max: 258 }).chain((n) => stringOfCodePoints(n, true)),
  fc.constant("😀".repeat(256)),
  fc.constant("a".repeat(1000)),
)

const digits = (min: number, max: number) => fc.stringMatching(new RegExp(`^[0-9]{${min},${max}}$`))
const upper = (n: number) => fc.stringMatching(new RegExp(`^[A-Z]{${n}}$`))
const lower = (n: number) => fc.stringMatching(new RegExp(`^[a-z]{${n}}$`))

const label = fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,8}[A-Za-z0-9])?$/)
const validEmail: fc.Arbitrary<string> = fc.oneof(
  fc
    .tuple(
      fc.stringMatching(/^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,20}$/),
      fc.array(label, { minLength: 2, maxLength: 4 }),
    )
    .map(([local, labels]) => `${local}@${labels.join(".")}`),
  fc.constantFrom("john.doe@example.com", "a@b.co", "x+tag@sub.example.org", "O'Brien@example.ie"),
)

/** A past date (or today) YYYY-MM-DD, leap days included. */
const pastDate: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: utcMillis(1, 1, 1), max: Date.now() - 86_400_000 }).map(ymd),
  fc.integer({ min: utcMillis(1900, 1, 1), max: Date.now() - 86_400_000 }).map(ymd),
  fc.constantFrom("2024-02-29", "2000-02-29", "1996-02-29", "1990-01-15", "1900-02-28"),
)

const validByFormat: Record<string, fc.Arbitrary<string>> = {
  email: validEmail,
  e164: digits(7, 15).map((d) => `+${d}`),
  date: pastDate,
  country: fc.oneof(upper(2), fc.constantFrom("US", "UK", "DE")),
  language: fc.oneof(
    lower(2),
    fc.tuple(lower(2), upper(2)).map(([l, r]) => `${l}-${r}`),
    fc.tuple(lower(2), digits(3, 3)).map(([l, r]) => `${l}-${r}`),
    fc.constantFrom("en", "en-US", "fr", "es-419"),
  ),
  currency: fc.oneof(upper(3), fc.constantFrom("USD", "EUR")),
}

const badByFormat: Record<string, fc.Arbitrary<string>> = {
  email: fc.constantFrom(
    "x",
    "a@b",
    "a@@b.com",
    "@example.com",
    "john@",
    " john@example.com",
    "john@example.com ",
    "jo hn@example.com",
    "john@-example.com",
    "john@example-.com",
    "jöhn@example.com",
    "john@exa_mple.com",
    `${"a".repeat(250)}@example.com`,
  ),
  e164: fc.constantFrom(
    "+123456",
    "+1234567890123456",
    "1234567890",
    "+12 3456789",
    "+1-234-567-890",
    "++1234567",
    "+",
    "+１２３４５６７８",
    "",
  ),
  date: fc.oneof(
    fc
      .tuple(fc.integer({ min: 0, max: 2100 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
      .filter(([y, m, d]) => !isRealDate(y, m, d))
      .map(([y, m, d]) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`),
    fc.constantFrom(
      "2024-02-30",
      "2023-02-29",
      "1900-02-29",
      "2024-04-31",
      "2024-13-01",
      "2024-00-10",
      "2024-01-00",
      "1990-1-15",
      "15-01-1990",
      "1990/01/15",
      "1990-01-15T00:00:00Z",
      "",
    ),
    fc.integer({ min: 1, max: 36_500 }).map((d) => daysFromToday(d)),
  ),
  country: fc.constantFrom("us", "Us", "USA", "U", "U1", "", "ÜS"),
  language: fc.constantFrom("EN", "en-us", "eng", "en_US", "e", "en-", "en-USA", "en-12", ""),
  currency: fc.constantFrom("usd", "US", "USDD", "U$D", ""),
}

/** A valid value of a parameter. */
export const validValue = (name: string): fc.Arbitrary<Json> => {
  const spec = specOf(name)
  if (spec.type === "boolean") return fc.boolean()
  if (spec.enum) return fc.constantFrom(...spec.enum)
  if (spec.format) {
    const arb = validByFormat[spec.format.name]
    if (arb === undefined) throw new Error(`no generator of valid ${spec.format.name} values for ${name}`)
    return arb
  }
  return validText
}

/** Any JSON value. */
export const anyJson: fc.Arbitrary<Json> = fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>

/** A value of a wrong JSON type for a parameter. */
export const wrongTypeValue = (name: string): fc.Arbitrary<Json> => {
  const spec = specOf(name)
  const common = fc.oneof(
    fc.constant(null),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.array(anyJson, { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), anyJson, { maxKeys: 3 }),
    fc.constantFrom([], {}, 0, 1, -1),
  )
  return spec.type === "boolean"
    ? fc.oneof(common, fc.constantFrom("true", "false", "", "1", "yes"))
    : fc.oneof(common, fc.boolean())
}

/** A string that is likely not an allowed value of a parameter. */
export const badStringValue = (name: string): fc.Arbitrary<string> => {
  const spec = specOf(name)
  if (spec.type === "boolean") return fc.constantFrom("true", "false")
  if (spec.enum) {
    const variants = spec.enum.flatMap((v) => [v.toLowerCase(), v.toUpperCase(), ` ${v}`, `${v} `])
    return fc.oneof(fc.constantFrom("", "true", ...variants), fc.string({ maxLength: 10 }))
  }
  if (spec.format) {
    const bad = badByFormat[spec.format.name]
    if (bad === undefined) throw new Error(`no generator of bad ${spec.format.name} values for ${name}`)
    return fc.oneof({ weight: 3, arbitrary: bad }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) })
  }
  return tooLongText
}

// ---------------------------------------------------------------------------
// Events

export const eventKey = def.key
export const tenantArb = fc.oneof(
  fc.integer({ min: 1, max: 100_000 }),
  fc.constantFrom(1, 567, Number.MAX_SAFE_INTEGER),
  fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
)
const idArb = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 24 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 255 }).chain((n) => stringOfCodePoints(n)) },
)

/** A valid context with the parameters of `required` always present. */
export const validContext = (required: ReadonlyArray<string> = []): fc.Arbitrary<JsonObject> =>
  fc.record(Object.fromEntries(fieldNames.map((n) => [n, validValue(n)])), {
    requiredKeys: required as Array<string>,
    noNullPrototype: true,
  }) as fc.Arbitrary<JsonObject>

export interface ValidSample {
  readonly event: JsonObject
  readonly normalizedTimestamp: string
}

/** A valid event (with no channels, or with the parameters of `channels` present). */
export const validSample = (channels: ReadonlyArray<Channel> = []): fc.Arbitrary<ValidSample> => {
  const required = def.requiredFor(channels)
  return fc
    .record(
      {
        tenant: tenantArb,
        timestamp: timestampSample,
        customer: idArb,
        visitor: idArb,
        context: validContext(required),
      },
      {
        requiredKeys:
          required.length > 0 ? ["tenant", "timestamp", "customer", "context"] : ["tenant", "timestamp", "customer"],
        noNullPrototype: true,
      },
    )
    .map((r) => {
      const event: JsonObject = {
        tenant: r.tenant,
        timestamp: r.timestamp.input,
        event: eventKey,
        customer: r.customer,
      }
      if (r.visitor !== undefined) event.visitor = r.visitor
      if (r.context !== undefined) event.context = r.context
      return { event, normalizedTimestamp: r.timestamp.normalized }
    })
}

export const validEvent: fc.Arbitrary<JsonObject> = validSample().map((s) => s.event)

export const channelSet: fc.Arbitrary<Array<Channel>> = fc.subarray([...allChannels])

/** Sets an own property, `__proto__` included (as JSON.parse would). */
export const setOwn = (o: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true })
}

const contextOf = (e: Record<string, unknown>): Record<string, unknown> => {
  const c = e.context
  if (typeof c === "object" && c !== null && !Array.isArray(c)) return c as Record<string, unknown>
  const fresh: Record<string, unknown> = {}
  e.context = fresh
  return fresh
}

export type Mutation = { readonly label: string; readonly apply: (e: Record<string, unknown>) => void }

const mutation = (label: string, apply: (e: Record<string, unknown>) => void): Mutation => ({ label, apply })

export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "__proto__",
    "constructor",
    "toString",
    "hasOwnProperty",
    "valueOf",
    "prototype",
    "ootb_unknown",
    "OOTB_EMAIL",
    "ootb_email ",
    "Tenant",
    "",
    "a/b~c",
    "😀",
  ),
  fc.string({ maxLength: 12 }),
)

const fieldName = fc.constantFrom(...fieldNames)
const envelopeRequired = fc.constantFrom("tenant", "timestamp", "event", "customer")

/** Any value of a parameter: valid, of a wrong type, a bad string, or too long. */
export const anyValue = (name: string): fc.Arbitrary<Json> =>
  fc.oneof(
    validValue(name),
    wrongTypeValue(name),
    badStringValue(name),
    specOf(name).type === "string" ? tooLongText : fc.constantFrom("Yes", "no"),
  )

/** One parameter set to a value of a wrong type, a bad format or value, or too long. */
export const fieldMutation: fc.Arbitrary<Mutation> = fieldName.chain((n) => {
  const values: Array<fc.Arbitrary<[string, Json]>> = [
    wrongTypeValue(n).map((v) => ["wrong type", v]),
    badStringValue(n).map((v) => ["bad value", v]),
  ]
  if (specOf(n).type === "string") values.push(tooLongText.map((v) => ["too long", v]))
  return fc
    .oneof(...values)
    .map(([what, v]) => mutation(`context.${n} ${what}: ${JSON.stringify(v)}`, (e) => setOwn(contextOf(e), n, v)))
})

/** One change that likely makes an event invalid (sometimes it happens not to). */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 8, arbitrary: fieldMutation },
  {
    weight: 1,
    arbitrary: fc
      .tuple(unknownKey, anyJson)
      .map(([k, v]) => mutation(`context unknown key ${JSON.stringify(k)}`, (e) => setOwn(contextOf(e), k, v))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(unknownKey, anyJson)
      .map(([k, v]) => mutation(`envelope unknown key ${JSON.stringify(k)}`, (e) => setOwn(e, k, v))),
  },
  { weight: 1, arbitrary: envelopeRequired.map((k) => mutation(`delete ${k}`, (e) => delete e[k])) },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom("567", null, 0, -1, 1.5, -0.5, 2 ** 53, 1e21, true, [], {}),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
      )
      .map((v) => mutation(`tenant ${JSON.stringify(v)}`, (e) => setOwn(e, "tenant", v))),
  },
  {
    weight: 2,
    arbitrary: fc
      .oneof(badTimestamp, fc.constantFrom(null, 1716805800000, true, [], {}))
      .map((v) => mutation(`timestamp ${JSON.stringify(v)}`, (e) => setOwn(e, "timestamp", v))),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom("customer", "visitor"), fc.oneof(fc.constantFrom("", null, 42, true, [], {}), tooLongText))
      .map(([k, v]) => mutation(`${k} ${JSON.stringify(v)}`, (e) => setOwn(e, k, v))),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom("ootb_user_details", "OOTB_USER_DETAILS_UPDATE", "", "constructor", "__proto__", "toString"),
        fc.string({ maxLength: 12 }),
        fc.constantFrom(null, 1, true, [], {}),
      )
      .map((v) => mutation(`event ${JSON.stringify(v)}`, (e) => setOwn(e, "event", v))),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(null, [], "context", 1, true, [{}])
      .map((v) => mutation(`context ${JSON.stringify(v)}`, (e) => setOwn(e, "context", v))),
  },
  { weight: 1, arbitrary: fc.constant(mutation("no context", (e) => delete e.context)) },
)

export interface MutatedSample {
  readonly event: JsonObject
  readonly labels: ReadonlyArray<string>
}

/** A valid event with `min` to `max` mutations (`labels` says which, for reports). */
export const mutatedEventWith = (min: number, max: number): fc.Arbitrary<MutatedSample> =>
  fc.tuple(validEvent, fc.array(mutationArb, { minLength: min, maxLength: max })).map(([valid, mutations]) => {
    const event = JSON.parse(JSON.stringify(valid)) as JsonObject
    for (const m of mutations) m.apply(event)
    return { event, labels: mutations.map((m) => m.label) }
  })

/** A valid event with one mutation, or a few. */
export const mutatedEvent: fc.Arbitrary<MutatedSample> = fc.oneof(
  { weight: 2, arbitrary: mutatedEventWith(1, 1) },
  { weight: 1, arbitrary: mutatedEventWith(2, 5) },
)

/** Inputs that are not an event object at all. */
export const notAnObject: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom(null, [], "ootb_user_details_update", 0, true, [{ event: eventKey }]),
  fc
    .jsonValue({ maxDepth: 1 })
    .filter((v) => typeof v !== "object" || v === null || Array.isArray(v)) as fc.Arbitrary<Json>,
)

/** Every kind of input: valid events (with and without channel parameters), mutated ones, and non-objects. */
export const anyInput: fc.Arbitrary<{ readonly input: Json; readonly channels: Array<Channel> }> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ input: validEvent, channels: channelSet }) },
  {
    weight: 2,
    arbitrary: channelSet.chain((channels) => validSample(channels).map((s) => ({ input: s.event, channels }))),
  },
  { weight: 6, arbitrary: fc.record({ input: mutatedEvent.map((m) => m.event as Json), channels: channelSet }) },
  { weight: 1, arbitrary: fc.record({ input: notAnObject, channels: channelSet }) },
)
