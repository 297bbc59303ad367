/**
 * Token buckets, one per API key: `perSecond` tokens refill each second up to
 * `burst`; each request takes one. A refusal says how long to wait.
 *
 * @module
 */
import type { RateLimit } from "./TenantConfig.ts"

/**
 * @since 0.1.0
 * @category rate limiting
 */
export const makeRateLimiter = (now: () => number) => {
  const buckets = new Map<string, { tokens: number; at: number }>()
  /** Takes a token from the key's bucket: 0 when granted, else the seconds to wait. */
  return (key: string, limit: RateLimit): number => {
    const t = now()
    let b = buckets.get(key)
    if (b === undefined) {
      b = { tokens: limit.burst, at: t }
      buckets.set(key, b)
    } else {
      b.tokens = Math.min(limit.burst, b.tokens + ((t - b.at) / 1000) * limit.perSecond)
      b.at = t
    }
    if (b.tokens >= 1) {
      b.tokens -= 1
      return 0
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / limit.perSecond))
  }
}
