/**
 * The ingestion handler: one Hono app serving the whole HTTP API of
 * `ingest-api.md`, built from its dependencies (store, tenant config, clock,
 * logger). Runtime-free: each runtime's adapter serves it as it is.
 *
 * @module
 */

import {
  apiLimits,
  corsPolicy,
  type EventResult,
  type Health,
  type IngestResponse,
  type OperationId,
  type Route,
  routes,
  type SchemaList,
} from "@cdp/api"
import { openApiDocument } from "@cdp/api/openapi"
import {
  type DecodeResult,
  eventKeys,
  events as eventKinds,
  formatTimestamp,
  makeDecoder,
  sortIssues,
  toJsonSchema,
} from "@cdp/schema"
import { type AppendStatus, type IngestStore, type NewEvent, StoreError } from "@cdp/store"
import type { Context, Handler, MiddlewareHandler } from "hono"
import { Hono } from "hono"
import { routePath } from "hono/route"
import { type AuthenticatedKey, makeAuthenticator } from "./Auth.ts"
import { docsPage } from "./docsPage.ts"
import { canonicalContextJson, eventId } from "./eventId.ts"
import { type Logger, silentLogger } from "./Logger.ts"
import { type Metrics, makeMetrics } from "./Metrics.ts"
import { problem } from "./problem.ts"
import { makeRateLimiter } from "./RateLimiter.ts"
import { discardBody, readBody } from "./readBody.ts"
import { type IngestConfig, type Sha256Hex, sha256Hex, type Tenant } from "./TenantConfig.ts"

// The limits of the contract, defined in @cdp/api.
/** The largest body accepted: 1 MiB. */
export const MAX_BODY_BYTES = apiLimits.maxBodyBytes
/** The largest batch accepted. */
export const MAX_BATCH = apiLimits.maxBatch
/** Page sizes of the activity route. */
export const DEFAULT_PAGE = apiLimits.defaultPage
export const MAX_PAGE = apiLimits.maxPage

/**
 * What the app is built from.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppOptions {
  readonly store: IngestStore
  readonly config: IngestConfig
  /** Milliseconds since the epoch; `Date.now` by default. */
  readonly clock?: () => number
  readonly logger?: Logger
  readonly metrics?: Metrics
  /** SHA-256 (hex) for key checks and event ids: Web Crypto's by default. */
  readonly sha256?: Sha256Hex
}

/** The outcome of one event of a POST /v1/events answer (its schema is in @cdp/api). @since 0.1.0 @category models */
export type { EventResult }

type Env = {
  Variables: {
    tenant: Tenant
    key: AuthenticatedKey
    requestId: string
    requestIdSent: boolean
    /** Set when a request is refused (403) before its body was read. */
    refusedUnread: boolean
  }
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })
const earlyRefusals = new Set([401, 413, 415, 429])
const requestIdPattern = /^[A-Za-z0-9._:-]{1,128}$/

/**
 * A path of the route table in Hono's form: `{name}` becomes `:name`. A
 * segment with a suffix (`{event}.json`) becomes a parameter of the whole
 * segment; its handler accepts only names that carry the suffix.
 */
const honoPath = (path: string): string => path.replace(/\{(\w+)\}[^/]*/g, ":$1")

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } })

const unavailable = (e: unknown): Response | undefined =>
  e instanceof StoreError && e.code === "unavailable"
    ? problem("unavailable", "The store is unavailable or busy; nothing was written. Retry later.", {
        "retry-after": "1",
      })
    : undefined

/**
 * Builds the app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeApp = (options: AppOptions): Hono<Env> => {
  const { store, config } = options
  const clock = options.clock ?? Date.now
  const logger = options.logger ?? silentLogger
  const metrics = options.metrics ?? makeMetrics()
  const sha256 = options.sha256 ?? sha256Hex
  const authenticate = makeAuthenticator(config, sha256)
  const takeToken = makeRateLimiter(clock)
  const sortedParameters = new Map(eventKeys.map((k) => [k as string, Object.keys(eventKinds[k].fields).sort()]))
  const decoders = new Map<number, (input: unknown) => DecodeResult>()
  for (const t of config.tenants) decoders.set(t.id, makeDecoder({ channels: t.channels }))
  const schemas = new Map(eventKeys.map((k) => [`${k}.json`, JSON.stringify(toJsonSchema(eventKinds[k]), null, 2)]))
  let lastReceived = Number.NaN
  let lastReceivedText = ""
  let openapi: string | undefined
  let docs: string | undefined
  // Browsers: the origins some tenant allows, and what their answers carry (corsPolicy of @cdp/api).
  const allowedOrigins = new Set(config.tenants.flatMap((t) => t.allowedOrigins))
  const preflightHeaders = {
    "access-control-allow-methods": corsPolicy.allowMethods.join(", "),
    "access-control-allow-headers": corsPolicy.allowHeaders.join(", "),
    "access-control-max-age": String(corsPolicy.maxAgeSeconds),
    vary: "Origin",
  }
  const exposeHeaders = corsPolicy.exposeHeaders.join(", ")
  const table = Object.entries(routes) as Array<[OperationId, Route]>

  const app = new Hono<Env>()

  // Request id, access log and HTTP metrics for every request.
  app.use(async (c, next) => {
    const start = performance.now()
    const sent = c.req.header("x-request-id")
    const requestId = sent !== undefined && requestIdPattern.test(sent) ? sent : crypto.randomUUID()
    c.set("requestId", requestId)
    await next()
    // Set here unless the response was built with it: reading `headers` of
    // @hono/node-server's light Response makes a Headers object (and later
    // turns it back), a cost paid on every request otherwise.
    if (c.get("requestIdSent") !== true) c.res.headers.set("x-request-id", requestId)
    // A POST refused before its body was read: drain what the client is
    // still sending (bounded), then close the connection rather than reuse it.
    if (c.req.method === "POST" && (earlyRefusals.has(c.res.status) || c.get("refusedUnread") === true)) {
      await discardBody(c.req.raw)
      try {
        c.res.headers.set("connection", "close")
      } catch {
        // A runtime that manages connections itself may refuse the header.
      }
    }
    const last = routePath(c, -1)
    const route = last.endsWith("*") ? "unmatched" : last
    const status = c.res.status
    const seconds = (performance.now() - start) / 1000
    metrics.requests.inc({ method: c.req.method, route, status: String(status) })
    metrics.latency.observe(seconds, { route })
    // Successful requests log at debug: the default level keeps refusals and failures.
    const level = status >= 500 ? "error" : status >= 400 ? "info" : "debug"
    if (logger.enabled(level)) {
      logger.log(level, "request", {
        requestId,
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(seconds * 1e6) / 1e3,
        ...(c.get("tenant") ? { tenant: c.get("tenant").id } : {}),
      })
    }
  })

  // The answers of a route browsers may call carry the CORS headers when some
  // tenant allows the request's Origin: refusals too (401, 403, 429), so that
  // the page can read them. Registered before authentication, to wrap it.
  // (Written here rather than with hono/cors, whose preflight answers carry
  // Access-Control-Allow-Methods and -Headers for any origin.)
  const corsAnswers: MiddlewareHandler<Env> = async (c, next) => {
    await next()
    const origin = c.req.header("origin")
    if (origin === undefined || !allowedOrigins.has(origin)) return
    const headers = c.res.headers
    headers.set("access-control-allow-origin", origin)
    headers.set("access-control-expose-headers", exposeHeaders)
    headers.append("vary", "Origin")
  }
  if (allowedOrigins.size > 0) {
    for (const [, route] of table) {
      if (route.cors === true) app.on(route.method.toUpperCase(), honoPath(route.path), corsAnswers)
    }
  }

  // Authentication and rate limiting of the private routes. A preflight
  // (OPTIONS) carries no key: its route answers it by the Origin alone.
  const auth = async (c: Context<Env>, next: () => Promise<void>) => {
    if (c.req.method === "OPTIONS") return next()
    let found = authenticate(c.req.header("authorization"))
    if (found instanceof Promise) found = await found
    if (found === undefined) {
      return problem("unauthorized", "A valid API key is required: Authorization: Bearer <key>.", {
        "www-authenticate": 'Bearer realm="ingest"',
      })
    }
    c.set("tenant", found.tenant)
    c.set("key", found)
    if (found.tenant.rateLimit) {
      const wait = takeToken(found.keyDigest, found.tenant.rateLimit)
      if (wait > 0) {
        return problem(
          "rate_limited",
          `Rate limit of this API key exceeded; retry in ${wait} s, backing off exponentially.`,
          {
            "retry-after": String(wait),
          },
        )
      }
    }
    await next()
  }
  app.use("/v1/events", auth)
  app.use("/v1/customers/*", auth) // also matches /v1/customers itself

  const ingestEvents = async (c: Context<Env>) => {
    const tenant = c.get("tenant")
    const type = c.req.header("content-type") ?? ""
    if (!/^application\/json\s*(;|$)/i.test(type)) {
      return problem("unsupported_media_type", `Content-Type must be application/json, got ${JSON.stringify(type)}.`)
    }
    const bytes = await readBody(c.req.raw, MAX_BODY_BYTES)
    if (bytes === "too_large") return problem("payload_too_large", `The body exceeds ${MAX_BODY_BYTES} bytes (1 MiB).`)
    let body: unknown
    try {
      body = JSON.parse(utf8.decode(bytes))
    } catch (e) {
      const why = e instanceof SyntaxError ? e.message : "the body is not valid UTF-8"
      return problem("malformed_json", `The body is not valid JSON: ${why}.`)
    }
    const batch = Array.isArray(body) ? body : [body]
    if (!batch.every(isObject)) {
      return problem("invalid_body", "The body must be an event object or a JSON array of event objects.")
    }
    if (batch.length === 0 || batch.length > MAX_BATCH) {
      return problem("batch_size", `A batch holds 1 to ${MAX_BATCH} events, got ${batch.length}.`)
    }

    const decode = decoders.get(tenant.id) as (input: unknown) => DecodeResult
    const now = clock()
    if (now !== lastReceived) {
      lastReceived = now
      lastReceivedText = formatTimestamp(now)
    }
    const receivedAt = lastReceivedText
    const results: Array<EventResult | undefined> = new Array(batch.length)
    const toStore: Array<NewEvent> = []
    const storeIndex: Array<number> = []
    const pending: Array<Promise<void>> = []
    for (let i = 0; i < batch.length; i++) {
      const item = batch[i] as Record<string, unknown>
      const r = decode(item)
      const t = item.tenant
      const mismatch = typeof t === "number" && Number.isSafeInteger(t) && t > 0 && t !== tenant.id
      if (!r.ok || mismatch) {
        const issues = r.ok ? [] : [...r.issues]
        if (mismatch) {
          issues.push({
            path: "/tenant",
            code: "tenant_mismatch",
            message: `tenant must be ${tenant.id}, the tenant of the API key, got ${t}`,
          })
        }
        results[i] = { index: i, status: "rejected", issues: sortIssues(issues) }
        continue
      }
      const ev = r.event
      storeIndex.push(i)
      // The context's canonical JSON serves twice: in the event id, and as the stored context.
      const sorted = sortedParameters.get(ev.event)
      const contextJson = canonicalContextJson(ev.context, sorted)
      const stored: { -readonly [K in keyof NewEvent]: NewEvent[K] } = {
        tenant: tenant.id,
        customer: ev.customer,
        id: "",
        event: ev.event,
        timestamp: ev.timestamp,
        receivedAt,
        context: ev.context as Record<string, unknown>,
        contextJson,
      }
      toStore.push(stored)
      const id = eventId(ev, sha256, sorted, contextJson)
      if (typeof id === "string") stored.id = id
      else {
        pending.push(
          id.then((id) => {
            stored.id = id
          }),
        )
      }
    }
    if (pending.length > 0) await Promise.all(pending)

    let statuses: ReadonlyArray<AppendStatus> = []
    if (toStore.length > 0) {
      const start = performance.now()
      try {
        statuses = await store.append(toStore)
      } catch (e) {
        const r = unavailable(e)
        if (r) return r
        throw e
      }
      metrics.commit.observe((performance.now() - start) / 1000)
    }
    for (let j = 0; j < toStore.length; j++) {
      const i = storeIndex[j] as number
      results[i] = { index: i, status: statuses[j] as AppendStatus, id: (toStore[j] as NewEvent).id }
    }

    let accepted = 0
    let duplicates = 0
    let rejected = 0
    let allMismatch = true
    for (const r of results as Array<EventResult>) {
      if (r.status === "rejected") {
        rejected++
        for (const issue of r.issues) {
          metrics.issues.inc({ code: issue.code })
          if (issue.code !== "tenant_mismatch") allMismatch = false
        }
      } else if (r.status === "accepted") accepted++
      else duplicates++
    }
    if (accepted) metrics.events.inc({ status: "accepted" }, accepted)
    if (duplicates) metrics.events.inc({ status: "duplicate" }, duplicates)
    if (rejected) metrics.events.inc({ status: "rejected" }, rejected)
    const status = accepted + duplicates > 0 ? 202 : allMismatch ? 403 : 400
    c.set("requestIdSent", true)
    const answer: IngestResponse = { accepted, duplicates, rejected, results: results as Array<EventResult> }
    return json(answer, status, { "x-request-id": c.get("requestId") })
  }

  // A customer's profile, activity and erasure. Each is served at the
  // customer's own path and, for ids no path segment can carry ("." and
  // "..", which URL parsers resolve away), with the id as the `customer`
  // query parameter of a fixed path.
  const fromPath = (c: Context<Env>): string | undefined => c.req.param("customer")
  const fromQuery = (c: Context<Env>): string | undefined => c.req.query("customer")
  const customerRequired = () =>
    problem("invalid_body", "The customer id is required: give it as the query parameter `customer`.")

  const readProfile = (customerOf: (c: Context<Env>) => string | undefined) => async (c: Context<Env>) => {
    const customer = customerOf(c)
    if (customer === undefined) return customerRequired()
    try {
      const profile = await store.getProfile(c.get("tenant").id, customer)
      if (profile === undefined) return problem("not_found", "This tenant has no such customer.")
      return json(profile)
    } catch (e) {
      const r = unavailable(e)
      if (r) return r
      throw e
    }
  }

  const listActivity = (customerOf: (c: Context<Env>) => string | undefined) => async (c: Context<Env>) => {
    const tenant = c.get("tenant")
    const customer = customerOf(c)
    if (customer === undefined) return customerRequired()
    const limitText = c.req.query("limit")
    let limit: number = DEFAULT_PAGE
    if (limitText !== undefined) {
      if (!/^[0-9]{1,9}$/.test(limitText) || +limitText < 1) {
        return problem(
          "invalid_body",
          `limit must be an integer from 1 to ${MAX_PAGE}, got ${JSON.stringify(limitText)}.`,
        )
      }
      limit = Math.min(+limitText, MAX_PAGE)
    }
    const cursor = c.req.query("cursor")
    try {
      if ((await store.getProfile(tenant.id, customer)) === undefined) {
        return problem("not_found", "This tenant has no such customer.")
      }
      return json(await store.listEvents(tenant.id, customer, { limit, cursor }))
    } catch (e) {
      if (e instanceof StoreError && e.code === "invalid_cursor") {
        return problem("invalid_body", "cursor is not a cursor this API returned.")
      }
      const r = unavailable(e)
      if (r) return r
      throw e
    }
  }

  const erase = (customerOf: (c: Context<Env>) => string | undefined) => async (c: Context<Env>) => {
    const customer = customerOf(c)
    if (customer === undefined) return customerRequired()
    try {
      const erased = await store.eraseCustomer(c.get("tenant").id, customer)
      return erased ? c.body(null, 204) : problem("not_found", "This tenant has no such customer.")
    } catch (e) {
      const r = unavailable(e)
      if (r) return r
      throw e
    }
  }

  /**
   * A private route's handler behind the checks of the key (authenticated by
   * `auth`): its scopes must include the route's, and a request that carries
   * an Origin must come from one of its tenant's allowedOrigins. Both refuse
   * with 403 before anything is read or written.
   */
  const permitted = (route: Route, handler: Handler<Env>): Handler<Env> => {
    if (!route.bearer) return handler
    const { scope } = route
    const name = `${route.method.toUpperCase()} ${route.path}`
    return (c, next) => {
      const key = c.get("key")
      if (!key.scopes.includes(scope)) {
        c.set("refusedUnread", true)
        return problem(
          "forbidden",
          `${name} needs an API key with the ${scope} scope; this key's scopes are ${key.scopes.join(", ")}.`,
        )
      }
      const origin = c.req.header("origin")
      if (origin !== undefined && !key.tenant.allowedOrigins.includes(origin)) {
        c.set("refusedUnread", true)
        return problem(
          "forbidden",
          `The Origin ${JSON.stringify(origin)} is not among the allowedOrigins of this API key's tenant.`,
        )
      }
      return handler(c, next)
    }
  }

  // Every route of the table, by its operationId; TypeScript holds the two in step.
  const handlers: Record<OperationId, Handler<Env>> = {
    ingestEvents,
    // A preflight allows the Origin when some tenant does; the key of the
    // actual request is checked against its own tenant (`permitted`).
    preflightEvents: (c) => {
      const origin = c.req.header("origin")
      if (origin === undefined || !allowedOrigins.has(origin)) return c.body(null, 204)
      return c.body(null, 204, { "access-control-allow-origin": origin, ...preflightHeaders })
    },
    listCustomerEventsByQuery: listActivity(fromQuery),
    getCustomer: readProfile(fromPath),
    deleteCustomer: erase(fromPath),
    listCustomerEvents: listActivity(fromPath),
    getCustomerByQuery: readProfile(fromQuery),
    deleteCustomerByQuery: erase(fromQuery),
    listSchemas: (c) => {
      const base = new URL(c.req.url).origin
      const answer: SchemaList = {
        schemas: eventKeys.map((k) => ({ event: k, title: eventKinds[k].title, url: `${base}/v1/schemas/${k}.json` })),
      }
      return json(answer)
    },
    getEventSchema: (c) => {
      const file = c.req.param("event") ?? ""
      const body = schemas.get(file)
      if (body === undefined) return problem("not_found", `No schema named ${JSON.stringify(file)}.`)
      return new Response(body, { headers: { "content-type": "application/schema+json" } })
    },
    getOpenApi: () => {
      openapi ??= JSON.stringify(openApiDocument(), null, 2)
      return new Response(openapi, { headers: { "content-type": "application/json" } })
    },
    getDocs: () => {
      docs ??= docsPage()
      return new Response(docs, { headers: { "content-type": "text/html; charset=utf-8" } })
    },
    getHealth: async () => {
      try {
        await store.ping()
        const ok: Health = { status: "ok" }
        return json(ok)
      } catch {
        const down: Health = { status: "unavailable" }
        return json(down, 503, { "retry-after": "1" })
      }
    },
    getMetrics: () =>
      new Response(metrics.render(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } }),
  }
  for (const [operationId, route] of table) {
    app.on(route.method.toUpperCase(), honoPath(route.path), permitted(route, handlers[operationId]))
  }

  app.notFound((c) => problem("not_found", `No route ${c.req.method} ${new URL(c.req.url).pathname}.`))
  app.onError((err, c) => {
    const r = unavailable(err)
    if (r) return r
    logger.log("error", "unhandled error", {
      requestId: c.get("requestId"),
      error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
    })
    return problem("internal_error", "An unexpected error occurred; it has been logged.")
  })
  return app
}
