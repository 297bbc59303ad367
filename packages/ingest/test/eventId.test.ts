import { hash } from "node:crypto"
import { decodeEvent } from "@cdp/schema"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { canonicalContextJson, canonicalEventJson, canonicalJson, eventId, timePrefix } from "../src/eventId.ts"

const EPOCH_0001 = new Date("0001-01-01T00:00:00Z").getTime()

import { sha256Hex } from "../src/TenantConfig.ts"

const syncSha256 = async (text: string) => sha256Hex(text)
const sha256Node = (text: string): string => hash("sha256", text, "hex")

describe("event ids", () => {
  it("writes the same canonical JSON on the hot path as the general serialiser", () => {
    // One list used for every event, as the app uses an event kind's parameters (its quoted keys are kept).
    const shared = ["", "a", "b", "ootb_city", "ootb_email", 'q"uote', "\u2028"].sort()
    fc.assert(
      fc.property(
        fc.record(
          {
            tenant: fc.integer({ min: 1 }),
            timestamp: fc.string(),
            event: fc.string(),
            customer: fc.string(),
            visitor: fc.string(),
            context: fc.dictionary(
              fc.oneof(fc.string(), fc.constantFrom(...shared)),
              fc.oneof(fc.string(), fc.boolean()),
            ),
          },
          { requiredKeys: ["tenant", "timestamp", "event", "customer", "context"] },
        ),
        (e) => {
          expect(canonicalEventJson(e)).toBe(canonicalJson(e))
          // With a list of sorted names: the same, whether or not it covers every key.
          const names = Object.keys(e.context).sort()
          expect(canonicalEventJson(e, names)).toBe(canonicalJson(e))
          expect(canonicalEventJson(e, names.slice(1))).toBe(canonicalJson(e))
          expect(canonicalEventJson(e, [...names, "zz_absent"].sort())).toBe(canonicalJson(e))
          expect(canonicalEventJson(e, shared)).toBe(canonicalJson(e))
          expect(JSON.parse(canonicalEventJson(e))).toEqual(e)
        },
      ),
      { numRuns: 3000 },
    )
  })

  it("gives the same id whatever the key order and the timestamp form, and another id to another event", async () => {
    const decoded = (text: string) => {
      const r = decodeEvent(JSON.parse(text))
      if (!r.ok) throw new Error(JSON.stringify(r.issues))
      return r.event
    }
    const a = decoded(
      '{"tenant":567,"timestamp":"2024-05-27 10:30:00.000000 UTC","event":"ootb_user_details_update","customer":"c1","context":{"ootb_city":"NYC","ootb_is_test":false}}',
    )
    const b = decoded(
      '{"context":{"ootb_is_test":false,"ootb_city":"NYC"},"customer":"c1","event":"ootb_user_details_update","timestamp":"2024-05-27T12:30:00+02:00","tenant":567}',
    )
    const c = decoded(
      '{"tenant":567,"timestamp":"2024-05-27 10:30:00.000000 UTC","event":"ootb_user_details_update","customer":"c1","context":{"ootb_city":"LA","ootb_is_test":false}}',
    )
    const empty = decoded(
      '{"tenant":567,"timestamp":"2024-05-27 10:30:00.000000 UTC","event":"ootb_user_details_update","customer":"c1","context":{}}',
    )
    const absent = decoded(
      '{"tenant":567,"timestamp":"2024-05-27 10:30:00.000000 UTC","event":"ootb_user_details_update","customer":"c1"}',
    )
    expect(await eventId(a)).toBe(await eventId(b))
    expect(await eventId(a)).not.toBe(await eventId(c))
    expect(await eventId(empty)).toBe(await eventId(absent))
    // A synchronous and an asynchronous SHA-256 give the same id.
    expect(await eventId(a, syncSha256)).toBe(await eventId(a))
    expect(await eventId(a)).toMatch(/^[0-9a-f]{48}$/)
  })

  it("opens ids with the event time, so that they sort by it", () => {
    const times = [
      "0001-01-01 00:00:00.000000 UTC",
      "0099-12-31 23:59:59.999999 UTC",
      "0100-01-01 00:00:00.000000 UTC",
      "1969-12-31 23:59:59.999999 UTC",
      "1970-01-01 00:00:00.000000 UTC",
      "2024-05-27 10:30:00.000001 UTC",
      "2024-05-27 10:30:00.001000 UTC",
      "9999-12-31 23:59:59.999999 UTC",
    ]
    const prefixes = times.map(timePrefix)
    // Microseconds since 0001-01-01, whatever the year (Date.UTC reads 0 to 99 as 1900s).
    expect(timePrefix("0001-01-01 00:00:00.000000 UTC")).toBe("0000000000000000")
    expect(Number.parseInt(timePrefix("0099-12-31 23:59:59.999999 UTC").slice(0, 13), 16)).toBe(
      new Date("0099-12-31T23:59:59.999Z").getTime() - EPOCH_0001,
    )
    expect(prefixes.every((p) => /^[0-9a-f]{16}$/.test(p))).toBe(true)
    expect([...prefixes].sort()).toEqual(prefixes)
    expect(new Set(prefixes).size).toBe(prefixes.length)
  })

  it("counts the time prefix as the calendar does, for every instant of years 1 to 9999", () => {
    // The reference: Date, which knows the proleptic Gregorian calendar (years 1 to 99 set by setUTCFullYear).
    const reference = (ms: number, micros: number): string =>
      (ms - EPOCH_0001).toString(16).padStart(13, "0") + micros.toString(16).padStart(3, "0")
    const MAX = new Date("9999-12-31T23:59:59.999Z").getTime()
    fc.assert(
      fc.property(fc.integer({ min: EPOCH_0001, max: MAX }), fc.integer({ min: 0, max: 999 }), (ms, micros) => {
        const iso = new Date(ms).toISOString()
        const ts = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(micros).padStart(3, "0")} UTC`
        expect(timePrefix(ts)).toBe(reference(ms, micros))
      }),
      { numRuns: 20_000 },
    )
    // Leap days and the days around them, where a calendar slip would show first.
    for (const day of [
      "0004-02-29",
      "0100-03-01",
      "0400-02-29",
      "1900-03-01",
      "2000-02-29",
      "2024-12-31",
      "9996-02-29",
    ]) {
      expect(timePrefix(`${day} 00:00:00.000000 UTC`)).toBe(reference(new Date(`${day}T00:00:00Z`).getTime(), 0))
    }
  })

  it("gives the context's part of the canonical JSON on its own, and takes it back", () => {
    const names = ["ootb_city", "ootb_email", "ootb_is_test"]
    const event = {
      tenant: 5,
      timestamp: "2024-05-27 10:30:00.000000 UTC",
      event: "e",
      customer: "c",
      context: { ootb_is_test: true, ootb_email: "a@b.co", ootb_city: "NYC" },
    }
    const context = canonicalContextJson(event.context, names)
    expect(context).toBe('{"ootb_city":"NYC","ootb_email":"a@b.co","ootb_is_test":true}')
    expect(canonicalEventJson(event, names, context)).toBe(canonicalJson(event))
    expect(eventId(event, sha256Node, names, context)).toBe(eventId(event, sha256Node, names))
    // A key the list lacks: the general path, still sorted.
    expect(canonicalContextJson({ ...event.context, a: 1 }, names)).toBe(canonicalJson({ ...event.context, a: 1 }))
  })
})
