/**
 * A thin `fetch` client of the ingestion API, for black-box tests: every call
 * returns status, headers, the raw text and the parsed JSON body (when there
 * is one), never throwing on an HTTP error status. Reach for it in the HTTP
 * contract suite or any test that drives a running server.
 *
 * Only `fetch` and Web APIs: it runs on every runtime.
 *
 * @module
 */

/**
 * An answer of the API: `body` is the parsed JSON, or `undefined` when the
 * text is empty or not JSON.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiResponse<B = unknown> {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly body: B
}

/** @since 0.1.0 @category models */
export type IngestStatus = "accepted" | "duplicate" | "rejected"

/** @since 0.1.0 @category models */
export interface IssueBody {
  readonly path: string
  readonly code: string
  readonly message: string
}

/** @since 0.1.0 @category models */
export interface IngestResultBody {
  readonly index: number
  readonly status: IngestStatus
  readonly id?: string
  readonly issues?: ReadonlyArray<IssueBody>
}

/** The body of `POST /v1/events` (202, 400 or 403). @since 0.1.0 @category models */
export interface IngestBody {
  readonly accepted: number
  readonly duplicates: number
  readonly rejected: number
  readonly results: ReadonlyArray<IngestResultBody>
}

/** The body of `GET /v1/customers/{customer}`. @since 0.1.0 @category models */
export interface ProfileBody {
  readonly tenant: number
  readonly customer: string
  readonly attributes: Record<string, unknown>
  readonly updated_at: string
}

/** One event of `GET /v1/customers/{customer}/events`. @since 0.1.0 @category models */
export interface StoredEventBody {
  readonly id: string
  readonly event: string
  readonly timestamp: string
  readonly received_at: string
  readonly context: Record<string, unknown>
}

/** @since 0.1.0 @category models */
export interface EventPageBody {
  readonly events: ReadonlyArray<StoredEventBody>
  readonly next: string | null
}

/** A Problem Details body (RFC 9457). @since 0.1.0 @category models */
export interface ProblemBody {
  readonly type: string
  readonly title: string
  readonly status: number
  readonly detail: string
  readonly code: string
}

/**
 * Joins a base URL (with or without a trailing slash, possibly with a path
 * prefix) and an absolute path.
 *
 * @since 0.1.0
 * @category requests
 */
export const urlOf = (baseUrl: string, path: string): string => baseUrl.replace(/\/+$/, "") + path

/**
 * The path of a customer's profile, the id percent-encoded as one segment.
 *
 * @since 0.1.0
 * @category requests
 */
export const customerPath = (customer: string): string => `/v1/customers/${encodeURIComponent(customer)}`

/**
 * How a request names its customer: in the path (`/v1/customers/{customer}`),
 * or as the `customer` query parameter (`/v1/customers?customer=`,
 * `/v1/events?customer=`), the form that carries every id, `.` and `..`
 * included.
 *
 * @since 0.3.0
 * @category requests
 */
export type CustomerAddress = "path" | "query"

const customerQuery = (customer: string): string => `customer=${encodeURIComponent(customer)}`

/** The path (and query) of a customer's profile, in either form. */
const profilePath = (customer: string, via: CustomerAddress): string =>
  via === "path" ? customerPath(customer) : `/v1/customers?${customerQuery(customer)}`

/**
 * `Authorization` header of an API key.
 *
 * @since 0.1.0
 * @category requests
 */
export const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` })

const parse = (text: string): unknown => {
  if (text === "") return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * One request and its whole answer, as `request` saw them: what an
 * observer of the client receives.
 *
 * @since 0.3.0
 * @category models
 */
export interface Exchange {
  readonly baseUrl: string
  /** The path and query, relative to `baseUrl`. */
  readonly path: string
  readonly method: string
  /** The request body, when it was text. */
  readonly requestBody?: string
  readonly status: number
  readonly contentType: string | null
  readonly text: string
}

const observers = new Set<(exchange: Exchange) => void>()

/**
 * Calls `observer` with every exchange of `request` (so of every helper
 * here) until the returned function is called. The HTTP contract suite
 * checks each answer against `/openapi.json` this way.
 *
 * @since 0.3.0
 * @category observers
 */
export const observeExchanges = (observer: (exchange: Exchange) => void): (() => void) => {
  observers.add(observer)
  return () => {
    observers.delete(observer)
  }
}

/**
 * Hands an exchange made without `request` (a streamed upload, a followed
 * link) to the observers.
 *
 * @since 0.3.0
 * @category observers
 */
export const reportExchange = (exchange: Exchange): void => {
  for (const observe of observers) observe(exchange)
}

/**
 * Sends one request and reads the whole answer.
 *
 * @since 0.1.0
 * @category requests
 */
export const request = async <B = unknown>(
  baseUrl: string,
  path: string,
  init: RequestInit = {},
): Promise<ApiResponse<B>> => {
  const res = await fetch(urlOf(baseUrl, path), { redirect: "manual", ...init })
  const text = await res.text()
  if (observers.size > 0) {
    reportExchange({
      baseUrl,
      path,
      method: (init.method ?? "GET").toUpperCase(),
      ...(typeof init.body === "string"
        ? { requestBody: init.body }
        : init.body instanceof Uint8Array
          ? { requestBody: `(${init.body.byteLength} bytes)` }
          : {}),
      status: res.status,
      contentType: res.headers.get("content-type"),
      text,
    })
  }
  return { status: res.status, headers: res.headers, text, body: parse(text) as B }
}

/**
 * `POST /v1/events` with a JSON value (serialised with `JSON.stringify`).
 *
 * @since 0.1.0
 * @category requests
 */
export const postEvents = (
  baseUrl: string,
  key: string | undefined,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<ApiResponse<IngestBody>> => postRaw(baseUrl, key, JSON.stringify(body), "application/json", headers)

/**
 * `POST /v1/events` with a raw body and content type (`undefined`: none).
 *
 * @since 0.1.0
 * @category requests
 */
export const postRaw = <B = IngestBody>(
  baseUrl: string,
  key: string | undefined,
  body: string | Uint8Array,
  contentType: string | undefined,
  headers: Record<string, string> = {},
): Promise<ApiResponse<B>> =>
  request<B>(baseUrl, "/v1/events", {
    method: "POST",
    headers: {
      ...(contentType === undefined ? {} : { "content-type": contentType }),
      ...(key === undefined ? {} : bearer(key)),
      ...headers,
    },
    // A Uint8Array body carries no Content-Type of its own.
    body: typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>),
  })

/**
 * `GET /v1/customers/{customer}`, or `GET /v1/customers?customer=` when
 * `via` is `"query"`.
 *
 * @since 0.1.0
 * @category requests
 */
export const getCustomer = (
  baseUrl: string,
  key: string | undefined,
  customer: string,
  via: CustomerAddress = "path",
): Promise<ApiResponse<ProfileBody>> =>
  request<ProfileBody>(baseUrl, profilePath(customer, via), { headers: key === undefined ? {} : bearer(key) })

/**
 * `GET /v1/customers/{customer}/events` (or `GET /v1/events?customer=`
 * when `via` is `"query"`), with `limit` and `cursor` (or a raw query
 * string, for malformed ones).
 *
 * @since 0.1.0
 * @category requests
 */
export const listEvents = (
  baseUrl: string,
  key: string | undefined,
  customer: string,
  query: { readonly limit?: number | string; readonly cursor?: string } | string = {},
  via: CustomerAddress = "path",
): Promise<ApiResponse<EventPageBody>> => {
  let q: string
  if (typeof query === "string") q = query
  else {
    const params = new URLSearchParams()
    if (query.limit !== undefined) params.set("limit", String(query.limit))
    if (query.cursor !== undefined) params.set("cursor", query.cursor)
    q = params.toString()
  }
  const path =
    via === "path"
      ? `${customerPath(customer)}/events${q === "" ? "" : `?${q}`}`
      : `/v1/events?${customerQuery(customer)}${q === "" ? "" : `&${q}`}`
  return request<EventPageBody>(baseUrl, path, { headers: key === undefined ? {} : bearer(key) })
}

/**
 * Every event of a customer, following `next` with pages of `limit`; fails
 * on a non-200 page or after `maxPages`.
 *
 * @since 0.1.0
 * @category requests
 */
export const listAllEvents = async (
  baseUrl: string,
  key: string,
  customer: string,
  limit: number,
  maxPages = 1000,
  via: CustomerAddress = "path",
): Promise<{ events: Array<StoredEventBody>; pages: Array<EventPageBody> }> => {
  const events: Array<StoredEventBody> = []
  const pages: Array<EventPageBody> = []
  let cursor: string | undefined
  for (let i = 0; i < maxPages; i++) {
    const res = await listEvents(baseUrl, key, customer, cursor === undefined ? { limit } : { limit, cursor }, via)
    if (res.status !== 200) throw new Error(`page ${i + 1} of ${customer}: status ${res.status}: ${res.text}`)
    pages.push(res.body)
    events.push(...res.body.events)
    if (res.body.next === null) return { events, pages }
    cursor = res.body.next
  }
  throw new Error(`more than ${maxPages} pages of ${customer}`)
}

/**
 * `DELETE /v1/customers/{customer}`, or `DELETE /v1/customers?customer=`
 * when `via` is `"query"`.
 *
 * @since 0.1.0
 * @category requests
 */
export const deleteCustomer = (
  baseUrl: string,
  key: string | undefined,
  customer: string,
  via: CustomerAddress = "path",
): Promise<ApiResponse> =>
  request(baseUrl, profilePath(customer, via), { method: "DELETE", headers: key === undefined ? {} : bearer(key) })
