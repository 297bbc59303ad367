/**
 * The paging cursor every store shares: any position survives the round
 * trip, the token is base64url, and anything that is not a cursor of this
 * API is refused with `StoreError` `invalid_cursor` (never another error).
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeCursor, encodeCursor } from "../src/cursor.ts"
import { StoreError } from "../src/StorePort.ts"

const position = fc.record({
  timestamp: fc.string({ unit: "binary", maxLength: 60 }),
  id: fc.string({ unit: "binary", minLength: 1, maxLength: 100 }),
})

/** base64url without padding, written out here rather than taken from the codec. */
const base64url = (text: string): string => Buffer.from(text, "utf8").toString("base64url")

const refusal = (cursor: string): unknown => {
  try {
    decodeCursor(cursor)
  } catch (e) {
    return e
  }
  return undefined
}

describe("the paging cursor", () => {
  it("decodes every encoded position to itself, from a base64url token", () => {
    fc.assert(
      fc.property(position, (p) => {
        const cursor = encodeCursor(p)
        expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/)
        expect(decodeCursor(cursor)).toEqual(p)
      }),
    )
  })

  it("is base64url of the JSON [timestamp, id]", () => {
    fc.assert(
      fc.property(position, (p) => {
        expect(encodeCursor(p)).toBe(base64url(JSON.stringify([p.timestamp, p.id])))
      }),
    )
  })

  it("refuses any other string with invalid_cursor, or reads a position from it", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.string({ unit: "binary", maxLength: 80 })), (text) => {
        const e = refusal(text)
        if (e === undefined) {
          const p = decodeCursor(text)
          expect(typeof p.timestamp).toBe("string")
          expect(p.id).not.toBe("")
        } else {
          expect(e).toBeInstanceOf(StoreError)
          expect((e as StoreError).code).toBe("invalid_cursor")
        }
      }),
    )
  })

  it.each([
    ["empty", ""],
    ["too long", "A".repeat(1025)],
    ["not base64url", "abc+/="],
    ["not JSON", base64url("[not json")],
    ["not UTF-8", Buffer.from([0xff, 0xfe, 0x5b]).toString("base64url")],
    ["no id", base64url(JSON.stringify(["2024-05-27 10:30:00.000000 UTC", ""]))],
    ["not a pair", base64url(JSON.stringify(["2024-05-27 10:30:00.000000 UTC"]))],
    ["numbers", base64url(JSON.stringify([1, 2]))],
  ])("refuses a cursor that is %s", (_, cursor) => {
    const e = refusal(cursor)
    expect(e).toBeInstanceOf(StoreError)
    expect((e as StoreError).code).toBe("invalid_cursor")
  })
})
