/**
 * Bearer-key authentication: the server hashes the token it receives and
 * compares the digest with every configured digest in constant time (no
 * early exit, no lookup keyed by the secret).
 *
 * @module
 */
import { type IngestConfig, type Sha256Hex, sha256Hex, type Tenant } from "./TenantConfig.ts"

/**
 * Builds the authenticator of a configuration: from an `Authorization`
 * header value to the key's tenant (and the key's digest, which names its
 * rate-limit bucket), or `undefined`.
 *
 * @since 0.1.0
 * @category auth
 */
export const makeAuthenticator = (config: IngestConfig, sha256: Sha256Hex = sha256Hex) => {
  const entries: Array<{ hex: string; result: { tenant: Tenant; keyDigest: string } }> = []
  for (const tenant of config.tenants) {
    for (const k of tenant.keys) entries.push({ hex: k, result: { tenant, keyDigest: k } })
  }
  const check = (digest: string): { tenant: Tenant; keyDigest: string } | undefined => {
    // Every configured digest is compared to the end: no early exit.
    let found: { tenant: Tenant; keyDigest: string } | undefined
    for (const e of entries) {
      let diff = digest.length ^ 64
      for (let i = 0; i < 64; i++) diff |= e.hex.charCodeAt(i) ^ digest.charCodeAt(i)
      if (diff === 0) found = e.result
    }
    return found
  }
  type Found = { tenant: Tenant; keyDigest: string } | undefined
  return (header: string | undefined): Found | Promise<Found> => {
    if (header === undefined) return undefined
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
    if (m === null) return undefined
    const digest = sha256(m[1] as string)
    return typeof digest === "string" ? check(digest) : digest.then(check)
  }
}
