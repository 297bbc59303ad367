/**
 * `ClientError`: every failure of `@cdp/client` that is not an invalid event
 * (those reject with `@cdp/schema`'s `InvalidEventError`). Its `code` is the
 * API's problem code when the service answered with one (`unauthorized`,
 * `not_found`, `rate_limited`, `unavailable`, …), else one of the client's
 * own codes. Reach for `error.code` to decide what to do.
 *
 * @module
 */
import type { ProblemCode } from "@cdp/api"

/**
 * The client's own codes:
 *
 * - `queue_full`: the cap on unanswered events (`maxQueue`) is reached;
 *   the event was not queued (back-pressure: wait for `flush()`, then send it again).
 * - `closed`: `close()` was called; the client sends nothing new.
 * - `network_error`: no answer came (connection refused or reset, DNS,
 *   timeout), through every attempt.
 * - `invalid_answer`: the service answered with a status or body the HTTP
 *   contract does not describe.
 * - `event_too_large`: one event alone is larger than `maxBatchBytes`.
 * - `invalid_option`: an option of `createClient` is out of range (`path` names it).
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientCode =
  | "queue_full"
  | "closed"
  | "network_error"
  | "invalid_answer"
  | "event_too_large"
  | "invalid_option"

/**
 * The code of a `ClientError`: the API's problem code, or the client's own.
 *
 * @since 0.1.0
 * @category errors
 */
export type ClientErrorCode = ProblemCode | ClientCode

/**
 * A coded failure of the client. `status` is the HTTP status of the last
 * answer (absent when none came); `attempts` is how many requests were made.
 * The message names what failed and why; it never holds a customer id or an
 * event's values.
 *
 * @since 0.1.0
 * @category errors
 */
export class ClientError extends Error {
  override readonly name = "ClientError"
  readonly code: ClientErrorCode
  /** A JSON Pointer to what the error is about: "" for the request or the event as a whole. */
  readonly path: string
  readonly status: number | undefined
  readonly attempts: number
  constructor(
    code: ClientErrorCode,
    message: string,
    options: { readonly status?: number | undefined; readonly attempts?: number; readonly path?: string } = {},
  ) {
    super(message)
    this.code = code
    this.path = options.path ?? ""
    this.status = options.status
    this.attempts = options.attempts ?? 0
  }
}
