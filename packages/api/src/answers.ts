/**
 * Every answer body of the ingestion API as an Effect Schema: the ingest
 * answer with its per-event results and issues, Problem Details, the
 * profile, the activity page, the schema index and health. The handler's
 * types come from them (`typeof X.Type`) and the OpenAPI document's
 * components are generated from them; a client can decode answers with them.
 * Each schema's `identifier` is its component name in the OpenAPI document.
 *
 * @module
 */
import { type AnyEventDefinition, envelope, eventKeys, events, issueCodes } from "@cdp/schema"
import * as Schema from "effect/Schema"
import { apiLimits } from "./limits.ts"
import { problemCodes, problemType } from "./problems.ts"

/**
 * The documented timestamp form of every answer, `YYYY-MM-DD HH:MM:SS.ssssss UTC`,
 * as a JSON Schema pattern.
 *
 * @since 0.1.0
 * @category answers
 */
export const responseTimestampPattern = "^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{6} UTC$"

const nonNegativeInt = Schema.Int.check(Schema.isGreaterThanOrEqualTo(0))

/**
 * An instant in the documented form.
 *
 * @since 0.1.0
 * @category answers
 */
export const Timestamp = Schema.String.check(Schema.isPattern(new RegExp(responseTimestampPattern, "u"))).annotate({
  identifier: "Timestamp",
  description: "An instant in the documented form `YYYY-MM-DD HH:MM:SS.ssssss UTC`.",
  examples: [envelope.timestamp.example],
})

/**
 * One problem with one event; its `code` is one of `@cdp/schema`'s issue codes.
 *
 * @since 0.1.0
 * @category answers
 */
export const Issue = Schema.Struct({
  path: Schema.String.annotate({
    description: "A JSON Pointer (RFC 6901) into the event; empty for the event itself.",
    examples: ["/context/ootb_email"],
  }),
  code: Schema.Literals(issueCodes).annotate({ description: "The kind of issue, from a closed set." }),
  message: Schema.String.annotate({
    description: "Names the field, what was expected and what came.",
    examples: ['ootb_email must be an email address, got "x"'],
  }),
}).annotate({ identifier: "Issue", description: "One problem with one event." })

/** @since 0.1.0 @category answers */
export type Issue = typeof Issue.Type

const resultIndex = nonNegativeInt.annotate({
  description: "The event's position in the batch (0 for a single event).",
})

/**
 * The outcome of one event: `accepted` or `duplicate` with its id, or
 * `rejected` with every issue.
 *
 * @since 0.1.0
 * @category answers
 */
export const EventResult = Schema.Union([
  Schema.Struct({
    index: resultIndex,
    status: Schema.Literals(["accepted", "duplicate"]).annotate({
      description: "`accepted`: stored now; `duplicate`: stored before, nothing changed.",
    }),
    id: Schema.String.annotate({ description: "The event id: a digest of the event's canonical form." }),
  }).annotate({ title: "Stored", description: "The event is stored: now, or by an earlier request." }),
  Schema.Struct({
    index: resultIndex,
    status: Schema.Literal("rejected").annotate({ description: "`rejected`: not stored." }),
    issues: Schema.Array(Issue)
      .check(Schema.isMinLength(1))
      .annotate({ description: "Every issue of the rejected event, ordered by path." }),
  }).annotate({ title: "Rejected", description: "The event is not stored." }),
]).annotate({
  identifier: "EventResult",
  description:
    "The outcome of one event of the request: `accepted` or `duplicate` with its id, or `rejected` with every issue.",
})

/** @since 0.1.0 @category answers */
export type EventResult = typeof EventResult.Type

/**
 * The answer of `POST /v1/events`, single event and batch alike.
 *
 * @since 0.1.0
 * @category answers
 */
export const IngestResponse = Schema.Struct({
  accepted: nonNegativeInt.annotate({ description: "Events stored by this request." }),
  duplicates: nonNegativeInt.annotate({ description: "Events already stored (same id); nothing changed." }),
  rejected: nonNegativeInt.annotate({ description: "Events refused, with their issues." }),
  results: Schema.Array(EventResult).annotate({ description: "One result per event, in request order." }),
}).annotate({
  identifier: "IngestResponse",
  description: "The outcome of a request, event by event (single event and batch alike).",
})

/** @since 0.1.0 @category answers */
export type IngestResponse = typeof IngestResponse.Type

/**
 * A request-level error (Problem Details, RFC 9457) with the API's `code`.
 *
 * @since 0.1.0
 * @category answers
 */
export const Problem = Schema.Struct({
  type: Schema.String.annotate({ format: "uri", description: "A URI naming the kind of problem." }),
  title: Schema.String.annotate({ description: "A short summary of the kind of problem." }),
  status: Schema.Int.annotate({ description: "The HTTP status code." }),
  detail: Schema.String.annotate({ description: "What went wrong with this request." }),
  code: Schema.Literals(problemCodes).annotate({ description: "The API's code of the problem." }),
}).annotate({
  identifier: "Problem",
  description: "A request-level error (Problem Details, RFC 9457).",
  examples: [
    {
      type: problemType("payload_too_large"),
      title: "Payload too large",
      status: 413,
      detail: `The body exceeds ${apiLimits.maxBodyBytes} bytes (1 MiB).`,
      code: "payload_too_large",
    },
  ],
})

/** @since 0.1.0 @category answers */
export type Problem = typeof Problem.Type

/** The JSON types of the event kinds' parameters, one schema each. */
const parameterValue = (() => {
  const kinds: ReadonlyArray<AnyEventDefinition> = Object.values(events)
  const types = new Set(kinds.flatMap((def) => Object.values(def.fields).map((f) => f.type)))
  const members = [...(types.has("string") ? [Schema.String] : []), ...(types.has("boolean") ? [Schema.Boolean] : [])]
  return Schema.Union(members)
})()

/**
 * A customer's attributes by parameter key.
 *
 * @since 0.1.0
 * @category answers
 */
export const Attributes = Schema.Record(Schema.String, parameterValue).annotate({
  identifier: "Attributes",
  description:
    "The customer's attributes: each holds the value of the event with the latest `timestamp` that carried it (ties: the later arrival).",
  examples: [{ ootb_email: "john.doe@example.com", ootb_city: "NYC" }],
})

/**
 * A customer's profile in the tenant (`GET /v1/customers/{customer}`).
 *
 * @since 0.1.0
 * @category answers
 */
export const Profile = Schema.Struct({
  tenant: Schema.Int.check(Schema.isGreaterThanOrEqualTo(1)).annotate({ description: envelope.tenant.description }),
  customer: Schema.String.annotate({ description: envelope.customer.description }),
  attributes: Attributes.annotateKey({ description: "The customer's attributes, by parameter key." }),
  updated_at: Timestamp.annotateKey({ description: "The latest `timestamp` of the customer's events." }),
}).annotate({ identifier: "Profile", description: "A customer's profile in the tenant." })

/** @since 0.1.0 @category answers */
export type Profile = typeof Profile.Type

/**
 * A recorded event of a customer's activity.
 *
 * @since 0.1.0
 * @category answers
 */
export const StoredEvent = Schema.Struct({
  id: Schema.String.annotate({ description: "The event id." }),
  event: Schema.Literals(eventKeys).annotate({ description: envelope.event.description }),
  timestamp: Timestamp.annotateKey({ description: "When the event happened, normalised to UTC." }),
  received_at: Timestamp.annotateKey({ description: "When the API received the event." }),
  context: Schema.Record(Schema.String, parameterValue).annotate({
    description: "The event's parameters, as accepted.",
  }),
}).annotate({ identifier: "StoredEvent", description: "A recorded event of the customer's activity." })

/** @since 0.1.0 @category answers */
export type StoredEvent = typeof StoredEvent.Type

/**
 * A page of a customer's activity (`GET /v1/customers/{customer}/events`).
 *
 * @since 0.1.0
 * @category answers
 */
export const EventPage = Schema.Struct({
  events: Schema.Array(StoredEvent).annotate({ description: "At most `limit` events." }),
  next: Schema.NullOr(Schema.String).annotate({
    description: "The `cursor` of the next page, or `null` on the last page.",
  }),
}).annotate({ identifier: "EventPage", description: "A page of the customer's activity, newest `timestamp` first." })

/** @since 0.1.0 @category answers */
export type EventPage = typeof EventPage.Type

/**
 * An event kind and where its JSON Schema is served.
 *
 * @since 0.1.0
 * @category answers
 */
export const SchemaLink = Schema.Struct({
  event: Schema.Literals(eventKeys).annotate({ description: "The event key." }),
  title: Schema.String.annotate({ description: "The event kind's name." }),
  url: Schema.String.annotate({ format: "uri", description: "Where its JSON Schema (draft 2020-12) is served." }),
}).annotate({ identifier: "SchemaLink", description: "An event kind and where its JSON Schema is served." })

/**
 * The event kinds the server knows (`GET /v1/schemas`).
 *
 * @since 0.1.0
 * @category answers
 */
export const SchemaList = Schema.Struct({
  schemas: Schema.Array(SchemaLink).annotate({ description: "One per event kind." }),
}).annotate({ identifier: "SchemaList", description: "The event kinds this server knows." })

/** @since 0.1.0 @category answers */
export type SchemaList = typeof SchemaList.Type

/**
 * Whether storage answers (`GET /healthz`).
 *
 * @since 0.1.0
 * @category answers
 */
export const Health = Schema.Struct({
  status: Schema.Literals(["ok", "unavailable"]).annotate({
    description: "`ok` when storage answers, else `unavailable`.",
  }),
}).annotate({ identifier: "Health", description: "Whether storage answers." })

/** @since 0.1.0 @category answers */
export type Health = typeof Health.Type

/**
 * Every answer schema, in the order the OpenAPI document lists them.
 *
 * @since 0.1.0
 * @category answers
 */
export const answerSchemas = [
  Timestamp,
  Issue,
  EventResult,
  IngestResponse,
  Problem,
  Attributes,
  Profile,
  StoredEvent,
  EventPage,
  SchemaLink,
  SchemaList,
  Health,
] as const
