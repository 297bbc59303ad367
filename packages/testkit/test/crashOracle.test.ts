/**
 * The crash suite's oracle (`expectedProfile`) against hand-written
 * profiles, and against the service's own fold (`foldProfile`, written
 * independently) on generated sequences: two implementations of the
 * overwrite rule that must agree.
 */
import { foldProfile } from "@cdp/store"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { type Arrival, expectedProfile } from "../src/crashOracle.ts"

const at = (second: number, micros = 0): string =>
  `2024-05-27 10:00:${String(second).padStart(2, "0")}.${String(micros).padStart(6, "0")} UTC`

describe("expectedProfile", () => {
  it("is undefined without events", () => {
    expect(expectedProfile([])).toBeUndefined()
  })

  it("takes each attribute from the latest event that carries it; absent keys keep their value", () => {
    const events: Array<Arrival> = [
      { id: "a", timestamp: at(1), context: { ootb_city: "Paris", ootb_alias: "x" } },
      { id: "b", timestamp: at(3), context: { ootb_city: "Rome" } },
      { id: "c", timestamp: at(2), context: { ootb_city: "Oslo", ootb_brand: "b" } },
    ]
    expect(expectedProfile(events)).toEqual({
      attributes: { ootb_city: "Rome", ootb_alias: "x", ootb_brand: "b" },
      updated_at: at(3),
    })
  })

  it("gives a tie to the later arrival", () => {
    const events: Array<Arrival> = [
      { id: "a", timestamp: at(5), context: { ootb_city: "first" } },
      { id: "b", timestamp: at(5), context: { ootb_city: "second" } },
      { id: "c", timestamp: at(4), context: { ootb_city: "older, later" } },
    ]
    expect(expectedProfile(events)).toEqual({ attributes: { ootb_city: "second" }, updated_at: at(5) })
  })

  it("counts a repeated id at its first arrival only", () => {
    const events: Array<Arrival> = [
      { id: "a", timestamp: at(5), context: { ootb_city: "A" } },
      { id: "b", timestamp: at(5), context: { ootb_city: "B" } },
      { id: "a", timestamp: at(5), context: { ootb_city: "A" } },
    ]
    expect(expectedProfile(events)).toEqual({ attributes: { ootb_city: "B" }, updated_at: at(5) })
  })

  it("lets an empty string or false overwrite; updated_at comes from an event without attributes too", () => {
    const events: Array<Arrival> = [
      { id: "a", timestamp: at(1), context: { ootb_city: "Paris", ootb_is_test: true } },
      { id: "b", timestamp: at(2), context: { ootb_city: "", ootb_is_test: false } },
      { id: "c", timestamp: at(9, 1), context: {} },
    ]
    expect(expectedProfile(events)).toEqual({
      attributes: { ootb_city: "", ootb_is_test: false },
      updated_at: at(9, 1),
    })
  })

  it("agrees with foldProfile on generated sequences", () => {
    const keys = ["ootb_city", "ootb_alias", "ootb_brand"] as const
    const arrival = fc.record({
      id: fc.constantFrom("e1", "e2", "e3", "e4", "e5", "e6"),
      timestamp: fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 2 })).map(([s, m]) => at(s, m)),
      context: fc.dictionary(fc.constantFrom(...keys), fc.oneof(fc.string({ maxLength: 3 }), fc.boolean()), {
        maxKeys: 3,
      }),
    })
    fc.assert(
      fc.property(fc.array(arrival, { maxLength: 12 }), (events) => {
        expect(expectedProfile(events)).toEqual(foldProfile(events))
      }),
      { numRuns: 500 },
    )
  })
})
