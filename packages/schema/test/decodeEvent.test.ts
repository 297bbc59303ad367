/**
 * The rules of `ootb_user_details_update`, one by one, checked on both
 * decoders: the compiled fast path (`decodeEvent`) and the Effect Schema
 * reference (`decodeWithSchema`).
 */
import { describe, expect, it } from "vitest"
import { decodeEvent, makeDecoder } from "../src/decodeEvent.ts"
import { type DecodeOptions, type DecodeResult, decodeWithSchema } from "../src/decodeWithSchema.ts"
import { OotbUserDetailsUpdate } from "../src/events/ootb_user_details_update.ts"
import { channels as allChannels, type Channel, type FieldSpec } from "../src/Field.ts"
import { type Issue, issueCodes } from "../src/Issue.ts"
import { daysFromToday, today } from "./support/arbitraries.ts"

const KEY = "ootb_user_details_update"

/**
 * The seed's example context. The seed's copy of the e-mail address is
 * mangled by an e-mail obfuscator ("[email protected]"), so a real address
 * stands in; its status reads "Started" / "Completed", so one is taken.
 */
const seedContext = {
  ootb_email: "john.doe@example.com",
  ootb_mobile_number: "+1234567890",
  ootb_status: "Completed",
  ootb_registration_source: "product page",
  ootb_date_of_birth: "1990-01-15",
  ootb_allow_email: "Yes",
  ootb_allow_sms: "Yes",
  ootb_allow_push: "Yes",
  ootb_allow_whatsapp: "Yes",
  ootb_is_email_verified: true,
  ootb_is_mobile_verified: true,
  ootb_is_blocked: false,
  ootb_is_test: false,
  ootb_gender: "male",
  ootb_country: "US",
  ootb_city: "NYC",
  ootb_address: "Street 1111",
  ootb_first_name: "John",
  ootb_last_name: "Doe",
  ootb_language: "en",
  ootb_currency: "USD",
  ootb_brand: "",
  ootb_alias: "johndoe90",
  ootb_referral_type: "Advertising",
  ootb_affiliate_id: "",
  ootb_platform: "iOS",
  ootb_promo_code: "WELCOME2024",
  ootb_license: "licenseXYZ",
}

const envelope = {
  tenant: 567,
  timestamp: "2024-05-27 10:30:00.000000 UTC",
  event: KEY,
  customer: "customerId1",
}

const seedEvent = { ...envelope, context: seedContext }

const withContext = (context: Record<string, unknown>) => ({ ...envelope, context })

type Decode = (input: unknown, options?: DecodeOptions) => DecodeResult

const decoders: ReadonlyArray<[string, Decode]> = [
  ["decodeEvent", decodeEvent],
  ["decodeWithSchema", decodeWithSchema],
]

const fieldSpecs = OotbUserDetailsUpdate.fields as Record<string, FieldSpec>
const textFields = Object.keys(fieldSpecs).filter((k) => {
  const s = fieldSpecs[k] as FieldSpec
  return s.type === "string" && s.enum === undefined && s.format === undefined
})
const consentFields = Object.keys(fieldSpecs).filter((k) => k.startsWith("ootb_allow_"))
const flagFields = Object.keys(fieldSpecs).filter((k) => k.startsWith("ootb_is_"))

describe.each(decoders)("%s", (_name, decode) => {
  const issues = (input: unknown, options?: DecodeOptions): ReadonlyArray<Issue> => {
    const r = decode(input, options)
    if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.event)}`)
    return r.issues
  }
  const codes = (input: unknown, options?: DecodeOptions) => issues(input, options).map((i) => [i.path, i.code])
  const accepts = (input: unknown, options?: DecodeOptions) => {
    const r = decode(input, options)
    expect(r.ok ? [] : r.issues).toEqual([])
    return r.ok ? r.event : undefined
  }
  const fieldIssue = (field: string, value: unknown) => codes(withContext({ [field]: value }))

  describe("the seed's example event", () => {
    it("is valid and decodes to itself", () => {
      expect(accepts(seedEvent)).toEqual(seedEvent)
    })

    it("is valid for a tenant with every channel", () => {
      expect(accepts(seedEvent, { channels: [...allChannels] })).toEqual(seedEvent)
    })

    it.each(["Started", "Completed", "Failed"])("accepts ootb_status %s", (status) => {
      accepts(withContext({ ...seedContext, ootb_status: status }))
    })

    it("accepts the bare envelope", () => {
      accepts(envelope)
    })

    it("accepts a visitor beside the customer", () => {
      expect(accepts({ ...envelope, visitor: "visitor-7f3a" })).toMatchObject({ visitor: "visitor-7f3a" })
    })
  })

  describe("decoding", () => {
    it("normalises an RFC 3339 timestamp to the documented form in UTC", () => {
      expect(accepts({ ...envelope, timestamp: "2024-05-27T12:30:00.1234567+02:00" })).toMatchObject({
        timestamp: "2024-05-27 10:30:00.123456 UTC",
      })
      expect(accepts({ ...envelope, timestamp: "2024-01-01T00:30:00+01:00" })).toMatchObject({
        timestamp: "2023-12-31 23:30:00.000000 UTC",
      })
    })

    it("always yields a context object", () => {
      expect(accepts(envelope)).toEqual({ ...envelope, context: {} })
      expect(accepts(withContext({}))).toEqual({ ...envelope, context: {} })
    })

    it("keeps every parameter value as sent", () => {
      const ctx = { ootb_brand: "", ootb_city: " São Paulo ", ootb_is_test: false }
      expect(accepts(withContext(ctx))).toEqual(withContext(ctx))
    })
  })

  describe("strings of at most 255 characters (code points)", () => {
    it.each(textFields)("%s: 255 characters pass, 256 are too long", (field) => {
      accepts(withContext({ [field]: "a".repeat(255) }))
      expect(fieldIssue(field, "a".repeat(256))).toEqual([[`/context/${field}`, "too_long"]])
    })

    it("counts an emoji as one character", () => {
      accepts(withContext({ ootb_city: "😀".repeat(255) })) // 510 UTF-16 code units
      accepts(withContext({ ootb_city: `${"😀".repeat(200)}${"a".repeat(55)}` }))
      expect(issues(withContext({ ootb_city: "😀".repeat(256) }))).toEqual([
        { path: "/context/ootb_city", code: "too_long", message: "ootb_city must be at most 255 characters, got 256" },
      ])
    })

    it("applies to customer and visitor too", () => {
      accepts({ ...envelope, customer: "😀".repeat(255), visitor: "v".repeat(255) })
      expect(codes({ ...envelope, customer: "c".repeat(256), visitor: "😀".repeat(256) })).toEqual([
        ["/customer", "too_long"],
        ["/visitor", "too_long"],
      ])
    })

    it("applies to formatted strings beside their format", () => {
      expect(fieldIssue("ootb_email", `${"a".repeat(300)}@example.com`)).toEqual([["/context/ootb_email", "too_long"]])
      expect(fieldIssue("ootb_country", "U".repeat(256))).toEqual([
        ["/context/ootb_country", "invalid_format"],
        ["/context/ootb_country", "too_long"],
      ])
    })
  })

  describe("free text", () => {
    it.each(textFields)("%s may be empty", (field) => {
      accepts(withContext({ [field]: "" }))
    })

    it("customer and visitor may not be empty", () => {
      expect(issues({ ...envelope, customer: "", visitor: "" })).toEqual([
        {
          path: "/customer",
          code: "invalid_value",
          message: 'customer must be a non-empty string of at most 255 characters, got ""',
        },
        {
          path: "/visitor",
          code: "invalid_value",
          message: 'visitor must be a non-empty string of at most 255 characters, got ""',
        },
      ])
    })
  })

  describe("consents: exactly Yes or No", () => {
    it.each(consentFields)("%s", (field) => {
      accepts(withContext({ [field]: "Yes" }))
      accepts(withContext({ [field]: "No" }))
      for (const bad of ["yes", "YES", "no", "Y", "N", "", "true", " Yes"])
        expect(fieldIssue(field, bad)).toEqual([[`/context/${field}`, "invalid_value"]])
      for (const bad of [true, false, 1, ["Yes"], { Yes: true }])
        expect(fieldIssue(field, bad)).toEqual([[`/context/${field}`, "invalid_type"]])
    })

    it("names the allowed values and the value received", () => {
      expect(issues(withContext({ ootb_allow_sms: "yes" }))).toEqual([
        {
          path: "/context/ootb_allow_sms",
          code: "invalid_value",
          message: 'ootb_allow_sms must be one of "Yes", "No", got "yes"',
        },
      ])
    })
  })

  describe("ootb_status: Started, Completed or Failed", () => {
    it("rejects any other value", () => {
      for (const bad of ["started", "COMPLETED", "Pending", "", "Started / Completed"])
        expect(fieldIssue("ootb_status", bad)).toEqual([["/context/ootb_status", "invalid_value"]])
      expect(issues(withContext({ ootb_status: "Pending" }))[0]?.message).toBe(
        'ootb_status must be one of "Started", "Completed", "Failed", got "Pending"',
      )
      expect(fieldIssue("ootb_status", 1)).toEqual([["/context/ootb_status", "invalid_type"]])
    })
  })

  describe("flags: JSON booleans", () => {
    it.each(flagFields)("%s", (field) => {
      accepts(withContext({ [field]: true }))
      accepts(withContext({ [field]: false }))
      for (const bad of ["true", "false", 1, 0, "", [], {}])
        expect(fieldIssue(field, bad)).toEqual([[`/context/${field}`, "invalid_type"]])
    })

    it('says that the string "true" is not a boolean', () => {
      expect(issues(withContext({ ootb_is_test: "true" }))).toEqual([
        {
          path: "/context/ootb_is_test",
          code: "invalid_type",
          message: 'ootb_is_test must be a JSON boolean (true or false), got "true"',
        },
      ])
    })
  })

  describe("formats", () => {
    const check = (field: string, good: ReadonlyArray<string>, bad: ReadonlyArray<string>) => {
      for (const v of good) {
        const r = decode(withContext({ [field]: v }))
        expect(r.ok, `${field} ${JSON.stringify(v)} should pass`).toBe(true)
      }
      for (const v of bad)
        expect(fieldIssue(field, v), `${field} ${JSON.stringify(v)}`).toEqual([[`/context/${field}`, "invalid_format"]])
    }

    it("ootb_email: an email address", () => {
      check(
        "ootb_email",
        ["john.doe@example.com", "a@b.co", "x+tag@sub.example.org", "O'Brien@example.ie"],
        ["x", "a@b", "a@@b.com", "@example.com", "john@", " john@example.com", "jo hn@example.com", "john@-x.com"],
      )
    })

    it("ootb_email: the message of the API contract", () => {
      expect(issues(withContext({ ootb_email: "x" }))).toEqual([
        {
          path: "/context/ootb_email",
          code: "invalid_format",
          message: 'ootb_email must be an email address, got "x"',
        },
      ])
    })

    it("ootb_mobile_number: E.164, + and 7 to 15 digits", () => {
      check(
        "ootb_mobile_number",
        ["+1234567", "+1234567890", "+123456789012345"],
        ["+123456", "+1234567890123456", "1234567890", "+12 34567890", "+1-234-567-890", "++1234567", "+", ""],
      )
    })

    it("ootb_date_of_birth: a real date", () => {
      check(
        "ootb_date_of_birth",
        ["1990-01-15", "2024-02-29", "2000-02-29", "1900-02-28"],
        [
          "2024-02-30",
          "2023-02-29",
          "1900-02-29",
          "2024-04-31",
          "2024-13-01",
          "1990-1-15",
          "15-01-1990",
          "1990/01/15",
          "",
        ],
      )
    })

    it("ootb_date_of_birth: not in the future (today is fine)", () => {
      accepts(withContext({ ootb_date_of_birth: today() }))
      for (const days of [2, 365, 100 * 365]) {
        const dob = daysFromToday(days)
        expect(issues(withContext({ ootb_date_of_birth: dob }))).toEqual([
          {
            path: "/context/ootb_date_of_birth",
            code: "invalid_value",
            message: `ootb_date_of_birth must not be in the future, got "${dob}"`,
          },
        ])
      }
    })

    it("ootb_country: two capitals (UK passes)", () => {
      check("ootb_country", ["US", "UK", "DE"], ["us", "Us", "USA", "U", "U1", ""])
    })

    it("ootb_language: en or en-US", () => {
      check("ootb_language", ["en", "fr", "en-US", "es-419"], ["EN", "en-us", "eng", "en_US", "e", "en-", ""])
    })

    it("ootb_currency: three capitals", () => {
      check("ootb_currency", ["USD", "EUR"], ["usd", "US", "USDD", "U$D", ""])
    })
  })

  describe("null is never accepted", () => {
    it.each(Object.keys(fieldSpecs))("context.%s: null", (field) => {
      expect(fieldIssue(field, null)).toEqual([[`/context/${field}`, "invalid_type"]])
    })

    it.each(["tenant", "timestamp", "customer", "visitor", "context"])("%s: null", (key) => {
      expect(issues({ ...envelope, [key]: null })).toEqual([
        {
          path: `/${key}`,
          code: "invalid_type",
          message: expect.stringMatching(new RegExp(`^${key} must be .*, got null$`)),
        },
      ])
    })

    it("event: null", () => {
      expect(codes({ ...envelope, event: null })).toEqual([["/event", "invalid_type"]])
    })
  })

  describe("envelope", () => {
    it.each(["tenant", "timestamp", "event", "customer"])("%s is required", (key) => {
      const input: Record<string, unknown> = { ...envelope }
      delete input[key]
      expect(issues(input)).toEqual([{ path: `/${key}`, code: "required", message: `${key} is required` }])
    })

    it("tenant: a positive safe integer", () => {
      accepts({ ...envelope, tenant: 1 })
      accepts({ ...envelope, tenant: Number.MAX_SAFE_INTEGER })
      for (const bad of [0, -1, 1.5, 2 ** 53, 1e21])
        expect(codes({ ...envelope, tenant: bad }), String(bad)).toEqual([["/tenant", "invalid_value"]])
      expect(codes({ ...envelope, tenant: "567" })).toEqual([["/tenant", "invalid_type"]])
    })

    it("timestamp: rejects impossible instants with invalid_format", () => {
      for (const bad of ["2024-02-30T10:00:00Z", "2024-01-01T24:00:00Z", "2024-01-01 10:00:00 UTC", "yesterday"])
        expect(codes({ ...envelope, timestamp: bad }), bad).toEqual([["/timestamp", "invalid_format"]])
      expect(codes({ ...envelope, timestamp: 1716805800000 })).toEqual([["/timestamp", "invalid_type"]])
    })

    it("rejects input that is not an object", () => {
      for (const bad of [null, [], "event", 42, true, [seedEvent]])
        expect(issues(bad)).toEqual([
          { path: "", code: "invalid_type", message: expect.stringContaining("must be an event object") },
        ])
    })

    it("context must be an object", () => {
      for (const bad of [[], "x", 1, true])
        expect(codes({ ...envelope, context: bad })).toEqual([["/context", "invalid_type"]])
    })
  })

  describe("unknown keys", () => {
    it("in the envelope: unknown_property", () => {
      expect(issues({ ...envelope, extra: 1 })).toEqual([
        {
          path: "/extra",
          code: "unknown_property",
          message:
            "extra is not a property of the event envelope (tenant, timestamp, event, customer, visitor, context)",
        },
      ])
    })

    it("in the context: unknown_property", () => {
      expect(issues(withContext({ ootb_favourite_colour: "blue", ootb_city: "NYC" }))).toEqual([
        {
          path: "/context/ootb_favourite_colour",
          code: "unknown_property",
          message:
            "ootb_favourite_colour is not a parameter of ootb_user_details_update; only its standard parameters are accepted",
        },
      ])
    })

    it("names are case sensitive", () => {
      expect(codes(withContext({ OOTB_CITY: "NYC" }))).toEqual([["/context/OOTB_CITY", "unknown_property"]])
      expect(codes({ ...envelope, Tenant: 567 })).toEqual([["/Tenant", "unknown_property"]])
    })

    it("__proto__ from JSON.parse, in the envelope and in the context", () => {
      const input = JSON.parse(
        `{"tenant":567,"timestamp":"2024-05-27T10:30:00Z","event":"${KEY}","customer":"c","__proto__":{"tenant":1},"context":{"__proto__":{"ootb_city":"x"}}}`,
      )
      expect(codes(input)).toEqual([
        ["/__proto__", "unknown_property"],
        ["/context/__proto__", "unknown_property"],
      ])
    })

    it("constructor and toString", () => {
      expect(codes({ ...envelope, constructor: "x", toString: "y", context: { constructor: 1, toString: 2 } })).toEqual(
        [
          ["/constructor", "unknown_property"],
          ["/context/constructor", "unknown_property"],
          ["/context/toString", "unknown_property"],
          ["/toString", "unknown_property"],
        ],
      )
    })

    it("escapes names in the JSON Pointer (RFC 6901)", () => {
      const found = issues(withContext({ "a/b~c": 1 }))
      expect(found.map((i) => [i.path, i.code])).toEqual([["/context/a~1b~0c", "unknown_property"]])
      expect(found[0]?.message).toContain('"a/b~c"')
    })
  })

  describe("channel requirements", () => {
    const requirements: ReadonlyArray<[Channel, ReadonlyArray<string>]> = [
      ["email", ["ootb_email", "ootb_allow_email"]],
      ["sms", ["ootb_mobile_number", "ootb_allow_sms"]],
      ["push", ["ootb_allow_push"]],
      ["whatsapp", ["ootb_mobile_number", "ootb_allow_whatsapp"]],
    ]

    it.each(requirements)("%s requires %j", (channel, fields) => {
      const expected = [...fields].sort().map((f) => [`/context/${f}`, "required"])
      expect(codes(withContext({ ootb_city: "NYC" }), { channels: [channel] })).toEqual(expected)
      expect(codes(envelope, { channels: [channel] })).toEqual(expected)
      const complete = Object.fromEntries(fields.map((f) => [f, seedContext[f as keyof typeof seedContext]]))
      accepts(withContext(complete), { channels: [channel] })
      // with no channel, none of them is needed
      accepts(envelope)
    })

    it("says which channel makes a parameter mandatory", () => {
      expect(issues(envelope, { channels: ["sms", "whatsapp"] })).toEqual([
        {
          path: "/context/ootb_allow_sms",
          code: "required",
          message: "ootb_allow_sms is required: the tenant's integration uses the sms channel",
        },
        {
          path: "/context/ootb_allow_whatsapp",
          code: "required",
          message: "ootb_allow_whatsapp is required: the tenant's integration uses the whatsapp channel",
        },
        {
          path: "/context/ootb_mobile_number",
          code: "required",
          message: "ootb_mobile_number is required: the tenant's integration uses the sms and whatsapp channels",
        },
      ])
    })

    it("every channel: each mandatory parameter once", () => {
      expect(codes(withContext({}), { channels: [...allChannels] })).toEqual([
        ["/context/ootb_allow_email", "required"],
        ["/context/ootb_allow_push", "required"],
        ["/context/ootb_allow_sms", "required"],
        ["/context/ootb_allow_whatsapp", "required"],
        ["/context/ootb_email", "required"],
        ["/context/ootb_mobile_number", "required"],
      ])
    })

    it("a present but invalid parameter is invalid, not missing", () => {
      expect(codes(withContext({ ootb_email: "x", ootb_allow_email: "maybe" }), { channels: ["email"] })).toEqual([
        ["/context/ootb_allow_email", "invalid_value"],
        ["/context/ootb_email", "invalid_format"],
      ])
    })

    it("makeDecoder binds the channels once", () => {
      const forEmail = makeDecoder({ channels: ["email"] })
      const r = forEmail(envelope)
      expect(r.ok).toBe(false)
      expect(forEmail(withContext({ ootb_email: "a@b.co", ootb_allow_email: "No" })).ok).toBe(true)
    })
  })

  describe("unknown event kinds", () => {
    it("unknown_event at /event", () => {
      expect(issues({ ...envelope, event: "ootb_user_details" })).toEqual([
        { path: "/event", code: "unknown_event", message: 'event must be a known event key, got "ootb_user_details"' },
      ])
    })

    it.each(["constructor", "__proto__", "toString", "hasOwnProperty", ""])("%j is not an event key", (key) => {
      expect(codes({ ...envelope, event: key })).toEqual([["/event", "unknown_event"]])
    })

    it("still reports the envelope's own issues", () => {
      expect(codes({ tenant: 0, timestamp: "nope", event: "other", context: { anything: 1 }, extra: true })).toEqual([
        ["/event", "unknown_event"],
        ["/extra", "unknown_property"],
        ["/tenant", "invalid_value"],
        ["/timestamp", "invalid_format"],
      ])
    })

    it("a missing or non-string event", () => {
      const { event: _, ...rest } = envelope
      expect(codes(rest)).toEqual([["/event", "required"]])
      expect(codes({ ...envelope, event: 7 })).toEqual([["/event", "invalid_type"]])
    })
  })

  describe("issues", () => {
    const broken = {
      tenant: "567",
      timestamp: "2024-02-30T10:00:00Z",
      event: KEY,
      customer: "",
      surprise: 1,
      context: {
        ootb_email: "not-an-email",
        ootb_mobile_number: "12345",
        ootb_status: "Done",
        ootb_date_of_birth: "2023-02-29",
        ootb_allow_push: "yes",
        ootb_is_test: "false",
        ootb_country: "usa",
        ootb_language: "EN",
        ootb_currency: "usd",
        ootb_city: null,
        ootb_address: "x".repeat(256),
        ootb_bonus: 5,
      },
    }

    it("reports every issue, sorted by path then code", () => {
      expect(codes(broken, { channels: ["whatsapp"] })).toEqual([
        ["/context/ootb_address", "too_long"],
        ["/context/ootb_allow_push", "invalid_value"],
        ["/context/ootb_allow_whatsapp", "required"],
        ["/context/ootb_bonus", "unknown_property"],
        ["/context/ootb_city", "invalid_type"],
        ["/context/ootb_country", "invalid_format"],
        ["/context/ootb_currency", "invalid_format"],
        ["/context/ootb_date_of_birth", "invalid_format"],
        ["/context/ootb_email", "invalid_format"],
        ["/context/ootb_is_test", "invalid_type"],
        ["/context/ootb_language", "invalid_format"],
        ["/context/ootb_mobile_number", "invalid_format"],
        ["/context/ootb_status", "invalid_value"],
        ["/customer", "invalid_value"],
        ["/surprise", "unknown_property"],
        ["/tenant", "invalid_type"],
        ["/timestamp", "invalid_format"],
      ])
    })

    it("have JSON Pointer paths into the event, codes of the closed set, and messages naming field, expectation and value", () => {
      for (const issue of issues(broken, { channels: ["whatsapp"] })) {
        expect(issue.path).toMatch(/^(\/([^~/]|~[01])*)+$/)
        expect(issueCodes).toContain(issue.code)
        const name = issue.path.split("/").pop() as string
        expect(issue.message.startsWith(name), issue.message).toBe(true)
        if (issue.code === "required") expect(issue.message).toContain("is required")
        else if (issue.code === "unknown_property") expect(issue.message).toContain("not a p")
        else {
          const spec = fieldSpecs[name]
          const value = issue.path.startsWith("/context/")
            ? broken.context[name as keyof typeof broken.context]
            : broken[name as keyof typeof broken]
          expect(issue.message).toMatch(/ must (be|not be) .+, got .+$/)
          const shown =
            typeof value === "string"
              ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
              : String(value)
          if (issue.code === "too_long") expect(issue.message).toContain("got 256")
          else expect(issue.message.endsWith(`got ${shown}`), issue.message).toBe(true)
          if (spec?.type === "string" && spec.format) expect(issue.message).toContain(spec.format.expected)
          if (spec?.type === "string" && spec.enum)
            expect(issue.message).toContain(spec.enum.map((v) => `"${v}"`).join(", "))
          if (spec?.type === "boolean") expect(issue.message).toContain("JSON boolean")
        }
      }
    })
  })
})
