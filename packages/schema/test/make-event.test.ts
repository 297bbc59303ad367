import { describe, expect, expectTypeOf, it } from "vitest"
import {
  decodeEvent,
  InvalidEventError,
  makeEvent,
  normalizeTimestamp,
  type OotbUserDetailsUpdate,
} from "../src/index.ts"

const base = { tenant: 567, customer: "customerId1" } as const

describe("makeEvent", () => {
  it("builds a valid event with the documented timestamp", () => {
    const at = new Date(Date.UTC(2024, 4, 27, 10, 30, 0, 123))
    const event = makeEvent("ootb_user_details_update", {
      ...base,
      timestamp: at,
      context: { ootb_email: "john.doe@example.com", ootb_allow_email: "Yes", ootb_is_blocked: false },
    })
    expect(event).toEqual({
      tenant: 567,
      timestamp: "2024-05-27 10:30:00.123000 UTC",
      event: "ootb_user_details_update",
      customer: "customerId1",
      context: { ootb_email: "john.doe@example.com", ootb_allow_email: "Yes", ootb_is_blocked: false },
    })
    expect(decodeEvent(event)).toEqual({ ok: true, event })
  })

  it("stamps the current time when no timestamp is given, and fills context", () => {
    const before = Date.now()
    const event = makeEvent("ootb_user_details_update", base)
    const after = Date.now()
    expect(event.timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6} UTC$/)
    const ms = Date.parse(event.timestamp.replace(" UTC", "Z").replace(" ", "T"))
    expect(ms).toBeGreaterThanOrEqual(before)
    expect(ms).toBeLessThanOrEqual(after)
    expect(event.context).toEqual({})
  })

  it("accepts and normalises a timestamp string", () => {
    const event = makeEvent("ootb_user_details_update", { ...base, timestamp: "2024-05-27T12:30:00.5+02:00" })
    expect(event.timestamp).toBe(normalizeTimestamp("2024-05-27T12:30:00.5+02:00"))
    expect(event.timestamp).toBe("2024-05-27 10:30:00.500000 UTC")
  })

  it("keeps a visitor beside the customer", () => {
    const event = makeEvent("ootb_user_details_update", { ...base, visitor: "visitor-7f3a" })
    expect(event.visitor).toBe("visitor-7f3a")
  })

  it("throws InvalidEventError carrying every issue", () => {
    let thrown: unknown
    try {
      makeEvent("ootb_user_details_update", {
        tenant: 0,
        customer: "",
        timestamp: "yesterday",
        context: { ootb_email: "not-an-email" },
      })
    } catch (e) {
      thrown = e
    }
    expect(thrown).toBeInstanceOf(InvalidEventError)
    expect(thrown).toBeInstanceOf(Error)
    const error = thrown as InvalidEventError
    expect(error.name).toBe("InvalidEventError")
    expect(error.code).toBe("invalid_event")
    expect(error.event).toBe("ootb_user_details_update")
    expect(error.issues.map((i) => [i.path, i.code])).toEqual([
      ["/context/ootb_email", "invalid_format"],
      ["/customer", "invalid_value"],
      ["/tenant", "invalid_value"],
      ["/timestamp", "invalid_format"],
    ])
    expect(error.message).toContain("invalid ootb_user_details_update event")
    expect(error.message).toContain('/context/ootb_email: ootb_email must be an email address, got "not-an-email"')
  })

  it("throws on an invalid Date", () => {
    expect(() => makeEvent("ootb_user_details_update", { ...base, timestamp: new Date(Number.NaN) })).toThrow(
      InvalidEventError,
    )
  })

  it("applies the tenant's channels", () => {
    expect(() => makeEvent("ootb_user_details_update", base, { channels: ["email"] })).toThrow(
      /ootb_email is required: the tenant's integration uses the email channel/,
    )
    const event = makeEvent(
      "ootb_user_details_update",
      { ...base, context: { ootb_email: "a@b.co", ootb_allow_email: "No" } },
      { channels: ["email"] },
    )
    expect(event.context.ootb_allow_email).toBe("No")
  })

  it("rejects, at run time, what the types forbid (for JavaScript callers)", () => {
    const loose = { ...base, context: { ootb_favourite_colour: "blue" }, extra: 1 } as never
    expect(() => makeEvent("ootb_user_details_update", loose)).toThrow(
      /ootb_favourite_colour is not a parameter of ootb_user_details_update/,
    )
  })

  it("is typed from the registry", () => {
    expectTypeOf(makeEvent("ootb_user_details_update", base)).toEqualTypeOf<OotbUserDetailsUpdate>()
    expectTypeOf(makeEvent<"ootb_user_details_update">)
      .parameter(1)
      .toHaveProperty("context")

    const typeErrors = () => {
      // @ts-expect-error: not a known event key
      makeEvent("ootb_unknown_event", base)
      // @ts-expect-error: not a parameter of the event
      makeEvent("ootb_user_details_update", { ...base, context: { ootb_favourite_colour: "blue" } })
      // @ts-expect-error: a boolean parameter takes a boolean, not a string
      makeEvent("ootb_user_details_update", { ...base, context: { ootb_is_test: "false" } })
      // @ts-expect-error: consent is "Yes" or "No"
      makeEvent("ootb_user_details_update", { ...base, context: { ootb_allow_sms: "yes" } })
      // @ts-expect-error: status is one of Started, Completed, Failed
      makeEvent("ootb_user_details_update", { ...base, context: { ootb_status: "Done" } })
      // @ts-expect-error: tenant is a number
      makeEvent("ootb_user_details_update", { tenant: "567", customer: "c" })
      // @ts-expect-error: customer is required
      makeEvent("ootb_user_details_update", { tenant: 567 })
      // @ts-expect-error: a timestamp is a Date or a string
      makeEvent("ootb_user_details_update", { ...base, timestamp: 1716805800000 })
    }
    expect(typeof typeErrors).toBe("function")
  })
})
