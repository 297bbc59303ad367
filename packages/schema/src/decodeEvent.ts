/**
 * `decodeEvent`: the validator of the hot path. Runs the compiled validator
 * of the event's kind (straight-line code compiled ahead of time from the
 * Effect Schema definition) and returns the decoded event or every issue.
 * Its verdicts and issues equal those of `decodeWithSchema`, which the
 * property tests prove.
 *
 * @module
 */
import { type DecodeOptions, type DecodeResult, decodeUnknownKind } from "./decodeWithSchema.ts"
import { makeIssue } from "./describeIssue.ts"
import { compiled } from "./generated/validators.ts"
import type { Issue } from "./Issue.ts"
import type { KnownEvent } from "./registry.ts"
import { channelMask, isObject } from "./validatorRuntime.ts"

/**
 * A decoder bound to one set of channels: build it once per tenant and call
 * it per event.
 *
 * @since 0.1.0
 * @category decoding
 */
export const makeDecoder = (options: DecodeOptions = {}): ((input: unknown) => DecodeResult) => {
  const mask = channelMask(options.channels)
  return (input) => {
    if (!isObject(input)) return { ok: false, issues: [makeIssue(undefined, [], "invalid_type", input)] }
    const key = input.event
    const validate = typeof key === "string" && Object.hasOwn(compiled, key) ? compiled[key] : undefined
    // An event of an unknown kind is rare: the reference decoder tells its issues.
    if (validate === undefined) return decodeUnknownKind(input)
    const issues: Array<Issue> = []
    const event = validate(input, mask, issues)
    // The compiled validator pushes its issues already in sortIssues order
    // (the property tests hold it to the reference decoder, issue for issue).
    return event === undefined ? { ok: false, issues } : { ok: true, event: event as unknown as KnownEvent }
  }
}

const defaultDecoder = makeDecoder()

/**
 * Decodes one event: envelope, the context of its event key and, given the
 * tenant's channels, the parameters they make mandatory. The timestamp comes
 * back in the documented form in UTC and `context` is always present.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeEvent = (input: unknown, options?: DecodeOptions): DecodeResult =>
  options?.channels?.length ? makeDecoder(options)(input) : defaultDecoder(input)
