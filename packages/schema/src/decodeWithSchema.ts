/**
 * The reference decoder: decodes an event with its Effect Schema (all
 * errors, unknown keys rejected) and maps Effect's issue tree to the API's
 * issues. It is the definition that the compiled validator must agree with;
 * reach for `decodeEvent` on hot paths and for this one to cross-check.
 *
 * @module
 */
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import type * as SchemaIssue from "effect/SchemaIssue"
import { makeIssue } from "./describeIssue.ts"
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { Customer, envelope, Tenant, Timestamp, Visitor } from "./EventDefinition.ts"
import type { Channel } from "./Field.ts"
import { type Issue, type IssueCode, sortIssues } from "./Issue.ts"
import { getEvent, type KnownEvent } from "./registry.ts"

/**
 * The outcome of decoding one event.
 *
 * @since 0.1.0
 * @category models
 */
export type DecodeResult<A = KnownEvent> =
  | { readonly ok: true; readonly event: A }
  | { readonly ok: false; readonly issues: ReadonlyArray<Issue> }

/**
 * Options of decoding: the channels of the tenant's integration, which make
 * their parameters mandatory.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  readonly channels?: ReadonlyArray<Channel> | undefined
}

const parseOptions = { errors: "all", onExcessProperty: "error" } as const

/** The envelope of an event whose key is unknown: checked so every issue is told. */
const UnknownEnvelope = Schema.Struct({
  tenant: Tenant,
  timestamp: Timestamp,
  event: Schema.String,
  customer: Schema.optionalKey(Customer),
  visitor: Schema.optionalKey(Visitor),
  context: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown)),
})
const decodeUnknownEnvelope = Schema.decodeUnknownExit(UnknownEnvelope, parseOptions)

const at = (input: unknown, segments: ReadonlyArray<PropertyKey>): unknown => {
  let v: unknown = input
  for (const s of segments) {
    if (v === null || typeof v !== "object" || !Object.hasOwn(v, s)) return undefined
    v = (v as Record<PropertyKey, unknown>)[s]
  }
  return v
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * Walks Effect's issue tree and collects API issues.
 */
const collect = (
  def: AnyEventDefinition | undefined,
  input: unknown,
  issue: SchemaIssue.Issue,
  path: ReadonlyArray<PropertyKey>,
  out: Array<Issue>,
  channels: ReadonlyArray<Channel> | undefined,
  seen: Set<string>,
): void => {
  const push = (code: IssueCode) => {
    const segments = path.map(String)
    const issue = makeIssue(def, segments, code, at(input, path), channels)
    // Two checks can fail for the same reason (a non-finite tenant fails
    // both the finite and the integer check): one issue per path and code.
    const key = `${issue.code} ${issue.path}`
    if (!seen.has(key)) {
      seen.add(key)
      out.push(issue)
    }
  }
  switch (issue._tag) {
    case "Pointer":
      collect(def, input, issue.issue, [...path, ...issue.path], out, channels, seen)
      break
    case "Composite":
      for (const i of issue.issues) collect(def, input, i, path, out, channels, seen)
      break
    case "Encoding":
      collect(def, input, issue.issue, path, out, channels, seen)
      break
    case "Filter":
      push((issue.filter.annotations?.["x-code"] as IssueCode | undefined) ?? "invalid_value")
      break
    case "MissingKey":
      push("required")
      break
    case "UnexpectedKey":
      push("unknown_property")
      break
    case "InvalidType":
      push("invalid_type")
      break
    case "AnyOf":
      // A union of literals: the right type with a value outside the set is
      // `invalid_value`, any other type `invalid_type`.
      push(typeof at(input, path) === "string" ? "invalid_value" : "invalid_type")
      break
    default:
      push("invalid_value")
  }
}

const issuesOf = (
  def: AnyEventDefinition | undefined,
  input: unknown,
  exit: Exit.Exit<unknown, Schema.SchemaError>,
  channels: ReadonlyArray<Channel> | undefined,
): Array<Issue> => {
  const out: Array<Issue> = []
  const seen = new Set<string>()
  if (Exit.isFailure(exit)) {
    for (const reason of exit.cause.reasons) {
      if (reason._tag === "Fail") collect(def, input, reason.error.issue, [], out, channels, seen)
      else throw new Error(`unexpected failure while decoding: ${String(reason)}`)
    }
  }
  return out
}

const decoders = new WeakMap<object, (u: unknown) => Exit.Exit<unknown, Schema.SchemaError>>()
const decoderOf = (schema: Schema.Codec<unknown, unknown>) => {
  let d = decoders.get(schema)
  if (d === undefined) {
    d = Schema.decodeUnknownExit(schema, parseOptions)
    decoders.set(schema, d)
  }
  return d
}

/**
 * Decodes one event with the Effect Schema of its kind.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeWithSchema = (input: unknown, options: DecodeOptions = {}): DecodeResult => {
  const channels = options.channels
  if (!isObject(input)) return { ok: false, issues: [makeIssue(undefined, [], "invalid_type", input)] }
  const key = input.event
  const def = typeof key === "string" ? getEvent(key) : undefined
  if (def === undefined) return decodeUnknownKind(input)
  const exit = decoderOf(def.schemaFor(channels ?? []) as Schema.Codec<unknown, unknown>)(input)
  if (Exit.isSuccess(exit)) return { ok: true, event: exit.value as KnownEvent }
  return { ok: false, issues: sortIssues(issuesOf(def, input, exit, channels)) }
}

/**
 * The issues of an event whose `event` is missing, not a string or not a
 * known key: that one, and those of its envelope (its context cannot be
 * judged without a kind).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeUnknownKind = (input: Record<string, unknown>): DecodeResult => {
  // Unknown keys are told here, and only the envelope's own keys go through
  // the schema: a hostile body with 100k keys costs one pass, not 100k
  // Effect issues.
  const envelopeOnly: Record<string, unknown> = {}
  const issues: Array<Issue> = []
  for (const k of Object.keys(input)) {
    if (Object.hasOwn(envelope, k)) envelopeOnly[k] = input[k]
    else issues.push(makeIssue(undefined, [k], "unknown_property", input[k]))
  }
  for (const issue of issuesOf(undefined, envelopeOnly, decodeUnknownEnvelope(envelopeOnly), undefined))
    issues.push(issue)
  if (typeof input.event === "string") issues.push(makeIssue(undefined, ["event"], "unknown_event", input.event))
  return { ok: false, issues: sortIssues(issues) }
}
