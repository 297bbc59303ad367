import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { formatTimestamp, isCalendarDate, normalizeTimestamp, timestampPattern, todayUtc } from "../src/Timestamp.ts"
import { timestampSample } from "./support/arbitraries.ts"

describe("normalizeTimestamp", () => {
  it("keeps the documented form as it is", () => {
    expect(normalizeTimestamp("2024-05-27 10:30:00.000000 UTC")).toBe("2024-05-27 10:30:00.000000 UTC")
    expect(normalizeTimestamp("1999-12-31 23:59:59.999999 UTC")).toBe("1999-12-31 23:59:59.999999 UTC")
  })

  it("converts RFC 3339 with Z", () => {
    expect(normalizeTimestamp("2024-05-27T10:30:00Z")).toBe("2024-05-27 10:30:00.000000 UTC")
    expect(normalizeTimestamp("2024-05-27T10:30:00.5Z")).toBe("2024-05-27 10:30:00.500000 UTC")
    expect(normalizeTimestamp("2024-05-27T10:30:00.123456Z")).toBe("2024-05-27 10:30:00.123456 UTC")
  })

  it("converts RFC 3339 with an offset to UTC", () => {
    expect(normalizeTimestamp("2024-05-27T12:30:00+02:00")).toBe("2024-05-27 10:30:00.000000 UTC")
    expect(normalizeTimestamp("2024-05-27T05:00:00-05:30")).toBe("2024-05-27 10:30:00.000000 UTC")
    expect(normalizeTimestamp("2024-05-27T10:30:00+00:00")).toBe("2024-05-27 10:30:00.000000 UTC")
    expect(normalizeTimestamp("2024-05-27T10:30:00-00:00")).toBe("2024-05-27 10:30:00.000000 UTC")
  })

  it("rolls over the day, the month and the year", () => {
    expect(normalizeTimestamp("2024-01-01T01:00:00+02:00")).toBe("2023-12-31 23:00:00.000000 UTC")
    expect(normalizeTimestamp("2023-12-31T23:30:00-01:00")).toBe("2024-01-01 00:30:00.000000 UTC")
    expect(normalizeTimestamp("2024-03-01T00:15:00+00:30")).toBe("2024-02-29 23:45:00.000000 UTC")
    expect(normalizeTimestamp("2023-03-01T00:15:00+00:30")).toBe("2023-02-28 23:45:00.000000 UTC")
    expect(normalizeTimestamp("2024-05-31T22:00:00-23:59")).toBe("2024-06-01 21:59:00.000000 UTC")
  })

  it("truncates fractions to six digits (never rounds)", () => {
    expect(normalizeTimestamp("2024-05-27T10:30:00.123456789Z")).toBe("2024-05-27 10:30:00.123456 UTC")
    expect(normalizeTimestamp("2024-05-27T10:30:00.999999999Z")).toBe("2024-05-27 10:30:00.999999 UTC")
    expect(normalizeTimestamp("2024-05-27T10:30:00.1234567+01:00")).toBe("2024-05-27 09:30:00.123456 UTC")
  })

  it.each([
    ["2024-02-30T00:00:00Z", "30 February"],
    ["2023-02-29T00:00:00Z", "29 February of a common year"],
    ["1900-02-29T00:00:00Z", "29 February 1900 (divisible by 100, not by 400)"],
    ["2024-04-31 00:00:00.000000 UTC", "31 April"],
    ["2024-13-01T00:00:00Z", "month 13"],
    ["2024-00-01T00:00:00Z", "month 0"],
    ["2024-01-00T00:00:00Z", "day 0"],
    ["2024-01-01T24:00:00Z", "24:00:00"],
    ["2024-01-01 24:00:00.000000 UTC", "24:00:00 in the documented form"],
    ["2024-01-01T23:60:00Z", "minute 60"],
    ["2024-12-31T23:59:60Z", "a leap second"],
    ["2024-12-31 23:59:60.000000 UTC", "a leap second in the documented form"],
    ["2024-01-01T10:00:00+24:00", "offset 24:00"],
    ["2024-01-01T10:00:00+05:60", "offset minutes 60"],
    ["2024-01-01T10:00:00+0500", "offset without a colon"],
    ["2024-01-01T10:00:00+5:00", "one-digit offset hour"],
    ["2024-01-01T10:00:00", "no offset"],
    ["2024-01-01t10:00:00z", "lower-case t and z"],
    ["2024-01-01T10:00:00.1234567890Z", "ten fraction digits"],
    ["2024-01-01T10:00:00.Z", "an empty fraction"],
    ["2024-01-01 10:00:00 UTC", "documented form without fraction"],
    ["2024-01-01 10:00:00.000 UTC", "documented form with three fraction digits"],
    ["2024-01-01 10:00:00.000000", "documented form without UTC"],
    ["2024-01-01 10:00:00.000000 GMT", "documented form with GMT"],
    ["0000-01-01 00:00:00.000000 UTC", "year 0"],
    ["0001-01-01T00:30:00+01:00", "an instant before year 1"],
    ["9999-12-31T23:30:00-01:00", "an instant after year 9999"],
    ["", "the empty string"],
    ["2024-05-27", "a date alone"],
  ])("rejects %s (%s)", (input) => {
    expect(normalizeTimestamp(input)).toBeUndefined()
  })

  it("accepts leap days of leap years only", () => {
    expect(normalizeTimestamp("2024-02-29T12:00:00Z")).toBe("2024-02-29 12:00:00.000000 UTC")
    expect(normalizeTimestamp("2000-02-29 00:00:00.000000 UTC")).toBe("2000-02-29 00:00:00.000000 UTC")
    expect(normalizeTimestamp("1900-02-29 00:00:00.000000 UTC")).toBeUndefined()
    expect(normalizeTimestamp("2100-02-29T00:00:00Z")).toBeUndefined()
  })

  it("accepts the extremes of the 4-digit year range", () => {
    expect(normalizeTimestamp("0001-01-01T00:00:00Z")).toBe("0001-01-01 00:00:00.000000 UTC")
    expect(normalizeTimestamp("0001-01-01T01:00:00+01:00")).toBe("0001-01-01 00:00:00.000000 UTC")
    expect(normalizeTimestamp("9999-12-31T23:59:59.999999Z")).toBe("9999-12-31 23:59:59.999999 UTC")
  })

  it("agrees with Date arithmetic on generated timestamps of both forms", () => {
    fc.assert(
      fc.property(timestampSample, ({ input, normalized }) => {
        expect(timestampPattern.test(input)).toBe(true)
        expect(normalizeTimestamp(input)).toBe(normalized)
        // idempotent: the documented form stays as it is
        expect(normalizeTimestamp(normalized)).toBe(normalized)
      }),
      { numRuns: 2000 },
    )
  })
})

describe("isCalendarDate", () => {
  it("knows month lengths and leap years", () => {
    expect(isCalendarDate(2024, 2, 29)).toBe(true)
    expect(isCalendarDate(2000, 2, 29)).toBe(true)
    expect(isCalendarDate(1900, 2, 29)).toBe(false)
    expect(isCalendarDate(2023, 2, 29)).toBe(false)
    expect(isCalendarDate(2024, 4, 30)).toBe(true)
    expect(isCalendarDate(2024, 4, 31)).toBe(false)
    expect(isCalendarDate(2024, 12, 31)).toBe(true)
    expect(isCalendarDate(2024, 13, 1)).toBe(false)
    expect(isCalendarDate(2024, 0, 1)).toBe(false)
    expect(isCalendarDate(2024, 1, 0)).toBe(false)
  })
})

describe("formatTimestamp and todayUtc", () => {
  it("formats an instant in the documented form", () => {
    expect(formatTimestamp(Date.UTC(2024, 4, 27, 10, 30, 0, 123))).toBe("2024-05-27 10:30:00.123000 UTC")
    expect(formatTimestamp(new Date(Date.UTC(2024, 4, 27, 10, 30, 0, 123)), 456)).toBe("2024-05-27 10:30:00.123456 UTC")
    expect(formatTimestamp(0)).toBe("1970-01-01 00:00:00.000000 UTC")
  })

  it("gives today's date in UTC", () => {
    expect(todayUtc(Date.UTC(2024, 1, 29, 23, 59, 59))).toBe("2024-02-29")
    expect(todayUtc(Date.UTC(2024, 2, 1, 0, 0, 0))).toBe("2024-03-01")
  })
})
