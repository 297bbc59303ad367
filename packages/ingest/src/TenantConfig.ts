/**
 * Tenant configuration: which API keys (as SHA-256 digests, each with its
 * scopes) belong to which tenant, the origins whose pages may send its
 * events, the execution channels of each tenant's integration, and its rate
 * limit. Parsed from the `INGEST_CONFIG` JSON with errors that name the file
 * and the field; or generated for development mode.
 *
 * @module
 */
import { type KeyScope, keyScopeNames } from "@cdp/api"
import { channels as allChannels, type Channel } from "@cdp/schema"
import { ConfigError } from "@cdp/store"

/** What `parseConfig` and `parseConfigText` throw (defined with the port, which the stores share). */
export { ConfigError }

/** @since 0.1.0 @category models */
export interface RateLimit {
  readonly perSecond: number
  readonly burst: number
}

/** An API key of a tenant: its SHA-256 hex digest (lower case) and its scopes. @since 0.2.0 @category models */
export interface TenantKey {
  readonly digest: string
  readonly scopes: ReadonlyArray<KeyScope>
}

/** @since 0.1.0 @category models */
export interface Tenant {
  readonly id: number
  /** The tenant's API keys. */
  readonly keys: ReadonlyArray<TenantKey>
  /** The exact origins (`https://shop.example.com`) whose pages may call the API with the tenant's keys. */
  readonly allowedOrigins: ReadonlyArray<string>
  readonly channels: ReadonlyArray<Channel>
  readonly rateLimit?: RateLimit | undefined
}

/** @since 0.1.0 @category models */
export interface IngestConfig {
  readonly tenants: ReadonlyArray<Tenant>
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const tenantFields = ["id", "keys", "allowedOrigins", "channels", "rateLimit"]
const digestPattern = /^[0-9a-fA-F]{64}$/
const anOrigin =
  "an exact origin, as browsers send it: http(s)://host[:port] in lower case, without path, trailing slash or wildcard"

/** Whether `s` is an origin exactly as a browser serialises it in `Origin`. */
const isOrigin = (s: string): boolean => {
  let url: URL
  try {
    url = new URL(s)
  } catch {
    return false
  }
  // A host may hold "*" for the URL parser; as a pattern it would promise what exact matching does not do.
  return (url.protocol === "https:" || url.protocol === "http:") && url.origin === s && !s.includes("*")
}

const show = (u: unknown): string => {
  const s = JSON.stringify(u)
  return s === undefined ? String(u) : s.length > 60 ? `${s.slice(0, 60)}…` : s
}

/**
 * Parses and checks a configuration. `source` names where it came from (a
 * file path) in error messages.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseConfig = (input: unknown, source: string): IngestConfig => {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ConfigError(`${source}: ${field} must be ${expected}, got ${show(got)}`)
  }
  if (!isRecord(input)) return fail("the configuration", 'an object { "tenants": [...] }', input)
  for (const k of Object.keys(input)) if (k !== "tenants") fail(k, "absent (unknown setting)", input[k])
  const list = input.tenants
  if (!Array.isArray(list) || list.length === 0) return fail("tenants", "a non-empty array", list)
  const ids = new Set<number>()
  const digests = new Set<string>()
  const tenants = list.map((t: unknown, i): Tenant => {
    const at = `tenants[${i}]`
    if (!isRecord(t)) return fail(at, "an object", t)
    for (const k of Object.keys(t)) {
      if (!tenantFields.includes(k)) fail(`${at}.${k}`, "absent (unknown setting)", t[k])
    }
    if (typeof t.id !== "number" || !Number.isSafeInteger(t.id) || t.id <= 0)
      fail(`${at}.id`, "a positive integer", t.id)
    const id = t.id as number
    if (ids.has(id)) fail(`${at}.id`, "unique", id)
    ids.add(id)
    if (!Array.isArray(t.keys) || t.keys.length === 0)
      fail(`${at}.keys`, 'a non-empty array of SHA-256 hex digests (or { "digest", "scopes" })', t.keys)
    const keys = (t.keys as Array<unknown>).map((k, j): TenantKey => {
      const where = `${at}.keys[${j}]`
      // A plain digest has every scope; { digest, scopes } only those it names.
      let digest: unknown = k
      let scopes: ReadonlyArray<KeyScope> = keyScopeNames
      if (isRecord(k)) {
        for (const f of Object.keys(k)) {
          if (f !== "digest" && f !== "scopes") fail(`${where}.${f}`, "absent (unknown setting)", k[f])
        }
        digest = k.digest
        if (typeof digest !== "string" || !digestPattern.test(digest)) {
          fail(`${where}.digest`, "the SHA-256 hex digest of an API key (64 hex digits)", digest)
        }
        const list = k.scopes
        if (!Array.isArray(list) || list.length === 0) {
          return fail(`${where}.scopes`, `a non-empty array of ${keyScopeNames.join(", ")}`, list)
        }
        for (const [n, scope] of list.entries()) {
          if (!keyScopeNames.includes(scope)) fail(`${where}.scopes[${n}]`, `one of ${keyScopeNames.join(", ")}`, scope)
          if (list.indexOf(scope) !== n) fail(`${where}.scopes[${n}]`, "named once", scope)
        }
        scopes = list as Array<KeyScope>
      } else if (typeof k !== "string" || !digestPattern.test(k)) {
        return fail(
          where,
          'the SHA-256 hex digest of an API key (64 hex digits), or { "digest": <that>, "scopes": [...] }',
          k,
        )
      }
      const d = (digest as string).toLowerCase()
      if (digests.has(d)) fail(where, "unique across tenants (a key belongs to exactly one tenant)", k)
      digests.add(d)
      return { digest: d, scopes }
    })
    const origins = t.allowedOrigins ?? []
    if (!Array.isArray(origins)) return fail(`${at}.allowedOrigins`, `an array of origins (${anOrigin})`, origins)
    for (const [j, o] of origins.entries()) {
      if (typeof o !== "string" || !isOrigin(o)) fail(`${at}.allowedOrigins[${j}]`, anOrigin, o)
    }
    const channels = t.channels ?? []
    if (!Array.isArray(channels)) return fail(`${at}.channels`, `an array of ${allChannels.join(", ")}`, channels)
    for (const [j, c] of channels.entries()) {
      if (!allChannels.includes(c)) fail(`${at}.channels[${j}]`, `one of ${allChannels.join(", ")}`, c)
    }
    let rateLimit: RateLimit | undefined
    if (t.rateLimit !== undefined) {
      const r = t.rateLimit
      if (!isRecord(r)) return fail(`${at}.rateLimit`, "an object { perSecond, burst }", r)
      if (typeof r.perSecond !== "number" || !(r.perSecond > 0) || !Number.isFinite(r.perSecond)) {
        fail(`${at}.rateLimit.perSecond`, "a positive number", r.perSecond)
      }
      if (typeof r.burst !== "number" || !Number.isInteger(r.burst) || r.burst < 1) {
        fail(`${at}.rateLimit.burst`, "a positive integer", r.burst)
      }
      for (const k of Object.keys(r)) {
        if (k !== "perSecond" && k !== "burst") fail(`${at}.rateLimit.${k}`, "absent (unknown setting)", r[k])
      }
      rateLimit = { perSecond: r.perSecond as number, burst: r.burst as number }
    }
    return { id, keys, allowedOrigins: origins as Array<string>, channels: channels as Array<Channel>, rateLimit }
  })
  return { tenants }
}

/**
 * Parses configuration JSON text; a syntax error names the source too.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseConfigText = (text: string, source: string): IngestConfig => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    throw new ConfigError(`${source}: not valid JSON (${(e as Error).message})`)
  }
  return parseConfig(json, source)
}

/**
 * The SHA-256 hex digest of a string (Web Crypto, on every runtime).
 *
 * @since 0.1.0
 * @category keys
 */
export const sha256Hex = async (text: string): Promise<string> => {
  return hexOf(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))))
}

/**
 * A SHA-256 function, hex out. Web Crypto's is asynchronous; a runtime with
 * a synchronous one (Node's `node:crypto`) can hand it to the app, which
 * saves a promise round trip per key check and per event id.
 *
 * @since 0.1.0
 * @category keys
 */
export type Sha256Hex = (text: string) => string | Promise<string>

const hexOf = (digest: Uint8Array): string => {
  let hex = ""
  for (const b of digest) hex += b.toString(16).padStart(2, "0")
  return hex
}

/**
 * Development mode: one tenant (567, every channel off) with a freshly
 * generated key. Returns the config and the key, to print.
 *
 * @since 0.1.0
 * @category development
 */
export const developmentConfig = async (): Promise<{ config: IngestConfig; key: string; tenant: number }> => {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  const key = `dev_${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")}`
  const tenant = 567
  const keys = [{ digest: await sha256Hex(key), scopes: keyScopeNames }]
  return { config: { tenants: [{ id: tenant, keys, allowedOrigins: [], channels: [] }] }, key, tenant }
}
