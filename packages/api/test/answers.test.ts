import { eventKeys, issueCodes } from "@cdp/schema"
import { Ajv2020 } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import {
  answerSchemas,
  EventPage,
  EventResult,
  Health,
  IngestResponse,
  Issue,
  Problem,
  Profile,
  problemCodes,
  problemStatus,
  problemTitles,
  problemType,
  responseTimestampPattern,
  SchemaList,
  Timestamp,
} from "../src/index.ts"
import { openApiDocument } from "../src/openApiDocument.ts"

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

const doc = openApiDocument()
const docId = "https://cdp.test/openapi.json"
const ajv = new Ajv2020({ strict: false, allErrors: true })
addFormats(ajv)
ajv.addSchema(doc, docId)

/** Both judges of an answer: the Effect Schema and its generated OpenAPI component (Ajv). */
const judges = (schema: Schema.Top) => {
  const name = SchemaAST.resolveIdentifier(schema.ast) as string
  const component = ajv.getSchema(`${docId}#/components/schemas/${name}`)
  if (component === undefined) throw new Error(`no component ${name}`)
  const decode = Schema.decodeUnknownResult(schema as Schema.Codec<unknown, unknown>, { onExcessProperty: "error" })
  return {
    effect: (u: unknown): boolean => decode(u)._tag === "Success",
    jsonSchema: (u: unknown): boolean => component(u) === true,
  }
}

// Answers generated independently of both schemas, from the contract's prose (ingest-api.md).
const digits = (n: number) => fc.stringMatching(new RegExp(`^[0-9]{${n}}$`))
const timestamp = fc
  .tuple(digits(4), digits(2), digits(2), digits(2), digits(2), digits(2), digits(6))
  .map(([y, mo, d, h, mi, s, us]) => `${y}-${mo}-${d} ${h}:${mi}:${s}.${us} UTC`)
const issue = fc.record({ path: fc.string(), code: fc.constantFrom(...issueCodes), message: fc.string() })
const index = fc.nat()
const stored = fc.record({ index, status: fc.constantFrom("accepted", "duplicate"), id: fc.string() })
const rejected = fc.record({
  index,
  status: fc.constant("rejected"),
  issues: fc.array(issue, { minLength: 1, maxLength: 4 }),
})
const ingestAnswer = fc.record({
  accepted: fc.nat(),
  duplicates: fc.nat(),
  rejected: fc.nat(),
  results: fc.array(fc.oneof(stored, rejected), { maxLength: 5 }),
})
const value = fc.oneof(fc.string(), fc.boolean())
const attributes = fc.dictionary(fc.string(), value)
const profile = fc.record({
  tenant: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  customer: fc.string(),
  attributes,
  updated_at: timestamp,
})
const page = fc.record({
  events: fc.array(
    fc.record({
      id: fc.string(),
      event: fc.constantFrom(...eventKeys),
      timestamp,
      received_at: timestamp,
      context: attributes,
    }),
    { maxLength: 4 },
  ),
  next: fc.option(fc.string(), { nil: null }),
})
const problem = fc.constantFrom(...problemCodes).chain((code) =>
  fc.record({
    type: fc.constant(problemType(code)),
    title: fc.constant(problemTitles[code]),
    status: fc.constant(problemStatus[code]),
    detail: fc.string(),
    code: fc.constant(code),
  }),
)

const cases: ReadonlyArray<[Schema.Top, fc.Arbitrary<Record<string, unknown>>]> = [
  [IngestResponse, ingestAnswer],
  [Profile, profile],
  [EventPage, page],
  [Problem, problem],
  [Health, fc.record({ status: fc.constantFrom("ok", "unavailable") })],
  [
    SchemaList,
    fc.record({
      schemas: fc.array(fc.record({ event: fc.constantFrom(...eventKeys), title: fc.string(), url: fc.webUrl() }), {
        maxLength: 3,
      }),
    }),
  ],
]

describe("the answer schemas", () => {
  it("each has an identifier, and the document has a component of that name for each", () => {
    const names = answerSchemas.map((s) => SchemaAST.resolveIdentifier(s.ast))
    expect(names.every((n) => typeof n === "string")).toBe(true)
    expect(new Set(names).size).toBe(answerSchemas.length)
    const components = (doc.components as { schemas: Record<string, unknown> }).schemas
    for (const name of names) expect(components, String(name)).toHaveProperty(String(name))
  })

  it("the Effect Schema and its generated component both accept every well-formed answer", () => {
    for (const [schema, arbitrary] of cases) {
      const { effect, jsonSchema } = judges(schema)
      fc.assert(
        fc.property(arbitrary, (answer) => effect(answer) && jsonSchema(answer)),
        { numRuns: 200 },
      )
    }
  })

  it("both refuse an answer with a property the contract does not name, or without one it names", () => {
    for (const [schema, arbitrary] of cases) {
      const { effect, jsonSchema } = judges(schema)
      fc.assert(
        fc.property(arbitrary, fc.string({ minLength: 1 }), (answer, key) => {
          fc.pre(!Object.hasOwn(answer, key))
          const extra = { ...answer, [key]: 1 }
          const required = Object.keys(answer)[0] as string
          const { [required]: _dropped, ...missing } = answer
          return !effect(extra) && !jsonSchema(extra) && !effect(missing) && !jsonSchema(missing)
        }),
        { numRuns: 100 },
      )
    }
  })

  it("both refuse an event result that mixes an id with issues, or an unknown issue code", () => {
    const { effect, jsonSchema } = judges(EventResult)
    const bad = [
      { index: 0, status: "rejected", id: "abc" },
      { index: 0, status: "accepted", issues: [{ path: "", code: "required", message: "m" }] },
      { index: 0, status: "rejected", issues: [] },
      { index: -1, status: "accepted", id: "abc" },
      { index: 0, status: "rejected", issues: [{ path: "", code: "bogus", message: "m" }] },
    ]
    for (const answer of bad) {
      expect(effect(answer), JSON.stringify(answer)).toBe(false)
      expect(jsonSchema(answer), JSON.stringify(answer)).toBe(false)
    }
    const issueJudges = judges(Issue)
    fc.assert(
      fc.property(
        issue,
        fc.string().filter((c) => !(issueCodes as ReadonlyArray<string>).includes(c)),
        (i, code) => !issueJudges.effect({ ...i, code }) && !issueJudges.jsonSchema({ ...i, code }),
      ),
    )
  })

  it("both refuse a timestamp not in the documented form", () => {
    const { effect, jsonSchema } = judges(Timestamp)
    expect(new RegExp(responseTimestampPattern).test("2024-05-27 10:30:00.000000 UTC")).toBe(true)
    for (const t of ["2024-05-27T10:30:00Z", "2024-05-27 10:30:00.000 UTC", "2024-05-27 10:30:00.000000", ""]) {
      expect(effect(t), t).toBe(false)
      expect(jsonSchema(t), t).toBe(false)
    }
    fc.assert(fc.property(timestamp, (t) => effect(t) && jsonSchema(t)))
  })

  it("a problem's code is one of the closed set, and its status is the code's", () => {
    expect(problemCodes).toEqual(Object.keys(problemStatus))
    const { effect, jsonSchema } = judges(Problem)
    const ok = { type: problemType("not_found"), title: "Not found", status: 404, detail: "d", code: "not_found" }
    expect(effect(ok) && jsonSchema(ok)).toBe(true)
    expect(effect({ ...ok, code: "gone" }) || jsonSchema({ ...ok, code: "gone" })).toBe(false)
    expect(problemType("payload_too_large")).toBe("https://cdp.dev/problems/payload-too-large")
  })
})
