import type { StandardSchemaV1 as SpecStandardSchemaV1, StandardJSONSchemaV1 } from "@standard-schema/spec"
import { describe, expect, expectTypeOf, it } from "vitest"
import {
  decodeEvent,
  type KnownEvent,
  KnownEventStandard,
  knownEventStandardSchema,
  OotbUserDetailsUpdate,
  type OotbUserDetailsUpdate as OotbUserDetailsUpdateEvent,
  OotbUserDetailsUpdateStandard,
  type StandardSchemaV1,
  standardSchema,
  toJsonSchema,
} from "../src/index.ts"

const valid = {
  tenant: 567,
  timestamp: "2024-05-27T10:30:00Z",
  event: "ootb_user_details_update",
  customer: "customerId1",
  context: { ootb_email: "john.doe@example.com", ootb_allow_email: "Yes", ootb_is_test: false },
}

// A consumer of the standard: takes any Standard Schema and validates with it.
const validateWith = async <S extends SpecStandardSchemaV1>(
  schema: S,
  value: unknown,
): Promise<SpecStandardSchemaV1.Result<SpecStandardSchemaV1.InferOutput<S>>> => schema["~standard"].validate(value)

describe("Standard Schema v1", () => {
  it("declares version 1 and the vendor", () => {
    for (const s of [OotbUserDetailsUpdateStandard, KnownEventStandard]) {
      expect(s["~standard"].version).toBe(1)
      expect(s["~standard"].vendor).toBe("cdp")
      expect(typeof s["~standard"].validate).toBe("function")
    }
  })

  it("returns the decoded event as value, as decodeEvent does", async () => {
    const result = await validateWith(OotbUserDetailsUpdateStandard, valid)
    expect(result.issues).toBeUndefined()
    const decoded = decodeEvent(valid)
    expect(decoded.ok).toBe(true)
    if (decoded.ok && !result.issues) {
      expect(result.value).toEqual(decoded.event)
      expect(result.value.timestamp).toBe("2024-05-27 10:30:00.000000 UTC")
    }
  })

  it("reports issues with a message and a path of keys, plus the code and pointer", () => {
    const result = OotbUserDetailsUpdateStandard["~standard"].validate({
      ...valid,
      tenant: "567",
      context: { ootb_email: "nope", "a/b~c": 1 },
    })
    expect(result.issues).toEqual([
      {
        message: expect.stringContaining('"a/b~c" is not a parameter'),
        path: ["context", "a/b~c"],
        code: "unknown_property",
        pointer: "/context/a~1b~0c",
      },
      {
        message: 'ootb_email must be an email address, got "nope"',
        path: ["context", "ootb_email"],
        code: "invalid_format",
        pointer: "/context/ootb_email",
      },
      {
        message: 'tenant must be a positive integer, got "567"',
        path: ["tenant"],
        code: "invalid_type",
        pointer: "/tenant",
      },
    ])
  })

  it("reports a value that is not an object at the root (empty path)", () => {
    const result = KnownEventStandard["~standard"].validate(42)
    expect(result.issues).toHaveLength(1)
    expect(result.issues?.[0]).toMatchObject({ path: [], pointer: "", code: "invalid_type" })
  })

  it("takes the tenant's channels", () => {
    const sms = standardSchema(OotbUserDetailsUpdate, { channels: ["sms"] })
    const result = sms["~standard"].validate(valid)
    expect(result.issues?.map((i) => i.path.join("."))).toEqual([
      "context.ootb_allow_sms",
      "context.ootb_mobile_number",
    ])
    expect(result.issues?.[0]?.message).toContain("sms channel")
    expect(OotbUserDetailsUpdateStandard["~standard"].validate(valid).issues).toBeUndefined()
    expect(knownEventStandardSchema({ channels: ["sms"] })["~standard"].validate(valid).issues).toHaveLength(2)
  })

  it("the registry-wide schema accepts every known kind and rejects unknown ones", () => {
    expect(KnownEventStandard["~standard"].validate(valid).issues).toBeUndefined()
    const result = KnownEventStandard["~standard"].validate({ ...valid, event: "ootb_nope" })
    expect(result.issues).toEqual([expect.objectContaining({ path: ["event"], code: "unknown_event" })])
  })

  it("agrees with decodeEvent on verdicts and issues", () => {
    const inputs: Array<unknown> = [
      valid,
      null,
      [],
      { ...valid, customer: "" },
      { ...valid, timestamp: "2024-02-30 10:00:00.000000 UTC" },
      { ...valid, context: { ootb_date_of_birth: "2999-01-01" } },
      { ...valid, extra: true },
    ]
    for (const input of inputs) {
      const decoded = decodeEvent(input)
      const result = OotbUserDetailsUpdateStandard["~standard"].validate(input)
      if (decoded.ok) expect(result).toEqual({ value: decoded.event })
      else
        expect(result.issues?.map((i) => [i.pointer, i.code, i.message])).toEqual(
          decoded.issues.map((i) => [i.path, i.code, i.message]),
        )
    }
  })

  it("gives the published JSON Schema through the Standard JSON Schema converter", () => {
    const converter = OotbUserDetailsUpdateStandard["~standard"].jsonSchema
    expect(converter.input({ target: "draft-2020-12" })).toEqual(toJsonSchema(OotbUserDetailsUpdate))
    expect(converter.output({ target: "draft-07" })).toEqual(toJsonSchema(OotbUserDetailsUpdate, "draft-07"))
    expect(KnownEventStandard["~standard"].jsonSchema.input({ target: "draft-07" })).toEqual(
      toJsonSchema(OotbUserDetailsUpdate, "draft-07"),
    )
    expect(() => converter.input({ target: "openapi-3.0" })).toThrow(/unsupported JSON Schema target/)
  })

  it("is typed as the standard's interfaces, with the event types inferred", () => {
    expectTypeOf(OotbUserDetailsUpdateStandard).toExtend<SpecStandardSchemaV1>()
    expectTypeOf(OotbUserDetailsUpdateStandard).toExtend<StandardJSONSchemaV1>()
    expectTypeOf(KnownEventStandard).toExtend<SpecStandardSchemaV1>()
    expectTypeOf<
      SpecStandardSchemaV1.InferOutput<typeof OotbUserDetailsUpdateStandard>
    >().toEqualTypeOf<OotbUserDetailsUpdateEvent>()
    expectTypeOf<StandardSchemaV1.InferOutput<typeof KnownEventStandard>>().toEqualTypeOf<KnownEvent>()
    expectTypeOf<SpecStandardSchemaV1.InferInput<typeof OotbUserDetailsUpdateStandard>>().toHaveProperty("context")
  })
})
