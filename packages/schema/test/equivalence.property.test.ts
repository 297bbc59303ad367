/**
 * The compiled validator (`decodeEvent`) must agree with the Effect Schema
 * reference (`decodeWithSchema`) on every input: the same verdict, the same
 * issues in the same order, and for accepted events the same decoded event.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeEvent } from "../src/decodeEvent.ts"
import { type DecodeResult, decodeWithSchema } from "../src/decodeWithSchema.ts"
import type { Channel } from "../src/Field.ts"
import { issueCodes } from "../src/Issue.ts"
import { anyInput, channelSet, def, validSample } from "./support/arbitraries.ts"

const NUM_RUNS = 4000

const pointer = /^(\/([^~/]|~[01])*)*$/

const unescapeToken = (t: string) => t.replace(/~1/g, "/").replace(/~0/g, "~")

/** Compares two results: verdict, issues in order, or the decoded event (key order aside). */
const expectSameResult = (fast: DecodeResult, reference: DecodeResult) => {
  expect(fast.ok).toBe(reference.ok)
  if (fast.ok && reference.ok) expect(fast.event).toStrictEqual(reference.event)
  if (!fast.ok && !reference.ok) expect(fast.issues).toStrictEqual(reference.issues)
}

/** The shape every issue must have, whatever the input. */
const expectWellFormedIssues = (input: unknown, result: DecodeResult) => {
  if (result.ok) return
  expect(result.issues.length).toBeGreaterThan(0)
  for (const issue of result.issues) {
    expect(issue.path).toMatch(pointer)
    expect(issueCodes).toContain(issue.code)
    expect(issue.code).not.toBe("tenant_mismatch") // only the ingestion API knows the key's tenant
    const tokens = issue.path === "" ? [] : issue.path.slice(1).split("/").map(unescapeToken)
    // The parent of every path is there in the input (a required parameter may lack its context).
    let at: unknown = input
    for (const t of tokens.slice(0, -1)) {
      const present = typeof at === "object" && at !== null && Object.hasOwn(at, t)
      if (!present && issue.code === "required") {
        at = undefined
        break
      }
      expect(present, `${issue.path} in the input`).toBe(true)
      at = (at as Record<string, unknown>)[t]
    }
    const name = tokens.length === 0 ? "" : (tokens[tokens.length - 1] as string)
    if (name !== "") {
      const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name)
      expect(issue.message.startsWith(quoted), `${JSON.stringify(issue.message)} names ${quoted}`).toBe(true)
    }
    if (issue.code === "required") {
      // a required key is absent
      expect(typeof at === "object" && at !== null && Object.hasOwn(at, name)).toBe(false)
    } else if (issue.code !== "unknown_property") {
      expect(issue.message).toMatch(/ must (not )?be .+, got .+$/s)
    }
  }
  // sorted by path, then code
  const keys = result.issues.map((i) => [i.path, i.code] as const)
  const sorted = [...keys].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  expect(keys).toEqual(sorted)
}

describe("decodeEvent agrees with decodeWithSchema", () => {
  it("on valid, mutated and non-object inputs, with random channel sets", () => {
    fc.assert(
      fc.property(anyInput, ({ input, channels }) => {
        const fast = decodeEvent(input, { channels })
        const reference = decodeWithSchema(input, { channels })
        expectSameResult(fast, reference)
        expectWellFormedIssues(input, fast)
      }),
      { numRuns: NUM_RUNS },
    )
  })

  it("accepts every generated valid event and decodes it faithfully", () => {
    fc.assert(
      fc.property(
        channelSet.chain((channels) => validSample(channels).map((s) => ({ ...s, channels }))),
        ({ event, normalizedTimestamp, channels }) => {
          const fast = decodeEvent(event, { channels })
          const reference = decodeWithSchema(event, { channels })
          expect(fast.ok ? [] : fast.issues).toEqual([])
          expectSameResult(fast, reference)
          expect(fast.ok && fast.event).toStrictEqual({
            ...event,
            timestamp: normalizedTimestamp,
            context: event.context ?? {},
          })
        },
      ),
      { numRuns: 1500 },
    )
  })

  it("reports a missing channel parameter as required, on both decoders", () => {
    fc.assert(
      fc.property(validSample(), channelSet, ({ event }, channels: Array<Channel>) => {
        const context = (event.context ?? {}) as Record<string, unknown>
        const missing = def
          .requiredFor(channels)
          .filter((k) => !Object.hasOwn(context, k))
          .map((k) => `/context/${k}`)
        for (const result of [decodeEvent(event, { channels }), decodeWithSchema(event, { channels })]) {
          const required = result.ok ? [] : result.issues.filter((i) => i.code === "required").map((i) => i.path)
          expect(required).toEqual([...missing].sort())
          expect(result.ok).toBe(missing.length === 0)
        }
      }),
      { numRuns: 1000 },
    )
  })
})

/**
 * Values JSON cannot carry but a JavaScript caller can pass. The decoders
 * must still agree, and report each problem once.
 */
describe("decodeEvent agrees with decodeWithSchema on JavaScript-only values", () => {
  const envelope = {
    tenant: 567,
    timestamp: "2024-05-27 10:30:00.000000 UTC",
    event: "ootb_user_details_update",
    customer: "customerId1",
  }

  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    "tenant %s: one invalid_value",
    (tenant) => {
      const input = { ...envelope, tenant }
      const expected = [
        { path: "/tenant", code: "invalid_value", message: `tenant must be a positive integer, got ${tenant}` },
      ]
      expect(decodeEvent(input)).toEqual({ ok: false, issues: expected })
      expect(decodeWithSchema(input)).toEqual({ ok: false, issues: expected })
    },
  )

  it("tenant undefined: invalid_type, not also required", () => {
    const input = { ...envelope, tenant: undefined }
    const expected = [
      { path: "/tenant", code: "invalid_type", message: "tenant must be a positive integer, got nothing" },
    ]
    expect(decodeWithSchema(input)).toEqual({ ok: false, issues: expected })
    expect(decodeEvent(input)).toEqual({ ok: false, issues: expected })
  })

  it("a channel parameter set to undefined: invalid_type, not also required", () => {
    const input = { ...envelope, context: { ootb_email: undefined, ootb_allow_email: "Yes" } }
    const expected = [
      {
        path: "/context/ootb_email",
        code: "invalid_type",
        message: "ootb_email must be an email address, got nothing",
      },
    ]
    expect(decodeWithSchema(input, { channels: ["email"] })).toEqual({ ok: false, issues: expected })
    expect(decodeEvent(input, { channels: ["email"] })).toEqual({ ok: false, issues: expected })
  })

  it("context set to undefined with channels: invalid_type at /context only", () => {
    const input = { ...envelope, context: undefined }
    const expected = [{ path: "/context", code: "invalid_type", message: "context must be an object, got nothing" }]
    expect(decodeWithSchema(input, { channels: ["push"] })).toEqual({ ok: false, issues: expected })
    expect(decodeEvent(input, { channels: ["push"] })).toEqual({ ok: false, issues: expected })
  })

  it("optional values set to undefined: invalid_type on both", () => {
    const input = { ...envelope, visitor: undefined, context: { ootb_city: undefined } }
    expectSameResult(decodeEvent(input), decodeWithSchema(input))
    expect(decodeEvent(input)).toMatchObject({
      ok: false,
      issues: [
        { path: "/context/ootb_city", code: "invalid_type" },
        { path: "/visitor", code: "invalid_type" },
      ],
    })
  })
})
