/**
 * The OpenAPI 3.1 document of the ingestion API (`ingest-api.md`), generated
 * from the event registry of `@cdp/schema`: each event kind's JSON Schema
 * (draft 2020-12, which OpenAPI 3.1 takes as it is) becomes a component, and
 * the request body of `POST /v1/events` is one of them or a batch of them.
 * Served at `/openapi.json`; the HTML docs read their route list from it.
 *
 * @module
 */
import {
  type AnyEventDefinition,
  envelope,
  eventKeys,
  events,
  Field,
  issueCodes,
  jsonSchemaFileName,
  schemaIdBase,
  toJsonSchema,
} from "@cdp/schema"
import schemaPackage from "@cdp/schema/package.json" with { type: "json" }
import { type ProblemCode, problemStatus } from "./problem.ts"

type Json = Record<string, unknown>

/**
 * The limits of the contract (`ingest-api.md`) that the document states. The
 * app enforces the same numbers (`test/openapi.test.ts` holds the two together).
 *
 * @since 0.1.0
 * @category openapi
 */
export const apiLimits = {
  /** The largest body, in bytes: 1 MiB. */
  maxBodyBytes: 1024 * 1024,
  /** The largest batch of events. */
  maxBatch: 500,
  /** The default page size of a customer's activity. */
  defaultPage: 50,
  /** The largest page size of a customer's activity. */
  maxPage: 100,
} as const

const { maxBodyBytes: MAX_BODY_BYTES, maxBatch: MAX_BATCH, defaultPage: DEFAULT_PAGE, maxPage: MAX_PAGE } = apiLimits

/**
 * The documented timestamp form of every response, `YYYY-MM-DD HH:MM:SS.ssssss UTC`.
 *
 * @since 0.1.0
 * @category openapi
 */
export const responseTimestampPattern = "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6} UTC$"

/**
 * The name of the security scheme (HTTP bearer) of the private routes.
 *
 * @since 0.1.0
 * @category openapi
 */
export const bearerScheme = "bearerAuth"

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
const pointerToken = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1")

/**
 * An event kind's JSON Schema as an OpenAPI component: `$schema` dropped (the
 * document's dialect is 2020-12 already), `$id` dropped so that the component
 * is addressed by its place in the document (the published copy is linked
 * from `externalDocs`), and references into its own `$defs` rewritten to
 * point at them where they now sit.
 */
const eventComponent = (def: AnyEventDefinition): Json => {
  const { $schema: _dialect, $id, ...schema } = toJsonSchema(def)
  const base = `#/components/schemas/${pointerToken(def.key)}`
  const rewrite = (u: unknown): unknown => {
    if (Array.isArray(u)) return u.map(rewrite)
    if (typeof u !== "object" || u === null) return u
    return Object.fromEntries(
      Object.entries(u).map(([k, v]) => [
        k,
        k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `${base}${v.slice(1)}` : rewrite(v),
      ]),
    )
  }
  return {
    ...(rewrite(schema) as Json),
    externalDocs: { description: "The published JSON Schema (draft 2020-12) of this event kind", url: String($id) },
  }
}

const exampleEvent = (def: AnyEventDefinition): Json => ({
  tenant: envelope.tenant.example,
  timestamp: envelope.timestamp.example,
  event: def.key,
  customer: envelope.customer.example,
  context: Object.fromEntries(Object.entries(def.fields).map(([k, s]) => [k, s.example])),
})

const problemResponse = (description: string, codes: ReadonlyArray<ProblemCode>, headers?: Json): Json => ({
  description,
  ...(headers ? { headers } : {}),
  content: {
    "application/problem+json": {
      schema: {
        allOf: [
          ref("Problem"),
          {
            properties: {
              status: { const: problemStatus[codes[0] as ProblemCode] },
              code: codes.length === 1 ? { const: codes[0] } : { enum: [...codes] },
            },
          },
        ],
      },
    },
  },
})

const retryAfter = { "Retry-After": { $ref: "#/components/headers/RetryAfter" } }

const responses = {
  Unauthorized: {
    ...problemResponse("No valid API key: `Authorization: Bearer <key>` is missing or unknown.", ["unauthorized"], {
      "WWW-Authenticate": { description: 'The scheme to use: `Bearer realm="ingest"`.', schema: { type: "string" } },
    }),
  },
  RateLimited: problemResponse(
    "The API key's rate limit is exceeded. Wait `Retry-After` seconds, then back off exponentially.",
    ["rate_limited"],
    retryAfter,
  ),
  Unavailable: problemResponse(
    "Storage is down or busy; nothing was written. Retry after `Retry-After` seconds.",
    ["unavailable"],
    retryAfter,
  ),
  NotFound: problemResponse("The tenant of the key has no such customer (also when another tenant has one).", [
    "not_found",
  ]),
}

const responseRef = (name: keyof typeof responses): Json => ({ $ref: `#/components/responses/${name}` })

const privateResponses = {
  "401": responseRef("Unauthorized"),
  "429": responseRef("RateLimited"),
  "503": responseRef("Unavailable"),
}

const json = (schema: Json, extra: Json = {}): Json => ({ content: { "application/json": { schema, ...extra } } })

const customerParameter = {
  name: "customer",
  in: "path",
  required: true,
  description: "The persistent customer id, as sent in the events' `customer` (percent-encoded in the path).",
  schema: { type: "string", minLength: 1, maxLength: Field.MAX_STRING_LENGTH },
  example: envelope.customer.example,
}

const customerQueryParameter = {
  ...customerParameter,
  in: "query",
  description:
    "The persistent customer id, as sent in the events' `customer` (percent-encoded in the query). Reaches every id, `.` and `..` included.",
}

const pageParameters = [
  {
    name: "limit",
    in: "query",
    required: false,
    description: `Events per page, 1 to ${MAX_PAGE}.`,
    schema: { type: "integer", minimum: 1, maximum: MAX_PAGE, default: DEFAULT_PAGE },
  },
  {
    name: "cursor",
    in: "query",
    required: false,
    description: "The `next` value of the previous page; leave out for the first page.",
    schema: { type: "string" },
  },
]

/** The operations on one customer, named by its path segment or by the `customer` query parameter. */
const customerOperations = (via: "path" | "query"): { getProfile: Json; erase: Json; listEvents: Json } => {
  const byQuery = via === "query"
  const name = (operation: string): string => (byQuery ? `${operation}ByQuery` : operation)
  const missing: Json = byQuery
    ? { "400": problemResponse("The `customer` query parameter is missing.", ["invalid_body"]) }
    : {}
  const form = byQuery
    ? " The customer is named by the `customer` query parameter: the form that reaches every id, `.` and `..` included (URL parsers resolve those path segments away)."
    : ""
  return {
    getProfile: {
      operationId: name("getCustomer"),
      tags: ["customers"],
      summary: byQuery ? "Read a customer's profile (id in the query)" : "Read a customer's profile",
      description: `The tenant's profile of the customer: every attribute with the value of the latest event that carried it.${form}`,
      security: [{ [bearerScheme]: [] }],
      responses: {
        "200": {
          description: "The profile.",
          ...json(ref("Profile"), {
            example: {
              tenant: envelope.tenant.example,
              customer: envelope.customer.example,
              attributes: { ootb_email: "john.doe@example.com", ootb_city: "NYC" },
              updated_at: envelope.timestamp.example,
            },
          }),
        },
        ...missing,
        "404": responseRef("NotFound"),
        ...privateResponses,
      },
    },
    erase: {
      operationId: name("deleteCustomer"),
      tags: ["customers"],
      summary: byQuery ? "Erase a customer (id in the query)" : "Erase a customer (right to be forgotten)",
      description: `Erases the profile and every recorded event of the customer in the tenant. Afterwards the customer's routes answer 404.${form}`,
      security: [{ [bearerScheme]: [] }],
      responses: {
        "204": { description: "Erased." },
        ...missing,
        "404": responseRef("NotFound"),
        ...privateResponses,
      },
    },
    listEvents: {
      operationId: name("listCustomerEvents"),
      tags: ["customers"],
      summary: byQuery ? "Page through a customer's activity (id in the query)" : "Page through a customer's activity",
      description: `The customer's recorded events, newest \`timestamp\` first, a page at a time.${form}`,
      security: [{ [bearerScheme]: [] }],
      parameters: pageParameters,
      responses: {
        "200": { description: "A page of events.", ...json(ref("EventPage")) },
        "400": problemResponse(
          `${byQuery ? "The `customer` query parameter is missing, or " : ""}\`limit\` is not an integer from 1 to ${MAX_PAGE}, or \`cursor\` is not one this API returned.`,
          ["invalid_body"],
        ),
        "404": responseRef("NotFound"),
        ...privateResponses,
      },
    },
  }
}

const description =
  (): string => `The ingestion API of the customer data platform: clients send events, the API validates each one against the contract of its event kind (package \`@cdp/schema\` ${schemaPackage.version}), records the accepted ones and keeps each customer's profile in sync.

## Authentication

Every route under \`/v1/events\` and \`/v1/customers\` needs \`Authorization: Bearer <key>\`. Each key belongs to exactly one tenant; every read and write is confined to it. \`/v1/schemas\`, \`/openapi.json\`, \`/docs\`, \`/healthz\` and \`/metrics\` are public.

## Ingesting events

\`POST /v1/events\` takes one event or a JSON array of 1 to ${MAX_BATCH} (at most ${MAX_BODY_BYTES / 1024 / 1024} MiB). Each event is judged on its own: its schema (envelope and the context of its event key), \`tenant\` equal to the key's tenant, and the parameters the tenant's execution channels make mandatory. Every issue of an event is reported, each with a JSON Pointer into the event and a code from a closed set. An accepted event is stored durably before the answer is sent. The event id is a digest of the event's canonical form: the same event sent again gets the same id, status \`duplicate\`, and changes nothing.

## Profiles: the overwrite rule

An accepted event records the customer's activity and overwrites the customer's profile attributes with every parameter it carries: a parameter that is absent leaves the attribute alone, a parameter that is present (an empty string included) replaces it. Each attribute holds the value of the event with the latest \`timestamp\` that carried it; on equal timestamps the later arrival wins. An older event that arrives late is recorded in the activity log but does not overwrite newer values.

## Customer ids in URLs

A customer's routes name the customer in the path, percent-encoded as one segment (\`/v1/customers/{customer}\`, \`/v1/customers/{customer}/events\`). Two ids cannot travel that way, \`.\` and \`..\`, because every URL parser resolves those segments (and their percent-encoded forms) away; so each route also takes the id as the \`customer\` query parameter: \`GET\` and \`DELETE /v1/customers?customer=\`, \`GET /v1/events?customer=\`. The query forms answer exactly as the path forms and reach every stored customer; a client that wants one form for all ids uses them.

## Timestamps

Events may be sent with \`YYYY-MM-DD HH:MM:SS.ssssss UTC\` or RFC 3339 timestamps. Every timestamp in a response (\`updated_at\`, an event's \`timestamp\` and \`received_at\`) is in the documented form \`YYYY-MM-DD HH:MM:SS.ssssss UTC\`.

## Errors

Request-level errors are Problem Details (RFC 9457, \`application/problem+json\`) with a \`code\`. Every response carries an \`X-Request-Id\` header (the one sent, when it is well-formed).`

const schemas = (): Json => {
  const eventRefs = eventKeys.map((k) => ref(k))
  const kinds: ReadonlyArray<AnyEventDefinition> = Object.values(events)
  const valueTypes = [...new Set(kinds.flatMap((def) => Object.values(def.fields).map((f) => f.type)))]
  const issue = {
    type: "object",
    description: "One problem with one event.",
    required: ["path", "code", "message"],
    properties: {
      path: {
        type: "string",
        description: "A JSON Pointer (RFC 6901) into the event; empty for the event itself.",
        examples: ["/context/ootb_email"],
      },
      code: {
        type: "string",
        enum: [...issueCodes],
        description: "The kind of issue, from a closed set.",
      },
      message: {
        type: "string",
        description: "Names the field, what was expected and what came.",
        examples: ['ootb_email must be an email address, got "x"'],
      },
    },
    additionalProperties: false,
  }
  return {
    ...Object.fromEntries(eventKeys.map((k) => [k, eventComponent(events[k])])),
    Event: {
      description: "One event: an object of one of the event kinds, chosen by `event`.",
      oneOf: eventRefs,
      discriminator: { propertyName: "event", mapping: Object.fromEntries(eventKeys.map((k) => [k, ref(k).$ref])) },
    },
    EventBatch: {
      type: "array",
      description: `A batch of 1 to ${MAX_BATCH} events, each judged on its own.`,
      minItems: 1,
      maxItems: MAX_BATCH,
      items: ref("Event"),
    },
    IngestRequest: {
      description: `One event, or a JSON array of 1 to ${MAX_BATCH} events.`,
      oneOf: [ref("Event"), ref("EventBatch")],
    },
    Timestamp: {
      type: "string",
      description: "An instant in the documented form `YYYY-MM-DD HH:MM:SS.ssssss UTC`.",
      pattern: responseTimestampPattern,
      examples: [envelope.timestamp.example],
    },
    Issue: issue,
    EventResult: {
      type: "object",
      description:
        "The outcome of one event of the request: `accepted` or `duplicate` with its id, or `rejected` with every issue.",
      required: ["index", "status"],
      properties: {
        index: {
          type: "integer",
          minimum: 0,
          description: "The event's position in the batch (0 for a single event).",
        },
        status: {
          type: "string",
          enum: ["accepted", "duplicate", "rejected"],
          description: "`accepted`: stored now; `duplicate`: stored before, nothing changed; `rejected`: not stored.",
        },
        id: { type: "string", description: "The event id: a digest of the event's canonical form." },
        issues: {
          type: "array",
          items: ref("Issue"),
          minItems: 1,
          description: "Every issue of a rejected event, ordered by path.",
        },
      },
      oneOf: [
        {
          properties: { status: { enum: ["accepted", "duplicate"] } },
          required: ["id"],
          not: { required: ["issues"] },
        },
        { properties: { status: { const: "rejected" } }, required: ["issues"], not: { required: ["id"] } },
      ],
      additionalProperties: false,
    },
    IngestResponse: {
      type: "object",
      description: "The outcome of a request, event by event (single event and batch alike).",
      required: ["accepted", "duplicates", "rejected", "results"],
      properties: {
        accepted: { type: "integer", minimum: 0, description: "Events stored by this request." },
        duplicates: { type: "integer", minimum: 0, description: "Events already stored (same id); nothing changed." },
        rejected: { type: "integer", minimum: 0, description: "Events refused, with their issues." },
        results: { type: "array", items: ref("EventResult"), description: "One result per event, in request order." },
      },
      additionalProperties: false,
    },
    Problem: {
      type: "object",
      description: "A request-level error (Problem Details, RFC 9457).",
      required: ["type", "title", "status", "detail", "code"],
      properties: {
        type: { type: "string", format: "uri", description: "A URI naming the kind of problem." },
        title: { type: "string", description: "A short summary of the kind of problem." },
        status: { type: "integer", description: "The HTTP status code." },
        detail: { type: "string", description: "What went wrong with this request." },
        code: {
          type: "string",
          enum: Object.keys(problemStatus),
          description: "The API's code of the problem.",
        },
      },
      examples: [
        {
          type: "https://cdp.dev/problems/payload-too-large",
          title: "Payload too large",
          status: 413,
          detail: `The body exceeds ${MAX_BODY_BYTES} bytes (1 MiB).`,
          code: "payload_too_large",
        },
      ],
    },
    Attributes: {
      type: "object",
      description:
        "The customer's attributes: each holds the value of the event with the latest `timestamp` that carried it (ties: the later arrival).",
      additionalProperties: { type: valueTypes.length === 1 ? valueTypes[0] : valueTypes },
      examples: [{ ootb_email: "john.doe@example.com", ootb_city: "NYC" }],
    },
    Profile: {
      type: "object",
      description: "A customer's profile in the tenant.",
      required: ["tenant", "customer", "attributes", "updated_at"],
      properties: {
        tenant: { type: "integer", minimum: 1, description: envelope.tenant.description },
        customer: { type: "string", description: envelope.customer.description },
        attributes: { ...ref("Attributes"), description: "The customer's attributes, by parameter key." },
        updated_at: { ...ref("Timestamp"), description: "The latest `timestamp` of the customer's events." },
      },
      additionalProperties: false,
    },
    StoredEvent: {
      type: "object",
      description: "A recorded event of the customer's activity.",
      required: ["id", "event", "timestamp", "received_at", "context"],
      properties: {
        id: { type: "string", description: "The event id." },
        event: { type: "string", enum: [...eventKeys], description: envelope.event.description },
        timestamp: { ...ref("Timestamp"), description: "When the event happened, normalised to UTC." },
        received_at: { ...ref("Timestamp"), description: "When the API received the event." },
        context: {
          type: "object",
          description: "The event's parameters, as accepted.",
          additionalProperties: { type: valueTypes.length === 1 ? valueTypes[0] : valueTypes },
        },
      },
      additionalProperties: false,
    },
    EventPage: {
      type: "object",
      description: "A page of the customer's activity, newest `timestamp` first.",
      required: ["events", "next"],
      properties: {
        events: { type: "array", items: ref("StoredEvent"), description: "At most `limit` events." },
        next: {
          type: ["string", "null"],
          description: "The `cursor` of the next page, or `null` on the last page.",
        },
      },
      additionalProperties: false,
    },
    SchemaLink: {
      type: "object",
      description: "An event kind and where its JSON Schema is served.",
      required: ["event", "title", "url"],
      properties: {
        event: { type: "string", enum: [...eventKeys], description: "The event key." },
        title: { type: "string", description: "The event kind's name." },
        url: { type: "string", format: "uri", description: "Where its JSON Schema (draft 2020-12) is served." },
      },
      additionalProperties: false,
    },
    SchemaList: {
      type: "object",
      description: "The event kinds this server knows.",
      required: ["schemas"],
      properties: { schemas: { type: "array", items: ref("SchemaLink"), description: "One per event kind." } },
      additionalProperties: false,
    },
    Health: {
      type: "object",
      description: "Whether storage answers.",
      required: ["status"],
      properties: { status: { type: "string", enum: ["ok", "unavailable"] } },
      additionalProperties: false,
    },
  }
}

const paths = (): Json => {
  const ingestResult = (description: string, example?: Json): Json => ({
    description,
    ...json(ref("IngestResponse"), example ? { example } : {}),
  })
  const single = exampleEvent(events[eventKeys[0]!])
  const byPath = customerOperations("path")
  const byQuery = customerOperations("query")
  return {
    "/v1/events": {
      post: {
        operationId: "ingestEvents",
        tags: ["events"],
        summary: "Send one event or a batch",
        description: `The body is one event or a JSON array of 1 to ${MAX_BATCH}; each event is judged on its own (schema, tenant, the tenant's channel parameters). The same event sent again is a \`duplicate\` and changes nothing. Status: 202 when at least one event was accepted or was a duplicate; otherwise 403 when every rejection was \`tenant_mismatch\`, else 400.`,
        security: [{ [bearerScheme]: [] }],
        requestBody: {
          required: true,
          description: `\`application/json\` (a charset parameter is fine), at most ${MAX_BODY_BYTES} bytes.`,
          content: {
            "application/json": {
              schema: ref("IngestRequest"),
              examples: {
                single: { summary: "One event", value: single },
                batch: {
                  summary: "A batch",
                  value: eventKeys.map((k) => exampleEvent(events[k])),
                },
              },
            },
          },
        },
        responses: {
          "202": ingestResult("At least one event was accepted or was a duplicate; the accepted ones are stored.", {
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
          }),
          "400": {
            description:
              "Every event was rejected (`application/json`, the usual body), or the request itself is wrong (`application/problem+json`): `malformed_json`, `invalid_body` (neither an object nor an array of them), `batch_size` (empty, or over 500).",
            content: {
              ...(ingestResult("").content as Json),
              ...(problemResponse("", ["malformed_json", "invalid_body", "batch_size"]).content as Json),
            },
          },
          "401": responseRef("Unauthorized"),
          "403": ingestResult("Every event was rejected and every rejection was `tenant_mismatch`."),
          "413": problemResponse(`The body is larger than ${MAX_BODY_BYTES} bytes (1 MiB); it was not read.`, [
            "payload_too_large",
          ]),
          "415": problemResponse("The `Content-Type` is not `application/json`.", ["unsupported_media_type"]),
          "429": responseRef("RateLimited"),
          "503": responseRef("Unavailable"),
        },
      },
      get: { ...byQuery.listEvents, parameters: [customerQueryParameter, ...pageParameters] },
    },
    "/v1/customers/{customer}": {
      parameters: [customerParameter],
      get: byPath.getProfile,
      delete: byPath.erase,
    },
    "/v1/customers/{customer}/events": {
      parameters: [customerParameter],
      get: byPath.listEvents,
    },
    "/v1/customers": {
      parameters: [customerQueryParameter],
      get: byQuery.getProfile,
      delete: byQuery.erase,
    },
    "/v1/schemas": {
      get: {
        operationId: "listSchemas",
        tags: ["schemas"],
        summary: "List the event kinds",
        description: "Every event key, with a link to its JSON Schema.",
        responses: {
          "200": {
            description: "The event kinds.",
            ...json(ref("SchemaList"), {
              example: {
                schemas: eventKeys.map((k) => ({
                  event: k,
                  title: events[k].title,
                  url: `http://localhost:8787/v1/schemas/${k}.json`,
                })),
              },
            }),
          },
        },
      },
    },
    "/v1/schemas/{event}.json": {
      get: {
        operationId: "getEventSchema",
        tags: ["schemas"],
        summary: "Read an event kind's JSON Schema",
        description: `The JSON Schema (draft 2020-12) of the event kind, as published at \`${schemaIdBase}${jsonSchemaFileName(eventKeys[0]!)}\`.`,
        parameters: [
          {
            name: "event",
            in: "path",
            required: true,
            description: "The event key.",
            schema: { type: "string", enum: [...eventKeys] },
          },
        ],
        responses: {
          "200": {
            description: "The JSON Schema.",
            content: { "application/schema+json": { schema: { type: "object" } } },
          },
          "404": problemResponse("No event kind of that key.", ["not_found"]),
        },
      },
    },
    "/openapi.json": {
      get: {
        operationId: "getOpenApi",
        tags: ["documentation"],
        summary: "This OpenAPI 3.1 document",
        responses: { "200": { description: "The OpenAPI document.", ...json({ type: "object" }) } },
      },
    },
    "/docs": {
      get: {
        operationId: "getDocs",
        tags: ["documentation"],
        summary: "Human-readable documentation",
        description: "One HTML page documenting the API and every event kind.",
        responses: { "200": { description: "The page.", content: { "text/html": { schema: { type: "string" } } } } },
      },
    },
    "/healthz": {
      get: {
        operationId: "getHealth",
        tags: ["operations"],
        summary: "Health check",
        description: "Whether storage answers.",
        responses: {
          "200": { description: "Storage answers.", ...json(ref("Health"), { example: { status: "ok" } }) },
          "503": {
            description: "Storage does not answer.",
            headers: retryAfter,
            ...json(ref("Health"), { example: { status: "unavailable" } }),
          },
        },
      },
    },
    "/metrics": {
      get: {
        operationId: "getMetrics",
        tags: ["operations"],
        summary: "Metrics",
        description: "Request, event, issue and storage metrics in the Prometheus text format (version 0.0.4).",
        responses: {
          "200": { description: "The metrics.", content: { "text/plain": { schema: { type: "string" } } } },
        },
      },
    },
  }
}

/**
 * The OpenAPI 3.1.0 document of the whole API. Built on each call; callers
 * that serve it cache the text.
 *
 * @since 0.1.0
 * @category openapi
 */
export const openApiDocument = (): Record<string, unknown> => ({
  openapi: "3.1.0",
  info: {
    title: "CDP ingestion API",
    version: schemaPackage.version,
    summary: "Send customer events; read and erase customer profiles and activity.",
    description: description(),
    license: { name: "MIT", identifier: "MIT" },
  },
  tags: [
    { name: "events", description: "Event ingestion." },
    { name: "customers", description: "Profiles and activity of the tenant's customers." },
    { name: "schemas", description: "The event contract, as JSON Schema (public)." },
    { name: "documentation", description: "This document and the HTML docs (public)." },
    { name: "operations", description: "Health and metrics (public)." },
  ],
  paths: paths(),
  components: {
    schemas: schemas(),
    responses,
    headers: {
      RetryAfter: {
        description: "Seconds to wait before retrying.",
        schema: { type: "integer", minimum: 0 },
      },
    },
    securitySchemes: {
      [bearerScheme]: {
        type: "http",
        scheme: "bearer",
        description:
          "An API key of the tenant: `Authorization: Bearer <key>`. The server keeps only SHA-256 digests of keys.",
      },
    },
  },
})
