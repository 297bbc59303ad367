/**
 * What the `onError` hook of the client is told: a retry about to wait, a
 * request given up, or events the service rejected. Only codes, statuses,
 * counts, times and field paths: never a customer id, an event's values,
 * the key, or the service's `detail` text (which may quote a body).
 * Reach for it to log or count the client's trouble.
 *
 * @module
 */
import type { IssueCode } from "@cdp/schema"
import type { ClientErrorCode } from "./ClientError.ts"

/**
 * One notice of the `onError` hook.
 *
 * - `retry`: attempt `attempt` failed with `code` (and `status` when an
 *   answer came); the client waits `delayMs`, then sends the same body again.
 * - `failed`: the request is given up (not retryable, or out of attempts or
 *   time); its events' `send`s reject with a `ClientError` of this `code`.
 * - `rejected`: the service rejected `events` events of a batch; their
 *   `send`s reject with `InvalidEventError`. `issues` holds their issues'
 *   paths and codes.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorNotice {
  readonly type: "retry" | "failed" | "rejected"
  /** What the client was doing: sending a batch, or one of the reads. */
  readonly operation: "send" | "getProfile" | "events" | "erase"
  readonly code: ClientErrorCode | "invalid_event"
  /** The HTTP status of the answer, when one came. */
  readonly status?: number
  /** The attempt that failed (1 for the first request; 0 for an event rejected here, before any request). */
  readonly attempt: number
  /** For `retry`: the wait before the next attempt, in milliseconds. */
  readonly delayMs?: number
  /** How many events the request carried (0 for reads). */
  readonly events: number
  /** For `rejected`: each issue's JSON Pointer path and code. */
  readonly issues?: ReadonlyArray<{ readonly path: string; readonly code: IssueCode }>
}
