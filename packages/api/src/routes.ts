/**
 * The route table of the ingestion API: each route's method, path,
 * parameters and answers, declared once. The handler registers its routes
 * from it (one handler per `operationId`) and the OpenAPI document is
 * rendered from it, so routing and the document cannot drift.
 *
 * Paths are written in the OpenAPI form (`/v1/customers/{customer}`).
 *
 * @module
 */
import { envelope, eventKeys, events, exampleEvent, Field, jsonSchemaFileName, schemaIdBase } from "@cdp/schema"
import * as Schema from "effect/Schema"
import { corsPolicy, type KeyScope } from "./access.ts"
import { EventPage, Health, IngestResponse, Profile, SchemaList } from "./answers.ts"
import { apiLimits } from "./limits.ts"
import type { ProblemCode } from "./problems.ts"

/**
 * A header an answer may carry, by its name in the OpenAPI components.
 *
 * @since 0.1.0
 * @category routes
 */
export const answerHeaders = {
  RetryAfter: {
    name: "Retry-After",
    description: "Seconds to wait before retrying.",
    schema: Schema.Int.check(Schema.isGreaterThanOrEqualTo(0)),
  },
  WwwAuthenticate: {
    name: "WWW-Authenticate",
    description: 'The scheme to use: `Bearer realm="ingest"`.',
    schema: Schema.String,
  },
  AccessControlAllowOrigin: {
    name: "Access-Control-Allow-Origin",
    description: "The request's `Origin`, when some tenant's `allowedOrigins` lists it; absent otherwise.",
    schema: Schema.String,
  },
  AccessControlAllowMethods: {
    name: "Access-Control-Allow-Methods",
    description: "The methods a page may use (with an allowed `Origin` only).",
    schema: Schema.Literal(corsPolicy.allowMethods.join(", ")),
  },
  AccessControlAllowHeaders: {
    name: "Access-Control-Allow-Headers",
    description: "The request headers a page may send (with an allowed `Origin` only).",
    schema: Schema.Literal(corsPolicy.allowHeaders.join(", ")),
  },
  AccessControlMaxAge: {
    name: "Access-Control-Max-Age",
    description: "Seconds a browser may keep this preflight's answer (with an allowed `Origin` only).",
    schema: Schema.Literal(corsPolicy.maxAgeSeconds),
  },
  Vary: {
    name: "Vary",
    description: "`Origin`: the answer depends on the request's `Origin` (with an allowed `Origin` only).",
    schema: Schema.String,
  },
} as const

/**
 * One answer of a route: its body (a schema, `application/json` unless
 * `media` says otherwise), the problem codes it may carry as Problem
 * Details, and its headers.
 *
 * @since 0.1.0
 * @category routes
 */
export interface Answer {
  readonly description: string
  readonly body?: Schema.Top
  readonly media?: string
  readonly example?: unknown
  readonly problems?: ReadonlyArray<ProblemCode>
  readonly headers?: ReadonlyArray<keyof typeof answerHeaders>
}

/**
 * Answers shared by several routes (the OpenAPI document's `components.responses`).
 *
 * @since 0.1.0
 * @category routes
 */
export const sharedAnswers = {
  Unauthorized: {
    description: "No valid API key: `Authorization: Bearer <key>` is missing or unknown.",
    problems: ["unauthorized"],
    headers: ["WwwAuthenticate"],
  },
  Forbidden: {
    description:
      "The key's scopes do not include this route's, or the request carries an `Origin` that the `allowedOrigins` of the key's tenant do not list. Nothing was read or written.",
    problems: ["forbidden"],
  },
  RateLimited: {
    description: "The API key's rate limit is exceeded. Wait `Retry-After` seconds, then back off exponentially.",
    problems: ["rate_limited"],
    headers: ["RetryAfter"],
  },
  Unavailable: {
    description: "Storage is down or busy; nothing was written. Retry after `Retry-After` seconds.",
    problems: ["unavailable"],
    headers: ["RetryAfter"],
  },
  NotFound: {
    description: "The tenant of the key has no such customer (also when another tenant has one).",
    problems: ["not_found"],
  },
} as const satisfies Record<string, Answer>

/**
 * A parameter of a route.
 *
 * @since 0.1.0
 * @category routes
 */
export interface Parameter {
  readonly name: string
  readonly in: "path" | "query"
  readonly required: boolean
  readonly description: string
  readonly schema: Schema.Top
  readonly example?: unknown
}

/**
 * One route: method, path, what the OpenAPI document says of it, whether it
 * needs the bearer key and which scope of the key, whether browsers may call
 * it, its parameters and its answers by status.
 *
 * @since 0.1.0
 * @category routes
 */
export type Route = RouteCommon &
  (
    | {
        /** The route needs `Authorization: Bearer <key>`... */
        readonly bearer: true
        /** ...of a key with this scope. */
        readonly scope: KeyScope
      }
    | { readonly bearer: false; readonly scope?: undefined }
  )

/**
 * What every route declares, whether or not it needs a key.
 *
 * @since 0.2.0
 * @category routes
 */
export interface RouteCommon {
  readonly method: "get" | "post" | "delete" | "options"
  readonly path: string
  readonly tags: ReadonlyArray<string>
  readonly summary: string
  readonly description?: string
  /**
   * Pages on a tenant's `allowedOrigins` may call the route (CORS, `corsPolicy`);
   * its preflight is the `options` route of the same path.
   */
  readonly cors?: boolean
  readonly parameters?: ReadonlyArray<Parameter>
  /** The request body: the name of its schema among the document's components, and examples. */
  readonly request?: {
    readonly description: string
    readonly component: string
    readonly examples: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>
  }
  readonly responses: Readonly<Record<string, Answer | keyof typeof sharedAnswers>>
}

const customerSchema = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(Field.MAX_STRING_LENGTH))

const customerInPath: Parameter = {
  name: "customer",
  in: "path",
  required: true,
  description: "The persistent customer id, as sent in the events' `customer` (percent-encoded in the path).",
  schema: customerSchema,
  example: envelope.customer.example,
}

const customerInQuery: Parameter = {
  ...customerInPath,
  in: "query",
  description:
    "The persistent customer id, as sent in the events' `customer` (percent-encoded in the query). Reaches every id, `.` and `..` included.",
}

const pageParameters: ReadonlyArray<Parameter> = [
  {
    name: "limit",
    in: "query",
    required: false,
    description: `Events per page, 1 to ${apiLimits.maxPage}.`,
    schema: Schema.Int.check(Schema.isBetween({ minimum: 1, maximum: apiLimits.maxPage })).annotate({
      default: apiLimits.defaultPage,
    }),
  },
  {
    name: "cursor",
    in: "query",
    required: false,
    description: "The `next` value of the previous page; leave out for the first page.",
    schema: Schema.String,
  },
]

const privateAnswers = {
  "401": "Unauthorized",
  "403": "Forbidden",
  "429": "RateLimited",
  "503": "Unavailable",
} as const

/** The three operations on one customer, named by its path segment or by the `customer` query parameter. */
const customerRoutes = (via: "path" | "query") => {
  const byQuery = via === "query"
  const customer = byQuery ? customerInQuery : customerInPath
  const missing = byQuery
    ? { "400": { description: "The `customer` query parameter is missing.", problems: ["invalid_body"] } as Answer }
    : {}
  const form = byQuery
    ? " The customer is named by the `customer` query parameter: the form that reaches every id, `.` and `..` included (URL parsers resolve those path segments away)."
    : ""
  const getProfile: Route = {
    method: "get",
    path: byQuery ? "/v1/customers" : "/v1/customers/{customer}",
    tags: ["customers"],
    summary: byQuery ? "Read a customer's profile (id in the query)" : "Read a customer's profile",
    description: `The tenant's profile of the customer: every attribute with the value of the latest event that carried it.${form}`,
    bearer: true,
    scope: "read",
    parameters: [customer],
    responses: {
      "200": {
        description: "The profile.",
        body: Profile,
        example: {
          tenant: envelope.tenant.example,
          customer: envelope.customer.example,
          attributes: { ootb_email: "john.doe@example.com", ootb_city: "NYC" },
          updated_at: envelope.timestamp.example,
        },
      },
      ...missing,
      "404": "NotFound",
      ...privateAnswers,
    },
  }
  const erase: Route = {
    method: "delete",
    path: getProfile.path,
    tags: ["customers"],
    summary: byQuery ? "Erase a customer (id in the query)" : "Erase a customer (right to be forgotten)",
    description: `Erases the profile and every recorded event of the customer in the tenant. Afterwards the customer's routes answer 404.${form}`,
    bearer: true,
    scope: "erase",
    parameters: [customer],
    responses: { "204": { description: "Erased." }, ...missing, "404": "NotFound", ...privateAnswers },
  }
  const listEvents: Route = {
    method: "get",
    path: byQuery ? "/v1/events" : "/v1/customers/{customer}/events",
    tags: ["customers"],
    summary: byQuery ? "Page through a customer's activity (id in the query)" : "Page through a customer's activity",
    description: `The customer's recorded events, newest \`timestamp\` first, a page at a time.${form}`,
    bearer: true,
    scope: "read",
    parameters: [customer, ...pageParameters],
    responses: {
      "200": { description: "A page of events.", body: EventPage },
      "400": {
        description: `${byQuery ? "The `customer` query parameter is missing, or " : ""}\`limit\` is not an integer from 1 to ${apiLimits.maxPage}, or \`cursor\` is not one this API returned.`,
        problems: ["invalid_body"],
      },
      "404": "NotFound",
      ...privateAnswers,
    },
  }
  return { getProfile, erase, listEvents }
}

const byPath = customerRoutes("path")
const byQuery = customerRoutes("query")
const { maxBatch, maxBodyBytes } = apiLimits
const browsers = `From a browser: a page on an origin that the key's tenant lists in \`allowedOrigins\` may call this route (preflight: \`OPTIONS /v1/events\`); every answer to an \`Origin\` some tenant allows carries \`Access-Control-Allow-Origin\` (that origin), \`Vary: Origin\` and \`Access-Control-Expose-Headers: ${corsPolicy.exposeHeaders.join(", ")}\`, never \`Access-Control-Allow-Credentials\`. A request whose \`Origin\` the key's tenant does not list is refused (403 \`forbidden\`) and writes nothing; a request without \`Origin\` (a server, a CLI) is not affected.`

/**
 * Every route of the API, by `operationId`, in the order the document lists them.
 *
 * @since 0.1.0
 * @category routes
 */
export const routes = {
  ingestEvents: {
    method: "post",
    path: "/v1/events",
    tags: ["events"],
    summary: "Send one event or a batch",
    description: `The body is one event or a JSON array of 1 to ${maxBatch}; each event is judged on its own (schema, tenant, the tenant's channel parameters). The same event sent again is a \`duplicate\` and changes nothing. Status: 202 when at least one event was accepted or was a duplicate; otherwise 403 when every rejection was \`tenant_mismatch\`, else 400. ${browsers}`,
    bearer: true,
    scope: "send",
    cors: true,
    request: {
      description: `\`application/json\` (a charset parameter is fine), at most ${maxBodyBytes} bytes.`,
      component: "IngestRequest",
      examples: {
        single: { summary: "One event", value: exampleEvent(events[eventKeys[0]!]) },
        batch: { summary: "A batch", value: eventKeys.map((k) => exampleEvent(events[k])) },
      },
    },
    responses: {
      "202": {
        description: "At least one event was accepted or was a duplicate; the accepted ones are stored.",
        body: IngestResponse,
        example: {
          accepted: 1,
          duplicates: 0,
          rejected: 1,
          results: [
            { index: 0, status: "accepted", id: "3f1c9a…" },
            {
              index: 1,
              status: "rejected",
              issues: [
                {
                  path: "/context/ootb_email",
                  code: "invalid_format",
                  message: 'ootb_email must be an email address, got "x"',
                },
              ],
            },
          ],
        },
      },
      "400": {
        description: `Every event was rejected (\`application/json\`, the usual body), or the request itself is wrong (\`application/problem+json\`): \`malformed_json\`, \`invalid_body\` (neither an object nor an array of them), \`batch_size\` (empty, or over ${maxBatch}).`,
        body: IngestResponse,
        problems: ["malformed_json", "invalid_body", "batch_size"],
      },
      "401": "Unauthorized",
      "403": {
        description:
          "Every event was rejected and every rejection was `tenant_mismatch` (`application/json`, the usual body); or the request was refused before its body was read (`application/problem+json`, `forbidden`): the key lacks the `send` scope, or the request's `Origin` is not among the `allowedOrigins` of the key's tenant. Nothing was written.",
        body: IngestResponse,
        problems: ["forbidden"],
      },
      "413": {
        description: `The body is larger than ${maxBodyBytes} bytes (1 MiB); it was not read.`,
        problems: ["payload_too_large"],
      },
      "415": { description: "The `Content-Type` is not `application/json`.", problems: ["unsupported_media_type"] },
      "429": "RateLimited",
      "503": "Unavailable",
    },
  },
  preflightEvents: {
    method: "options",
    path: "/v1/events",
    tags: ["events"],
    summary: "CORS preflight of sending events",
    description: `What a browser asks before a page on another origin may \`POST /v1/events\`; it carries no key, so it is answered by its \`Origin\` alone. When some tenant's \`allowedOrigins\` lists that origin, the answer allows it (the origin, \`${corsPolicy.allowMethods.join(", ")}\`, the headers \`${corsPolicy.allowHeaders.join(", ")}\`, for ${corsPolicy.maxAgeSeconds} s); otherwise it carries no CORS headers and the browser sends nothing. Credentials (cookies) are never allowed. Whether the key of the actual request may send from that origin is checked on the request itself.`,
    bearer: false,
    responses: {
      "204": {
        description:
          "The preflight's answer: with the CORS headers when some tenant allows the `Origin`, without any otherwise.",
        headers: [
          "AccessControlAllowOrigin",
          "AccessControlAllowMethods",
          "AccessControlAllowHeaders",
          "AccessControlMaxAge",
          "Vary",
        ],
      },
    },
  },
  listCustomerEventsByQuery: byQuery.listEvents,
  getCustomer: byPath.getProfile,
  deleteCustomer: byPath.erase,
  listCustomerEvents: byPath.listEvents,
  getCustomerByQuery: byQuery.getProfile,
  deleteCustomerByQuery: byQuery.erase,
  listSchemas: {
    method: "get",
    path: "/v1/schemas",
    tags: ["schemas"],
    summary: "List the event kinds",
    description: "Every event key, with a link to its JSON Schema.",
    bearer: false,
    responses: {
      "200": {
        description: "The event kinds.",
        body: SchemaList,
        example: {
          schemas: eventKeys.map((k) => ({
            event: k,
            title: events[k].title,
            url: `http://localhost:8787/v1/schemas/${k}.json`,
          })),
        },
      },
    },
  },
  getEventSchema: {
    method: "get",
    path: "/v1/schemas/{event}.json",
    tags: ["schemas"],
    summary: "Read an event kind's JSON Schema",
    description: `The JSON Schema (draft 2020-12) of the event kind, as published at \`${schemaIdBase}${jsonSchemaFileName(eventKeys[0]!)}\`.`,
    bearer: false,
    parameters: [
      { name: "event", in: "path", required: true, description: "The event key.", schema: Schema.Literals(eventKeys) },
    ],
    responses: {
      "200": {
        description: "The JSON Schema.",
        body: Schema.Record(Schema.String, Schema.Unknown),
        media: "application/schema+json",
      },
      "404": { description: "No event kind of that key.", problems: ["not_found"] },
    },
  },
  getOpenApi: {
    method: "get",
    path: "/openapi.json",
    tags: ["documentation"],
    summary: "This OpenAPI 3.1 document",
    bearer: false,
    responses: {
      "200": { description: "The OpenAPI document.", body: Schema.Record(Schema.String, Schema.Unknown) },
    },
  },
  getDocs: {
    method: "get",
    path: "/docs",
    tags: ["documentation"],
    summary: "Human-readable documentation",
    description: "One HTML page documenting the API and every event kind.",
    bearer: false,
    responses: { "200": { description: "The page.", body: Schema.String, media: "text/html" } },
  },
  getHealth: {
    method: "get",
    path: "/healthz",
    tags: ["operations"],
    summary: "Health check",
    description: "Whether storage answers.",
    bearer: false,
    responses: {
      "200": { description: "Storage answers.", body: Health, example: { status: "ok" } },
      "503": {
        description: "Storage does not answer.",
        body: Health,
        example: { status: "unavailable" },
        headers: ["RetryAfter"],
      },
    },
  },
  getMetrics: {
    method: "get",
    path: "/metrics",
    tags: ["operations"],
    summary: "Metrics",
    description: "Request, event, issue and storage metrics in the Prometheus text format (version 0.0.4).",
    bearer: false,
    responses: { "200": { description: "The metrics.", body: Schema.String, media: "text/plain" } },
  },
} as const satisfies Record<string, Route>

/**
 * The `operationId` of a route.
 *
 * @since 0.1.0
 * @category routes
 */
export type OperationId = keyof typeof routes
