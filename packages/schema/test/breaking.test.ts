/**
 * The breaking-change guard: the current JSON Schemas must accept every event
 * the last released ones (released/) accepted, unless a changeset bumps
 * @cdp/schema by major (the package's `check:breaking` script decides). And
 * the walker that decides it, on small schemas. Narrowing changes put
 * through the command: `checkBreakingCommand.test.ts`.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import pkg from "../package.json" with { type: "json" }
import {
  type BreakingKind,
  breakingChanges,
  breakingChangesOfPackage,
  bumpsMajor,
  hasMajorChangeset,
} from "../scripts/checkBreaking.ts"
import { eventKeys } from "../src/registry.ts"
import { compile2020, compileDraft07, packageDir, readJson } from "./support/ajv.ts"
import { runScript } from "./support/packageScripts.ts"

type Schema = Record<string, unknown>

const base: Schema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "Sample",
  "x-channel-requirements": { email: ["email"], push: [] },
  "x-not-expressible": ["a rule"],
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 10, description: "A name." },
    email: { type: "string", pattern: "^.+@.+$", format: "email" },
    age: { type: "integer", minimum: 0, maximum: 150 },
    score: { type: ["number", "string"] },
    kind: { type: "string", enum: ["a", "b"] },
    tags: { type: "array", items: { type: "string" }, maxItems: 5 },
    meta: { type: "object", properties: { x: { type: "string" } } },
    address: { $ref: "#/$defs/Address" },
  },
  required: ["name"],
  additionalProperties: false,
  $defs: { Address: { type: "object", properties: { city: { type: "string", maxLength: 50 } } } },
}

/** `base` changed by `edit` (on a deep copy). */
const changed = (edit: (s: Schema & { properties: Record<string, Schema> }) => void): Schema => {
  const copy = structuredClone(base) as Schema & { properties: Record<string, Schema> }
  edit(copy)
  return copy
}

const found = (next: Schema) => breakingChanges(base, next).map((c) => [c.kind, c.path])

describe("breakingChanges", () => {
  it("finds nothing between a schema and itself", () => {
    expect(breakingChanges(base, structuredClone(base))).toEqual([])
  })

  const breaking: ReadonlyArray<
    [string, (s: Schema & { properties: Record<string, Schema> }) => void, BreakingKind, string]
  > = [
    ["a property removed", (s) => delete s.properties.age, "property_removed", "/properties/age"],
    ["a new required key", (s) => (s.required as Array<string>).push("age"), "required_added", "/required"],
    [
      "a narrower type",
      (s) => ((s.properties.score as Schema).type = ["number"]),
      "type_narrowed",
      "/properties/score/type",
    ],
    [
      "number to integer",
      (s) => ((s.properties.score as Schema).type = "integer"),
      "type_narrowed",
      "/properties/score/type",
    ],
    [
      "a type where there was none",
      (s) => ((s.properties.meta as Schema).properties = { x: { type: "string" }, y: { type: "number" } }),
      "type_narrowed",
      "/properties/meta/properties/y/type",
    ],
    [
      "an enum value removed",
      (s) => ((s.properties.kind as Schema).enum = ["a"]),
      "enum_value_removed",
      "/properties/kind/enum",
    ],
    ["an enum added", (s) => ((s.properties.name as Schema).enum = ["x"]), "enum_added", "/properties/name/enum"],
    ["a const added", (s) => ((s.properties.name as Schema).const = "x"), "const_changed", "/properties/name/const"],
    [
      "a pattern added",
      (s) => ((s.properties.name as Schema).pattern = "^[a-z]+$"),
      "pattern_changed",
      "/properties/name/pattern",
    ],
    [
      "a pattern changed",
      (s) => ((s.properties.email as Schema).pattern = "^.+@.+\\..+$"),
      "pattern_changed",
      "/properties/email/pattern",
    ],
    [
      "a format added",
      (s) => ((s.properties.name as Schema).format = "hostname"),
      "format_changed",
      "/properties/name/format",
    ],
    [
      "a format changed",
      (s) => ((s.properties.email as Schema).format = "idn-email"),
      "format_changed",
      "/properties/email/format",
    ],
    [
      "a lower maxLength",
      (s) => ((s.properties.name as Schema).maxLength = 9),
      "limit_lowered",
      "/properties/name/maxLength",
    ],
    [
      "a maxLength added",
      (s) => ((s.properties.email as Schema).maxLength = 255),
      "limit_lowered",
      "/properties/email/maxLength",
    ],
    [
      "a higher minLength",
      (s) => ((s.properties.name as Schema).minLength = 2),
      "limit_raised",
      "/properties/name/minLength",
    ],
    ["a higher minimum", (s) => ((s.properties.age as Schema).minimum = 1), "limit_raised", "/properties/age/minimum"],
    [
      "a lower maximum",
      (s) => ((s.properties.age as Schema).maximum = 120),
      "limit_lowered",
      "/properties/age/maximum",
    ],
    [
      "an exclusiveMinimum added",
      (s) => ((s.properties.age as Schema).exclusiveMinimum = 0),
      "limit_raised",
      "/properties/age/exclusiveMinimum",
    ],
    [
      "a lower maxItems",
      (s) => ((s.properties.tags as Schema).maxItems = 4),
      "limit_lowered",
      "/properties/tags/maxItems",
    ],
    [
      "additionalProperties turned false",
      (s) => ((s.properties.meta as Schema).additionalProperties = false),
      "additional_properties_closed",
      "/properties/meta/additionalProperties",
    ],
    [
      "narrower items",
      (s) => ((s.properties.tags as Schema).items = { type: "string", maxLength: 3 }),
      "limit_lowered",
      "/properties/tags/items/maxLength",
    ],
    [
      "a narrower $ref target",
      (s) => (((s.$defs as Schema).Address as { properties: { city: Schema } }).properties.city.maxLength = 20),
      "limit_lowered",
      "/properties/address/properties/city/maxLength",
    ],
    [
      "a multipleOf added",
      (s) => ((s.properties.age as Schema).multipleOf = 2),
      "multiple_of_changed",
      "/properties/age/multipleOf",
    ],
    [
      "an allOf added",
      (s) => ((s.properties.name as Schema).allOf = [{ maxLength: 3 }]),
      "keyword_changed",
      "/properties/name/allOf",
    ],
    [
      "a schema closed to false",
      (s) => (s.properties.meta = false as unknown as Schema),
      "schema_closed",
      "/properties/meta",
    ],
    [
      "a channel requirement added",
      (s) => ((s["x-channel-requirements"] as Record<string, Array<string>>)["push"] = ["push_consent"]),
      "channel_requirement_added",
      "/x-channel-requirements/push",
    ],
    [
      "a rule JSON Schema cannot express added",
      (s) => (s["x-not-expressible"] as Array<string>).push("another rule"),
      "unexpressed_rule_added",
      "/x-not-expressible",
    ],
  ]

  it.each(breaking)("flags %s", (_label, edit, kind, path) => {
    expect(found(changed(edit))).toEqual([[kind, path]])
  })

  it("describes each change in words", () => {
    const [change] = breakingChanges(
      base,
      changed((s) => ((s.properties.name as Schema).maxLength = 5)),
    )
    expect(change).toEqual({
      kind: "limit_lowered",
      path: "/properties/name/maxLength",
      detail: "maxLength lowered from 10 to 5",
    })
  })

  it("flags several changes at once", () => {
    const next = changed((s) => {
      delete s.properties.kind
      ;(s.required as Array<string>).push("email")
      ;(s.properties.age as Schema).maximum = 99
    })
    expect(found(next)).toEqual([
      ["required_added", "/required"],
      ["limit_lowered", "/properties/age/maximum"],
      ["property_removed", "/properties/kind"],
    ])
  })

  const widening: ReadonlyArray<[string, (s: Schema & { properties: Record<string, Schema> }) => void]> = [
    ["a higher maxLength", (s) => ((s.properties.name as Schema).maxLength = 255)],
    ["maxLength removed", (s) => delete (s.properties.name as Schema).maxLength],
    ["a lower minLength", (s) => ((s.properties.name as Schema).minLength = 0)],
    ["a lower minimum", (s) => ((s.properties.age as Schema).minimum = -10)],
    ["a higher maximum", (s) => ((s.properties.age as Schema).maximum = 200)],
    ["a higher maxItems", (s) => ((s.properties.tags as Schema).maxItems = 50)],
    ["an enum value added", (s) => ((s.properties.kind as Schema).enum = ["a", "b", "c"])],
    ["an enum removed", (s) => delete (s.properties.kind as Schema).enum],
    ["a required key dropped", (s) => (s.required = [])],
    [
      "an optional property added to a closed object",
      (s) => (s.properties.nickname = { type: "string", maxLength: 3 }),
    ],
    ["a pattern removed", (s) => delete (s.properties.email as Schema).pattern],
    ["a format removed", (s) => delete (s.properties.email as Schema).format],
    ["integer widened to number", (s) => ((s.properties.age as Schema).type = "number")],
    ["a type added to a union", (s) => ((s.properties.score as Schema).type = ["number", "string", "null"])],
    ["a type removed", (s) => delete (s.properties.score as Schema).type],
    ["additionalProperties false dropped", (s) => delete s.additionalProperties],
    ["additionalProperties false turned true", (s) => (s.additionalProperties = true)],
    [
      "a wider $ref target",
      (s) => (((s.$defs as Schema).Address as { properties: { city: Schema } }).properties.city.maxLength = 80),
    ],
    [
      "annotations changed",
      (s) => {
        s.title = "Another"
        s.$id = "https://example.com/v2.json"
        ;(s.properties.name as Schema).description = "Another description."
        ;(s.properties.name as Schema).examples = ["x"]
      },
    ],
    [
      "a channel requirement dropped",
      (s) => ((s["x-channel-requirements"] as Record<string, Array<string>>).email = []),
    ],
    ["a rule JSON Schema cannot express dropped", (s) => (s["x-not-expressible"] = [])],
  ]

  it.each(widening)("does not flag %s", (_label, edit) => {
    expect(found(changed(edit))).toEqual([])
  })

  it("does not flag a relaxed multipleOf, but flags a stricter one", () => {
    const by = (n: number) => changed((s) => ((s.properties.age as Schema).multipleOf = n))
    expect(breakingChanges(by(4), by(2))).toEqual([])
    expect(breakingChanges(by(2), by(4)).map((c) => c.kind)).toEqual(["multiple_of_changed"])
  })

  it("flags a new property of an open object only where it narrows what passed as additional", () => {
    const open: Schema = { type: "object", properties: {}, additionalProperties: { type: "string" } }
    expect(breakingChanges(open, { ...open, properties: { a: { type: "string" } } })).toEqual([])
    expect(
      breakingChanges(open, { ...open, properties: { a: { type: "string", maxLength: 3 } } }).map((c) => c.kind),
    ).toEqual(["limit_lowered"])
    expect(breakingChanges({ type: "object" }, { type: "object", properties: { a: { type: "string" } } })).toEqual([
      { kind: "type_narrowed", path: "/properties/a/type", detail: 'type "string" no longer accepts any type' },
    ])
  })

  it("flags a narrowing of the real schema", () => {
    const released = readJson("released/ootb_user_details_update.schema.json")
    const next = structuredClone(released) as {
      properties: { context: { properties: Record<string, Schema> }; tenant: Schema }
    }
    next.properties.context.properties.ootb_city = { type: "string", maxLength: 100 }
    delete next.properties.context.properties.ootb_license
    next.properties.context.properties.ootb_status = { type: "string", enum: ["Started", "Completed"] }
    expect(breakingChanges(released, next).map((c) => [c.kind, c.path])).toEqual([
      ["enum_value_removed", "/properties/context/properties/ootb_status/enum"],
      ["limit_lowered", "/properties/context/properties/ootb_city/maxLength"],
      ["property_removed", "/properties/context/properties/ootb_license"],
    ])
  })
})

describe("bumpsMajor", () => {
  it.each([
    ['---\n"@cdp/schema": major\n---\n\nDrop ootb_license.\n', true],
    ["---\n'@cdp/schema': major\n---\n\nx\n", true],
    ["---\n@cdp/schema: major\n---\n", true],
    ['---\n"@cdp/ingest": patch\n"@cdp/schema": major\n---\n\nx\n', true],
    ['---\r\n"@cdp/schema": major\r\n---\r\n', true],
    ['---\n"@cdp/schema": minor\n---\n\nx\n', false],
    ['---\n"@cdp/schema-extra": major\n---\n', false],
    ['---\n"@cdp/ingest": major\n---\n\n"@cdp/schema": major\n', false],
    ['"@cdp/schema": major\n', false],
    ["", false],
  ])("%j -> %s", (text, expected) => {
    expect(bumpsMajor(text)).toBe(expected)
  })
})

describe("hasMajorChangeset and breakingChangesOfPackage", () => {
  const dir = mkdtempSync(join(tmpdir(), "cdp-schema-breaking-"))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  it("reads the changesets of a directory", () => {
    const changesets = join(dir, ".changeset")
    mkdirSync(changesets)
    expect(hasMajorChangeset(changesets)).toBe(false)
    expect(hasMajorChangeset(join(dir, "missing"))).toBe(false)
    writeFileSync(join(changesets, "README.md"), '---\n"@cdp/schema": major\n---\n')
    writeFileSync(join(changesets, "config.json"), "{}")
    writeFileSync(join(changesets, "quiet-cats-run.md"), '---\n"@cdp/schema": minor\n---\n\nAdd a field.\n')
    expect(hasMajorChangeset(changesets)).toBe(false)
    writeFileSync(join(changesets, "loud-dogs-bark.md"), '---\n"@cdp/schema": major\n---\n\nDrop a field.\n')
    expect(hasMajorChangeset(changesets)).toBe(true)
  })

  it("compares released/ with json-schema/ and reports a schema that is gone", () => {
    const pkgDir = join(dir, "pkg")
    mkdirSync(join(pkgDir, "released"), { recursive: true })
    mkdirSync(join(pkgDir, "json-schema"), { recursive: true })
    writeFileSync(join(pkgDir, "released", "a.schema.json"), JSON.stringify(base))
    writeFileSync(join(pkgDir, "json-schema", "a.schema.json"), JSON.stringify(changed((s) => delete s.properties.age)))
    writeFileSync(join(pkgDir, "released", "b.schema.json"), JSON.stringify(base))
    const result = breakingChangesOfPackage(pkgDir)
    expect(result.get("a.schema.json")?.map((c) => c.kind)).toEqual(["property_removed"])
    expect(result.get("b.schema.json")?.map((c) => c.kind)).toEqual(["schema_removed"])
  })
})

describe("the released baseline", () => {
  const releasedDir = join(packageDir, "released")

  it("holds the JSON Schemas of every event kind, in both dialects, as valid schemas", () => {
    for (const key of eventKeys) {
      for (const [file, compile] of [
        [`${key}.schema.json`, compile2020],
        [`${key}.draft-07.schema.json`, compileDraft07],
      ] as const) {
        expect(existsSync(join(releasedDir, file)), `released/${file}`).toBe(true)
        expect(() => compile(readJson(`released/${file}`))).not.toThrow()
      }
    }
  })

  it("is not newer than the package", () => {
    const version = (v: string) => v.split(/[.-]/).slice(0, 3).map(Number) as [number, number, number]
    for (const file of readdirSync(releasedDir).filter((f) => f.endsWith(".schema.json"))) {
      const released = version(String(readJson(`released/${file}`)["x-schema-version"]))
      const current = version(pkg.version)
      const cmp = released[0] - current[0] || released[1] - current[1] || released[2] - current[2]
      expect(cmp, `released/${file} is of ${released.join(".")}, the package is ${pkg.version}`).toBeLessThanOrEqual(0)
    }
  })

  it('accepts the current schemas: check:breaking passes (no breaking change without a "@cdp/schema": major changeset)', async () => {
    const outcome = await runScript(packageDir, "check:breaking")
    expect(
      outcome.status,
      `check:breaking refused the current schemas:\n${outcome.stderr}\nadd a changeset with "@cdp/schema": major (pnpm changeset), or undo them`,
    ).toBe(0)
  })
})
