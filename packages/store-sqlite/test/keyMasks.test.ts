/**
 * Key masks (migration 4): an event that carries every attribute of its
 * profile replaces them without a merge patch. These tests pin down when
 * that shortcut is taken and that it never loses an attribute: after a
 * rollback that undid a claimed bit, past the last bit, and on profiles
 * written before the masks.
 */
import { foldProfile, type NewEvent } from "@cdp/store"
import { makeEvent, timestampAt } from "@cdp/testkit"
import Database from "better-sqlite3"
import { describe, expect, it } from "vitest"
import { KEY_BITS, KEY_OVERFLOW, makeKeyMasks } from "../src/core/keyMasks.ts"
import { inTransaction, migrate, migrations } from "../src/core/migrations.ts"
import { openSqliteCore, type SqliteCore } from "../src/core/SqliteCore.ts"
import { betterSqliteDriver } from "../src/drivers/better-sqlite3.ts"
import { faultyDriver, scratch } from "./support.ts"

const { cleanups, temp } = scratch()

/** The core on a fresh file, with a read-only look at the rows. */
const open = async () => {
  const path = await temp()
  const faulty = faultyDriver(path)
  const core = openSqliteCore(faulty.driver)
  cleanups.push(() => core.close())
  const peek = new Database(path, { readonly: true })
  cleanups.push(() => void peek.close())
  const row = (customer: string) =>
    peek
      .prepare(
        "SELECT json(attributes) AS attributes, json(stamps) AS stamps, key_mask FROM profiles WHERE customer = ?",
      )
      .get(customer) as { attributes: string; stamps: string; key_mask: number | null }
  const bits = () => peek.prepare("SELECT name, bit FROM attribute_keys ORDER BY bit").all()
  return { core, state: faulty.state, row, bits }
}

/** Appends `events` as one batch, in a group of its own; throws when it is refused. */
const append = (core: SqliteCore, ...events: NewEvent[]) => {
  for (const outcome of core.commitGroup([events])) if (!outcome.ok) throw outcome.error
}

const expectFold = (core: SqliteCore, customer: string, events: ReadonlyArray<NewEvent>) =>
  expect(core.getProfile(567, customer)).toEqual({ tenant: 567, customer, ...foldProfile(events) })

describe("key masks", () => {
  it("replaces a profile's attributes without a merge patch only when the event carries every one of them", async () => {
    const { core, row, bits } = await open()
    const c = "c"
    const events = [
      makeEvent({ customer: c, timestamp: 1, context: { b: 1, a: 1 } }),
      // Carries a and b, in another order: the profile takes the event's JSON as it is.
      makeEvent({ customer: c, timestamp: 2, context: { a: 2, b: 2 } }),
      // Carries a only: merged, b kept, the profile's order kept.
      makeEvent({ customer: c, timestamp: 3, context: { a: 3 } }),
      // Carries more than the profile holds: replaced, d added.
      makeEvent({ customer: c, timestamp: 4, context: { d: 4, b: 4, a: 4 } }),
    ]
    append(core, events[0]!)
    expect(row(c)).toEqual({ attributes: '{"b":1,"a":1}', stamps: expect.any(String), key_mask: 0b11 })
    append(core, events[1]!)
    expect(row(c).attributes).toBe('{"a":2,"b":2}')
    append(core, events[2]!)
    expect(row(c).attributes).toBe('{"a":3,"b":2}')
    expect(JSON.parse(row(c).stamps)).toEqual({ a: timestampAt(3), b: timestampAt(2) })
    append(core, events[3]!)
    expect(row(c)).toEqual({ attributes: '{"d":4,"b":4,"a":4}', stamps: expect.any(String), key_mask: 0b111 })
    expect(bits()).toEqual([
      { name: "b", bit: 0 },
      { name: "a", bit: 1 },
      { name: "d", bit: 2 },
    ])
    expectFold(core, c, events)
    // A late event still merges in code, and keeps the mask.
    const late = makeEvent({ customer: c, timestamp: 0, context: { e: 0, a: 0 } })
    append(core, late)
    expect(row(c).key_mask).toBe(0b1111)
    expectFold(core, c, [...events, late])
  })

  it("gives no name the bit of a name whose claim a rollback undid", async () => {
    const { core, state, bits } = await open()
    const first = makeEvent({ customer: "c", timestamp: 1, context: { x: 1 } })
    const poisoned = makeEvent({ customer: "d", timestamp: 1, context: {} })
    state.poisoned = poisoned.id
    const [outcome] = core.commitGroup([[first, poisoned]])
    expect(outcome?.ok).toBe(false)
    expect(bits()).toEqual([])

    const events = [
      makeEvent({ customer: "c", timestamp: 2, context: { y: 2 } }),
      // Had x kept the bit y now holds, this event would look like it covers the profile, and y would be lost.
      makeEvent({ customer: "c", timestamp: 3, context: { x: 3 } }),
    ]
    for (const e of events) append(core, e)
    expect(bits()).toEqual([
      { name: "y", bit: 0 },
      { name: "x", bit: 1 },
    ])
    expectFold(core, "c", events)
    expect(core.getProfile(567, "c")?.attributes).toEqual({ x: 3, y: 2 })
  })

  it(`marks names past the first ${KEY_BITS} with one shared bit, and never replaces a profile holding one`, async () => {
    const { core, row, bits } = await open()
    const many = Object.fromEntries(Array.from({ length: KEY_BITS }, (_, i) => [`k${i}`, i]))
    append(core, makeEvent({ customer: "filler", timestamp: 1, context: many }))
    expect(bits()).toHaveLength(KEY_BITS)
    expect(row("filler").key_mask).toBe(KEY_OVERFLOW - 1)

    const events = [
      makeEvent({ customer: "c", timestamp: 1, context: { k0: 1, past1: 1 } }),
      // Also past the bits, another name: both masks carry the same overflow bit.
      makeEvent({ customer: "c", timestamp: 2, context: { k0: 2, past2: 2 } }),
    ]
    for (const e of events) append(core, e)
    expect(bits()).toHaveLength(KEY_BITS)
    expect(row("c").key_mask).toBe(KEY_OVERFLOW + 1)
    expect(core.getProfile(567, "c")?.attributes).toEqual({ k0: 2, past1: 1, past2: 2 })
    expectFold(core, "c", events)
  })

  it("masks stamp pieces by their names, whichever array carries them", async () => {
    const path = await temp()
    const driver = betterSqliteDriver(new Database(path))
    cleanups.push(() => driver.close())
    migrate(driver)
    const masks = makeKeyMasks(driver)
    const pieces = (...names: string[]) => [
      ...names.map((name, i) => `${i === 0 ? "{" : ","}${JSON.stringify(name)}:`),
      names.length === 0 ? "{}" : "}",
    ]
    inTransaction(driver, () => {
      expect(masks.ofPieces(pieces("a", 'we"ird'))).toBe(0b11)
      // Equal strings in another array (another group's copy), then other names of the same count.
      expect(masks.ofPieces(pieces("a", 'we"ird'))).toBe(0b11)
      expect(masks.ofPieces(pieces("a", "c"))).toBe(0b101)
      expect(masks.ofPieces(pieces("c", "a"))).toBe(0b101)
      expect(masks.ofPieces(pieces())).toBe(0)
      expect(masks.of(["c", 'we"ird', "d"])).toBe(0b1110)
    })
  })

  it("gives a profile written before the masks its mask at its next event", async () => {
    const path = await temp()
    const v3 = new Database(path)
    migrate(betterSqliteDriver(v3), migrations.slice(0, 3))
    v3.prepare(
      "INSERT INTO profiles (tenant, customer, attributes, stamps, updated_at) VALUES (567, 'old', jsonb(?), jsonb(?), ?)",
    ).run(JSON.stringify({ a: 1, b: 1 }), JSON.stringify({ a: timestampAt(1), b: timestampAt(1) }), timestampAt(1))
    v3.close()

    const core = openSqliteCore(betterSqliteDriver(new Database(path)))
    cleanups.push(() => core.close())
    expect(core.migrated).toEqual([4])
    const peek = new Database(path, { readonly: true })
    cleanups.push(() => void peek.close())
    const mask = () =>
      (peek.prepare("SELECT key_mask FROM profiles WHERE customer = 'old'").get() as { key_mask: unknown }).key_mask
    expect(mask()).toBeNull()

    // Newer and carrying a only: merged in code (b kept), and masked from then on.
    append(core, makeEvent({ customer: "old", timestamp: 2, context: { a: 2 } }))
    expect(mask()).toBe(0b11)
    expect(core.getProfile(567, "old")?.attributes).toEqual({ a: 2, b: 1 })
    append(core, makeEvent({ customer: "old", timestamp: 3, context: { b: 3, a: 3 } }))
    expect(core.getProfile(567, "old")).toEqual({
      tenant: 567,
      customer: "old",
      attributes: { a: 3, b: 3 },
      updated_at: timestampAt(3),
    })
  })
})
