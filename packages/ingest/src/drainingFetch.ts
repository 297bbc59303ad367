/**
 * A fetch handler that can drain: once `drain()` is called, new requests get
 * 503 `unavailable` (`Retry-After: 1`) and `drain()` resolves when the
 * requests in flight are answered. For a runtime whose own server stop
 * cannot be trusted with requests in flight (Deno 2.9's `shutdown()` makes
 * their bodies unreadable: https://github.com/denoland/deno/issues/36809),
 * which then stops its server only after `drain()`. It counts every request,
 * so the others serve the app's fetch directly.
 *
 * @module
 */
import { problem } from "./problem.ts"

/**
 * @since 0.3.0
 * @category models
 */
export interface DrainingFetch {
  readonly fetch: (request: Request) => Promise<Response>
  /** Turns new requests away; resolves once those in flight are answered. */
  readonly drain: () => Promise<void>
}

/**
 * Wraps `fetch` (an app's) so that it can drain.
 *
 * @since 0.3.0
 * @category lifecycle
 */
export const drainingFetch = (fetch: (request: Request) => Response | Promise<Response>): DrainingFetch => {
  let inFlight = 0
  let draining: Promise<void> | undefined
  let drained = () => {}
  return {
    fetch: async (request) => {
      if (draining !== undefined)
        return problem("unavailable", "the service is shutting down; retry", { "retry-after": "1" })
      inFlight++
      try {
        return await fetch(request)
      } finally {
        if (--inFlight === 0 && draining !== undefined) drained()
      }
    },
    drain: () => {
      draining ??= inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => (drained = resolve))
      return draining
    },
  }
}
