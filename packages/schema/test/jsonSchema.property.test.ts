/**
 * The committed JSON Schemas (draft 2020-12 and the draft-07 twin), run by
 * Ajv, must give the same verdict as `decodeEvent` on every event, except on
 * events that break a rule the schema lists as not expressible
 * (`x-not-expressible`); and for each of those rules there is an event that
 * Ajv accepts and `decodeEvent` rejects.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeEvent } from "../src/decodeEvent.ts"
import type { Channel } from "../src/Field.ts"
import { notExpressible, toJsonSchema } from "../src/toJsonSchema.ts"
import { compile2020, compileDraft07, packageDir, readJson } from "./support/ajv.ts"
import {
  anyValue,
  breaksNotExpressible,
  daysFromToday,
  def,
  fieldNames,
  mutatedEventWith,
  notAnObject,
  setOwn,
  validEvent,
} from "./support/arbitraries.ts"

const schema2020 = readJson(`json-schema/${def.key}.schema.json`)
const schema07 = readJson(`json-schema/${def.key}.draft-07.schema.json`)
const ajv2020 = compile2020(schema2020)
const ajv07 = compileDraft07(schema07)
const docs = readFileSync(join(packageDir, "docs", `${def.key}.md`), "utf8")

const NUM_RUNS = 3000

const envelope = {
  tenant: 567,
  timestamp: "2024-05-27 10:30:00.000000 UTC",
  event: def.key,
  customer: "customerId1",
}

describe("the committed JSON Schemas", () => {
  it("declare their dialects", () => {
    expect(schema2020.$schema).toBe("https://json-schema.org/draft/2020-12/schema")
    expect(schema07.$schema).toBe("http://json-schema.org/draft-07/schema#")
  })

  it("accept the documented example of the docs", () => {
    const example = /## Example\n\n```json\n([\s\S]*?)\n```/.exec(docs)?.[1]
    expect(example).toBeDefined()
    const event: unknown = JSON.parse(example as string)
    expect(ajv2020(event)).toBe(true)
    expect(ajv07(event)).toBe(true)
    expect(decodeEvent(event).ok).toBe(true)
  })

  it("give decodeEvent's verdict on every event that breaks no x-not-expressible rule", () => {
    const inputs = fc.oneof(
      { weight: 3, arbitrary: validEvent as fc.Arbitrary<unknown> },
      // one mutation: the verdict hangs on it alone
      { weight: 6, arbitrary: mutatedEventWith(1, 1).map((m) => m.event as unknown) },
      { weight: 1, arbitrary: mutatedEventWith(2, 4).map((m) => m.event as unknown) },
      { weight: 1, arbitrary: notAnObject as fc.Arbitrary<unknown> },
    )
    let compared = 0
    let accepted = 0
    fc.assert(
      fc.property(inputs, (input) => {
        fc.pre(!breaksNotExpressible(input))
        const verdict = decodeEvent(input).ok
        compared++
        if (verdict) accepted++
        expect(ajv2020(input), "draft 2020-12").toBe(verdict)
        expect(ajv07(input), "draft-07").toBe(verdict)
      }),
      { numRuns: NUM_RUNS },
    )
    // Both verdicts occur often enough for the comparison to mean something.
    expect(accepted).toBeGreaterThan(compared / 10)
    expect(compared - accepted).toBeGreaterThan(compared / 10)
  })

  it.each(fieldNames)("give decodeEvent's verdict on any value of %s in an otherwise valid event", (name) => {
    fc.assert(
      fc.property(validEvent, anyValue(name), (valid, value) => {
        const input = JSON.parse(JSON.stringify(valid)) as Record<string, unknown>
        const context = (input.context ?? {}) as Record<string, unknown>
        setOwn(context, name, value)
        input.context = context
        fc.pre(!breaksNotExpressible(input))
        const verdict = decodeEvent(input).ok
        expect(ajv2020(input), "draft 2020-12").toBe(verdict)
        expect(ajv07(input), "draft-07").toBe(verdict)
      }),
      { numRuns: 120 },
    )
  })
})

/** An event breaking only one rule of the list, and the channels to judge it with. */
const breakerOf = (rule: string): { input: unknown; channels: Array<Channel> } | undefined => {
  if (rule.startsWith("timestamp:")) return { input: { ...envelope, timestamp: "2024-02-30T10:00:00Z" }, channels: [] }
  if (rule.startsWith("channel parameters:")) return { input: envelope, channels: ["email"] }
  const future = /^context\.([a-z_]+): must not be in the future$/.exec(rule)
  if (future) return { input: { ...envelope, context: { [future[1] as string]: daysFromToday(2) } }, channels: [] }
  return undefined
}

describe("x-not-expressible", () => {
  const rules = notExpressible(def)

  it("lists the rules of notExpressible(def), in both schemas and in the docs", () => {
    expect(rules.length).toBeGreaterThan(0)
    expect(schema2020["x-not-expressible"]).toEqual(rules)
    expect(schema07["x-not-expressible"]).toEqual(rules)
    expect(toJsonSchema(def)["x-not-expressible"]).toEqual(rules)
    const section = docs.split("## Not expressible in JSON Schema")[1]
    expect(section).toBeDefined()
    for (const rule of rules) expect(section).toContain(`- ${rule}`)
    for (const rule of rules) expect(schema2020.description).toContain(`- ${rule}`)
  })

  it.each(rules)("%s: Ajv accepts an event breaking only this rule, decodeEvent rejects it", (rule) => {
    const breaker = breakerOf(rule)
    expect(breaker, `no breaking event known for the rule ${JSON.stringify(rule)}: add one to breakerOf`).toBeDefined()
    const { input, channels } = breaker as { input: unknown; channels: Array<Channel> }
    expect(ajv2020(input)).toBe(true)
    expect(ajv07(input)).toBe(true)
    expect(decodeEvent(input, { channels }).ok).toBe(false)
    // Without the broken rule's trigger the same envelope is valid.
    expect(decodeEvent(envelope).ok).toBe(true)
  })

  it("the channel requirements of the schema are requiredFor(channel)", () => {
    const requirements = schema2020["x-channel-requirements"] as Record<Channel, Array<string>>
    for (const channel of ["email", "sms", "push", "whatsapp"] as const)
      expect(requirements[channel]).toEqual(def.requiredFor([channel]))
  })
})
