import { eventKeys, events, formatTimestamp, issueCodes, toJsonSchema } from "@cdp/schema"
import schemaPackage from "@cdp/schema/package.json" with { type: "json" }
import { seedContext } from "@cdp/testkit"
import oas31 from "@seriousme/openapi-schema-validator/schemas/v3.1/schema.json" with { type: "json" }
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import { describe, expect, it } from "vitest"
import { DEFAULT_PAGE, MAX_BATCH, MAX_BODY_BYTES, MAX_PAGE } from "../src/app.ts"
import { apiLimits, openApiDocument, responseTimestampPattern } from "../src/openapi.ts"
import { problemStatus } from "../src/problem.ts"

type Json = Record<string, unknown>

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

const doc = openApiDocument()
const docId = "https://cdp.test/openapi.json"

const newAjv = (): Ajv2020 => {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  // A format of the OpenAPI meta-schema (media type ranges such as `text/*`).
  ajv.addFormat("media-range", /^[\w.+*-]+\/[\w.+*-]+$/)
  return ajv
}

const oasValidator = newAjv().compile(oas31)

const schemaAjv = newAjv()
schemaAjv.addSchema(doc, docId)
const schemaAt = (pointer: string): ValidateFunction => {
  const v = schemaAjv.getSchema(`${docId}#${pointer}`)
  if (v === undefined) throw new Error(`no schema at ${pointer}`)
  return v
}
const component = (name: string): ValidateFunction => schemaAt(`/components/schemas/${name}`)

const at = (pointer: string): unknown =>
  pointer
    .split("/")
    .slice(1)
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce<unknown>((node, token) => (node as Json | undefined)?.[token], doc)

const walk = (node: unknown, visit: (node: Json, pointer: string) => void, pointer = ""): void => {
  if (typeof node !== "object" || node === null) return
  if (!Array.isArray(node)) visit(node as Json, pointer)
  for (const [k, v] of Object.entries(node)) walk(v, visit, `${pointer}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`)
}

const operations = (): Array<[string, string, Json]> =>
  Object.entries(doc.paths as Record<string, Json>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => ["get", "post", "put", "patch", "delete", "options"].includes(method))
      .map(([method, op]): [string, string, Json] => [method.toUpperCase(), path, op as Json]),
  )

const seedEvents = (["Started", "Completed"] as const).map((status) => ({
  tenant: 567,
  timestamp: "2024-05-27 10:30:00.000000 UTC",
  event: "ootb_user_details_update",
  customer: "customerId1",
  context: { ...seedContext, ootb_status: status },
}))

describe("openApiDocument", () => {
  it("is a valid OpenAPI 3.1 document (the official schema, Ajv 2020)", () => {
    expect(oasValidator.errors ?? null).toBeNull()
    const valid = oasValidator(doc)
    expect(oasValidator.errors ?? []).toEqual([])
    expect(valid).toBe(true)
    expect(doc.openapi).toBe("3.1.0")
  })

  it("the schema check has teeth: a response without description is refused", () => {
    const broken = structuredClone(doc) as { paths: Record<string, Record<string, { responses: Json }>> }
    broken.paths["/healthz"]!.get!.responses["200"] = { content: {} }
    expect(oasValidator(broken)).toBe(false)
  })

  it("every $ref resolves, and every component schema compiles", () => {
    const refs: Array<string> = []
    walk(doc, (node) => {
      if (typeof node.$ref === "string") refs.push(node.$ref)
    })
    expect(refs.length).toBeGreaterThan(10)
    for (const r of refs) {
      expect(r.startsWith("#/"), r).toBe(true)
      expect(at(r.slice(1)), r).toBeDefined()
    }
    for (const name of Object.keys((doc.components as Json).schemas as Json)) {
      expect(() => component(name), name).not.toThrow()
    }
  })

  it("takes each event kind's schema from toJsonSchema", () => {
    const schemas = (doc.components as { schemas: Record<string, Json> }).schemas
    for (const key of eventKeys) {
      const published = toJsonSchema(events[key])
      const inDoc = schemas[key] as Json
      expect(inDoc.properties).toEqual(published.properties)
      expect(inDoc.required).toEqual(published.required)
      expect(inDoc.additionalProperties).toEqual(published.additionalProperties)
      expect(inDoc["x-channel-requirements"]).toEqual(published["x-channel-requirements"])
      expect(inDoc.$schema).toBeUndefined()
      expect(inDoc.$id).toBeUndefined()
      expect(inDoc.externalDocs).toEqual(expect.objectContaining({ url: published.$id }))
    }
    const event = schemas.Event as { oneOf: Array<Json> }
    expect(event.oneOf).toEqual(eventKeys.map((k) => ({ $ref: `#/components/schemas/${k}` })))
    expect(at("/paths/~1v1~1events/post/requestBody/content/application~1json/schema")).toEqual({
      $ref: "#/components/schemas/IngestRequest",
    })
    expect(schemas.IngestRequest).toEqual(
      expect.objectContaining({
        oneOf: [{ $ref: "#/components/schemas/Event" }, { $ref: "#/components/schemas/EventBatch" }],
      }),
    )
    expect(schemas.EventBatch).toEqual(expect.objectContaining({ minItems: 1, maxItems: 500 }))
  })

  it("describes every route of ingest-api.md with its status codes", () => {
    const expected: Record<string, Array<string>> = {
      "POST /v1/events": ["202", "400", "401", "403", "413", "415", "429", "503"],
      "OPTIONS /v1/events": ["204"],
      "GET /v1/customers/{customer}": ["200", "401", "403", "404", "429", "503"],
      "DELETE /v1/customers/{customer}": ["204", "401", "403", "404", "429", "503"],
      "GET /v1/customers/{customer}/events": ["200", "400", "401", "403", "404", "429", "503"],
      "GET /v1/customers": ["200", "400", "401", "403", "404", "429", "503"],
      "DELETE /v1/customers": ["204", "400", "401", "403", "404", "429", "503"],
      "GET /v1/events": ["200", "400", "401", "403", "404", "429", "503"],
      "GET /v1/schemas": ["200"],
      "GET /v1/schemas/{event}.json": ["200", "404"],
      "GET /openapi.json": ["200"],
      "GET /docs": ["200"],
      "GET /healthz": ["200", "503"],
      "GET /metrics": ["200"],
    }
    const found = Object.fromEntries(
      operations().map(([method, path, op]) => [`${method} ${path}`, Object.keys(op.responses as Json).sort()]),
    )
    expect(found).toEqual(expected)
  })

  it("needs the bearer key exactly on /v1/events, /v1/customers and /v1/customers/* (not the preflight), with its scope", () => {
    const schemes = (doc.components as { securitySchemes: Record<string, Json> }).securitySchemes
    expect(Object.values(schemes)).toEqual([expect.objectContaining({ type: "http", scheme: "bearer" })])
    expect(doc.security).toBeUndefined()
    // ingest-api.md: send is POST /v1/events, read the GET routes, erase the DELETE routes.
    const scopeOf: Record<string, string> = { POST: "send", GET: "read", DELETE: "erase" }
    for (const [method, path, op] of operations()) {
      const isPrivate =
        method !== "OPTIONS" && (path === "/v1/events" || path === "/v1/customers" || path.startsWith("/v1/customers/"))
      expect(op.security, `${method} ${path}`).toEqual(isPrivate ? [{ bearerAuth: [scopeOf[method]] }] : undefined)
    }
  })

  it("declares the preflight's CORS headers and the 403 forbidden of every private route", () => {
    const preflight = at("/paths/~1v1~1events/options/responses/204") as Json
    expect(Object.keys(preflight.headers as Json).sort()).toEqual([
      "Access-Control-Allow-Headers",
      "Access-Control-Allow-Methods",
      "Access-Control-Allow-Origin",
      "Access-Control-Max-Age",
      "Vary",
    ])
    expect(preflight.content).toBeUndefined()
    expect(at("/components/headers/AccessControlAllowMethods/schema")).toEqual({ type: "string", enum: ["POST"] })
    expect(at("/components/headers/AccessControlAllowHeaders/schema")).toEqual({
      type: "string",
      enum: ["authorization, content-type, x-request-id"],
    })
    const forbidden = at("/components/responses/Forbidden/content/application~1problem+json/schema/allOf/1") as Json
    expect(forbidden).toEqual({ properties: { status: { const: 403 }, code: { const: "forbidden" } } })
    const post403 = at("/paths/~1v1~1events/post/responses/403/content") as Json
    expect(Object.keys(post403).sort()).toEqual(["application/json", "application/problem+json"])
  })

  it("names the closed sets of issue and problem codes", () => {
    expect(at("/components/schemas/Issue/properties/code/enum")).toEqual(issueCodes)
    expect(at("/components/schemas/Problem/properties/code/enum")).toEqual(Object.keys(problemStatus))
    const codesOf = (pointer: string) => {
      const schema = at(`${pointer}/content/application~1problem+json/schema/allOf/1/properties/code`) as Json
      return (schema.enum as Array<string> | undefined) ?? [schema.const]
    }
    expect(codesOf("/paths/~1v1~1events/post/responses/400")).toEqual(["malformed_json", "invalid_body", "batch_size"])
    expect(codesOf("/paths/~1v1~1events/post/responses/413")).toEqual(["payload_too_large"])
    expect(codesOf("/paths/~1v1~1events/post/responses/415")).toEqual(["unsupported_media_type"])
    expect(codesOf("/paths/~1v1~1events/post/responses/403")).toEqual(["forbidden"])
    // The activity route answers a bad `limit` or `cursor` with the spec's `invalid_body` (problem.ts has no other 400 code).
    expect(codesOf("/paths/~1v1~1customers~1{customer}~1events/get/responses/400")).toEqual(["invalid_body"])
    expect(codesOf("/components/responses/RateLimited")).toEqual(["rate_limited"])
    expect(codesOf("/components/responses/Unavailable")).toEqual(["unavailable"])
    expect(at("/components/responses/RateLimited/headers/Retry-After")).toBeDefined()
    expect(at("/components/responses/Unavailable/headers/Retry-After")).toBeDefined()
  })

  it("states the limits the app enforces", () => {
    expect(apiLimits).toEqual({
      maxBodyBytes: MAX_BODY_BYTES,
      maxBatch: MAX_BATCH,
      defaultPage: DEFAULT_PAGE,
      maxPage: MAX_PAGE,
    })
    const params = at("/paths/~1v1~1customers~1{customer}~1events/get/parameters") as Array<Json>
    expect(params.find((p) => p.name === "limit")?.schema).toEqual({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 50,
    })
    expect(params.find((p) => p.name === "cursor")?.schema).toEqual({ type: "string" })
  })

  it("describes every response timestamp in the documented form", () => {
    const timestamp = component("Timestamp")
    expect(at("/components/schemas/Timestamp/pattern")).toBe(responseTimestampPattern)
    expect(timestamp(formatTimestamp(Date.UTC(2024, 4, 27, 10, 30), 123))).toBe(true)
    expect(timestamp("2024-05-27T10:30:00Z")).toBe(false)
    expect(timestamp("2024-05-27 10:30:00.000 UTC")).toBe(false)
    for (const pointer of [
      "/components/schemas/Profile/properties/updated_at",
      "/components/schemas/StoredEvent/properties/timestamp",
      "/components/schemas/StoredEvent/properties/received_at",
    ]) {
      expect((at(pointer) as Json).$ref, pointer).toBe("#/components/schemas/Timestamp")
    }
  })

  it("carries the schema package's version and explains ingestion and the overwrite rule", () => {
    const info = doc.info as Json
    expect(info.version).toBe(schemaPackage.version)
    expect(info.description).toMatch(/POST \/v1\/events/)
    expect(info.description).toMatch(/latest `timestamp`/)
    expect(info.description).toMatch(/empty string included/)
    expect(info.description).toMatch(/does not overwrite newer values/)
  })

  it("accepts the seed's example events, alone and as a batch", () => {
    const body = schemaAt("/components/schemas/IngestRequest")
    for (const event of seedEvents) {
      expect(body(event), JSON.stringify(body.errors)).toBe(true)
    }
    expect(body(seedEvents), JSON.stringify(body.errors)).toBe(true)
    const minimal = { tenant: 567, timestamp: "2024-05-27T10:30:00Z", event: events[eventKeys[0]!].key, customer: "c" }
    expect(body(minimal), JSON.stringify(body.errors)).toBe(true)
  })

  it("refuses what the contract refuses", () => {
    const body = schemaAt("/components/schemas/IngestRequest")
    const [event] = seedEvents
    expect(body([])).toBe(false)
    expect(body(Array.from({ length: 501 }, () => event))).toBe(false)
    expect(body({ ...event, event: "no_such_event" })).toBe(false)
    expect(body({ ...event, context: { ...event!.context, ootb_email: "x" } })).toBe(false)
    expect(body({ ...event, context: { ...event!.context, bespoke: "x" } })).toBe(false)
    expect(body({ ...event, context: { ...event!.context, ootb_is_test: "true" } })).toBe(false)
    const { customer: _customer, ...anonymous } = event!
    expect(body(anonymous)).toBe(false)
  })

  it("every example in the document matches its schema", () => {
    let checked = 0
    walk(doc, (node, pointer) => {
      if (!("schema" in node) || !pointer.includes("/content/")) return
      const validate = schemaAt(`${pointer}/schema`)
      const examples: Array<unknown> = [
        ...("example" in node ? [node.example] : []),
        ...Object.values((node.examples as Record<string, { value: unknown }> | undefined) ?? {}).map((e) => e.value),
      ]
      for (const example of examples) {
        expect(validate(example), `${pointer}: ${JSON.stringify(validate.errors)}`).toBe(true)
        checked++
      }
    })
    expect(checked).toBeGreaterThanOrEqual(5)
  })

  it("describes the response bodies precisely enough to refuse wrong ones", () => {
    const response = component("IngestResponse")
    const ok = { accepted: 1, duplicates: 0, rejected: 0, results: [{ index: 0, status: "accepted", id: "abc" }] }
    expect(response(ok)).toBe(true)
    expect(response({ ...ok, results: [{ index: 0, status: "rejected", id: "abc" }] })).toBe(false)
    expect(
      response({
        ...ok,
        results: [{ index: 0, status: "rejected", issues: [{ path: "", code: "bogus", message: "m" }] }],
      }),
    ).toBe(false)
    const page = component("EventPage")
    expect(page({ events: [], next: null })).toBe(true)
    expect(page({ events: [] })).toBe(false)
  })
})
