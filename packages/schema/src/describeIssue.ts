/**
 * Messages of issues: one function per code, shared by the Effect Schema
 * decoder and the compiled validator, so that both say exactly the same.
 *
 * @module
 */
import { type AnyEventDefinition, type EnvelopeKey, envelope } from "./EventDefinition.ts"
import { type Channel, codePointLength, expectedOf, type FieldSpec } from "./Field.ts"
import { describeValue, escapePointerToken, type Issue, type IssueCode } from "./Issue.ts"

/**
 * What a field expects, for a path such as `/tenant` or
 * `/context/ootb_email`, given the event kind (when known).
 *
 * @since 0.1.0
 * @category messages
 */
export const expectedAt = (def: AnyEventDefinition | undefined, segments: ReadonlyArray<string>): string => {
  if (segments.length === 0) return "an event object"
  if (segments.length === 1) {
    const e = envelope[segments[0] as EnvelopeKey]
    if (e === undefined) return "nothing (not a property of the envelope)"
    if (segments[0] === "event" && def !== undefined) return JSON.stringify(def.key)
    return e.expected
  }
  const spec = def?.fields[segments[1] as string] as FieldSpec | undefined
  return spec ? expectedOf(spec) : "nothing (not a parameter of this event)"
}

const nameOf = (segments: ReadonlyArray<string>): string =>
  segments.length === 0 ? "the event" : (segments[segments.length - 1] as string)

const quoteIfOdd = (name: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : JSON.stringify(name))

/**
 * Builds an issue with its message.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeIssue = (
  def: AnyEventDefinition | undefined,
  segments: ReadonlyArray<string>,
  code: IssueCode,
  actual: unknown,
  channels?: ReadonlyArray<Channel>,
): Issue => {
  const path = segments.length === 0 ? "" : `/${segments.map(escapePointerToken).join("/")}`
  const name = quoteIfOdd(nameOf(segments))
  return { path, code, message: messageOf(def, segments, name, code, actual, channels) }
}

const messageOf = (
  def: AnyEventDefinition | undefined,
  segments: ReadonlyArray<string>,
  name: string,
  code: IssueCode,
  actual: unknown,
  channels: ReadonlyArray<Channel> | undefined,
): string => {
  switch (code) {
    case "required": {
      if (segments.length === 1) return `${name} is required`
      const spec = def?.fields[segments[1] as string] as FieldSpec | undefined
      const c = spec?.classification
      const used = c?.kind === "channel" ? c.channels.filter((ch) => channels?.includes(ch)) : []
      return used.length > 0
        ? `${name} is required: the tenant's integration uses the ${used.join(" and ")} channel${used.length > 1 ? "s" : ""}`
        : `${name} is required`
    }
    case "unknown_property":
      return segments.length === 1
        ? `${name} is not a property of the event envelope (tenant, timestamp, event, customer, visitor, context)`
        : `${name} is not a parameter of ${def?.key ?? "this event"}; only its standard parameters are accepted`
    case "unknown_event":
      return `event must be a known event key, got ${describeValue(actual)}`
    case "too_long":
      return `${name} must be at most 255 characters, got ${typeof actual === "string" ? codePointLength(actual) : "?"}`
    case "tenant_mismatch":
      return `tenant must be the API key's tenant, got ${describeValue(actual)}`
    case "invalid_value": {
      const spec = segments.length === 2 ? (def?.fields[segments[1] as string] as FieldSpec | undefined) : undefined
      if (spec?.type === "string" && spec.format?.notFuture)
        return `${name} must not be in the future, got ${describeValue(actual)}`
      return `${name} must be ${expectedAt(def, segments)}, got ${describeValue(actual)}`
    }
    default:
      return `${name} must be ${expectedAt(def, segments)}, got ${describeValue(actual)}`
  }
}
