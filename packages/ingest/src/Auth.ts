/**
 * Bearer-key authentication: the server hashes the token it receives and
 * compares the digest with every configured digest in constant time (no
 * early exit, no lookup keyed by the secret).
 *
 * @module
 */
import { type IngestConfig, type Sha256Hex, sha256Hex, type Tenant } from "./TenantConfig.ts"

const hexBytes = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

/**
 * Builds the authenticator of a configuration: from an `Authorization`
 * header value to the key's tenant (and the key's digest, which names its
 * rate-limit bucket), or `undefined`.
 *
 * @since 0.1.0
 * @category auth
 */
export const makeAuthenticator = (config: IngestConfig, sha256: Sha256Hex = sha256Hex) => {
  const entries: Array<{ digest: Uint8Array; hex: string; tenant: Tenant }> = []
  for (const tenant of config.tenants)
    for (const k of tenant.keys) entries.push({ digest: hexBytes(k), hex: k, tenant })
  return async (header: string | undefined): Promise<{ tenant: Tenant; keyDigest: string } | undefined> => {
    if (header === undefined) return undefined
    const m = /^Bearer[ ]+(\S+)\s*$/i.exec(header)
    if (m === null) return undefined
    const digest = hexBytes(await sha256(m[1] as string))
    let found: (typeof entries)[number] | undefined
    for (const e of entries) {
      let diff = 0
      for (let i = 0; i < 32; i++) diff |= (e.digest[i] as number) ^ (digest[i] as number)
      if (diff === 0) found = e
    }
    return found && { tenant: found.tenant, keyDigest: found.hex }
  }
}
