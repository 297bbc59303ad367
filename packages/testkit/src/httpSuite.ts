/**
 * `httpContract`: the one black-box suite of the ingestion HTTP API
 * (`ingest-api.md`). It takes a base URL and uses only `fetch`, so the same
 * suite runs against the real Node, Bun, Deno and workerd servers. Reach for
 * it in a runtime's test file: start the server with
 * `contractConfig(contractTenants())` as `INGEST_CONFIG`, then call
 * `httpContract(name, () => ({ baseUrl, tenants }))`.
 *
 * Every test uses fresh random customer ids, so the suite may run against a
 * persistent store, and again, without interference. Tenant C (rate limited)
 * is used by the rate-limit test only.
 *
 * Every answer a test receives is also checked against the server's own
 * `/openapi.json` (`makeAnswerChecker`): its status documented for the
 * operation, its media type documented for that status, its body valid
 * against the documented schema. A test whose answers stray fails.
 *
 * Behaviour the spec leaves open, decided here (the server matches these):
 *
 * - Request ids: every `/v1/*` response carries `x-request-id`. A client's
 *   `x-request-id` that is a sane token (1 to 128 of `A-Z a-z 0-9 . _ : -`)
 *   is echoed; any other is replaced by a fresh one; ids are unique per
 *   request.
 * - Order of request checks on `POST /v1/events`: authentication (401), rate
 *   limit (429), the key's scope and the request's `Origin` (403
 *   `forbidden`), media type (415), size (413), JSON (400 `malformed_json`),
 *   body shape (400 `invalid_body`, `batch_size`). A 401 carries
 *   `WWW-Authenticate: Bearer`; the auth scheme is case-insensitive.
 * - Key scopes: a plain-digest key may use every private route; a key of one
 *   scope only its routes (`send`: `POST /v1/events`; `read`: the `GET`
 *   routes, query forms included; `erase`: the `DELETE` routes); any other
 *   is 403 `forbidden` (Problem Details whose `detail` names the scope) and
 *   reads or writes nothing.
 * - Browsers: the `Origin` of a preflight (`OPTIONS /v1/events`, no key) is
 *   allowed when some tenant's `allowedOrigins` lists it exactly: 204 with
 *   `Access-Control-Allow-Origin` (that origin), `Vary: Origin`,
 *   `Access-Control-Allow-Methods` naming `POST` and
 *   `Access-Control-Allow-Headers` naming `authorization`, `content-type`
 *   and `x-request-id`, and a positive `Access-Control-Max-Age` if any; any
 *   other preflight (another origin, `null`, none) is 204 without any
 *   `Access-Control-*` header. Every answer of `POST /v1/events` to an
 *   allowed origin (refusals included: 401, 403) carries
 *   `Access-Control-Allow-Origin`, `Vary: Origin` and
 *   `Access-Control-Expose-Headers` naming `retry-after` and `x-request-id`.
 *   A request with an `Origin` the key's tenant does not list is 403
 *   `forbidden` on every private route and writes nothing. No answer ever
 *   carries `Access-Control-Allow-Credentials`, and no other route carries
 *   CORS headers.
 * - Media types are compared case-insensitively; any parameter (charset) is
 *   fine; `+json` types other than `application/json` are 415; no
 *   Content-Type at all is 415.
 * - An empty body is `malformed_json`. A body that is not an object or an
 *   array whose every element is an object (`42`, `"x"`, `null`, `[1]`,
 *   `[{…}, 1]`, `[[…]]`) is `invalid_body`, and nothing of it is stored.
 * - Exactly 1 MiB (1,048,576 bytes) is accepted; one byte more is 413.
 * - 403 only when every rejected event's issues are all `tenant_mismatch`;
 *   an event with a wrong tenant and another issue lists both and makes the
 *   answer 400. `tenant_mismatch` is reported only for a valid tenant id
 *   (positive integer) that is not the key's; a missing or invalid tenant is
 *   `required` / `invalid_type` / `invalid_value` alone.
 * - Results of rejected events carry `issues` and no `id`; accepted and
 *   duplicate results carry `id` and no `issues`. A 400/403 with results is
 *   `application/json` (the ingest body), not problem+json.
 * - The event id is a digest of the decoded event: key order, timestamp form
 *   (documented form or any RFC 3339 spelling of the same instant) and an
 *   absent vs. empty `context` do not change it. A repeat inside one batch is
 *   a duplicate of the earlier one.
 * - An event with no parameters still creates the profile (`attributes: {}`).
 *   `updated_at` is the latest `timestamp` among the customer's events.
 * - `GET /v1/customers/{c}/events`: `limit` defaults to 50; an integer above
 *   100 is clamped to 100; anything else that is not an integer >= 1 in
 *   decimal digits (`0`, `-1`, `1.5`, `1e2`, `2x`, `abc`) is 400, and so is
 *   a malformed `cursor` (opaque; e.g. `not-a-cursor`, or base64 of JSON of
 *   the wrong shape): Problem Details with code `invalid_body`
 *   (`QUERY_ERROR_CODE`: the closed code set has no better fit) and a
 *   `detail` naming the parameter. Unknown customer,
 *   another tenant's customer, or an erased one: 404 `not_found`.
 * - Customer ids `.` and `..` cannot travel as a path segment (URL parsers
 *   resolve them away), so the customer routes also take the id as the
 *   `customer` query parameter: `GET`/`DELETE /v1/customers?customer=`,
 *   `GET /v1/events?customer=`. Those answer exactly as the path forms; one
 *   without `customer` is 400 `invalid_body` naming it.
 * - `DELETE` of a customer the tenant does not have: 404 `not_found`. After
 *   an erase nothing of the customer is kept, its event ids included: the
 *   same event sent again is `accepted` anew.
 * - A route or method the API does not serve: 404 `not_found` (there is no
 *   405 in the closed code set).
 * - `GET /v1/schemas`: `{ "schemas": [{ "event", "title", "url" }] }`,
 *   `url` a link (absolute, or relative to the base URL) to
 *   `/v1/schemas/{event}.json`. Public routes ignore any Authorization.
 * - `GET /openapi.json` documents at least `/v1/events`,
 *   `/v1/customers/{customer}`, `/v1/customers/{customer}/events`,
 *   `/v1/schemas`, `/v1/schemas/{event}.json`, `/healthz`, `/metrics`, and a
 *   bearer security scheme.
 * - `GET /metrics` has the counter `ingest_events_total` with a `status`
 *   label (`accepted`, `duplicate`, `rejected`).
 * - 429 carries `Retry-After` in whole seconds (>= 1).
 *
 * @module
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type ApiResponse,
  bearer,
  customerPath,
  deleteCustomer,
  type Exchange,
  getCustomer,
  type IngestBody,
  type IngestResultBody,
  listAllEvents,
  listEvents,
  observeExchanges,
  type ProblemBody,
  postEvents,
  postRaw,
  reportExchange,
  request,
  urlOf,
} from "./http/ApiClient.ts"
import { type ContractScope, type ContractTenant, contractOrigins, contractTenantIds } from "./http/contractTenants.ts"
import { type AnswerChecker, describeExchange, makeAnswerChecker } from "./http/documentedAnswers.ts"

export * from "./http/ApiClient.ts"
export * from "./http/contractTenants.ts"
export * from "./http/documentedAnswers.ts"

/**
 * What the suite needs of a running server: where it listens and the
 * tenants of its `INGEST_CONFIG` (with clear-text keys), which must include
 * the three of `contractTenants()`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpTarget {
  readonly baseUrl: string
  readonly tenants: ReadonlyArray<ContractTenant>
}

/**
 * What a runtime can or cannot do; every flag defaults to `true`.
 *
 * @since 0.1.0
 * @category models
 */
export interface HttpCapabilities {
  /**
   * The client can stream a request body without `Content-Length`
   * (`fetch` with a `ReadableStream` body and `duplex: "half"`) and the
   * server sees it as such: tests the 413 of a chunked upload.
   */
  readonly streamingUpload?: boolean
  /** The server enforces `rateLimit` (tenant C): tests 429. */
  readonly rateLimit?: boolean
  /** Time limit of each test, in milliseconds (default 20,000). */
  readonly timeoutMs?: number
}

/**
 * The Problem Details code of a malformed `limit` or `cursor` query
 * parameter (a choice: the spec's closed code set names none for queries).
 *
 * @since 0.1.0
 * @category constants
 */
export const QUERY_ERROR_CODE = "invalid_body"

/** The header of the request id. @since 0.1.0 @category constants */
export const REQUEST_ID_HEADER = "x-request-id"

/** A sane request id, echoed when a client sends one. @since 0.1.0 @category constants */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/

/** The documented timestamp form. @since 0.1.0 @category constants */
export const TIMESTAMP_FORM = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} UTC$/

const EVENT = "ootb_user_details_update"
const MiB = 1024 * 1024
/**
 * The closed set of issue codes, written out here rather than taken from
 * `@cdp/schema`, so that the suites judge the service by the spec.
 *
 * @since 0.3.0
 * @category constants
 */
export const ISSUE_CODES: ReadonlyArray<string> = [
  "required",
  "invalid_type",
  "invalid_format",
  "invalid_value",
  "too_long",
  "unknown_property",
  "unknown_event",
  "tenant_mismatch",
]
const PARAMETERS = [
  "ootb_email",
  "ootb_mobile_number",
  "ootb_status",
  "ootb_registration_source",
  "ootb_date_of_birth",
  "ootb_allow_email",
  "ootb_allow_sms",
  "ootb_allow_push",
  "ootb_allow_whatsapp",
  "ootb_is_email_verified",
  "ootb_is_mobile_verified",
  "ootb_is_blocked",
  "ootb_is_test",
  "ootb_gender",
  "ootb_country",
  "ootb_city",
  "ootb_address",
  "ootb_first_name",
  "ootb_last_name",
  "ootb_language",
  "ootb_currency",
  "ootb_brand",
  "ootb_alias",
  "ootb_referral_type",
  "ootb_affiliate_id",
  "ootb_platform",
  "ootb_promo_code",
  "ootb_license",
]
/** What tenant B's channels (email, sms) make mandatory. */
const B_MANDATORY = ["ootb_allow_email", "ootb_allow_sms", "ootb_email", "ootb_mobile_number"]
const B_CONTEXT = {
  ootb_email: "jane@example.com",
  ootb_allow_email: "Yes",
  ootb_mobile_number: "+15551234567",
  ootb_allow_sms: "No",
}

// ---------------------------------------------------------------------------
// Fixtures

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")

const BASE_INSTANT = Date.UTC(2024, 4, 27, 10, 0, 0)

/** A timestamp in the documented form, `seconds` after 2024-05-27 10:00:00 UTC. */
const stamp = (seconds: number, micros = 0): string => {
  const d = new Date(BASE_INSTANT + seconds * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())}.${pad(micros, 6)} UTC`
}

const randomSuffix = (): string => {
  let s = ""
  for (const b of crypto.getRandomValues(new Uint8Array(6))) s += b.toString(16).padStart(2, "0")
  return s
}

/** A customer id no other test (or run) uses. */
const customerId = (label: string): string => `http-${label}-${randomSuffix()}`

interface EventJson {
  tenant: unknown
  timestamp: unknown
  event: unknown
  customer: unknown
  context?: Record<string, unknown>
  [key: string]: unknown
}

const event = (tenant: number, customer: string, timestamp: string, context?: Record<string, unknown>): EventJson => ({
  tenant,
  timestamp,
  event: EVENT,
  customer,
  ...(context === undefined ? {} : { context }),
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Epoch milliseconds of a documented-form timestamp. */
const instantOf = (ts: string): number => Date.parse(`${ts.slice(0, 10)}T${ts.slice(11, 23)}Z`)

// ---------------------------------------------------------------------------
// Assertions

const describeResponse = (res: ApiResponse): string => `${res.status} ${res.text.slice(0, 2000)}`

const expectStatus = (res: ApiResponse, status: number): void => {
  expect(res.status, describeResponse(res)).toBe(status)
}

const expectJson = (res: ApiResponse): void => {
  expect(res.headers.get("content-type") ?? "", describeResponse(res)).toMatch(/^application\/json\s*(;|$)/i)
}

/** A Problem Details answer with this status and code. */
const expectProblem = (res: ApiResponse, status: number, code: string): ProblemBody => {
  expectStatus(res, status)
  expect(res.headers.get("content-type") ?? "", describeResponse(res)).toMatch(/^application\/problem\+json\s*(;|$)/i)
  const body = res.body as ProblemBody
  expect(body, describeResponse(res)).toMatchObject({ status, code })
  expect(typeof body.type === "string" && body.type.length > 0, "problem type").toBe(true)
  expect(typeof body.title === "string" && body.title.length > 0, "problem title").toBe(true)
  expect(typeof body.detail === "string" && body.detail.length > 0, "problem detail").toBe(true)
  return body
}

const expectRequestId = (res: ApiResponse): string => {
  const id = res.headers.get(REQUEST_ID_HEADER)
  expect(id, `${REQUEST_ID_HEADER} of ${describeResponse(res)}`).toMatch(REQUEST_ID_PATTERN)
  return id as string
}

/** The result of one event: status, and `id` xor `issues`. */
const expectResult = (result: IngestResultBody | undefined, index: number, status: IngestResultBody["status"]) => {
  expect(result, `result ${index}`).toBeDefined()
  const r = result as IngestResultBody
  expect(r.index).toBe(index)
  expect(r.status, JSON.stringify(r)).toBe(status)
  if (status === "rejected") {
    expect(r.id).toBeUndefined()
    expect(Array.isArray(r.issues) && r.issues.length > 0, JSON.stringify(r)).toBe(true)
  } else {
    expect(typeof r.id === "string" && r.id.length > 0, JSON.stringify(r)).toBe(true)
    expect(r.issues).toBeUndefined()
  }
  return r
}

/** Reads one reference token of a JSON Pointer back (`~1` -> `/`, `~0` -> `~`). */
const lastToken = (pointer: string): string => (pointer.split("/").pop() ?? "").replace(/~1/g, "/").replace(/~0/g, "~")

/**
 * The issues of a rejected result are exactly these `[path, code]` pairs (in
 * any order), every code is of the closed set and every message names its
 * field.
 */
const expectIssues = (result: IngestResultBody | undefined, expected: ReadonlyArray<readonly [string, string]>) => {
  const issues = result?.issues ?? []
  const got = issues.map((i) => `${i.path} ${i.code}`).sort()
  expect(got, JSON.stringify(issues)).toEqual(expected.map(([p, c]) => `${p} ${c}`).sort())
  for (const issue of issues) {
    expect(ISSUE_CODES).toContain(issue.code)
    expect(typeof issue.message === "string" && issue.message.length > 0).toBe(true)
    if (issue.path !== "") expect(issue.message, JSON.stringify(issue)).toContain(lastToken(issue.path))
  }
}

/** Posts one event expecting 400 with exactly these issues. */
const expectRejected = async (
  baseUrl: string,
  key: string,
  body: unknown,
  expected: ReadonlyArray<readonly [string, string]>,
  raw = false,
): Promise<IngestBody> => {
  const res = raw
    ? await postRaw(baseUrl, key, body as string, "application/json")
    : await postEvents(baseUrl, key, body)
  expectStatus(res, 400)
  expectJson(res)
  expect(res.body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 1 })
  expect(res.body.results).toHaveLength(1)
  expectResult(res.body.results[0], 0, "rejected")
  expectIssues(res.body.results[0], expected)
  return res.body
}

/** Posts events expecting 202 and every one accepted; returns their ids. */
const acceptAll = async (baseUrl: string, key: string, events: ReadonlyArray<unknown>): Promise<Array<string>> => {
  const res = await postEvents(baseUrl, key, events.length === 1 ? events[0] : events)
  expectStatus(res, 202)
  expect(res.body).toMatchObject({ accepted: events.length, duplicates: 0, rejected: 0 })
  return events.map((_, i) => expectResult(res.body.results[i], i, "accepted").id as string)
}

const expectNoCustomer = async (baseUrl: string, key: string, customer: string): Promise<void> => {
  expectProblem(await getCustomer(baseUrl, key, customer), 404, "not_found")
}

/** The comma-separated tokens of a header, trimmed and lower-cased. */
const tokensOf = (res: ApiResponse, header: string): Array<string> =>
  (res.headers.get(header) ?? "")
    .split(",")
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t !== "")

/** The names of the `Access-Control-*` headers of an answer. */
const corsHeadersOf = (res: ApiResponse): Array<string> => {
  const names: Array<string> = []
  res.headers.forEach((_, name) => {
    if (name.toLowerCase().startsWith("access-control-")) names.push(name)
  })
  return names
}

/** An answer that lets a page on `origin` read it, and never with credentials. */
const expectCorsFor = (res: ApiResponse, origin: string): void => {
  expect(res.headers.get("access-control-allow-origin"), describeResponse(res)).toBe(origin)
  expect(tokensOf(res, "vary"), "Vary").toContain("origin")
  expect(res.headers.get("access-control-allow-credentials"), "credentials are never allowed").toBeNull()
}

/** An answer without any CORS header. */
const expectNoCors = (res: ApiResponse, what: string): void => {
  expect(corsHeadersOf(res), `${what}: ${describeResponse(res)}`).toEqual([])
}

/** A CORS preflight of `POST /v1/events`, as a browser sends it (no key). */
const preflight = (baseUrl: string, origin: string | undefined): Promise<ApiResponse> =>
  request(baseUrl, "/v1/events", {
    method: "OPTIONS",
    headers: {
      ...(origin === undefined ? {} : { origin }),
      "access-control-request-method": "POST",
      "access-control-request-headers": "authorization, content-type, x-request-id",
    },
  })

/**
 * Inside a `describe`: every answer a test receives through the client is
 * checked against the server's own `/openapi.json` (fetched once, on the
 * first check) after the test; an undocumented or invalid answer fails the
 * test, naming the request and the answer.
 */
const checkEveryAnswer = (base: () => string): void => {
  const received: Array<Exchange> = []
  let checker: Promise<AnswerChecker> | undefined
  let stop: (() => void) | undefined
  const served = async (): Promise<AnswerChecker> => {
    const res = await fetch(urlOf(base(), "/openapi.json"))
    const text = await res.text()
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}: ${text.slice(0, 500)}`)
    const checker = makeAnswerChecker(JSON.parse(text))
    const own = checker.check({
      baseUrl: base(),
      path: "/openapi.json",
      method: "GET",
      status: res.status,
      contentType: res.headers.get("content-type"),
      text,
    })
    if (own.length > 0) throw new Error(`GET /openapi.json is not documented by itself: ${own.join("; ")}`)
    return checker
  }
  beforeAll(() => {
    stop = observeExchanges((exchange) => {
      received.push(exchange)
    })
  })
  afterAll(() => stop?.())
  afterEach(async () => {
    const exchanges = received.splice(0)
    if (exchanges.length === 0) return
    checker ??= served()
    const check = await checker
    const failures = exchanges.flatMap((e) => {
      const problems = check.check(e)
      return problems.length === 0 ? [] : [`${problems.join("; ")}\n    ${describeExchange(e)}`]
    })
    expect(failures, `answers not as /openapi.json documents them:\n${failures.join("\n")}`).toEqual([])
  })
}

// ---------------------------------------------------------------------------
// The suite

/**
 * Registers the HTTP contract suite as a vitest `describe` block. `target`
 * is called inside the tests (after the harness's `beforeAll` has started
 * the server).
 *
 * @since 0.1.0
 * @category suites
 */
export const httpContract = (name: string, target: () => HttpTarget, capabilities: HttpCapabilities = {}): void => {
  const caps = { streamingUpload: true, rateLimit: true, timeoutMs: 20_000, ...capabilities }
  const T = caps.timeoutMs

  const base = (): string => target().baseUrl
  const tenant = (id: number): ContractTenant => {
    const t = target().tenants.find((x) => x.id === id)
    if (t === undefined) throw new Error(`httpContract needs tenant ${id} (see contractTenants())`)
    return t
  }
  const A = () => tenant(contractTenantIds.A)
  const B = () => tenant(contractTenantIds.B)
  const C = () => tenant(contractTenantIds.C)

  describe(`HTTP contract: ${name}`, () => {
    checkEveryAnswer(base)

    // -----------------------------------------------------------------------
    describe("POST /v1/events: accepting and deduplicating", () => {
      it(
        "accepts one valid event with 202 and its id",
        async () => {
          const a = A()
          const res = await postEvents(base(), a.key, event(a.id, customerId("one"), stamp(0)))
          expectStatus(res, 202)
          expectJson(res)
          expect(res.body).toEqual({
            accepted: 1,
            duplicates: 0,
            rejected: 0,
            results: [{ index: 0, status: "accepted", id: expect.any(String) }],
          })
          expect(res.body.results[0]?.id).not.toBe("")
        },
        T,
      )

      it(
        "answers the same event again as a duplicate with the same id, changing nothing",
        async () => {
          const a = A()
          const customer = customerId("dup")
          const ev = event(a.id, customer, stamp(0), { ootb_city: "NYC" })
          const [id] = await acceptAll(base(), a.key, [ev])
          const again = await postEvents(base(), a.key, ev)
          expectStatus(again, 202)
          expect(again.body).toEqual({
            accepted: 0,
            duplicates: 1,
            rejected: 0,
            results: [{ index: 0, status: "duplicate", id }],
          })
          const page = await listEvents(base(), a.key, customer)
          expectStatus(page, 200)
          expect(page.body.events.map((e) => e.id)).toEqual([id])
        },
        T,
      )

      it(
        "gives the same id to the same event in another spelling (timestamp form, key order, empty context)",
        async () => {
          const a = A()
          const customer = customerId("canon")
          const [id] = await acceptAll(base(), a.key, [event(a.id, customer, "2024-05-27 10:30:00.000000 UTC")])
          const spellings: Array<unknown> = [
            event(a.id, customer, "2024-05-27T10:30:00Z"),
            event(a.id, customer, "2024-05-27T10:30:00.000000Z"),
            event(a.id, customer, "2024-05-27T12:30:00+02:00"),
            event(a.id, customer, "2024-05-27T05:30:00.000-05:00"),
            { customer, event: EVENT, timestamp: "2024-05-27 10:30:00.000000 UTC", tenant: a.id },
            event(a.id, customer, "2024-05-27 10:30:00.000000 UTC", {}),
          ]
          const res = await postEvents(base(), a.key, spellings)
          expectStatus(res, 202)
          expect(res.body).toMatchObject({ accepted: 0, duplicates: spellings.length, rejected: 0 })
          spellings.forEach((_, i) => {
            expect(expectResult(res.body.results[i], i, "duplicate").id).toBe(id)
          })
          const ctx = customerId("canon-ctx")
          const [ctxId] = await acceptAll(base(), a.key, [
            event(a.id, ctx, stamp(1), { ootb_city: "NYC", ootb_first_name: "Jo" }),
          ])
          const reordered = await postEvents(base(), a.key, {
            context: { ootb_first_name: "Jo", ootb_city: "NYC" },
            customer: ctx,
            timestamp: stamp(1),
            event: EVENT,
            tenant: a.id,
          })
          expect(reordered.body.results[0]).toEqual({ index: 0, status: "duplicate", id: ctxId })
        },
        T,
      )

      it(
        "gives a different event (one value changed) a different id",
        async () => {
          const a = A()
          const customer = customerId("differ")
          const [first] = await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "NYC" })])
          const [second] = await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "LA" })])
          const [third] = await acceptAll(base(), a.key, [event(a.id, customer, stamp(0, 1), { ootb_city: "NYC" })])
          expect(new Set([first, second, third]).size).toBe(3)
        },
        T,
      )

      it(
        "treats a repeat inside one batch as a duplicate of the earlier one",
        async () => {
          const a = A()
          const ev = event(a.id, customerId("batchdup"), stamp(0), { ootb_city: "NYC" })
          const res = await postEvents(base(), a.key, [ev, ev])
          expectStatus(res, 202)
          expect(res.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 0 })
          const first = expectResult(res.body.results[0], 0, "accepted")
          expect(expectResult(res.body.results[1], 1, "duplicate").id).toBe(first.id)
        },
        T,
      )

      it(
        "judges each event of a batch on its own and answers in order with indexes",
        async () => {
          const a = A()
          const customer = customerId("mixed")
          const old = event(a.id, customer, stamp(0), { ootb_city: "NYC" })
          const [oldId] = await acceptAll(base(), a.key, [old])
          const fresh = event(a.id, customer, stamp(1), { ootb_city: "LA" })
          const bad = event(a.id, customer, stamp(2), { ootb_email: "x" })
          const res = await postEvents(base(), a.key, [bad, fresh, old, bad])
          expectStatus(res, 202)
          expectJson(res)
          expect(res.body).toMatchObject({ accepted: 1, duplicates: 1, rejected: 2 })
          expect(res.body.results).toHaveLength(4)
          expectIssues(expectResult(res.body.results[0], 0, "rejected"), [["/context/ootb_email", "invalid_format"]])
          expectResult(res.body.results[1], 1, "accepted")
          expect(expectResult(res.body.results[2], 2, "duplicate").id).toBe(oldId)
          expectIssues(expectResult(res.body.results[3], 3, "rejected"), [["/context/ootb_email", "invalid_format"]])
        },
        T,
      )

      it(
        "answers 202 when nothing is new but something is a duplicate",
        async () => {
          const a = A()
          const customer = customerId("dupbad")
          const ev = event(a.id, customer, stamp(0))
          await acceptAll(base(), a.key, [ev])
          const res = await postEvents(base(), a.key, [ev, { ...ev, timestamp: "nope" }])
          expectStatus(res, 202)
          expect(res.body).toMatchObject({ accepted: 0, duplicates: 1, rejected: 1 })
        },
        T,
      )

      it(
        "accepts a batch of 500 events",
        async () => {
          const a = A()
          const customer = customerId("b500")
          const events = Array.from({ length: 500 }, (_, i) => event(a.id, customer, stamp(i)))
          const res = await postEvents(base(), a.key, events)
          expectStatus(res, 202)
          expect(res.body).toMatchObject({ accepted: 500, duplicates: 0, rejected: 0 })
          expect(res.body.results.map((r) => r.index)).toEqual(events.map((_, i) => i))
          expect(new Set(res.body.results.map((r) => r.id)).size).toBe(500)
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("POST /v1/events: issues", () => {
      it(
        "reports every missing envelope property as required",
        async () => {
          const a = A()
          await expectRejected(base(), a.key, { event: EVENT }, [
            ["/tenant", "required"],
            ["/timestamp", "required"],
            ["/customer", "required"],
          ])
          await expectRejected(base(), a.key, { tenant: a.id, timestamp: stamp(0), customer: customerId("noev") }, [
            ["/event", "required"],
          ])
          // A visitor alone does not do: this event updates a customer.
          await expectRejected(base(), a.key, { tenant: a.id, timestamp: stamp(0), event: EVENT, visitor: "v-1" }, [
            ["/customer", "required"],
          ])
        },
        T,
      )

      it(
        "reports values of the wrong JSON type as invalid_type",
        async () => {
          const a = A()
          await expectRejected(
            base(),
            a.key,
            {
              ...event(a.id, "x", stamp(0), { ootb_is_test: "true", ootb_city: 3, ootb_first_name: null }),
              tenant: String(a.id),
              customer: 5,
            },
            [
              ["/tenant", "invalid_type"],
              ["/customer", "invalid_type"],
              ["/context/ootb_is_test", "invalid_type"],
              ["/context/ootb_city", "invalid_type"],
              ["/context/ootb_first_name", "invalid_type"],
            ],
          )
          await expectRejected(base(), a.key, { ...event(a.id, customerId("ctx"), stamp(0)), context: [] }, [
            ["/context", "invalid_type"],
          ])
        },
        T,
      )

      it(
        "reports malformed strings as invalid_format",
        async () => {
          const a = A()
          await expectRejected(
            base(),
            a.key,
            event(a.id, customerId("fmt"), "yesterday", {
              ootb_email: "x",
              ootb_country: "us",
              ootb_date_of_birth: "1990-13-01",
              ootb_mobile_number: "12345",
            }),
            [
              ["/timestamp", "invalid_format"],
              ["/context/ootb_email", "invalid_format"],
              ["/context/ootb_country", "invalid_format"],
              ["/context/ootb_date_of_birth", "invalid_format"],
              ["/context/ootb_mobile_number", "invalid_format"],
            ],
          )
          // Right shape, not a real instant.
          await expectRejected(base(), a.key, event(a.id, customerId("fmt2"), "2024-02-30 10:00:00.000000 UTC"), [
            ["/timestamp", "invalid_format"],
          ])
        },
        T,
      )

      it(
        "reports values outside the allowed ones as invalid_value",
        async () => {
          const a = A()
          await expectRejected(
            base(),
            a.key,
            event(a.id, "", stamp(0), {
              ootb_status: "Done",
              ootb_allow_email: "yes",
              ootb_date_of_birth: "2999-01-01",
            }),
            [
              ["/customer", "invalid_value"],
              ["/context/ootb_status", "invalid_value"],
              ["/context/ootb_allow_email", "invalid_value"],
              ["/context/ootb_date_of_birth", "invalid_value"],
            ],
          )
          await expectRejected(base(), a.key, event(0, customerId("t0"), stamp(0)), [["/tenant", "invalid_value"]])
        },
        T,
      )

      it(
        "reports strings over 255 characters as too_long, counting code points",
        async () => {
          const a = A()
          await expectRejected(base(), a.key, event(a.id, "c".repeat(256), stamp(0), { ootb_city: "y".repeat(256) }), [
            ["/customer", "too_long"],
            ["/context/ootb_city", "too_long"],
          ])
          // 255 astral characters are 510 UTF-16 units and still 255 characters.
          await acceptAll(base(), a.key, [event(a.id, customerId("astral"), stamp(0), { ootb_city: "🚀".repeat(255) })])
          await expectRejected(
            base(),
            a.key,
            event(a.id, customerId("astral"), stamp(0), { ootb_city: "🚀".repeat(256) }),
            [["/context/ootb_city", "too_long"]],
          )
        },
        T,
      )

      it(
        "reports properties outside the envelope and parameters outside the event as unknown_property",
        async () => {
          const a = A()
          await expectRejected(
            base(),
            a.key,
            { ...event(a.id, customerId("unk"), stamp(0), { ootb_shoe_size: 42, constructor: 1 }), foo: 1 },
            [
              ["/foo", "unknown_property"],
              ["/context/ootb_shoe_size", "unknown_property"],
              ["/context/constructor", "unknown_property"],
            ],
          )
        },
        T,
      )

      it(
        "reports a __proto__ key sent as raw JSON as unknown_property",
        async () => {
          const a = A()
          const customer = customerId("proto")
          const raw = `{"tenant":${a.id},"timestamp":"${stamp(0)}","event":"${EVENT}","customer":"${customer}","__proto__":{"polluted":true},"context":{"__proto__":{"ootb_city":"x"},"ootb_city":"NYC"}}`
          await expectRejected(
            base(),
            a.key,
            raw,
            [
              ["/__proto__", "unknown_property"],
              ["/context/__proto__", "unknown_property"],
            ],
            true,
          )
          await expectNoCustomer(base(), a.key, customer)
        },
        T,
      )

      it(
        "reports an unknown event key as unknown_event",
        async () => {
          const a = A()
          await expectRejected(base(), a.key, { ...event(a.id, customerId("unkev"), stamp(0)), event: "ootb_nope" }, [
            ["/event", "unknown_event"],
          ])
        },
        T,
      )

      it(
        "reports a pointer with escaped tokens for odd parameter names",
        async () => {
          const a = A()
          await expectRejected(base(), a.key, event(a.id, customerId("ptr"), stamp(0), { "a/b~c": 1 }), [
            ["/context/a~1b~0c", "unknown_property"],
          ])
        },
        T,
      )

      it(
        "answers 403 when every rejection is tenant_mismatch, and stores nothing for the other tenant",
        async () => {
          const a = A()
          const b = B()
          const customer = customerId("mismatch")
          const res = await postEvents(base(), a.key, event(b.id, customer, stamp(0), B_CONTEXT))
          expectStatus(res, 403)
          expectJson(res)
          expect(res.body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 1 })
          expectIssues(expectResult(res.body.results[0], 0, "rejected"), [["/tenant", "tenant_mismatch"]])
          const two = await postEvents(base(), a.key, [
            event(b.id, customer, stamp(1), B_CONTEXT),
            event(a.id + 1000, customer, stamp(2)),
          ])
          expectStatus(two, 403)
          expectIssues(two.body.results[1], [["/tenant", "tenant_mismatch"]])
          await expectNoCustomer(base(), b.key, customer)
          await expectNoCustomer(base(), a.key, customer)
        },
        T,
      )

      it(
        "answers 400 when a rejection is not only tenant_mismatch, 202 when one event is accepted",
        async () => {
          const a = A()
          const b = B()
          const customer = customerId("mismatch2")
          // A wrong tenant and another issue in one event: both listed, 400.
          await expectRejected(base(), a.key, event(b.id, customer, stamp(0), { ootb_email: "x" }), [
            ["/tenant", "tenant_mismatch"],
            ["/context/ootb_email", "invalid_format"],
          ])
          const mixed = await postEvents(base(), a.key, [
            event(b.id, customer, stamp(1)),
            event(a.id, customer, "nope"),
          ])
          expectStatus(mixed, 400)
          expect(mixed.body).toMatchObject({ accepted: 0, duplicates: 0, rejected: 2 })
          const some = await postEvents(base(), a.key, [
            event(b.id, customer, stamp(2)),
            event(a.id, customer, stamp(3)),
          ])
          expectStatus(some, 202)
          expect(some.body).toMatchObject({ accepted: 1, duplicates: 0, rejected: 1 })
          expectIssues(some.body.results[0], [["/tenant", "tenant_mismatch"]])
        },
        T,
      )

      it(
        "requires the parameters of the tenant's channels (B: email, sms) and not others' (A: none)",
        async () => {
          const a = A()
          const b = B()
          const customer = customerId("chan")
          await expectRejected(
            base(),
            b.key,
            event(b.id, customer, stamp(0)),
            B_MANDATORY.map((p) => [`/context/${p}`, "required"] as const),
          )
          await expectRejected(
            base(),
            b.key,
            event(b.id, customer, stamp(0), { ootb_email: "jane@example.com", ootb_allow_email: "Yes" }),
            [
              ["/context/ootb_mobile_number", "required"],
              ["/context/ootb_allow_sms", "required"],
            ],
          )
          await expectRejected(
            base(),
            b.key,
            event(b.id, customer, stamp(0), { ...B_CONTEXT, ootb_allow_sms: "maybe" }),
            [["/context/ootb_allow_sms", "invalid_value"]],
          )
          await acceptAll(base(), b.key, [event(b.id, customer, stamp(0), B_CONTEXT)])
          // Push and WhatsApp are not B's channels; A has none.
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0))])
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("POST /v1/events: request-level errors", () => {
      it(
        "accepts application/json with a charset, in any case",
        async () => {
          const a = A()
          for (const type of [
            "application/json; charset=utf-8",
            "application/json;charset=UTF-8",
            "Application/JSON",
          ]) {
            const res = await postRaw(base(), a.key, JSON.stringify(event(a.id, customerId("ct"), stamp(0))), type)
            expectStatus(res, 202)
          }
        },
        T,
      )

      it(
        "answers 415 unsupported_media_type to any other content type, storing nothing",
        async () => {
          const a = A()
          const customer = customerId("415")
          const json = JSON.stringify(event(a.id, customer, stamp(0)))
          for (const type of [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/merge-patch+json",
            "application/jsonl",
          ]) {
            expectProblem(await postRaw(base(), a.key, json, type), 415, "unsupported_media_type")
          }
          expectProblem(
            await postRaw(base(), a.key, new TextEncoder().encode(json), undefined),
            415,
            "unsupported_media_type",
          )
          await expectNoCustomer(base(), a.key, customer)
        },
        T,
      )

      it(
        "answers 400 malformed_json to a body that is not JSON",
        async () => {
          const a = A()
          for (const text of [`{"tenant": ${a.id},`, "", "{'a': 1}", `{"a":1}{"b":2}`, "[1,]"]) {
            expectProblem(await postRaw(base(), a.key, text, "application/json"), 400, "malformed_json")
          }
        },
        T,
      )

      it(
        "answers 400 invalid_body to JSON that is neither an object nor an array of objects",
        async () => {
          const a = A()
          const customer = customerId("invbody")
          const good = event(a.id, customer, stamp(0))
          for (const body of [42, "x", null, true, [1], [good, "x"], [[good]], [good, null]]) {
            expectProblem(await postEvents(base(), a.key, body), 400, "invalid_body")
          }
          await expectNoCustomer(base(), a.key, customer)
        },
        T,
      )

      it(
        "answers 400 batch_size to an empty batch and to 501 events, storing nothing",
        async () => {
          const a = A()
          expectProblem(await postEvents(base(), a.key, []), 400, "batch_size")
          const customer = customerId("b501")
          const events = Array.from({ length: 501 }, (_, i) => event(a.id, customer, stamp(i)))
          expectProblem(await postEvents(base(), a.key, events), 400, "batch_size")
          await expectNoCustomer(base(), a.key, customer)
        },
        T,
      )

      /** One valid event padded with whitespace to exactly `bytes` bytes. */
      const padded = (tenantId: number, customer: string, bytes: number): string => {
        const json = JSON.stringify(event(tenantId, customer, stamp(0)))
        return `{${" ".repeat(bytes - json.length)}${json.slice(1)}`
      }

      it(
        "accepts a body of exactly 1 MiB",
        async () => {
          const a = A()
          const body = padded(a.id, customerId("1mib"), MiB)
          expect(body.length).toBe(MiB)
          expectStatus(await postRaw(base(), a.key, body, "application/json"), 202)
        },
        T,
      )

      it(
        "answers 413 payload_too_large to a body over 1 MiB, storing nothing",
        async () => {
          const a = A()
          const customer = customerId("413")
          const res = await postRaw(base(), a.key, padded(a.id, customer, MiB + 1), "application/json")
          expectProblem(res, 413, "payload_too_large")
          expectRequestId(res)
          await expectNoCustomer(base(), a.key, customer)
        },
        T,
      )

      if (caps.streamingUpload)
        it(
          "answers 413 payload_too_large to a streamed body without Content-Length that grows over 1 MiB",
          async () => {
            const a = A()
            const customer = customerId("413s")
            const json = JSON.stringify(event(a.id, customer, stamp(0)))
            const encoder = new TextEncoder()
            const spaces = new Uint8Array(64 * 1024).fill(0x20)
            const total = 4 * MiB
            let sent = 0
            const body = new ReadableStream<Uint8Array>({
              start(controller) {
                controller.enqueue(encoder.encode("{"))
              },
              pull(controller) {
                if (sent >= total) {
                  controller.enqueue(encoder.encode(json.slice(1)))
                  controller.close()
                } else {
                  controller.enqueue(spaces)
                  sent += spaces.length
                }
              },
            })
            const init = {
              method: "POST",
              headers: { "content-type": "application/json", ...bearer(a.key) },
              body,
              duplex: "half",
            } as RequestInit
            const res = await fetch(urlOf(base(), "/v1/events"), init)
            const text = await res.text()
            reportExchange({
              baseUrl: base(),
              path: "/v1/events",
              method: "POST",
              requestBody: "(a streamed body of 4 MiB)",
              status: res.status,
              contentType: res.headers.get("content-type"),
              text,
            })
            expectProblem(
              { status: res.status, headers: res.headers, text, body: JSON.parse(text) },
              413,
              "payload_too_large",
            )
            await expectNoCustomer(base(), a.key, customer)
          },
          T,
        )

      it(
        "answers 401 unauthorized without a valid bearer key, before anything else",
        async () => {
          const a = A()
          const ev = event(a.id, customerId("401"), stamp(0))
          const attempts: Array<Record<string, string>> = [
            {},
            { authorization: `Bearer wrong-${randomSuffix()}` },
            { authorization: `Bearer ${a.key}x` },
            { authorization: `Basic ${btoa(`user:${a.key}`)}` },
            { authorization: "Bearer" },
            { authorization: "Bearer " },
            { authorization: a.key },
          ]
          for (const headers of attempts) {
            const res = await postRaw(base(), undefined, JSON.stringify(ev), "application/json", headers)
            expectProblem(res, 401, "unauthorized")
            expect(res.headers.get("www-authenticate") ?? "").toMatch(/^Bearer\b/i)
          }
          // Authentication comes before the media type and the body.
          expectProblem(await postRaw(base(), undefined, "nonsense", "text/plain"), 401, "unauthorized")
          const customer = customerId("401r")
          expectProblem(await getCustomer(base(), undefined, customer), 401, "unauthorized")
          expectProblem(await listEvents(base(), undefined, customer), 401, "unauthorized")
          expectProblem(await deleteCustomer(base(), undefined, customer), 401, "unauthorized")
        },
        T,
      )

      it(
        "takes the auth scheme case-insensitively",
        async () => {
          const a = A()
          const ev = JSON.stringify(event(a.id, customerId("scheme"), stamp(0)))
          const res = await postRaw(base(), undefined, ev, "application/json", { authorization: `bearer ${a.key}` })
          expectStatus(res, 202)
        },
        T,
      )

      it(
        "answers 404 not_found to a route or method the API does not serve",
        async () => {
          const a = A()
          expectProblem(await request(base(), "/v1/nope", { headers: bearer(a.key) }), 404, "not_found")
          expectProblem(await request(base(), "/nope"), 404, "not_found")
          // GET /v1/events is served (a customer's activity, `?customer=`); PUT is not.
          expectProblem(
            await request(base(), "/v1/events", { method: "PUT", headers: bearer(a.key) }),
            404,
            "not_found",
          )
          expectProblem(
            await request(base(), "/v1/customers", { method: "PUT", headers: bearer(a.key) }),
            404,
            "not_found",
          )
        },
        T,
      )

      if (caps.rateLimit)
        it(
          "answers 429 rate_limited with Retry-After when the tenant's rate is exceeded, then recovers",
          async () => {
            const c = C()
            const customer = customerId("rate")
            let limited: ApiResponse<IngestBody> | undefined
            for (let i = 0; i < 12 && limited === undefined; i++) {
              const res = await postEvents(base(), c.key, event(c.id, customer, stamp(i)))
              expect([202, 429], describeResponse(res)).toContain(res.status)
              if (res.status === 429) limited = res
            }
            expect(limited, "no 429 after 12 rapid requests (burst 3, 1 per second)").toBeDefined()
            const res = limited as ApiResponse<IngestBody>
            expectProblem(res, 429, "rate_limited")
            expectRequestId(res)
            const retryAfter = res.headers.get("retry-after") ?? ""
            expect(retryAfter).toMatch(/^[1-9][0-9]*$/)
            expect(Number(retryAfter)).toBeLessThanOrEqual(5)
            await sleep(Number(retryAfter) * 1000 + 250)
            expectStatus(await postEvents(base(), c.key, event(c.id, customer, stamp(100))), 202)
          },
          Math.max(T, 30_000),
        )
    })

    // -----------------------------------------------------------------------
    describe("GET /v1/customers/{customer}", () => {
      it(
        "answers 200 with tenant, customer, attributes and updated_at",
        async () => {
          const a = A()
          const customer = customerId("profile")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "NYC", ootb_is_test: false })])
          const res = await getCustomer(base(), a.key, customer)
          expectStatus(res, 200)
          expectJson(res)
          expect(res.body).toEqual({
            tenant: a.id,
            customer,
            attributes: { ootb_city: "NYC", ootb_is_test: false },
            updated_at: stamp(0),
          })
        },
        T,
      )

      it(
        "creates the profile from an event without parameters",
        async () => {
          const a = A()
          const customer = customerId("bare")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(7))])
          const res = await getCustomer(base(), a.key, customer)
          expectStatus(res, 200)
          expect(res.body).toEqual({ tenant: a.id, customer, attributes: {}, updated_at: stamp(7) })
        },
        T,
      )

      it(
        "overwrites every present attribute (an empty string too) and leaves absent ones alone",
        async () => {
          const a = A()
          const customer = customerId("overwrite")
          await acceptAll(base(), a.key, [
            event(a.id, customer, stamp(10), {
              ootb_city: "NYC",
              ootb_first_name: "John",
              ootb_brand: "X",
              ootb_is_test: true,
            }),
          ])
          await acceptAll(base(), a.key, [
            event(a.id, customer, stamp(20), { ootb_city: "LA", ootb_brand: "", ootb_is_test: false }),
          ])
          const res = await getCustomer(base(), a.key, customer)
          expectStatus(res, 200)
          expect(res.body.attributes).toEqual({
            ootb_city: "LA",
            ootb_first_name: "John",
            ootb_brand: "",
            ootb_is_test: false,
          })
          expect(res.body.updated_at).toBe(stamp(20))
        },
        T,
      )

      it(
        "records a late older event without letting it overwrite newer values",
        async () => {
          const a = A()
          const customer = customerId("late")
          const [id1] = await acceptAll(base(), a.key, [event(a.id, customer, stamp(10), { ootb_city: "NYC" })])
          const [id2] = await acceptAll(base(), a.key, [event(a.id, customer, stamp(20), { ootb_city: "LA" })])
          const [id0] = await acceptAll(base(), a.key, [
            event(a.id, customer, stamp(5), { ootb_city: "Paris", ootb_last_name: "Doe" }),
          ])
          const res = await getCustomer(base(), a.key, customer)
          expectStatus(res, 200)
          // The late event still sets what no newer event carried.
          expect(res.body.attributes).toEqual({ ootb_city: "LA", ootb_last_name: "Doe" })
          expect(res.body.updated_at).toBe(stamp(20))
          const page = await listEvents(base(), a.key, customer)
          expectStatus(page, 200)
          expect(page.body.events.map((e) => e.id)).toEqual([id2, id1, id0])
        },
        T,
      )

      it(
        "lets the later arrival win on equal timestamps, and a duplicate change nothing",
        async () => {
          const a = A()
          const customer = customerId("tie")
          const first = event(a.id, customer, stamp(10), { ootb_city: "A" })
          await acceptAll(base(), a.key, [first])
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(10), { ootb_city: "B" })])
          expect((await getCustomer(base(), a.key, customer)).body.attributes).toEqual({ ootb_city: "B" })
          const again = await postEvents(base(), a.key, first)
          expect(again.body.results[0]?.status).toBe("duplicate")
          expect((await getCustomer(base(), a.key, customer)).body.attributes).toEqual({ ootb_city: "B" })
          // Within one batch, arrival order is batch order.
          await acceptAll(base(), a.key, [
            event(a.id, customer, stamp(30), { ootb_city: "C" }),
            event(a.id, customer, stamp(30), { ootb_city: "D" }),
          ])
          expect((await getCustomer(base(), a.key, customer)).body.attributes).toEqual({ ootb_city: "D" })
        },
        T,
      )

      it(
        "answers every timestamp in the documented form, whatever form was sent",
        async () => {
          const a = A()
          const customer = customerId("tsform")
          const before = Date.now()
          const ids = await acceptAll(base(), a.key, [
            event(a.id, customer, "2024-05-27T12:30:00.123456+02:00", { ootb_city: "A" }),
            event(a.id, customer, "2024-05-27T10:30:01.987654321Z", { ootb_city: "B" }),
            event(a.id, customer, "2024-05-26T23:00:00-05:00", { ootb_city: "C" }),
          ])
          const profile = await getCustomer(base(), a.key, customer)
          expectStatus(profile, 200)
          expect(profile.body.updated_at).toBe("2024-05-27 10:30:01.987654 UTC")
          expect(profile.body.attributes).toEqual({ ootb_city: "B" })
          const page = await listEvents(base(), a.key, customer)
          expectStatus(page, 200)
          expect(page.body.events.map((e) => [e.id, e.timestamp])).toEqual([
            [ids[1], "2024-05-27 10:30:01.987654 UTC"],
            [ids[0], "2024-05-27 10:30:00.123456 UTC"],
            [ids[2], "2024-05-27 04:00:00.000000 UTC"],
          ])
          for (const e of page.body.events) {
            expect(e.received_at).toMatch(TIMESTAMP_FORM)
            // Server and client clocks agree within ten minutes.
            expect(Math.abs(instantOf(e.received_at) - before)).toBeLessThan(10 * 60_000)
          }
        },
        T,
      )

      it(
        "answers 404 not_found for a customer the tenant does not have, another tenant's included",
        async () => {
          const a = A()
          const b = B()
          await expectNoCustomer(base(), a.key, customerId("never"))
          const customer = customerId("iso")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "A-city" })])
          await expectNoCustomer(base(), b.key, customer)
          expectProblem(await listEvents(base(), b.key, customer), 404, "not_found")
          expectProblem(await deleteCustomer(base(), b.key, customer), 404, "not_found")
          // Still there for its own tenant; and the same id in B is B's own customer.
          expectStatus(await getCustomer(base(), a.key, customer), 200)
          await acceptAll(base(), b.key, [event(b.id, customer, stamp(1), { ...B_CONTEXT, ootb_city: "B-city" })])
          const inA = await getCustomer(base(), a.key, customer)
          const inB = await getCustomer(base(), b.key, customer)
          expect(inA.body).toEqual({
            tenant: a.id,
            customer,
            attributes: { ootb_city: "A-city" },
            updated_at: stamp(0),
          })
          expect(inB.body).toEqual({
            tenant: b.id,
            customer,
            attributes: { ...B_CONTEXT, ootb_city: "B-city" },
            updated_at: stamp(1),
          })
          expect((await listEvents(base(), a.key, customer)).body.events).toHaveLength(1)
        },
        T,
      )

      it(
        "serves customer ids with spaces, slashes, reserved and non-ASCII characters, percent-encoded",
        async () => {
          const a = A()
          const suffix = randomSuffix()
          const ids = [
            `sp ace/sl/ash?q=1#frag ${suffix}`,
            `ünïcødé-名前-🚀-${suffix}`,
            `100%25 literal %2F ${suffix}`,
            `../..%2F${suffix}`,
            `a+b&c=d;e,f@g:${suffix}`,
            `${"é".repeat(240)}${suffix}`,
          ]
          for (const customer of ids) {
            await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "NYC" })])
            const res = await getCustomer(base(), a.key, customer)
            expectStatus(res, 200)
            expect(res.body.customer).toBe(customer)
            const page = await listEvents(base(), a.key, customer)
            expectStatus(page, 200)
            expect(page.body.events).toHaveLength(1)
            expectStatus(await deleteCustomer(base(), a.key, customer), 204)
            await expectNoCustomer(base(), a.key, customer)
          }
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("GET /v1/customers/{customer}/events", () => {
      it(
        "lists id, event, timestamp, received_at and context, newest timestamp first",
        async () => {
          const a = A()
          const customer = customerId("list")
          const order = [3, 1, 5, 2, 4]
          const ids = await acceptAll(
            base(),
            a.key,
            order.map((s) => event(a.id, customer, stamp(s), { ootb_city: `city-${s}` })),
          )
          const res = await listEvents(base(), a.key, customer)
          expectStatus(res, 200)
          expectJson(res)
          expect(res.body.next).toBeNull()
          const byStamp = order.map((s, i) => ({ s, id: ids[i] })).sort((x, y) => y.s - x.s)
          expect(res.body.events.map((e) => e.id)).toEqual(byStamp.map((x) => x.id))
          for (const [i, e] of res.body.events.entries()) {
            const s = byStamp[i]?.s as number
            expect(Object.keys(e).sort()).toEqual(["context", "event", "id", "received_at", "timestamp"])
            expect(e).toMatchObject({ event: EVENT, timestamp: stamp(s), context: { ootb_city: `city-${s}` } })
            expect(e.received_at).toMatch(TIMESTAMP_FORM)
          }
        },
        T,
      )

      it(
        "pages with limit and cursor: every event exactly once, in order, next null at the end",
        async () => {
          const a = A()
          const customer = customerId("page")
          const ids = await acceptAll(
            base(),
            a.key,
            [0, 1, 2, 3, 4].map((s) => event(a.id, customer, stamp(s))),
          )
          const { events, pages } = await listAllEvents(base(), a.key, customer, 2, 10)
          expect(events.map((e) => e.id)).toEqual([...ids].reverse())
          expect(pages.length).toBeGreaterThanOrEqual(3)
          for (const p of pages) expect(p.events.length).toBeLessThanOrEqual(2)
          expect(pages.at(-1)?.next).toBeNull()
          // limit=1 too.
          const one = await listAllEvents(base(), a.key, customer, 1, 10)
          expect(one.events.map((e) => e.id)).toEqual([...ids].reverse())
        },
        T,
      )

      it(
        "defaults limit to 50 and clamps it to 100",
        async () => {
          const a = A()
          const customer = customerId("limits")
          const events = Array.from({ length: 150 }, (_, i) => event(a.id, customer, stamp(i)))
          await acceptAll(base(), a.key, events)
          const byDefault = await listEvents(base(), a.key, customer)
          expectStatus(byDefault, 200)
          expect(byDefault.body.events).toHaveLength(50)
          expect(typeof byDefault.body.next).toBe("string")
          for (const limit of [100, 101, 1000, "100000000"]) {
            const res = await listEvents(base(), a.key, customer, { limit })
            expectStatus(res, 200)
            expect(res.body.events).toHaveLength(100)
            expect(typeof res.body.next).toBe("string")
          }
          const all = await listAllEvents(base(), a.key, customer, 100, 10)
          expect(all.events).toHaveLength(150)
          expect(new Set(all.events.map((e) => e.id)).size).toBe(150)
        },
        T,
      )

      it(
        `answers 400 ${QUERY_ERROR_CODE} to a limit that is not an integer >= 1 and to a malformed cursor`,
        async () => {
          const a = A()
          const customer = customerId("badq")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0))])
          for (const limit of ["0", "-1", "abc", "1.5", "1e2", "2x"]) {
            const problem = expectProblem(await listEvents(base(), a.key, customer, { limit }), 400, QUERY_ERROR_CODE)
            expect(problem.detail).toContain("limit")
          }
          for (const cursor of ["not-a-cursor", "%%%", "eyJub3BlIjp0cnVlfQ"]) {
            const problem = expectProblem(await listEvents(base(), a.key, customer, { cursor }), 400, QUERY_ERROR_CODE)
            expect(problem.detail).toContain("cursor")
          }
        },
        T,
      )

      it(
        "answers 404 not_found for an unknown customer",
        async () => {
          expectProblem(await listEvents(base(), A().key, customerId("nolist")), 404, "not_found")
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("DELETE /v1/customers/{customer}", () => {
      it(
        "erases the profile and every event of that customer only, then answers 404",
        async () => {
          const a = A()
          const b = B()
          const gone = customerId("erase")
          const kept = customerId("keep")
          const evs = [
            event(a.id, gone, stamp(0), { ootb_city: "NYC" }),
            event(a.id, gone, stamp(1), { ootb_city: "LA" }),
          ]
          await acceptAll(base(), a.key, [...evs, event(a.id, kept, stamp(0), { ootb_city: "Rome" })])
          await acceptAll(base(), b.key, [event(b.id, gone, stamp(0), B_CONTEXT)])
          const res = await deleteCustomer(base(), a.key, gone)
          expectStatus(res, 204)
          expect(res.text).toBe("")
          expectRequestId(res)
          await expectNoCustomer(base(), a.key, gone)
          expectProblem(await listEvents(base(), a.key, gone), 404, "not_found")
          expect((await getCustomer(base(), a.key, kept)).body.attributes).toEqual({ ootb_city: "Rome" })
          expect((await getCustomer(base(), b.key, gone)).body.attributes).toEqual(B_CONTEXT)
          expectProblem(await deleteCustomer(base(), a.key, gone), 404, "not_found")
          // Nothing is kept, event ids included: the same event is new again.
          const again = await postEvents(base(), a.key, evs[0])
          expectStatus(again, 202)
          expect(again.body.results[0]?.status).toBe("accepted")
          const back = await getCustomer(base(), a.key, gone)
          expect(back.body.attributes).toEqual({ ootb_city: "NYC" })
          expect((await listEvents(base(), a.key, gone)).body.events).toHaveLength(1)
        },
        T,
      )

      it(
        "answers 404 not_found for a customer the tenant never had",
        async () => {
          expectProblem(await deleteCustomer(base(), A().key, customerId("neverdel")), 404, "not_found")
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("customer ids a path segment cannot carry", () => {
      it(
        "reads, pages and erases `.` and `..` through the query forms",
        async () => {
          const a = A()
          for (const customer of [".", ".."]) {
            // Ids shared by every run: start from nothing.
            expect([204, 404]).toContain((await deleteCustomer(base(), a.key, customer, "query")).status)
            const ids = await acceptAll(base(), a.key, [
              event(a.id, customer, stamp(1), { ootb_city: "NYC" }),
              event(a.id, customer, stamp(2), { ootb_first_name: "Dot" }),
            ])
            // The path form cannot name them: URL parsers resolve the segment away.
            expect(new URL(urlOf(base(), customerPath(customer))).pathname).not.toContain(`/customers/${customer}`)
            const profile = await getCustomer(base(), a.key, customer, "query")
            expectStatus(profile, 200)
            expectJson(profile)
            expectRequestId(profile)
            expect(profile.body).toEqual({
              tenant: a.id,
              customer,
              attributes: { ootb_city: "NYC", ootb_first_name: "Dot" },
              updated_at: stamp(2),
            })
            const { events } = await listAllEvents(base(), a.key, customer, 1, 10, "query")
            expect(events.map((e) => e.id)).toEqual([...ids].reverse())
            const erased = await deleteCustomer(base(), a.key, customer, "query")
            expectStatus(erased, 204)
            expect(erased.text).toBe("")
            expectProblem(await getCustomer(base(), a.key, customer, "query"), 404, "not_found")
            expectProblem(await listEvents(base(), a.key, customer, {}, "query"), 404, "not_found")
            expectProblem(await deleteCustomer(base(), a.key, customer, "query"), 404, "not_found")
          }
        },
        T,
      )

      it(
        "answers the query forms exactly as the path forms, for any id",
        async () => {
          const a = A()
          const suffix = randomSuffix()
          for (const customer of [`%2E%2E${suffix}`, `./${suffix}`, `sp ace/sl?q=1&customer=x#frag ü🚀 ${suffix}`]) {
            await acceptAll(base(), a.key, [
              event(a.id, customer, stamp(3), { ootb_city: "Rome" }),
              event(a.id, customer, stamp(4), { ootb_city: "Oslo" }),
            ])
            const byPath = await getCustomer(base(), a.key, customer, "path")
            const byQuery = await getCustomer(base(), a.key, customer, "query")
            expectStatus(byPath, 200)
            expectStatus(byQuery, 200)
            expect(byQuery.body).toEqual(byPath.body)
            expect(byQuery.body.customer).toBe(customer)
            const pagePath = await listEvents(base(), a.key, customer, { limit: 1 }, "path")
            const pageQuery = await listEvents(base(), a.key, customer, { limit: 1 }, "query")
            expectStatus(pageQuery, 200)
            expect(pageQuery.body.events).toEqual(pagePath.body.events)
            // A cursor of one form pages the other.
            const next = pageQuery.body.next as string
            const rest = await listEvents(base(), a.key, customer, { limit: 1, cursor: next }, "path")
            expectStatus(rest, 200)
            expect(rest.body.events.map((e) => e.timestamp)).toEqual([stamp(3)])
            expectStatus(await deleteCustomer(base(), a.key, customer, "query"), 204)
            await expectNoCustomer(base(), a.key, customer)
          }
        },
        T,
      )

      it(
        "needs a key and the customer parameter, and keeps tenants apart",
        async () => {
          const a = A()
          const b = B()
          const customer = customerId("query-iso")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "A-city" })])
          expectProblem(await getCustomer(base(), undefined, customer, "query"), 401, "unauthorized")
          expectProblem(await listEvents(base(), undefined, customer, {}, "query"), 401, "unauthorized")
          expectProblem(await deleteCustomer(base(), undefined, customer, "query"), 401, "unauthorized")
          expectProblem(await getCustomer(base(), b.key, customer, "query"), 404, "not_found")
          expectProblem(await listEvents(base(), b.key, customer, {}, "query"), 404, "not_found")
          expectProblem(await deleteCustomer(base(), b.key, customer, "query"), 404, "not_found")
          for (const [method, path] of [
            ["GET", "/v1/customers"],
            ["DELETE", "/v1/customers"],
            ["GET", "/v1/events"],
          ] as const) {
            const res = await request(base(), path, { method, headers: bearer(a.key) })
            const problem = expectProblem(res, 400, QUERY_ERROR_CODE)
            expect(problem.detail, `${method} ${path}`).toContain("customer")
          }
          for (const limit of ["0", "abc"]) {
            const res = await listEvents(base(), a.key, customer, { limit }, "query")
            expect(expectProblem(res, 400, QUERY_ERROR_CODE).detail).toContain("limit")
          }
          expectStatus(await getCustomer(base(), a.key, customer, "query"), 200)
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("public routes", () => {
      it(
        "GET /v1/schemas lists the event keys with links to their schemas, without a key",
        async () => {
          for (const headers of [{}, { authorization: "Bearer not-a-key" }]) {
            const res = await request<{ schemas: Array<{ event: string; title: string; url: string }> }>(
              base(),
              "/v1/schemas",
              { headers },
            )
            expectStatus(res, 200)
            expectJson(res)
            expectRequestId(res)
            const entry = res.body.schemas.find((e) => e.event === EVENT)
            expect(entry, res.text).toBeDefined()
            expect(typeof entry?.title).toBe("string")
            const link = new URL(entry?.url as string, `${base().replace(/\/+$/, "")}/`)
            expect(link.pathname.endsWith(`/v1/schemas/${EVENT}.json`)).toBe(true)
            const schema = await fetch(link)
            expect(schema.status).toBe(200)
            const root = base().replace(/\/+$/, "")
            reportExchange({
              baseUrl: base(),
              path: link.href.startsWith(root) ? link.href.slice(root.length) : `${link.pathname}${link.search}`,
              method: "GET",
              status: schema.status,
              contentType: schema.headers.get("content-type"),
              text: await schema.text(),
            })
          }
        },
        T,
      )

      it(
        "GET /v1/schemas/{event}.json answers the event's JSON Schema (draft 2020-12), 404 for an unknown event",
        async () => {
          const res = await request<{
            $schema: string
            properties: { context: { properties: Record<string, unknown> } }
          }>(base(), `/v1/schemas/${EVENT}.json`)
          expectStatus(res, 200)
          expect(res.headers.get("content-type") ?? "").toMatch(/^application\/(schema\+)?json\s*(;|$)/i)
          expect(res.body.$schema).toBe("https://json-schema.org/draft/2020-12/schema")
          expect(Object.keys(res.body.properties.context.properties).sort()).toEqual([...PARAMETERS].sort())
          expectProblem(await request(base(), "/v1/schemas/ootb_nope.json"), 404, "not_found")
        },
        T,
      )

      it(
        "GET /openapi.json answers an OpenAPI 3.1 document of the API",
        async () => {
          const res = await request<{
            openapi: string
            info: { title: string; version: string }
            paths: Record<string, Record<string, unknown>>
            components?: { securitySchemes?: Record<string, { type?: string; scheme?: string }> }
          }>(base(), "/openapi.json")
          expectStatus(res, 200)
          expectJson(res)
          expect(res.body.openapi).toMatch(/^3\.1\.\d+$/)
          expect(typeof res.body.info.title).toBe("string")
          const p = res.body.paths
          expect(p["/v1/events"]?.["post"]).toBeDefined()
          expect(p["/v1/customers/{customer}"]?.["get"]).toBeDefined()
          expect(p["/v1/customers/{customer}"]?.["delete"]).toBeDefined()
          expect(p["/v1/customers/{customer}/events"]?.["get"]).toBeDefined()
          for (const path of ["/v1/schemas", "/v1/schemas/{event}.json", "/healthz", "/metrics"]) {
            expect(p[path]?.["get"], path).toBeDefined()
          }
          const schemes = Object.values(res.body.components?.securitySchemes ?? {})
          expect(schemes.some((s) => s.type === "http" && s.scheme?.toLowerCase() === "bearer")).toBe(true)
        },
        T,
      )

      it(
        "GET /docs answers HTML naming the routes, the event and its parameters",
        async () => {
          const res = await request(base(), "/docs")
          expectStatus(res, 200)
          expect(res.headers.get("content-type") ?? "").toMatch(/^text\/html\s*(;|$)/i)
          expect(res.text).toMatch(/<html/i)
          for (const word of [EVENT, "/v1/events", "/v1/customers/", ...PARAMETERS]) expect(res.text).toContain(word)
        },
        T,
      )

      it(
        "GET /healthz answers 200 {status: ok}",
        async () => {
          const res = await request(base(), "/healthz")
          expectStatus(res, 200)
          expectJson(res)
          expect(res.body).toEqual({ status: "ok" })
        },
        T,
      )

      it(
        "GET /metrics answers Prometheus text whose ingest_events_total counts accepted events",
        async () => {
          const a = A()
          const accepted = (text: string): number => {
            let sum = 0
            for (const line of text.split("\n")) {
              const m = /^ingest_events_total\{([^}]*)\}\s+(\S+)/.exec(line)
              if (m && /(^|,)\s*status="accepted"/.test(m[1] as string)) sum += Number(m[2])
            }
            return sum
          }
          const before = await request(base(), "/metrics")
          expectStatus(before, 200)
          expect(before.headers.get("content-type") ?? "").toMatch(/^text\/plain\s*(;|$)/i)
          await acceptAll(base(), a.key, [event(a.id, customerId("metrics"), stamp(0))])
          const after = await request(base(), "/metrics")
          expectStatus(after, 200)
          expect(after.text).toMatch(/^# TYPE ingest_events_total counter$/m)
          for (const line of after.text.split("\n")) {
            if (line === "" || line.startsWith("#")) continue
            expect(line).toMatch(/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})?\s+\S+(\s+-?\d+)?$/)
          }
          expect(accepted(after.text) - accepted(before.text)).toBeGreaterThanOrEqual(1)
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("key scopes", () => {
      const scopedKeys = (): Readonly<Record<ContractScope, string>> => {
        const keys = A().scopedKeys
        if (keys === undefined) throw new Error("httpContract needs tenant A's scopedKeys (see contractTenants())")
        return keys
      }
      /** Every private route, the scope ingest-api.md gives it, and its success status. */
      const privateRoutes: ReadonlyArray<{
        readonly name: string
        readonly scope: ContractScope
        readonly ok: number
        readonly call: (key: string, customer: string) => Promise<ApiResponse>
      }> = [
        {
          name: "POST /v1/events",
          scope: "send",
          ok: 202,
          call: (key, customer) => postEvents(base(), key, event(A().id, customer, stamp(60), { ootb_city: "sent" })),
        },
        { name: "GET /v1/customers/{customer}", scope: "read", ok: 200, call: (k, c) => getCustomer(base(), k, c) },
        {
          name: "GET /v1/customers?customer=",
          scope: "read",
          ok: 200,
          call: (k, c) => getCustomer(base(), k, c, "query"),
        },
        {
          name: "GET /v1/customers/{customer}/events",
          scope: "read",
          ok: 200,
          call: (k, c) => listEvents(base(), k, c),
        },
        {
          name: "GET /v1/events?customer=",
          scope: "read",
          ok: 200,
          call: (k, c) => listEvents(base(), k, c, {}, "query"),
        },
        {
          name: "DELETE /v1/customers/{customer}",
          scope: "erase",
          ok: 204,
          call: (k, c) => deleteCustomer(base(), k, c),
        },
        {
          name: "DELETE /v1/customers?customer=",
          scope: "erase",
          ok: 204,
          call: (k, c) => deleteCustomer(base(), k, c, "query"),
        },
      ]

      it(
        "lets each key use exactly the routes of its scopes (a plain digest: all three); any other is 403 forbidden and changes nothing",
        async () => {
          const a = A()
          const keys = scopedKeys()
          const kinds: ReadonlyArray<readonly [string, string, ReadonlyArray<ContractScope>]> = [
            ["plain digest", a.key, ["send", "read", "erase"]],
            ["send-only", keys.send, ["send"]],
            ["read-only", keys.read, ["read"]],
            ["erase-only", keys.erase, ["erase"]],
          ]
          for (const [kind, key, scopes] of kinds) {
            for (const route of privateRoutes) {
              const what = `${kind} key, ${route.name}`
              const customer = customerId(`scope-${route.scope}`)
              const [seeded] = await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "seed" })])
              const res = await route.call(key, customer)
              if (scopes.includes(route.scope)) {
                expect(res.status, `${what}: ${describeResponse(res)}`).toBe(route.ok)
                continue
              }
              const body = expectProblem(res, 403, "forbidden")
              expect(body.detail, what).toContain(route.scope)
              // Nothing changed: the seeded event is the customer's only one, and the profile is as it left it.
              const profile = await getCustomer(base(), a.key, customer)
              expectStatus(profile, 200)
              expect(profile.body.attributes, what).toEqual({ ootb_city: "seed" })
              const page = await listEvents(base(), a.key, customer)
              expect(
                page.body.events.map((e) => e.id),
                what,
              ).toEqual([seeded])
            }
          }
        },
        Math.max(T, 90_000),
      )

      it(
        "checks the scope after the key (401) and before the body (403 before 415)",
        async () => {
          const keys = scopedKeys()
          expectProblem(await postRaw(base(), keys.read, "{}", "text/plain"), 403, "forbidden")
          expectProblem(await postRaw(base(), "cdp_test_no_such_key", "{}", "text/plain"), 401, "unauthorized")
          expectProblem(await postRaw(base(), keys.send, "{}", "text/plain"), 415, "unsupported_media_type")
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("browsers (CORS)", () => {
      const sendKey = (): string => {
        const key = A().scopedKeys?.send
        if (key === undefined) throw new Error("httpContract needs tenant A's scopedKeys (see contractTenants())")
        return key
      }
      const readKey = (): string => {
        const key = A().scopedKeys?.read
        if (key === undefined) throw new Error("httpContract needs tenant A's scopedKeys (see contractTenants())")
        return key
      }
      const expectAllowedOrigins = (): void => {
        expect(A().allowedOrigins, "tenant A's allowedOrigins (see contractTenants())").toEqual([contractOrigins.A])
        expect(B().allowedOrigins, "tenant B's allowedOrigins (see contractTenants())").toEqual([contractOrigins.B])
      }

      it(
        "answers a preflight from an origin some tenant allows with 204 and the CORS headers, without a key",
        async () => {
          expectAllowedOrigins()
          // A's origin, and B's: allowed by one tenant is enough for the preflight.
          for (const origin of [contractOrigins.A, contractOrigins.B]) {
            const res = await preflight(base(), origin)
            expectStatus(res, 204)
            expect(res.text).toBe("")
            expectCorsFor(res, origin)
            expect(tokensOf(res, "access-control-allow-methods"), origin).toContain("post")
            const allowed = tokensOf(res, "access-control-allow-headers")
            for (const h of ["authorization", "content-type", "x-request-id"]) expect(allowed, origin).toContain(h)
            const maxAge = res.headers.get("access-control-max-age")
            if (maxAge !== null) expect(maxAge, "Access-Control-Max-Age").toMatch(/^[1-9][0-9]*$/)
          }
        },
        T,
      )

      it(
        "answers a preflight from any other origin, or without Origin, without CORS headers",
        async () => {
          expectAllowedOrigins()
          const others = [
            contractOrigins.elsewhere,
            "null",
            `${contractOrigins.A}/`,
            `${contractOrigins.A}:8443`,
            contractOrigins.A.toUpperCase(),
            contractOrigins.A.replace("https:", "http:"),
          ]
          for (const origin of [...others, undefined]) {
            const res = await preflight(base(), origin)
            expectStatus(res, 204)
            expectNoCors(res, `preflight from ${origin ?? "no Origin"}`)
          }
        },
        T,
      )

      it(
        "takes events from an allowed origin with a send-only key, and its answer lets the page read it",
        async () => {
          const a = A()
          const customer = customerId("cors-send")
          const res = await postEvents(base(), sendKey(), event(a.id, customer, stamp(0), { ootb_city: "Web" }), {
            origin: contractOrigins.A,
          })
          expectStatus(res, 202)
          expectResult(res.body.results[0], 0, "accepted")
          expectCorsFor(res, contractOrigins.A)
          const exposed = tokensOf(res, "access-control-expose-headers")
          for (const h of ["retry-after", REQUEST_ID_HEADER]) expect(exposed).toContain(h)
          const profile = await getCustomer(base(), readKey(), customer)
          expectStatus(profile, 200)
          expect(profile.body.attributes).toEqual({ ootb_city: "Web" })
          // The same key cannot read, from the page or anywhere else.
          expectProblem(await getCustomer(base(), sendKey(), customer), 403, "forbidden")
        },
        T,
      )

      it(
        "refuses a request whose Origin the key's tenant does not list (403 forbidden) and writes nothing",
        async () => {
          const a = A()
          for (const [origin, key] of [
            [contractOrigins.B, sendKey()], // allowed by B only: the preflight passes, the key's tenant refuses
            [contractOrigins.elsewhere, sendKey()],
            ["null", sendKey()],
            [contractOrigins.B, a.key], // all scopes do not widen the origins
          ] as const) {
            const customer = customerId("cors-refused")
            const res = await postEvents(base(), key, [event(a.id, customer, stamp(0), { ootb_city: "X" })], { origin })
            expectProblem(res, 403, "forbidden")
            if (origin === contractOrigins.B) expectCorsFor(res, origin)
            else expectNoCors(res, `refusal to ${origin}`)
            await expectNoCustomer(base(), readKey(), customer)
            expectProblem(await listEvents(base(), readKey(), customer), 404, "not_found")
          }
          // The other private routes check the Origin too.
          const customer = customerId("cors-other-routes")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0), { ootb_city: "Kept" })])
          const origin = { origin: contractOrigins.elsewhere }
          const read = await request(base(), customerPath(customer), { headers: { ...bearer(readKey()), ...origin } })
          expectProblem(read, 403, "forbidden")
          const erase = await request(base(), customerPath(customer), {
            method: "DELETE",
            headers: { ...bearer(A().scopedKeys?.erase ?? ""), ...origin },
          })
          expectProblem(erase, 403, "forbidden")
          expect((await getCustomer(base(), a.key, customer)).body.attributes).toEqual({ ootb_city: "Kept" })
        },
        T,
      )

      it(
        "lets a page on an allowed origin read a refusal: 401 and 403 carry the CORS headers",
        async () => {
          const a = A()
          const body = event(a.id, customerId("cors-401"), stamp(0))
          const unauthorized = await postEvents(base(), undefined, body, { origin: contractOrigins.A })
          expectProblem(unauthorized, 401, "unauthorized")
          expectCorsFor(unauthorized, contractOrigins.A)
          const forbidden = await postEvents(base(), readKey(), body, { origin: contractOrigins.A })
          expectProblem(forbidden, 403, "forbidden")
          expectCorsFor(forbidden, contractOrigins.A)
          await expectNoCustomer(base(), a.key, body.customer as string)
        },
        T,
      )

      it(
        "sends no CORS headers on any other route, even to an allowed origin",
        async () => {
          const a = A()
          const customer = customerId("cors-none")
          await acceptAll(base(), a.key, [event(a.id, customer, stamp(0))])
          const origin = { origin: contractOrigins.A }
          const withKey = (key: string) => ({ ...bearer(key), ...origin })
          const answers: Array<[string, ApiResponse]> = [
            ["GET profile", await request(base(), customerPath(customer), { headers: withKey(readKey()) })],
            ["GET events", await request(base(), `${customerPath(customer)}/events`, { headers: withKey(readKey()) })],
            [
              "GET /v1/events?customer=",
              await request(base(), `/v1/events?customer=${encodeURIComponent(customer)}`, {
                headers: withKey(readKey()),
              }),
            ],
            ["GET /v1/schemas", await request(base(), "/v1/schemas", { headers: origin })],
            ["GET schema", await request(base(), `/v1/schemas/${EVENT}.json`, { headers: origin })],
            ["GET /openapi.json", await request(base(), "/openapi.json", { headers: origin })],
            ["GET /docs", await request(base(), "/docs", { headers: origin })],
            ["GET /healthz", await request(base(), "/healthz", { headers: origin })],
            ["GET /metrics", await request(base(), "/metrics", { headers: origin })],
            ["GET /v1/nope", await request(base(), "/v1/nope", { headers: withKey(a.key) })],
            [
              "DELETE profile",
              await request(base(), customerPath(customer), {
                method: "DELETE",
                headers: withKey(A().scopedKeys?.erase ?? ""),
              }),
            ],
          ]
          expect(answers.map(([what, res]) => `${what} ${res.status}`)).toEqual([
            "GET profile 200",
            "GET events 200",
            "GET /v1/events?customer= 200",
            "GET /v1/schemas 200",
            "GET schema 200",
            "GET /openapi.json 200",
            "GET /docs 200",
            "GET /healthz 200",
            "GET /metrics 200",
            "GET /v1/nope 404",
            "DELETE profile 204",
          ])
          for (const [what, res] of answers) expectNoCors(res, what)
          // Nor does any other path answer a preflight.
          for (const path of [customerPath(customer), "/v1/customers", "/v1/schemas", "/healthz"]) {
            const res = await request(base(), path, {
              method: "OPTIONS",
              headers: { ...origin, "access-control-request-method": "GET" },
            })
            expectProblem(res, 404, "not_found")
            expectNoCors(res, `OPTIONS ${path}`)
          }
        },
        T,
      )

      it(
        "leaves requests without Origin (servers, CLIs) as they were",
        async () => {
          const a = A()
          const customer = customerId("cors-server")
          const sent = await postEvents(base(), sendKey(), event(a.id, customer, stamp(0), { ootb_city: "Server" }))
          expectStatus(sent, 202)
          expectNoCors(sent, "POST without Origin")
          const read = await getCustomer(base(), readKey(), customer)
          expectStatus(read, 200)
          expectNoCors(read, "GET without Origin")
          const plain = await postEvents(base(), a.key, event(a.id, customer, stamp(1)))
          expectStatus(plain, 202)
          expectNoCors(plain, "POST with a plain key, without Origin")
        },
        T,
      )
    })

    // -----------------------------------------------------------------------
    describe("request ids", () => {
      it(
        `answers every /v1 response with a unique ${REQUEST_ID_HEADER}`,
        async () => {
          const a = A()
          const customer = customerId("rid")
          const responses: Array<ApiResponse> = [
            await postEvents(base(), a.key, event(a.id, customer, stamp(0))),
            await postEvents(base(), a.key, { event: EVENT }),
            await postRaw(base(), a.key, "{", "application/json"),
            await postRaw(base(), a.key, "{}", "text/plain"),
            await postEvents(base(), undefined, {}),
            await getCustomer(base(), a.key, customer),
            await listEvents(base(), a.key, customer),
            await getCustomer(base(), a.key, customerId("rid-none")),
            await request(base(), "/v1/nope", { headers: bearer(a.key) }),
            await request(base(), "/v1/schemas"),
            await deleteCustomer(base(), a.key, customer),
          ]
          const ids = responses.map(expectRequestId)
          expect(new Set(ids).size).toBe(ids.length)
        },
        T,
      )

      it(
        "echoes a sane client request id and replaces any other",
        async () => {
          const a = A()
          const sane = `req-${randomSuffix()}_A.b:9`
          const echoed = await request(base(), "/v1/nope", { headers: { ...bearer(a.key), [REQUEST_ID_HEADER]: sane } })
          expect(echoed.headers.get(REQUEST_ID_HEADER)).toBe(sane)
          const ok = await postEvents(base(), a.key, event(a.id, customerId("echo2"), stamp(0)), {
            [REQUEST_ID_HEADER]: sane,
          })
          expect(ok.headers.get(REQUEST_ID_HEADER)).toBe(sane)
          for (const insane of ["has space", "x".repeat(129), "<script>", 'a"b']) {
            const res = await request(base(), "/v1/nope", {
              headers: { ...bearer(a.key), [REQUEST_ID_HEADER]: insane },
            })
            const id = expectRequestId(res)
            expect(id).not.toBe(insane)
          }
        },
        T,
      )
    })
  })
}
