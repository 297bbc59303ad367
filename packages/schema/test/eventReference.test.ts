/**
 * The event reference model (`eventReference`) that the Markdown docs and the
 * ingestion API's HTML page both render: checked against the definition and
 * against the published JSON Schema, which is built by other code.
 */
import { describe, expect, it } from "vitest"
import {
  channels,
  decodeEvent,
  envelope,
  eventKeys,
  eventReference,
  events,
  notExpressible,
  toJsonSchema,
  toMarkdown,
} from "../src/index.ts"
import { compile2020, readJson } from "./support/ajv.ts"

describe("eventReference", () => {
  for (const key of eventKeys) {
    const def = events[key]
    const ref = eventReference(def)
    const published = readJson(`json-schema/${key}.schema.json`)

    it(`${key}: its example is an event the API and the published JSON Schema accept`, () => {
      expect(ref.example.event).toBe(key)
      expect(decodeEvent(ref.example).ok, JSON.stringify(decodeEvent(ref.example))).toBe(true)
      expect(compile2020(published)(ref.example)).toBe(true)
      expect(Object.keys(ref.example.context as object)).toEqual(Object.keys(def.fields))
    })

    it(`${key}: one envelope row per envelope property, required as the JSON Schema says`, () => {
      expect(ref.envelope.map((r) => r.property)).toEqual(Object.keys(envelope))
      const required = published.required as ReadonlyArray<string>
      for (const row of ref.envelope) {
        expect(row.required, row.property).toBe(required.includes(row.property) ? "Mandatory" : "Optional")
        expect(row.description).toBe(envelope[row.property as keyof typeof envelope].description)
      }
    })

    it(`${key}: one parameter row per field, channels and rules as the JSON Schema states them`, () => {
      expect(ref.parameters.map((r) => r.key)).toEqual(Object.keys(def.fields))
      expect(ref.channels.map((c) => c.channel)).toEqual([...channels])
      const requirements = published["x-channel-requirements"] as Record<string, ReadonlyArray<string>>
      for (const c of ref.channels)
        expect([...c.parameters].sort(), c.channel).toEqual([...requirements[c.channel]!].sort())
      expect(ref.notExpressible).toEqual(published["x-not-expressible"])
      expect(ref.notExpressible).toEqual(notExpressible(def))
      expect(toJsonSchema(def)).toEqual(published)
    })

    it(`${key}: the Markdown docs render every part of it`, () => {
      const md = toMarkdown(def, "0.0.0")
      expect(md).toContain(JSON.stringify(ref.example, null, 2))
      for (const row of ref.envelope) expect(md).toContain(`| \`${row.property}\` | ${row.type} | ${row.required} |`)
      for (const row of ref.parameters) expect(md).toContain(`| \`${row.key}\` | ${row.type} |`)
      for (const c of ref.channels) expect(md).toContain(`| ${c.channel} |`)
      for (const rule of ref.notExpressible) expect(md).toContain(`- ${rule}`)
      expect(md).toContain(ref.parametersNote)
      expect(md).toContain(ref.notExpressibleNote)
    })
  }
})
