/**
 * The write path's roads to a profile (SQL's upsert for an event at least as
 * new as its profile: a merge patch, or the event's values as they are when
 * it carries every attribute the profile holds; the per-attribute merge in
 * code for a late one or for values a merge patch would not overwrite with)
 * against the oracle `foldProfile`, with values of every JSON type, many ties
 * and events of one customer taking every road in one transaction.
 */
import { foldProfile, type NewEvent } from "@cdp/store"
import { makeEvent } from "@cdp/testkit"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { encodeBatches, joinStamps, stampsJson } from "../src/core/encodeEvents.ts"
import { openBetterSqliteStoreInThread, openBetterSqliteStoreOnWorker } from "../src/drivers/better-sqlite3.ts"
import { scratch } from "./support.ts"

const { cleanups, temp } = scratch()

/** A small seeded generator (mulberry32), so that a failure repeats. */
const random = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const keys = ["ootb_city", "ootb_email", "ootb_age", "ootb_allow_sms", "ootb_tags", "ootb_meta"]
const values: ReadonlyArray<unknown> = [
  "",
  "NYC",
  'quote " and \\ backslash',
  "\u2028 line separator, lone \ud800, emoji 🎉",
  0,
  -1,
  42,
  0.30000000000000004,
  1e21,
  5e-324,
  true,
  false,
  null,
  [],
  [1, "two", null, { three: 3 }],
  {},
  { nested: { deep: [true] }, n: null },
]

/** What a profile reads back as, once through JSON (undefined dropped, -0 as 0). */
const viaJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)))

describe("write path", () => {
  it("writes stamps only for a context a JSON merge patch overwrites with", () => {
    expect(stampsJson({ a: "x", b: 1, c: true, d: [null] }, "T")).toBe('{"a":"T","b":"T","c":"T","d":"T"}')
    expect(stampsJson({}, "T")).toBe("{}")
    expect(stampsJson({ 'we"ird': 1 }, "T")).toBe('{"we\\"ird":"T"}')
    for (const bad of [null, undefined, {}, { a: 1 }]) expect(stampsJson({ a: 1, b: bad }, "T")).toBeNull()
    const encoded = encodeBatches([[makeEvent({ id: "e1", context: { a: 1 } })], []])
    expect(encoded.sizes).toEqual([1, 0])
    expect([encoded.tenant, encoded.id]).toEqual([[567], ["e1"]])
    expect(encoded.context).toEqual(['{"a":1}'])
    expect(joinStamps(encoded.stamps[0]!, "T")).toBe('{"a":"T"}')
    // The caller's context JSON, when it has one, is stored as it is.
    const withJson = encodeBatches([
      [{ ...makeEvent({ context: { b: true, a: 1 } }), contextJson: '{"a":1,"b":true}' }],
    ])
    expect(withJson.context[0]).toBe('{"a":1,"b":true}')
  })

  it("gives events with the same keys the same stamp pieces, which one structured clone carries once", () => {
    const events = [
      makeEvent({ id: "e1", context: { a: 1, b: "x" } }),
      makeEvent({ id: "e2", context: { a: 2, b: "y" } }),
      makeEvent({ id: "e3", context: { b: "y", a: 2 } }),
    ]
    const { stamps } = encodeBatches([events])
    const [p1, p2, p3] = stamps
    expect(p1).toBe(p2)
    expect(p3).not.toBe(p1)
    const copy = structuredClone(stamps)
    expect(copy[0]).toBe(copy[1])
    expect(joinStamps(copy[2]!, "T")).toBe('{"b":"T","a":"T"}')
  })

  it("writes the stamps of any key list, in any order after any other, as JSON.stringify would", () => {
    const keyName = fc.constantFrom("a", "b", "ootb_city", 'we"ird', "é\u2028", "10", "__proto__x")
    const value = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.oneof(fc.integer(), fc.constant(null))))
    const context = fc.uniqueArray(fc.tuple(keyName, value), { selector: ([k]) => k, maxLength: 7 })
    fc.assert(
      fc.property(fc.array(context, { minLength: 1, maxLength: 6 }), fc.string(), (contexts, timestamp) => {
        for (const entries of contexts) {
          const ctx = Object.fromEntries(entries)
          const expected = JSON.stringify(Object.fromEntries(Object.keys(ctx).map((k) => [k, timestamp])))
          expect(stampsJson(ctx, timestamp)).toBe(expected)
        }
      }),
      { numRuns: 300 },
    )
  })

  for (const mode of ["thread", "worker"] as const) {
    it(`folds like foldProfile, in order and late, alone and grouped, with values of every JSON type (${mode})`, async () => {
      const path = await temp()
      const store = mode === "thread" ? openBetterSqliteStoreInThread(path) : await openBetterSqliteStoreOnWorker(path)
      cleanups.push(() => store.close())
      const next = random(mode === "thread" ? 1 : 2)
      const pick = <T>(list: ReadonlyArray<T>): T => list[Math.floor(next() * list.length)]!

      for (let scenario = 0; scenario < 150; scenario++) {
        const customers = [`s${scenario}-a`, `s${scenario}-b`]
        const events: NewEvent[] = Array.from({ length: 1 + Math.floor(next() * 14) }, () => {
          const context: Record<string, unknown> = {}
          for (const key of keys) if (next() < 0.4) context[key] = pick(values)
          return makeEvent({ customer: pick(customers), timestamp: Math.floor(next() * 6), context })
        })
        // Deliver in a random order, some twice, in batches of 1-4, all at once (one group) or one by one.
        const delivered = Array.from({ length: events.length + Math.floor(next() * 4) }, (_, i) =>
          i < events.length ? events[i]! : pick(events),
        ).sort(() => next() - 0.5)
        const batches: NewEvent[][] = []
        for (let at = 0; at < delivered.length; ) {
          const size = 1 + Math.floor(next() * 4)
          batches.push(delivered.slice(at, at + size))
          at += size
        }
        if (next() < 0.5) await Promise.all(batches.map((b) => store.append(b)))
        else for (const b of batches) await store.append(b)

        for (const customer of customers) {
          const expected = foldProfile(delivered.filter((e) => e.customer === customer))
          const profile = await store.getProfile(567, customer)
          expect(profile, `scenario ${scenario}, ${customer}`).toEqual(
            expected && { tenant: 567, customer, ...expected, attributes: viaJson(expected.attributes) },
          )
        }
      }
    })
  }
})
