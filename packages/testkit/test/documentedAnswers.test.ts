/**
 * Tests of the answer checker (`makeAnswerChecker`) on a hand-made OpenAPI
 * document: answers that match it pass, and each way an answer can stray
 * (status, media type, body, no operation) is caught.
 */
import { describe, expect, it } from "vitest"
import type { Exchange } from "../src/http/ApiClient.ts"
import { describeExchange, makeAnswerChecker } from "../src/http/documentedAnswers.ts"

const problem = {
  type: "object",
  required: ["type", "title", "status", "detail", "code"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    code: { type: "string" },
  },
}

const doc = {
  openapi: "3.1.0",
  info: { title: "t", version: "1" },
  paths: {
    "/things/{id}": {
      get: {
        responses: {
          "200": {
            description: "a thing",
            content: { "application/json": { schema: { $ref: "#/components/schemas/Thing" } } },
          },
          "404": { $ref: "#/components/responses/NotFound" },
        },
      },
      delete: { responses: { "204": { description: "gone" } } },
    },
    "/things": {
      get: {
        responses: {
          "200": {
            description: "the things, by the id in the query",
            content: {
              "application/json": { schema: { type: "array", items: { $ref: "#/components/schemas/Thing" } } },
            },
          },
        },
      },
    },
    "/things/special": {
      get: { responses: { "200": { description: "text", content: { "text/*": { schema: { type: "string" } } } } } },
    },
    "/files/{name}.json": {
      get: {
        responses: {
          "2XX": { description: "any success", content: { "application/schema+json": { schema: { type: "object" } } } },
          default: {
            description: "anything else",
            content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
          },
        },
      },
    },
  },
  components: {
    schemas: {
      Thing: {
        type: "object",
        required: ["id", "at"],
        properties: { id: { type: "string" }, at: { $ref: "#/components/schemas/Stamp" } },
        additionalProperties: false,
      },
      Stamp: { type: "string", pattern: "^\\d{4}$" },
      Problem: problem,
    },
    responses: {
      NotFound: {
        description: "none",
        content: {
          "application/problem+json": {
            schema: { allOf: [{ $ref: "#/components/schemas/Problem" }, { properties: { code: { const: "nf" } } }] },
          },
        },
      },
    },
  },
}

const checker = makeAnswerChecker(doc)

const answer = (method: string, path: string, status: number, contentType: string | null, body: unknown): Exchange => ({
  baseUrl: "http://127.0.0.1:1",
  path,
  method,
  status,
  contentType,
  text: typeof body === "string" ? body : JSON.stringify(body),
})

const notFound = { type: "about:blank", title: "Not found", status: 404, detail: "no", code: "nf" }

describe("makeAnswerChecker", () => {
  it("resolves operations by method and path template, concrete paths first, query ignored", () => {
    expect(checker.operationOf("GET", "/things/a%2Fb")?.template).toBe("/things/{id}")
    expect(checker.operationOf("delete", "/things/x")?.method).toBe("delete")
    expect(checker.operationOf("GET", "/things?id=x")?.template).toBe("/things")
    expect(checker.operationOf("GET", "/things/special")?.template).toBe("/things/special")
    expect(checker.operationOf("GET", "/files/a.json")?.template).toBe("/files/{name}.json")
    expect(checker.operationOf("GET", "/files/a.jsonx")).toBeUndefined()
    expect(checker.operationOf("PUT", "/things/x")).toBeUndefined()
    expect(checker.operationOf("GET", "/things/x/y")).toBeUndefined()
    expect(checker.operationOf("GET", "/nope")).toBeUndefined()
  })

  it("passes answers as documented: $refs into components, ranges, default, no body, media parameters", () => {
    const good = [
      answer("GET", "/things/x", 200, "application/json; charset=UTF-8", { id: "x", at: "2024" }),
      answer("GET", "/things/x", 404, "Application/Problem+JSON", notFound),
      answer("DELETE", "/things/x", 204, null, ""),
      answer("GET", "/things?id=x", 200, "application/json", [{ id: "x", at: "2024" }]),
      answer("GET", "/things/special", 200, "text/plain; version=0.0.4", "anything"),
      answer("GET", "/files/a.json", 201, "application/schema+json", { type: "object" }),
      answer("GET", "/files/a.json", 500, "application/problem+json", { ...notFound, status: 500, code: "x" }),
      answer("PUT", "/things/x", 404, "application/problem+json", notFound),
      answer("GET", "/nope", 404, "application/problem+json", notFound),
    ]
    for (const e of good) expect(checker.check(e), describeExchange(e)).toEqual([])
  })

  it("fails an undocumented status", () => {
    const problems = checker.check(answer("GET", "/things/x", 500, "application/problem+json", notFound))
    expect(problems).toEqual(["GET /things/{id} does not document status 500"])
    expect(checker.check(answer("DELETE", "/things/x", 404, "application/problem+json", notFound))).toHaveLength(1)
  })

  it("fails an undocumented media type, or none where a body is documented", () => {
    expect(checker.check(answer("GET", "/things/x", 200, "text/plain", "x"))[0]).toMatch(
      /documents application\/json, not text\/plain/,
    )
    expect(checker.check(answer("GET", "/things/x", 200, null, ""))[0]).toMatch(/no Content-Type/)
    expect(checker.check(answer("GET", "/things/special", 200, "application/json", "1"))).toHaveLength(1)
    expect(checker.check(answer("DELETE", "/things/x", 204, "application/json", "{}"))[0]).toMatch(/documents no body/)
  })

  it("fails a body that breaks the schema, following $refs into components", () => {
    const wrongField = checker.check(answer("GET", "/things/x", 200, "application/json", { id: "x", at: "24" }))
    expect(wrongField.join()).toMatch(/body\/at must match pattern/)
    const extra = checker.check(answer("GET", "/things/x", 200, "application/json", { id: "x", at: "2024", y: 1 }))
    expect(extra.join()).toMatch(/additional properties/)
    const code = checker.check(answer("GET", "/things/x", 404, "application/problem+json", { ...notFound, code: "z" }))
    expect(code.join()).toMatch(/body\/code must be equal to constant/)
    expect(checker.check(answer("GET", "/things/x", 200, "application/json", "{not json"))).toEqual([
      "the body is not JSON, as application/json says it is",
    ])
    expect(checker.check(answer("GET", "/things?id=x", 200, "application/json", [{ id: 1, at: "2024" }]))).toHaveLength(
      1,
    )
  })

  it("fails an answer to an undocumented operation unless it is a 404 Problem", () => {
    expect(checker.check(answer("GET", "/nope", 200, "application/json", {}))).toHaveLength(2)
    expect(checker.check(answer("PUT", "/things/x", 404, "application/problem+json", { code: "nf" })).join()).toMatch(
      /must have required property/,
    )
  })

  it("names the request and the answer in a failure line", () => {
    const line = describeExchange({
      ...answer("POST", "/things", 400, "application/json", "x".repeat(1000)),
      requestBody: '{"a":1}',
    })
    expect(line).toMatch(/^POST \/things with \{"a":1\} -> 400 application\/json x{400}… \(1000 characters\)$/)
  })
})
