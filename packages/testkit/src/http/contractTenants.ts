/**
 * The tenants the HTTP contract suite (`httpContract`) expects the server
 * under test to know, and the `INGEST_CONFIG` object that declares them.
 * Reach for it in a runtime harness: build the tenants once, write
 * `contractConfig(tenants)` to the config file, start the server, and hand
 * the same tenants to `httpContract`.
 *
 * Only Web APIs (`crypto.getRandomValues`, `crypto.subtle`), so it runs on
 * Node, Bun, Deno and workerd alike.
 *
 * @module
 */

/**
 * An execution channel of a tenant's integration (as in `@cdp/schema`).
 *
 * @since 0.1.0
 * @category models
 */
export type ContractChannel = "email" | "sms" | "push" | "whatsapp"

/**
 * A scope of an API key (`ingest-api.md`, "Key scopes").
 *
 * @since 0.4.0
 * @category models
 */
export type ContractScope = "send" | "read" | "erase"

/**
 * One tenant as the suite sees it: its id, the clear-text API key the suite
 * sends as `Authorization: Bearer <key>` (configured as a plain digest, so
 * with every scope), its keys of one scope each, the origins whose pages may
 * send, its channels and its rate limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface ContractTenant {
  readonly id: number
  readonly key: string
  /** Clear-text keys configured as `{ digest, scopes: [scope] }`, one per scope. */
  readonly scopedKeys?: Readonly<Record<ContractScope, string>>
  readonly allowedOrigins?: ReadonlyArray<string>
  readonly channels: ReadonlyArray<ContractChannel>
  readonly rateLimit?: { readonly perSecond: number; readonly burst: number }
}

/**
 * The ids of the three contract tenants.
 *
 * - `A` (567): no channels, no rate limit. Most tests run here.
 * - `B` (568): channels `email` and `sms`, so `ootb_email`,
 *   `ootb_allow_email`, `ootb_mobile_number` and `ootb_allow_sms` are
 *   mandatory; no rate limit. Also the "other tenant" of isolation tests.
 * - `C` (569): no channels, a tiny rate limit (1 per second, burst 3); used
 *   by the rate-limit test only.
 *
 * @since 0.1.0
 * @category tenants
 */
export const contractTenantIds = { A: 567, B: 568, C: 569 } as const

/**
 * The origins of the contract tenants' pages: `A` and `B` are the
 * `allowedOrigins` of tenants A and B (one each, so that an origin allowed
 * by some tenant is not by every tenant); `elsewhere` is allowed by none.
 *
 * @since 0.4.0
 * @category tenants
 */
export const contractOrigins = {
  A: "https://shop-a.cdp.test",
  B: "http://localhost:5173",
  elsewhere: "https://elsewhere.cdp.test",
} as const

const randomKey = (): string => {
  const bytes = crypto.getRandomValues(new Uint8Array(24))
  let hex = ""
  for (const b of bytes) hex += b.toString(16).padStart(2, "0")
  return `cdp_test_${hex}`
}

/**
 * The three contract tenants (see `contractTenantIds`), each with a fresh
 * random API key; tenant A also has a `send`-only, a `read`-only and an
 * `erase`-only key, and A and B their `allowedOrigins` (`contractOrigins`).
 *
 * @since 0.1.0
 * @category tenants
 */
export const contractTenants = (): Array<ContractTenant> => [
  {
    id: contractTenantIds.A,
    key: randomKey(),
    scopedKeys: { send: randomKey(), read: randomKey(), erase: randomKey() },
    allowedOrigins: [contractOrigins.A],
    channels: [],
  },
  {
    id: contractTenantIds.B,
    key: randomKey(),
    allowedOrigins: [contractOrigins.B],
    channels: ["email", "sms"],
  },
  { id: contractTenantIds.C, key: randomKey(), channels: [], rateLimit: { perSecond: 1, burst: 3 } },
]

/**
 * The SHA-256 hex digest of a string (UTF-8), as `INGEST_CONFIG` stores keys.
 *
 * @since 0.1.0
 * @category tenants
 */
export const sha256Hex = async (text: string): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))
  let hex = ""
  for (const b of digest) hex += b.toString(16).padStart(2, "0")
  return hex
}

/**
 * The shape of `INGEST_CONFIG` (`ingest-api.md`).
 *
 * @since 0.1.0
 * @category models
 */
export interface IngestConfigJson {
  readonly tenants: ReadonlyArray<{
    readonly id: number
    readonly keys: ReadonlyArray<string | { readonly digest: string; readonly scopes: ReadonlyArray<ContractScope> }>
    readonly allowedOrigins?: ReadonlyArray<string>
    readonly channels: ReadonlyArray<ContractChannel>
    readonly rateLimit?: { readonly perSecond: number; readonly burst: number }
  }>
}

/**
 * The `INGEST_CONFIG` object declaring these tenants, keys as SHA-256 hex
 * digests: `key` as a plain digest, each of `scopedKeys` as
 * `{ digest, scopes: [its scope] }`. Write it as JSON to the file the server
 * reads.
 *
 * @since 0.1.0
 * @category tenants
 */
export const contractConfig = async (tenants: ReadonlyArray<ContractTenant>): Promise<IngestConfigJson> => ({
  tenants: await Promise.all(
    tenants.map(async (t) => ({
      id: t.id,
      keys: [
        await sha256Hex(t.key),
        ...(await Promise.all(
          Object.entries(t.scopedKeys ?? {}).map(async ([scope, key]) => ({
            digest: await sha256Hex(key),
            scopes: [scope as ContractScope],
          })),
        )),
      ],
      ...(t.allowedOrigins === undefined ? {} : { allowedOrigins: [...t.allowedOrigins] }),
      channels: [...t.channels],
      ...(t.rateLimit === undefined
        ? {}
        : { rateLimit: { perSecond: t.rateLimit.perSecond, burst: t.rateLimit.burst } }),
    })),
  ),
})
