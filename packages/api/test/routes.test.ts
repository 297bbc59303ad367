import * as Schema from "effect/Schema"
import * as SchemaAST from "effect/SchemaAST"
import { describe, expect, it } from "vitest"
import {
  type Answer,
  answerSchemas,
  corsPolicy,
  keyScopeNames,
  problemStatus,
  type Route,
  routes,
  sharedAnswers,
} from "../src/index.ts"

const table = Object.entries(routes) as Array<[string, Route]>
const answersOf = (route: Route): Array<[string, Answer]> =>
  Object.entries(route.responses).map(([status, a]) => [status, typeof a === "string" ? sharedAnswers[a] : a])

describe("the route table", () => {
  it("names each (method, path) once", () => {
    const keys = table.map(([, r]) => `${r.method} ${r.path}`)
    expect(new Set(keys).size).toBe(keys.length)
    expect(table.length).toBe(14)
  })

  it("declares every path parameter of a path, and no other", () => {
    for (const [id, route] of table) {
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1])
      const declared = (route.parameters ?? []).filter((p) => p.in === "path")
      expect(declared.map((p) => p.name).sort(), id).toEqual(inPath.sort())
      for (const p of declared) expect(p.required, `${id} ${p.name}`).toBe(true)
    }
  })

  it("gives each problem answer codes of its own status", () => {
    let checked = 0
    for (const [id, route] of table) {
      for (const [status, answer] of answersOf(route)) {
        for (const code of answer.problems ?? []) {
          expect(problemStatus[code], `${id} ${status} ${code}`).toBe(Number(status))
          checked++
        }
      }
    }
    expect(checked).toBeGreaterThan(20)
  })

  it("answers 401, 403, 429 and 503 on exactly the routes that need the key", () => {
    for (const [id, route] of table) {
      const statuses = Object.keys(route.responses)
      for (const s of ["401", "403", "429", "503"]) {
        if (route.bearer) expect(statuses, id).toContain(s)
      }
      if (!route.bearer) expect(statuses, id).not.toContain("401")
      if (!route.bearer) expect(statuses, id).not.toContain("403")
    }
  })

  it("gives every route that needs the key a scope, by what it does", () => {
    const expected = { post: "send", get: "read", delete: "erase" } as const
    const used = new Set<string>()
    for (const [id, route] of table) {
      if (!route.bearer) {
        expect(route.scope, id).toBeUndefined()
        continue
      }
      expect(route.scope, id).toBe(expected[route.method as keyof typeof expected])
      used.add(route.scope)
    }
    expect([...used].sort()).toEqual([...keyScopeNames].sort())
  })

  it("pairs each route browsers may call with a public preflight of its path, and no other", () => {
    const browserRoutes = table.filter(([, r]) => r.cors === true)
    const preflights = table.filter(([, r]) => r.method === "options")
    expect(browserRoutes.map(([, r]) => r.path)).toEqual(preflights.map(([, r]) => r.path))
    for (const [id, route] of browserRoutes) {
      expect(corsPolicy.allowMethods, id).toContain(route.method.toUpperCase())
    }
    for (const [id, route] of preflights) {
      expect(route.bearer, id).toBe(false)
      expect(Object.keys(route.responses), id).toEqual(["204"])
    }
  })

  it("uses only answer schemas that the document makes components of", () => {
    const known = new Set(answerSchemas.map((s) => SchemaAST.resolveIdentifier(s.ast)))
    for (const [id, route] of table) {
      for (const [status, answer] of answersOf(route)) {
        if (answer.body === undefined) continue
        const name = SchemaAST.resolveIdentifier(answer.body.ast)
        if (name !== undefined) expect(known.has(name), `${id} ${status} ${name}`).toBe(true)
      }
    }
  })

  it("every example decodes with its answer's Effect Schema", () => {
    let checked = 0
    for (const [id, route] of table) {
      for (const [status, answer] of answersOf(route)) {
        if (answer.example === undefined || answer.body === undefined) continue
        const decode = Schema.decodeUnknownResult(answer.body as Schema.Codec<unknown, unknown>, {
          onExcessProperty: "error",
        })
        expect(decode(answer.example)._tag, `${id} ${status}`).toBe("Success")
        checked++
      }
    }
    expect(checked).toBeGreaterThanOrEqual(5)
  })
})
