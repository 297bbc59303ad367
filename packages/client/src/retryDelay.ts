/**
 * How long the client waits before sending a request again: exponential
 * back-off with full jitter (a random wait between 0 and
 * `min(maxDelayMs, baseDelayMs * 2^(attempt-1))`), never less than what the
 * service asked for in `Retry-After`. Full jitter spreads the retries of
 * many clients that failed at the same moment.
 *
 * @module
 */

/**
 * The wait in milliseconds after attempt `attempt` (1-based) failed.
 * `retryAfterMs` is the service's `Retry-After`, when it sent one;
 * `random` returns a number in [0, 1).
 *
 * @since 0.1.0
 * @category retries
 */
export const retryDelay = (
  attempt: number,
  policy: { readonly baseDelayMs: number; readonly maxDelayMs: number },
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number => {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt - 1, 30))
  const jittered = Math.floor(random() * ceiling)
  return retryAfterMs === undefined ? jittered : Math.max(retryAfterMs, jittered)
}

/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3); `undefined` when absent or unreadable.
 *
 * @since 0.1.0
 * @category retries
 */
export const parseRetryAfter = (value: string | null, now: number = Date.now()): number | undefined => {
  if (value === null) return undefined
  const text = value.trim()
  if (/^\d+$/.test(text)) return Number(text) * 1000
  const date = Date.parse(text)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}
