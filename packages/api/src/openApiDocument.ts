/**
 * The OpenAPI 3.1 document of the ingestion API, rendered from the route
 * table (`routes.ts`) and the answer schemas (`answers.ts`): the answers'
 * components are generated from their Effect Schemas (Effect's JSON Schema
 * output, converted to OpenAPI 3.1), and each event kind's JSON Schema
 * from `@cdp/schema` becomes the component of its request body. Served at
 * `/openapi.json`; the docs page is rendered from it.
 *
 * @module
 */
import { type AnyEventDefinition, eventKeys, events, toJsonSchema } from "@cdp/schema"
import schemaPackage from "@cdp/schema/package.json" with { type: "json" }
import * as JsonSchema from "effect/JsonSchema"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import * as SchemaRepresentation from "effect/SchemaRepresentation"
import { corsPolicy, keyScopes } from "./access.ts"
import { answerSchemas } from "./answers.ts"
import { apiLimits } from "./limits.ts"
import { problemStatus } from "./problems.ts"
import { type Answer, answerHeaders, type Parameter, type Route, routes, sharedAnswers } from "./routes.ts"

type Json = Record<string, unknown>

/**
 * The name of the security scheme (HTTP bearer) of the private routes.
 *
 * @since 0.1.0
 * @category openapi
 */
export const bearerScheme = "bearerAuth"

const { maxBatch, maxBodyBytes } = apiLimits
const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` })
const pointerToken = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1")

/**
 * Tidies a generated schema for readers: a single-member `anyOf` becomes its
 * member, and `allOf: [{ $ref }, { annotations }]` (how a use site annotates
 * a referenced schema) becomes `{ $ref, annotations }`, which 3.1 allows.
 */
const tidy = (u: unknown): unknown => {
  if (Array.isArray(u)) return u.map(tidy)
  if (typeof u !== "object" || u === null) return u
  const node = Object.fromEntries(Object.entries(u).map(([k, v]) => [k, tidy(v)])) as Json
  const { anyOf, allOf, ...rest } = node
  if (Array.isArray(anyOf) && anyOf.length === 1 && allOf === undefined) return { ...(anyOf[0] as Json), ...rest }
  if (Array.isArray(allOf) && allOf.length === 2 && anyOf === undefined) {
    const [target, annotations] = allOf as [Json, Json]
    const onlyAnnotations = Object.keys(annotations).every((k) => ["description", "title", "examples"].includes(k))
    if (typeof target.$ref === "string" && Object.keys(target).length === 1 && onlyAnnotations) {
      return { ...target, ...annotations, ...rest }
    }
  }
  return node
}

/** The JSON Schema of a schema without an identifier (a parameter, a plain body), inline. */
const inlineSchema = (schema: Schema.Top): Json =>
  tidy(Schema.toJsonSchemaDocument(schema, { onExcessProperty: "error" }).schema) as Json

/** A body schema: a reference to its component when it has an identifier, else inline. */
const bodySchema = (schema: Schema.Top): Json => {
  const id = SchemaAST.resolveIdentifier(schema.ast)
  return id === undefined ? inlineSchema(schema) : ref(id)
}

/** The answer schemas as components, with shared definitions as references between them. */
const answerComponents = (): Json => {
  const [first, ...more] = answerSchemas
  const representations = SchemaRepresentation.toRepresentations([first.ast, ...more.map((s) => s.ast)])
  const document = JsonSchema.toMultiDocumentOpenApi3_1(
    SchemaRepresentation.toJsonSchemaMultiDocument(representations, { onExcessProperty: "error" }),
  )
  return Object.fromEntries(
    answerSchemas.map((s) => {
      const id = SchemaAST.resolveIdentifier(s.ast) as string
      return [id, tidy(document.definitions[id])]
    }),
  )
}

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

/** The request side: each event kind, one event of any kind, a batch, and the body of `POST /v1/events`. */
const requestComponents = (): Json => ({
  ...Object.fromEntries(eventKeys.map((k) => [k, eventComponent(events[k])])),
  Event: {
    description: "One event: an object of one of the event kinds, chosen by `event`.",
    oneOf: eventKeys.map((k) => ref(k)),
    discriminator: { propertyName: "event", mapping: Object.fromEntries(eventKeys.map((k) => [k, ref(k).$ref])) },
  },
  EventBatch: {
    type: "array",
    description: `A batch of 1 to ${maxBatch} events, each judged on its own.`,
    minItems: 1,
    maxItems: maxBatch,
    items: ref("Event"),
  },
  IngestRequest: {
    description: `One event, or a JSON array of 1 to ${maxBatch} events.`,
    oneOf: [ref("Event"), ref("EventBatch")],
  },
})

const headerObject = (name: keyof typeof answerHeaders): Json => ({
  description: answerHeaders[name].description,
  schema: inlineSchema(answerHeaders[name].schema),
})

/** One answer as an OpenAPI response object. */
const responseObject = (answer: Answer): Json => {
  const content: Json = {}
  if (answer.body !== undefined) {
    content[answer.media ?? "application/json"] = {
      schema: bodySchema(answer.body),
      ...(answer.example !== undefined ? { example: answer.example } : {}),
    }
  }
  const codes = answer.problems ?? []
  if (codes.length > 0) {
    content["application/problem+json"] = {
      schema: {
        allOf: [
          ref("Problem"),
          {
            properties: {
              status: { const: problemStatus[codes[0]!] },
              code: codes.length === 1 ? { const: codes[0] } : { enum: [...codes] },
            },
          },
        ],
      },
    }
  }
  const headers = answer.headers ?? []
  return {
    description: answer.description,
    ...(headers.length > 0
      ? {
          headers: Object.fromEntries(
            headers.map((h) => [answerHeaders[h].name, { $ref: `#/components/headers/${h}` }]),
          ),
        }
      : {}),
    ...(Object.keys(content).length > 0 ? { content } : {}),
  }
}

const parameterObject = (p: Parameter): Json => ({
  name: p.name,
  in: p.in,
  required: p.required,
  description: p.description,
  schema: inlineSchema(p.schema),
  ...(p.example !== undefined ? { example: p.example } : {}),
})

const operationObject = (operationId: string, route: Route): Json => ({
  operationId,
  tags: [...route.tags],
  summary: route.summary,
  ...(route.description !== undefined ? { description: route.description } : {}),
  // OpenAPI 3.1 lets a requirement of an HTTP scheme name roles: the key's scope.
  ...(route.bearer ? { security: [{ [bearerScheme]: [route.scope] }] } : {}),
  ...(route.parameters !== undefined ? { parameters: route.parameters.map(parameterObject) } : {}),
  ...(route.request !== undefined
    ? {
        requestBody: {
          required: true,
          description: route.request.description,
          content: {
            "application/json": { schema: ref(route.request.component), examples: route.request.examples },
          },
        },
      }
    : {}),
  responses: Object.fromEntries(
    Object.entries(route.responses).map(([status, answer]) => [
      status,
      typeof answer === "string" ? { $ref: `#/components/responses/${answer}` } : responseObject(answer),
    ]),
  ),
})

const paths = (): Json => {
  const out: Record<string, Json> = {}
  for (const [operationId, route] of Object.entries(routes) as Array<[string, Route]>) {
    out[route.path] = { ...out[route.path], [route.method]: operationObject(operationId, route) }
  }
  return out
}

const scopeList = (): string =>
  Object.entries(keyScopes)
    .map(([scope, what]) => `\`${scope}\` (${what.replace(/\.$/, "")})`)
    .join(", ")

const description =
  (): string => `The ingestion API of the customer data platform: clients send events, the API validates each one against the contract of its event kind (package \`@cdp/schema\` ${schemaPackage.version}), records the accepted ones and keeps each customer's profile in sync.

## Authentication

Every route under \`/v1/events\` and \`/v1/customers\` needs \`Authorization: Bearer <key>\` (the preflight \`OPTIONS /v1/events\` excepted). Each key belongs to exactly one tenant; every read and write is confined to it. \`/v1/schemas\`, \`/openapi.json\`, \`/docs\`, \`/healthz\` and \`/metrics\` are public.

## Key scopes

A key has one or more scopes, and each route needs one (its security requirement names it): ${scopeList()}. A key configured as a plain digest has all three; a key configured as \`{ "digest", "scopes" }\` has only those it names. A key used on a route outside its scopes gets 403 \`forbidden\`, and nothing is read or written. Only a key with the \`send\` scope alone belongs in a web page: anyone can read it there.

## Browsers (CORS)

A tenant's \`allowedOrigins\` (exact origins, such as \`https://shop.example.com\`) lets pages on those origins send events: \`POST /v1/events\` is the one route that answers browsers. Its preflight (\`OPTIONS /v1/events\`, which carries no key) is answered 204 by the \`Origin\` alone: when some tenant allows it, with \`Access-Control-Allow-Origin\` (that origin), \`Vary: Origin\`, \`Access-Control-Allow-Methods: ${corsPolicy.allowMethods.join(", ")}\`, \`Access-Control-Allow-Headers: ${corsPolicy.allowHeaders.join(", ")}\` and \`Access-Control-Max-Age: ${corsPolicy.maxAgeSeconds}\`; otherwise without any CORS header. The answers of \`POST /v1/events\` to such an origin carry \`Access-Control-Allow-Origin\`, \`Vary: Origin\` and \`Access-Control-Expose-Headers: ${corsPolicy.exposeHeaders.join(", ")}\`, so that a page can read refusals and \`Retry-After\` too. The actual request is checked against the key's own tenant: an \`Origin\` that its \`allowedOrigins\` do not list gets 403 \`forbidden\` and writes nothing, on every route that needs a key. A request without \`Origin\` (a server, a CLI) is not affected. No other route sends CORS headers, and credentials (cookies) are never allowed.

## Ingesting events

\`POST /v1/events\` takes one event or a JSON array of 1 to ${maxBatch} (at most ${maxBodyBytes / 1024 / 1024} MiB). Each event is judged on its own: its schema (envelope and the context of its event key), \`tenant\` equal to the key's tenant, and the parameters the tenant's execution channels make mandatory. Every issue of an event is reported, each with a JSON Pointer into the event and a code from a closed set. An accepted event is stored durably before the answer is sent. The event id is a digest of the event's canonical form: the same event sent again gets the same id, status \`duplicate\`, and changes nothing.

## Profiles: the overwrite rule

An accepted event records the customer's activity and overwrites the customer's profile attributes with every parameter it carries: a parameter that is absent leaves the attribute alone, a parameter that is present (an empty string included) replaces it. Each attribute holds the value of the event with the latest \`timestamp\` that carried it; on equal timestamps the later arrival wins. An older event that arrives late is recorded in the activity log but does not overwrite newer values.

## Customer ids in URLs

A customer's routes name the customer in the path, percent-encoded as one segment (\`/v1/customers/{customer}\`, \`/v1/customers/{customer}/events\`). Two ids cannot travel that way, \`.\` and \`..\`, because every URL parser resolves those segments (and their percent-encoded forms) away; so each route also takes the id as the \`customer\` query parameter: \`GET\` and \`DELETE /v1/customers?customer=\`, \`GET /v1/events?customer=\`. The query forms answer exactly as the path forms and reach every stored customer; a client that wants one form for all ids uses them.

## Timestamps

Events may be sent with \`YYYY-MM-DD HH:MM:SS.ssssss UTC\` or RFC 3339 timestamps. Every timestamp in a response (\`updated_at\`, an event's \`timestamp\` and \`received_at\`) is in the documented form \`YYYY-MM-DD HH:MM:SS.ssssss UTC\`.

## Errors

Request-level errors are Problem Details (RFC 9457, \`application/problem+json\`) with a \`code\`. Every response carries an \`X-Request-Id\` header (the one sent, when it is well-formed).`

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
    schemas: { ...requestComponents(), ...answerComponents() },
    responses: Object.fromEntries(Object.entries(sharedAnswers).map(([name, a]) => [name, responseObject(a)])),
    headers: Object.fromEntries(
      (Object.keys(answerHeaders) as Array<keyof typeof answerHeaders>).map((h) => [h, headerObject(h)]),
    ),
    securitySchemes: {
      [bearerScheme]: {
        type: "http",
        scheme: "bearer",
        description:
          "An API key of the tenant: `Authorization: Bearer <key>`. The server keeps only SHA-256 digests of keys. Each key has scopes (`send`, `read`, `erase`); each operation's security requirement names the scope it needs.",
      },
    },
  },
})
