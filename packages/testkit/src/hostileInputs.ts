/**
 * The requests of the hostile-input suite (`hostileSuite.ts`), generated from
 * a seed: request `i` of seed `s` is always the same bytes, so a failure is
 * replayed by its seed alone. Each request says what it means where the
 * answer cannot tell (which tenant its key belongs to, whether its media type
 * is JSON); everything else the answer is judged on is read from its bytes
 * by `hostileAnswers.ts`. A fixed corpus of known cases (grown from the old
 * Node-only fuzz test) comes first, then generated requests of every kind.
 *
 * @module
 */
import fc from "fast-check"
import type { ContractTenant } from "./http/contractTenants.ts"

/** The event key every generated event is built from. */
export const HOSTILE_EVENT = "ootb_user_details_update"
const MiB = 1024 * 1024

/**
 * One request of the suite, sent as is (the path raw, not normalised).
 *
 * @since 0.2.0
 * @category models
 */
export interface HostileRequest {
  readonly index: number
  /** What was generated (`broken_json`, `byte_flip`, `path_segment`, ...): for reports and failures. */
  readonly kind: string
  readonly method: "GET" | "POST" | "DELETE"
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly body?: Uint8Array
  /** The tenant the `Authorization` header authenticates, or `undefined` when it authenticates none. */
  readonly tenant: number | undefined
  /** Whether the `Content-Type` is JSON as the spec means it (POST only). */
  readonly json: boolean
  /** A dot segment (`.`, `..`, encoded or not): the URL parser may resolve it away from the customer routes. */
  readonly dotSegment?: boolean
  /** Nesting so deep that a runtime's JSON parser may refuse it (then `malformed_json` is right too). */
  readonly deep?: boolean
}

/**
 * What generation needs: the tenants of the service's config (tenant A
 * sends most requests, tenant B's key is the "other tenant") and a tag of
 * this run that every generated customer id carries.
 *
 * @since 0.2.0
 * @category models
 */
export interface HostileSetup {
  readonly a: ContractTenant
  readonly b: ContractTenant
  readonly run: string
}

/** A small fast seeded generator (sfc32); `int(n)` is in `[0, n)`. */
export interface Random {
  readonly next: () => number
  readonly int: (n: number) => number
  readonly chance: (p: number) => boolean
  readonly pick: <A>(xs: ReadonlyArray<A>) => A
}

/** sfc32 seeded from two numbers (the run's seed and the request's index). */
export const random = (seed: number, stream = 0): Random => {
  let a = seed >>> 0
  let b = (stream * 0x9e3779b9) >>> 0
  let c = 0x243f6a88
  let d = 1
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0
    d = (d + 1) >>> 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) >>> 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) >>> 0
    return t
  }
  for (let i = 0; i < 12; i++) next32()
  const next = () => next32() / 4294967296
  return {
    next,
    int: (n) => Math.floor(next() * n),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)] as never,
  }
}

const enc = new TextEncoder()
const bytesOf = (text: string): Uint8Array => enc.encode(text)
const concat = (...parts: ReadonlyArray<Uint8Array | ReadonlyArray<number>>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

/** The customer ids generated events use: a small pool per run, so events repeat and overwrite. */
export const hostileCustomer = (setup: HostileSetup, k: number): string => `h${setup.run}-${k}`

const words = [
  "NYC",
  "Oslo",
  "São Paulo",
  "Zürich",
  "東京",
  "Kraków",
  "x",
  "",
  "a b",
  "O'Neil",
  'q"uote',
  "back\\slash",
]

/** A valid value of each parameter of the event. */
const validValues = (r: Random): Record<string, () => unknown> => ({
  ootb_email: () => `${r.pick(["john", "jane.doe", "a+b"])}${r.int(1000)}@example.com`,
  ootb_mobile_number: () => `+1${String(200000000 + r.int(700000000))}`,
  ootb_status: () => r.pick(["Started", "Completed", "Failed"]),
  ootb_registration_source: () => r.pick(words),
  ootb_date_of_birth: () => `19${50 + r.int(50)}-0${1 + r.int(9)}-1${r.int(10)}`,
  ootb_allow_email: () => r.pick(["Yes", "No"]),
  ootb_allow_sms: () => r.pick(["Yes", "No"]),
  ootb_allow_push: () => r.pick(["Yes", "No"]),
  ootb_is_email_verified: () => r.chance(0.5),
  ootb_is_blocked: () => r.chance(0.5),
  ootb_is_test: () => r.chance(0.5),
  ootb_gender: () => r.pick(["male", "female", "other"]),
  ootb_country: () => r.pick(["US", "NO", "BR"]),
  ootb_city: () => r.pick(words),
  ootb_first_name: () => r.pick(words),
  ootb_last_name: () => r.pick(words),
  ootb_language: () => r.pick(["en", "fr", "en-US"]),
  ootb_currency: () => r.pick(["USD", "EUR", "NOK"]),
  ootb_alias: () => r.pick(words),
  ootb_platform: () => r.pick(["iOS", "Android", "Web"]),
})
const PARAMETERS = Object.keys(validValues(random(0)))

const timestamp = (r: Random): string =>
  `2024-0${1 + r.int(9)}-1${r.int(10)} 1${r.int(10)}:${10 + r.int(50)}:${10 + r.int(50)}.${String(r.int(1_000_000)).padStart(6, "0")} UTC`

/** A valid event of `tenant` for a customer of the run's pool. */
const validEvent = (r: Random, setup: HostileSetup, tenant = setup.a.id): Record<string, unknown> => {
  const values = validValues(r)
  const context: Record<string, unknown> = {}
  const n = r.int(5)
  for (let i = 0; i < n; i++) {
    const p = r.pick(PARAMETERS)
    context[p] = (values[p] as () => unknown)()
  }
  return {
    tenant,
    timestamp: timestamp(r),
    event: HOSTILE_EVENT,
    customer: hostileCustomer(setup, r.int(64)),
    context,
  }
}

/** Keys that name an object's prototype or its members. */
export const PROTOTYPE_KEYS = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"]
/** Keys with the two characters a JSON Pointer must escape. */
const POINTER_KEYS = ["a/b", "~", "/", "~0", "~1", "~01", "a~b/c", "//", "~~", "/~/", "ootb_city/x", "ootb~city", ""]

/** Arbitrary JSON values (fast-check's), sampled once from a fixed seed: picking one is cheap. */
const JSON_VALUES = fc.sample(fc.jsonValue({ maxDepth: 2 }), { seed: 14, numRuns: 4000 })
const jsonValue = (r: Random): unknown => r.pick(JSON_VALUES)
const hostileString = (r: Random): string => {
  switch (r.int(8)) {
    case 0:
      return "x".repeat(256 + r.int(2000))
    case 1:
      return "é".repeat(128 + r.int(200))
    case 2:
      return "\u0000"
    case 3:
      return `a\ud800b` // a lone surrogate (written as an escape in JSON)
    case 4:
      return "😀".repeat(1 + r.int(300))
    case 5:
      return "\u202e\ufeff\u200b"
    case 6:
      return fc.sample(fc.string({ unit: "binary", maxLength: 40 }), { seed: r.int(2 ** 31), numRuns: 1 })[0] as string
    default:
      return r.pick(POINTER_KEYS)
  }
}
const hostileNumber = (r: Random): string =>
  r.pick([
    "1e400",
    "-1e400",
    "1e-400",
    "123456789012345678901234567890",
    "9007199254740993",
    "-0",
    "0.1",
    "1".padEnd(2 + r.int(5000), "0"),
    `0.${"0".repeat(r.int(5000))}1`,
    String(2 ** 31),
    String(-(2 ** 53)),
  ])

const FILLER_UNITS = ["x", "é", "😀", "\\u0041", " "]
const fillers = new Map<string, string>()
/** `unit` repeated `count` times, cut from one long string per unit (building each anew is slow). */
const fillerOf = (unit: string, count: number): string => {
  let long = fillers.get(unit)
  if (long === undefined) {
    long = unit.repeat(MiB)
    fillers.set(unit, long)
  }
  return long.slice(0, Math.min(count, MiB) * unit.length)
}

/** One structural mutation of an event (a copy). */
const mutateEvent = (r: Random, setup: HostileSetup, event: Record<string, unknown>): Record<string, unknown> => {
  const e: Record<string, unknown> = { ...event, context: { ...(event.context as object) } }
  const context = e.context as Record<string, unknown>
  const top = ["tenant", "timestamp", "event", "customer", "context"]
  switch (r.int(12)) {
    case 0:
      delete e[r.pick(top)]
      break
    case 1:
      e[r.pick(top)] = jsonValue(r)
      break
    case 2:
      context[r.pick(PARAMETERS)] = jsonValue(r)
      break
    case 3:
      context[r.pick([...PARAMETERS, "nope", "ootb_unknown", "OOTB_CITY"])] = hostileString(r)
      break
    case 4:
      e[`extra_${r.int(5)}`] = jsonValue(r)
      break
    case 5:
      e.tenant = r.pick([setup.b.id, setup.a.id + 1000, 1, 2 ** 31 - 1, 0, -1, 567.5, "567", null])
      break
    case 6:
      e.timestamp = r.pick(["", "yesterday", "2024-02-30 10:30:00.000000 UTC", "2024-05-27T10:30:00Z", 1716805800])
      break
    case 7:
      e.customer = r.pick(["", "x".repeat(256), "__proto__", ".", "..", "a/b", "~", 42, null, ["c"]])
      break
    case 8:
      e.event = r.pick(["", "OOTB_USER_DETAILS_UPDATE", "unknown", "__proto__", "ootb_user_details_update "])
      break
    case 9:
      e.context = r.pick([[], "ootb_city=NYC", null, 1, true, { ootb_city: { v: "NYC" } }])
      break
    case 10:
      for (let i = 0, n = 1 + r.int(40); i < n; i++) context[`k${r.int(1000)}`] = i
      break
    default:
      e.context = {}
      break
  }
  return e
}

/** The JSON text of an event with one key inserted at the front (as text, so `__proto__` stays a key). */
const withKeyFirst = (json: string, key: string, value: string): string =>
  json.replace("{", `{${JSON.stringify(key)}:${value},`)
const withContextKey = (json: string, key: string, value: string): string =>
  json.replace('"context":{', `"context":{${JSON.stringify(key)}:${value},`)

/** Text that nests `depth` levels: arrays, objects, or both. */
const nesting = (r: Random, depth: number): string => {
  switch (r.int(3)) {
    case 0:
      return "[".repeat(depth) + "]".repeat(depth)
    case 1:
      return '{"a":'.repeat(depth) + "1" + "}".repeat(depth)
    default:
      return '[{"a":'.repeat(depth) + "1" + "}]".repeat(depth)
  }
}

/** Ways of writing `Content-Type` that the spec calls JSON, and ways it does not. */
const JSON_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "Application/Json;charset=UTF-8",
  "application/json;foo=bar",
]
const OTHER_TYPES = [
  "text/plain",
  "text/json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json-patch+json",
  "application/vnd.api+json",
  "application/problem+json",
  "application/jsonx",
  "application/jso",
  "json",
  "*/*",
  "application/*",
  "",
  "application/json/x",
  "application, json",
]

/** Authorization headers: the key's tenant, or `undefined` when none authenticates. */
const authVariant = (r: Random, setup: HostileSetup): [string | undefined, number | undefined] => {
  const key = setup.a.key
  return r.pick<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ["", undefined],
    ["Bearer", undefined],
    ["Bearer ", undefined],
    [key, undefined],
    [`Basic ${btoa(`user:${key}`)}`, undefined],
    [`Token ${key}`, undefined],
    [`Bearer ${key}x`, undefined],
    [`Bearer ${key.slice(0, -1)}`, undefined],
    [`Bearer ${key.toUpperCase()}`, undefined],
    [`Bearer ${key} ${key}`, undefined],
    [`Bearer ${key},Bearer ${key}`, undefined],
    [`Bearer ${"k".repeat(2000)}`, undefined],
    ["Bearer \u00e9\u00e8", undefined],
    [`Bearer "${key}"`, undefined],
    [`Bearer ${key}`, setup.a.id],
    [`bearer ${key}`, setup.a.id],
    [`BEARER ${key}`, setup.a.id],
    [`Bearer ${setup.b.key}`, setup.b.id],
  ])
}

/** Customer path segments: encoded ids, dot segments, bad escapes, odd characters. */
const pathSegment = (r: Random, setup: HostileSetup): [string, boolean] => {
  const dots: ReadonlyArray<string> = [".", "..", "%2e", "%2E%2e", ".%2e", "%2e."]
  if (r.chance(0.15)) return [r.pick(dots), true]
  return [
    r.pick([
      encodeURIComponent(hostileCustomer(setup, r.int(64))),
      encodeURIComponent(`h${setup.run}-${r.int(64)}`).toUpperCase(),
      "...",
      "%2e%2e%2f",
      "%2F",
      "a%2Fb",
      "~",
      "%7E0",
      "%00",
      "%ff",
      "%c3%28",
      "%",
      "%zz",
      "%2",
      "__proto__",
      "constructor",
      "prototype",
      "hasOwnProperty",
      encodeURIComponent("😀"),
      "x".repeat(256),
      "x".repeat(4000),
      "%20",
      "+",
      ";x=1",
      "a;b",
      "@",
      ":",
      "!$&'()*,=",
      encodeURIComponent("customer with spaces"),
      encodeURIComponent('"><script>'),
    ]),
    false,
  ]
}
const EVENTS_QUERIES = [
  "",
  "?limit=1",
  "?limit=0",
  "?limit=-1",
  "?limit=1e2",
  "?limit=abc",
  "?limit=100000000000000000000",
  "?cursor=not-a-cursor",
  "?cursor=",
  "?cursor=%ff",
  `?cursor=${btoa('{"t":1}')}`,
  "?limit=2&limit=3",
  "?x=%zz",
]

/** What `generate` returns before the index and headers are filled in. */
interface Draft {
  readonly kind: string
  readonly body: Uint8Array | string
  readonly auth?: [string | undefined, number | undefined]
  readonly contentType?: [string | undefined, boolean]
  readonly deep?: boolean
}

const post = (kind: string, body: Uint8Array | string, extra: Partial<Draft> = {}): Draft => ({ kind, body, ...extra })

let overfull: { setup: HostileSetup; text: string } | undefined
/** A batch of 501 valid events (one more than a batch holds), built once per setup. */
const overfullBatch = (setup: HostileSetup): string => {
  if (overfull?.setup !== setup) {
    const r = random(501)
    overfull = { setup, text: `[${Array.from({ length: 501 }, () => JSON.stringify(validEvent(r, setup))).join(",")}]` }
  }
  return overfull.text
}

/** A POST body of each kind (the event texts come from valid events of tenant A). */
const generatePost = (r: Random, setup: HostileSetup): Draft => {
  const event = () => validEvent(r, setup)
  const text = () => JSON.stringify(r.chance(0.8) ? event() : Array.from({ length: 1 + r.int(5) }, event))
  if (r.chance(0.04)) {
    // JSON whitespace between tokens, up to a little over 1 MiB: volume that a leak would show.
    const t = text()
    const at = t.indexOf(",", r.int(t.length))
    const size = 300_000 + r.int(MiB - 300_000 + 2000)
    const unit = r.pick([" ", "\n", "\t", "\r\n"])
    const pad = fillerOf(unit, Math.floor(size / unit.length))
    return post("padded", at < 0 ? pad + t : t.slice(0, at + 1) + pad + t.slice(at + 1))
  }
  const roll = r.int(100)
  if (roll < 10) {
    // Valid: singles and batches, some repeated (duplicates).
    const n = r.chance(0.6) ? 1 : 1 + r.int(r.chance(0.1) ? 100 : 20)
    const events = Array.from({ length: n }, event)
    return post("valid", JSON.stringify(n === 1 && r.chance(0.7) ? events[0] : events))
  }
  if (roll < 32) {
    const n = r.chance(0.7) ? 1 : 2 + r.int(30)
    const events = Array.from({ length: n }, () => (r.chance(0.7) ? mutateEvent(r, setup, event()) : event()))
    return post("mutated", JSON.stringify(n === 1 ? events[0] : events))
  }
  if (roll < 40) {
    const t = text()
    return post("truncated", t.slice(0, r.int(t.length)))
  }
  if (roll < 45) {
    const t = text()
    const at = r.int(t.length)
    const junk = r.pick([
      "NaN",
      "Infinity",
      "undefined",
      "0x10",
      ".5",
      "01",
      "+1",
      "'x'",
      ",",
      "}",
      "]",
      "\u0000",
      "/*",
      "\t\n",
      '"\n"',
      "\\x41",
      "\\u12",
    ])
    return post("broken_json", t.slice(0, at) + junk + t.slice(at))
  }
  if (roll < 53) {
    const bytes = bytesOf(text())
    for (let i = 0, n = 1 + r.int(4); i < n; i++) bytes[r.int(bytes.length)] = r.int(256)
    return post("byte_flip", bytes)
  }
  if (roll < 58) {
    const t = bytesOf(text())
    const bad = r.pick<ReadonlyArray<number>>([
      [0xff],
      [0xfe, 0xff],
      [0x80],
      [0xc0, 0xaf],
      [0xe0, 0x80, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
      [0xc3],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
    ])
    // Inside a string value (after the first quote of "context"'s first value), or anywhere.
    const at = r.chance(0.5) ? Math.max(0, t.lastIndexOf(0x22) - 1) : r.int(t.length + 1)
    return post("invalid_utf8", concat(t.subarray(0, at), bad, t.subarray(at)))
  }
  if (roll < 61) {
    const boms: ReadonlyArray<ReadonlyArray<number>> = [
      [0xef, 0xbb, 0xbf],
      [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf],
      [0xfe, 0xff],
      [0xff, 0xfe],
      [0xef, 0xbb],
    ]
    const t = bytesOf(text())
    return post("bom", r.chance(0.8) ? concat(r.pick(boms), t) : concat(t, r.pick(boms)))
  }
  if (roll < 64) {
    const t = JSON.stringify(event())
    const dup = r.pick([
      () => withKeyFirst(t, "tenant", String(setup.b.id)),
      () => withKeyFirst(t, "customer", '"someone-else"'),
      () => withKeyFirst(t, "context", '{"ootb_city":1}'),
      () => t.replace(/}$/, `,"tenant":${JSON.stringify(jsonValue(r))}}`),
      () => t.replace(/}$/, `,"customer":${JSON.stringify(hostileString(r))}}`),
      () => withContextKey(t, "ootb_city", '"first"').replace('"context":{', '"context":{"ootb_city":"zeroth",'),
    ])()
    return post("duplicate_keys", dup)
  }
  if (roll < 66) {
    const depth = r.chance(0.7) ? 1000 + r.int(20_000) : 100_000 + r.int(40_000)
    const v = JSON.stringify(event())
    const deep = nesting(r, depth)
    const body = r.pick([
      () => deep,
      () => `[${deep}]`,
      () => withKeyFirst(v, "deep", deep),
      () => withContextKey(v, r.pick(["ootb_city", "zzz"]), deep),
      () => v.replace(/"customer":"[^"]*"/, `"customer":${deep}`),
      () => "[".repeat(depth),
    ])()
    return post("deep_nesting", body, { deep: true })
  }
  if (roll < 70) {
    const v = JSON.stringify(event())
    const n = hostileNumber(r)
    return post(
      "huge_number",
      r.pick([
        () => v.replace(/"tenant":\d+/, `"tenant":${n}`),
        () => withContextKey(v, r.pick(["ootb_city", "ootb_is_test", "ootb_zz"]), n),
        () => v.replace(/"timestamp":"[^"]*"/, `"timestamp":${n}`),
        () => v.replace(/"customer":"[^"]*"/, `"customer":${n}`),
      ])(),
    )
  }
  if (roll < 75) {
    // Huge strings, up to a little over 1 MiB (over: 413).
    const v = JSON.stringify(event())
    const size = r.chance(0.15) ? MiB - v.length - 40 + r.int(80) : 1000 + r.int(r.chance(0.5) ? 900_000 : 20_000)
    const unit = r.pick(FILLER_UNITS)
    const filler = fillerOf(unit, Math.max(1, Math.floor(size / bytesOf(unit).length)))
    return post(
      "huge_string",
      r.pick([
        () => withContextKey(v, r.pick(["ootb_city", "ootb_brand"]), `"${filler}"`),
        () => withContextKey(v, `k${filler}`, "1"),
        () => v.replace(/"customer":"[^"]*"/, `"customer":"${filler}"`),
        () => withKeyFirst(v, "pad", `"${filler}"`),
        () => (unit === " " ? `${filler}${v}` : withKeyFirst(v, filler, "1")),
      ])(),
    )
  }
  if (roll < 80) {
    const v = JSON.stringify(event())
    const k = r.pick(PROTOTYPE_KEYS)
    const val = r.pick(['{"tenant":1,"polluted":true}', '"x"', "null", "1", '{"ootb_city":"x"}', "[]"])
    return post(
      "prototype_key",
      r.pick([
        () => withKeyFirst(v, k, val),
        () => withContextKey(v, k, val),
        () =>
          v.replace(/"context":\{[^}]*\}/, `"context":{${JSON.stringify(k)}:{${JSON.stringify(k)}:{"ootb_city":"x"}}}`),
        () => v.replace(/"tenant":\d+/, `"tenant":{${JSON.stringify(k)}:${setup.a.id}}`),
        () => v.replace(/"event":"[^"]*"/, `"event":${JSON.stringify(k)}`),
        () => `{${JSON.stringify(k)}:${v}}`,
        () => `[${withKeyFirst(v, k, val)},{${JSON.stringify(k)}:[]}]`,
      ])(),
    )
  }
  if (roll < 86) {
    // Keys holding `~` and `/`: every issue path must escape them (RFC 6901).
    const v = JSON.stringify(event())
    const k = r.pick(POINTER_KEYS) + (r.chance(0.3) ? r.pick(POINTER_KEYS) : "")
    const val = r.pick(["1", '"x"', "null", `{${JSON.stringify(r.pick(POINTER_KEYS))}:1}`, "[1,{}]"])
    return post(
      "pointer_key",
      r.pick([
        () => withKeyFirst(v, k, val),
        () => withContextKey(v, k, val),
        () =>
          v.replace(
            /"context":\{[^}]*\}/,
            `"context":{${JSON.stringify(k)}:{${JSON.stringify(r.pick(POINTER_KEYS))}:1}}`,
          ),
        () => `[${v},${withContextKey(v, k, val)}]`,
      ])(),
    )
  }
  if (roll < 92) {
    const v = JSON.stringify(event())
    return post(
      "bad_batch",
      r.pick([
        () => "[]",
        () => ` [ ] `,
        () => overfullBatch(setup),
        () => `[${Array.from({ length: 501 + r.int(100) }, () => "{}").join(",")}]`,
        () => `[${v},${r.pick(["1", "null", '"x"', "[]", "true", `[${v}]`])}]`,
        () => `[${r.pick(["1", "null", '"x"', "[]", "true"])}]`,
        () => r.pick(["42", "-0", '"x"', "null", "true", "[[]]", "[[{}]]"]),
        () =>
          `[${Array.from({ length: 500 }, () => JSON.stringify(r.chance(0.5) ? mutateEvent(r, setup, event()) : event())).join(",")}]`,
        () =>
          `[${Array.from({ length: 2 + r.int(40) }, () => JSON.stringify(mutateEvent(r, setup, event()))).join(",")}]`,
        () => JSON.stringify(Array.from({ length: 1 + r.int(20) }, () => validEvent(r, setup, setup.b.id))),
      ])(),
    )
  }
  if (roll < 96) {
    // Random JSON and random bytes (fast-check's generators, seeded from this request).
    if (r.chance(0.5)) return post("random_json", JSON.stringify(jsonValue(r) ?? null))
    const bytes = fc.sample(fc.uint8Array({ maxLength: 3000 }), { seed: r.int(2 ** 31), numRuns: 1 })[0] as Uint8Array
    return post("random_bytes", bytes)
  }
  if (roll < 98) {
    const t = text()
    return post("content_type", t, {
      contentType: r.chance(0.3)
        ? [r.pick(JSON_TYPES), true]
        : r.chance(0.1)
          ? [undefined, false]
          : [r.pick(OTHER_TYPES), false],
    })
  }
  return post("authorization", r.chance(0.5) ? text() : r.pick(["{", "[]", "42", `[${" ".repeat(100_000)}]`]), {
    auth: authVariant(r, setup),
    contentType: r.chance(0.8) ? ["application/json", true] : [r.pick(OTHER_TYPES), false],
  })
}

/**
 * Request `index` of `seed`: a POST of `/v1/events` (most), or a GET or
 * DELETE of a customer route with a hostile path segment.
 *
 * @since 0.2.0
 * @category generators
 */
export const hostileRequest = (seed: number, index: number, setup: HostileSetup): HostileRequest => {
  const r = random(seed, index + 1)
  const corpus = knownCases(setup)
  if (index < corpus.length) return finish(index, corpus[index] as Draft, setup, r)
  if (r.chance(0.07)) {
    const [segment, dotSegment] = pathSegment(r, setup)
    const [auth, tenant] = r.chance(0.9) ? [`Bearer ${setup.a.key}`, setup.a.id] : authVariant(r, setup)
    const method = r.chance(0.7) ? "GET" : "DELETE"
    const events = method === "GET" && r.chance(0.4)
    return {
      index,
      kind: "path_segment",
      method,
      path: `/v1/customers/${segment}${events ? `/events${r.pick(EVENTS_QUERIES)}` : ""}`,
      headers: auth === undefined ? {} : { authorization: auth },
      tenant,
      json: false,
      dotSegment,
    }
  }
  return finish(index, generatePost(r, setup), setup, r)
}

const finish = (index: number, draft: Draft, setup: HostileSetup, r: Random): HostileRequest => {
  const [auth, tenant] = draft.auth ?? [`Bearer ${setup.a.key}`, setup.a.id]
  const [contentType, json] = draft.contentType ?? [r.pick(JSON_TYPES), true]
  const headers: Record<string, string> = {}
  if (auth !== undefined) headers.authorization = auth
  if (contentType !== undefined) headers["content-type"] = contentType
  return {
    index,
    kind: draft.kind,
    method: "POST",
    path: "/v1/events",
    headers,
    body: typeof draft.body === "string" ? bytesOf(draft.body) : draft.body,
    tenant,
    json,
    ...(draft.deep ? { deep: true } : {}),
  }
}

let corpusOf: { setup: HostileSetup; drafts: ReadonlyArray<Draft> } | undefined

/** Known cases, sent first in every run: broken JSON, bad UTF-8, wrong shapes and types, huge numbers. */
const knownCases = (setup: HostileSetup): ReadonlyArray<Draft> => {
  if (corpusOf?.setup === setup) return corpusOf.drafts
  const r = random(0)
  const good = { ...validEvent(r, setup), customer: `h${setup.run}-known-case`, context: { ootb_city: "NYC" } }
  const v = JSON.stringify(good)
  const drafts: Array<Draft> = []
  const broken = [
    "",
    " ",
    "\n\t ",
    `${v}x`,
    `${v}}`,
    `${v},`,
    `${v}${v}`,
    `${v} ${v}`,
    `[${v}]]`,
    `[${v},]`,
    `[${v} ${v}]`,
    `${v}\u0000`,
    `/* comment */${v}`,
    `// comment\n${v}`,
    v.replace('"NYC"}', '"NYC",}'),
    v.replace('{"tenant"', "{tenant"),
    v.replace(',"event"', ' "event"'),
    v.replace(":", "="),
    "{",
    "[",
    "]",
    "}",
    '"',
    "nul",
    "tru",
    "[,]",
    "{,}",
    '{"a" 1}',
    "\u00a0{}",
    ...[
      "NaN",
      "Infinity",
      "-Infinity",
      "undefined",
      "0x10",
      ".5",
      "01",
      "+1",
      "1.",
      "'NYC'",
      '"N\tY"',
      '"N\nY"',
      '"\\x41"',
      '"\\u12"',
      '"NYC',
      '"NYC" /* c */',
      '"NYC" // c\n',
    ].map((x) => v.replace('"NYC"', x)),
  ]
  for (const b of broken) drafts.push(post("known_broken_json", b))
  for (let n = 1; n < v.length; n += 7) drafts.push(post("known_truncated", v.slice(0, n)))
  const [before, after] = v.split('"NYC"') as [string, string]
  for (const bad of [
    [0xff],
    [0xfe, 0xff],
    [0x80],
    [0xc0, 0xaf],
    [0xe0, 0x80, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xf4, 0x90, 0x80, 0x80],
    [0xe2, 0x82],
    [0x41, 0xc3],
    [0xf8, 0x88, 0x80, 0x80, 0x80],
  ]) {
    drafts.push(post("known_invalid_utf8", concat(bytesOf(`${before}"`), bad, bytesOf(`"${after}`))))
  }
  drafts.push(post("known_invalid_utf8", concat(bytesOf(v), [0xff])))
  drafts.push(post("known_invalid_utf8", Uint8Array.from([0xc3])))
  drafts.push(post("known_invalid_utf8", Uint8Array.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d])))
  for (const s of ["42", "-0", '"x"', "null", "true", "[1]", "[null]", "[[]]", `[${v}, 1]`, `[${v}, [${v}]]`, "[]"]) {
    drafts.push(post("known_shape", s))
  }
  const wrongs: Array<Record<string, unknown>> = [
    {},
    ...["567", null, [567], { id: 567 }, true, 0, -567, 567.5].map((tenant) => ({ ...good, tenant })),
    ...[1716805800, null, "", "2024-02-30 10:30:00.000000 UTC", "yesterday"].map((timestamp) => ({
      ...good,
      timestamp,
    })),
    ...[1, null, "", [HOSTILE_EVENT]].map((event) => ({ ...good, event })),
    ...[1, null, { id: "c" }, ["c"]].map((customer) => ({ ...good, customer })),
    ...[[], "ootb_city=NYC", null, 1].map((context) => ({ ...good, context })),
    ...[
      { ootb_city: 1 },
      { ootb_city: null },
      { ootb_city: ["NYC"] },
      { ootb_city: { v: "NYC" } },
      { ootb_is_test: "true" },
      { ootb_is_test: 1 },
      { ootb_city: "x".repeat(256) },
      { ootb_email: "not an email" },
    ].map((context) => ({ ...good, context })),
  ]
  for (const w of wrongs) drafts.push(post("known_wrong_type", JSON.stringify(w)))
  drafts.push(post("known_wrong_type", JSON.stringify(wrongs)))
  for (const n of [
    "1e400",
    "-1e400",
    "1e-400",
    "123456789012345678901234567890",
    "9007199254740993",
    "1" + "0".repeat(5000),
  ]) {
    drafts.push(post("known_huge_number", v.replace(/"tenant":\d+/, `"tenant":${n}`)))
    drafts.push(post("known_huge_number", v.replace('"NYC"', n)))
    drafts.push(post("known_huge_number", v.replace(/"timestamp":"[^"]*"/, `"timestamp":${n}`)))
  }
  const long = "k".repeat(300_000)
  drafts.push(post("known_long", withKeyFirst(v, long, "1")))
  drafts.push(post("known_long", withContextKey(v, long, "1")))
  drafts.push(post("known_long", v.replace('"NYC"', `"${"é".repeat(200_000)}"`)))
  corpusOf = { setup, drafts }
  return drafts
}
