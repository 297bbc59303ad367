import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ConfigError, parseConfig } from "../src/TenantConfig.ts"

const digest = (c: string): string => c.repeat(64)
const tenantWith = (fields: Record<string, unknown>) => ({ tenants: [{ id: 567, keys: [digest("a")], ...fields }] })
const parse = (input: unknown) => parseConfig(input, "tenants.json")

/** The message parseConfig throws for this input. */
const errorOf = (input: unknown): string => {
  try {
    parse(input)
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError)
    return (e as Error).message
  }
  throw new Error(`accepted: ${JSON.stringify(input)}`)
}

describe("parseConfig: key scopes", () => {
  it("gives a plain digest every scope, and { digest, scopes } only those it names", () => {
    const config = parse({
      tenants: [
        {
          id: 567,
          keys: [
            digest("a"),
            { digest: digest("B"), scopes: ["send"] },
            { digest: digest("c"), scopes: ["erase", "read"] },
          ],
        },
      ],
    })
    expect(config.tenants[0]?.keys).toEqual([
      { digest: digest("a"), scopes: ["send", "read", "erase"] },
      { digest: digest("b"), scopes: ["send"] },
      { digest: digest("c"), scopes: ["erase", "read"] },
    ])
  })

  it.each([
    [
      { digest: digest("b") },
      "tenants[0].keys[1].scopes must be a non-empty array of send, read, erase, got undefined",
    ],
    [
      { digest: digest("b"), scopes: [] },
      "tenants[0].keys[1].scopes must be a non-empty array of send, read, erase, got []",
    ],
    [
      { digest: digest("b"), scopes: "send" },
      'tenants[0].keys[1].scopes must be a non-empty array of send, read, erase, got "send"',
    ],
    [
      { digest: digest("b"), scopes: ["send", "write"] },
      'tenants[0].keys[1].scopes[1] must be one of send, read, erase, got "write"',
    ],
    [{ digest: digest("b"), scopes: ["read", "read"] }, 'tenants[0].keys[1].scopes[1] must be named once, got "read"'],
    [
      { digest: "xyz", scopes: ["send"] },
      'tenants[0].keys[1].digest must be the SHA-256 hex digest of an API key (64 hex digits), got "xyz"',
    ],
    [
      { scopes: ["send"] },
      "tenants[0].keys[1].digest must be the SHA-256 hex digest of an API key (64 hex digits), got undefined",
    ],
    [
      { digest: digest("b"), scopes: ["send"], origin: "x" },
      'tenants[0].keys[1].origin must be absent (unknown setting), got "x"',
    ],
    [
      { digest: digest("A"), scopes: ["send"] },
      "tenants[0].keys[1] must be unique across tenants (a key belongs to exactly one tenant)",
    ],
    [
      42,
      'tenants[0].keys[1] must be the SHA-256 hex digest of an API key (64 hex digits), or { "digest": <that>, "scopes": [...] }, got 42',
    ],
  ])("refuses the key %j, naming the file and the field", (key, message) => {
    expect(errorOf({ tenants: [{ id: 567, keys: [digest("a"), key] }] })).toContain(`tenants.json: ${message}`)
  })
})

describe("parseConfig: allowedOrigins", () => {
  it("keeps exact origins, and none when absent", () => {
    const origins = ["https://shop.example.com", "http://localhost:5173", "https://xn--bcher-kva.example"]
    expect(parse(tenantWith({ allowedOrigins: origins })).tenants[0]?.allowedOrigins).toEqual(origins)
    expect(parse(tenantWith({})).tenants[0]?.allowedOrigins).toEqual([])
  })

  it.each([
    ["https://shop.example.com/"],
    ["https://shop.example.com/cart"],
    ["https://Shop.example.com"],
    ["https://shop.example.com:443"],
    ["*"],
    ["https://*.example.com"],
    ["null"],
    ["shop.example.com"],
    ["ftp://shop.example.com"],
    [""],
    [42],
  ])("refuses %j, naming the file and the field", (origin) => {
    expect(errorOf(tenantWith({ allowedOrigins: ["https://ok.example", origin] }))).toBe(
      `tenants.json: tenants[0].allowedOrigins[1] must be an exact origin, as browsers send it: http(s)://host[:port] in lower case, without path, trailing slash or wildcard, got ${JSON.stringify(origin)}`,
    )
  })

  it("refuses allowedOrigins that is not an array", () => {
    expect(errorOf(tenantWith({ allowedOrigins: "https://shop.example.com" }))).toMatch(
      /^tenants\.json: tenants\[0\]\.allowedOrigins must be an array of origins/,
    )
  })

  it("accepts the origin of any web URL, and refuses it with a path", () => {
    fc.assert(
      fc.property(fc.webUrl({ validSchemes: ["http", "https"] }), fc.webSegment(), (url, segment) => {
        const origin = new URL(url).origin
        expect(parse(tenantWith({ allowedOrigins: [origin] })).tenants[0]?.allowedOrigins).toEqual([origin])
        expect(() => parse(tenantWith({ allowedOrigins: [`${origin}/${segment}`] }))).toThrow(ConfigError)
      }),
    )
  })
})
