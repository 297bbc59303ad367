/**
 * Bearer-key authentication: the server hashes the token it receives and
 * compares the digest with every configured digest in constant time (no
 * early exit, no lookup keyed by the secret).
 *
 * @module
 */
import type { KeyScope } from "@cdp/api"
import { type IngestConfig, type Sha256Hex, sha256Hex, type Tenant } from "./TenantConfig.ts"

/**
 * The key a request authenticated with: its tenant, its digest (which names
 * its rate-limit bucket) and its scopes.
 *
 * @since 0.2.0
 * @category auth
 */
export interface AuthenticatedKey {
  readonly tenant: Tenant
  readonly keyDigest: string
  readonly scopes: ReadonlyArray<KeyScope>
}

/**
 * Builds the authenticator of a configuration: from an `Authorization`
 * header value to the key (`AuthenticatedKey`), or `undefined`.
 *
 * @since 0.1.0
 * @category auth
 */
export const makeAuthenticator = (config: IngestConfig, sha256: Sha256Hex = sha256Hex) => {
  const entries: Array<{ hex: string; result: AuthenticatedKey }> = []
  for (const tenant of config.tenants) {
    for (const k of tenant.keys) {
      entries.push({ hex: k.digest, result: { tenant, keyDigest: k.digest, scopes: k.scopes } })
    }
  }
  const check = (digest: string): AuthenticatedKey | undefined => {
    // Every configured digest is compared to the end: no early exit.
    let found: AuthenticatedKey | undefined
    for (const e of entries) {
      let diff = digest.length ^ 64
      for (let i = 0; i < 64; i++) diff |= e.hex.charCodeAt(i) ^ digest.charCodeAt(i)
      if (diff === 0) found = e.result
    }
    return found
  }
  type Found = AuthenticatedKey | undefined
  return (header: string | undefined): Found | Promise<Found> => {
    if (header === undefined) return undefined
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
    if (m === null) return undefined
    const digest = sha256(m[1] as string)
    return typeof digest === "string" ? check(digest) : digest.then(check)
  }
}
