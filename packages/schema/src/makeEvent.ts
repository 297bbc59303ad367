/**
 * `makeEvent`: the typed constructor of senders. Builds an event of a known
 * kind from its key and its parts (the context's keys and value types are
 * checked at compile time), stamps it with the documented timestamp form and
 * validates it with the compiled validator, throwing `InvalidEventError` with
 * every issue when the event would be rejected. Reach for it to build events
 * before sending them.
 *
 * @module
 */
import { decodeEvent } from "./decodeEvent.ts"
import type { DecodeOptions } from "./decodeWithSchema.ts"
import type { ContextOf } from "./EventDefinition.ts"
import type { Issue } from "./Issue.ts"
import type { EventKey, events } from "./registry.ts"
import { formatTimestamp } from "./Timestamp.ts"

/**
 * What a sender gives `makeEvent` for an event of kind `Key`. `timestamp` is
 * a `Date` (formatted as `YYYY-MM-DD HH:MM:SS.ssssss UTC`), an accepted
 * timestamp string (normalised), or left out for now.
 *
 * @since 0.1.0
 * @category constructors
 */
export interface MakeEventInput<Key extends EventKey> {
  readonly tenant: number
  readonly customer: string
  readonly visitor?: string
  readonly context?: ContextOf<(typeof events)[Key]["fields"]>
  readonly timestamp?: Date | string
}

/** A decoded event of kind `Key`. @since 0.1.0 @category constructors */
export type EventOfKey<Key extends EventKey> = (typeof events)[Key]["schema"]["Type"]

/**
 * Thrown by `makeEvent` when the event would be rejected: carries every
 * issue (the same ones the ingestion API would answer).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidEventError extends Error {
  override readonly name = "InvalidEventError"
  readonly code = "invalid_event"
  readonly event: string
  readonly issues: ReadonlyArray<Issue>
  constructor(event: string, issues: ReadonlyArray<Issue>) {
    super(
      `invalid ${event} event: ${issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")}`,
    )
    this.event = event
    this.issues = issues
  }
}

/**
 * Builds and validates an event of a known kind. Returns the decoded event
 * (timestamp in the documented form, `context` present); throws
 * `InvalidEventError` when it is invalid. `options.channels` makes the
 * parameters of the tenant's channels mandatory.
 *
 * @example
 * const event = makeEvent("ootb_user_details_update", {
 *   tenant: 567,
 *   customer: "customerId1",
 *   context: { ootb_email: "john.doe@example.com", ootb_allow_email: "Yes" },
 * })
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeEvent = <const Key extends EventKey>(
  event: Key,
  input: MakeEventInput<Key>,
  options?: DecodeOptions,
): EventOfKey<Key> => {
  const { timestamp, ...rest } = input
  const candidate = {
    ...rest,
    event,
    timestamp:
      timestamp === undefined
        ? formatTimestamp(new Date())
        : typeof timestamp === "string"
          ? timestamp
          : formatTimestamp(timestamp),
  }
  const result = decodeEvent(candidate, options)
  if (!result.ok) throw new InvalidEventError(event, result.issues)
  return result.event as EventOfKey<Key>
}
