/**
 * Standard Schema v1 (https://standardschema.dev) for the event kinds: each
 * kind, and the registry as a whole, as a `~standard` object that any
 * consumer of the standard (form libraries, tRPC, Hono validators, ...) can
 * take. Validation runs the compiled validator (`decodeEvent`); the
 * `jsonSchema` converter of Standard JSON Schema v1 gives the published JSON
 * Schema. Reach for it to plug an event into a library that speaks the
 * standard.
 *
 * The interface types are inlined (as the standard recommends), so that the
 * package needs no dependency on `@standard-schema/spec`.
 *
 * @module
 */
import { makeDecoder } from "./decodeEvent.ts"
import type { DecodeOptions, DecodeResult } from "./decodeWithSchema.ts"
import { makeIssue } from "./describeIssue.ts"
import type { EventDefinition, EventInputOf, EventOf } from "./EventDefinition.ts"
import { OotbUserDetailsUpdate } from "./events/ootb_user_details_update.ts"
import type { FieldSpec } from "./Field.ts"
import type { Issue, IssueCode } from "./Issue.ts"
import { type EventKey, events, getEvent, type KnownEvent } from "./registry.ts"
import { toJsonSchema } from "./toJsonSchema.ts"

/**
 * The Standard Schema v1 interface (`@standard-schema/spec` 1.x), with the
 * Standard JSON Schema v1 converter beside `validate`.
 *
 * @since 0.1.0
 * @category standard schema
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly "~standard": StandardSchemaV1.Props<Input, Output>
}

/** @since 0.1.0 @category standard schema */
export declare namespace StandardSchemaV1 {
  /** The properties under `~standard`. */
  export interface Props<Input = unknown, Output = Input> {
    readonly version: 1
    readonly vendor: string
    readonly validate: (value: unknown, options?: Options | undefined) => Result<Output> | Promise<Result<Output>>
    readonly types?: Types<Input, Output> | undefined
  }
  /** The outcome of `validate`. */
  export type Result<Output> = SuccessResult<Output> | FailureResult
  export interface SuccessResult<Output> {
    readonly value: Output
    readonly issues?: undefined
  }
  export interface FailureResult {
    readonly issues: ReadonlyArray<Issue>
  }
  export interface Options {
    readonly libraryOptions?: Record<string, unknown> | undefined
  }
  export interface Issue {
    readonly message: string
    readonly path?: ReadonlyArray<PropertyKey | PathSegment> | undefined
  }
  export interface PathSegment {
    readonly key: PropertyKey
  }
  export interface Types<Input = unknown, Output = Input> {
    readonly input: Input
    readonly output: Output
  }
  export type InferInput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["input"]
  export type InferOutput<S extends StandardSchemaV1> = NonNullable<S["~standard"]["types"]>["output"]
}

/**
 * The Standard JSON Schema v1 converter: the JSON Schema of the input or the
 * output, for a target dialect (`draft-2020-12` or `draft-07`; others throw).
 *
 * @since 0.1.0
 * @category standard schema
 */
export interface StandardJsonSchemaConverter {
  readonly input: (options: { readonly target: string }) => Record<string, unknown>
  readonly output: (options: { readonly target: string }) => Record<string, unknown>
}

/**
 * An issue of this package under the standard: `path` as segments (for
 * consumers of the standard), plus the package's `code` and its JSON Pointer
 * (`pointer`).
 *
 * @since 0.1.0
 * @category standard schema
 */
export interface StandardIssue extends StandardSchemaV1.Issue {
  readonly message: string
  readonly path: ReadonlyArray<string>
  readonly code: IssueCode
  readonly pointer: string
}

/**
 * A Standard Schema of events of this package: `validate` is synchronous and
 * its issues carry the package's codes.
 *
 * @since 0.1.0
 * @category standard schema
 */
export interface EventStandardSchema<Input, Output> extends StandardSchemaV1<Input, Output> {
  readonly "~standard": EventStandardProps<Input, Output>
}

/** The `~standard` properties of an `EventStandardSchema`. @since 0.1.0 @category standard schema */
export interface EventStandardProps<Input, Output> extends StandardSchemaV1.Props<Input, Output> {
  readonly vendor: "cdp"
  readonly validate: (value: unknown, options?: StandardSchemaV1.Options | undefined) => StandardResult<Output>
  readonly jsonSchema: StandardJsonSchemaConverter
}

/** @since 0.1.0 @category standard schema */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> }

/** The vendor name under which this package's schemas report. @since 0.1.0 @category standard schema */
export const standardSchemaVendor = "cdp" as const

const unescapeToken = (t: string): string => (t.indexOf("~") === -1 ? t : t.replace(/~1/g, "/").replace(/~0/g, "~"))

/**
 * An issue of this package as an issue of the standard: the JSON Pointer
 * becomes a list of keys (`/context/ootb_email` -> `["context", "ootb_email"]`).
 *
 * @since 0.1.0
 * @category standard schema
 */
export const toStandardIssue = (issue: Issue): StandardIssue => ({
  message: issue.message,
  path: issue.path === "" ? [] : issue.path.slice(1).split("/").map(unescapeToken),
  code: issue.code,
  pointer: issue.path,
})

const toResult = <Output>(result: DecodeResult): StandardResult<Output> =>
  result.ok ? { value: result.event as Output } : { issues: result.issues.map(toStandardIssue) }

const dialectOf = (target: string): "draft-2020-12" | "draft-07" => {
  if (target === "draft-2020-12" || target === "draft-07") return target
  throw new Error(`unsupported JSON Schema target ${JSON.stringify(target)}: use "draft-2020-12" or "draft-07"`)
}

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The Standard Schema of one event kind. `options.channels` makes the
 * parameters of those channels mandatory. A value of another known kind is
 * rejected at `event`.
 *
 * @example
 * const schema = standardSchema(OotbUserDetailsUpdate, { channels: ["email"] })
 * const result = schema["~standard"].validate(input)
 * if (result.issues) console.log(result.issues.map((i) => i.message))
 *
 * @since 0.1.0
 * @category standard schema
 */
export const standardSchema = <const Key extends string, const Fields extends Record<string, FieldSpec>>(
  def: EventDefinition<Key, Fields>,
  options: DecodeOptions = {},
): EventStandardSchema<EventInputOf<Key, Fields>, EventOf<Key, Fields>> => {
  const decode = makeDecoder(options)
  const jsonSchema = ({ target }: { readonly target: string }) => toJsonSchema(def, dialectOf(target))
  return {
    "~standard": {
      version: 1,
      vendor: standardSchemaVendor,
      validate: (value) => {
        if (isRecord(value) && typeof value.event === "string" && value.event !== def.key && getEvent(value.event))
          return { issues: [toStandardIssue(makeIssue(def, ["event"], "invalid_value", value.event))] }
        return toResult(decode(value))
      },
      jsonSchema: { input: jsonSchema, output: jsonSchema },
    },
  }
}

/** Any known event, as a sender writes it. @since 0.1.0 @category standard schema */
export type KnownEventInput = (typeof events)[EventKey]["schema"]["Encoded"]

/**
 * The Standard Schema of any known event kind: the kind is picked by
 * `event`. Its JSON Schema is a `oneOf` of the kinds' schemas.
 *
 * @since 0.1.0
 * @category standard schema
 */
export const knownEventStandardSchema = (
  options: DecodeOptions = {},
): EventStandardSchema<KnownEventInput, KnownEvent> => {
  const decode = makeDecoder(options)
  const jsonSchema = ({ target }: { readonly target: string }) => {
    const dialect = dialectOf(target)
    const kinds = Object.values(events).map((def) => toJsonSchema(def, dialect))
    return kinds.length === 1 ? (kinds[0] as Record<string, unknown>) : { oneOf: kinds }
  }
  return {
    "~standard": {
      version: 1,
      vendor: standardSchemaVendor,
      validate: (value) => toResult(decode(value)),
      jsonSchema: { input: jsonSchema, output: jsonSchema },
    },
  }
}

/**
 * `ootb_user_details_update` as a Standard Schema, without channel
 * requirements.
 *
 * @since 0.1.0
 * @category standard schema
 */
export const OotbUserDetailsUpdateStandard = /* @__PURE__ */ standardSchema(OotbUserDetailsUpdate)

/**
 * Any known event as a Standard Schema, without channel requirements.
 *
 * @since 0.1.0
 * @category standard schema
 */
export const KnownEventStandard = /* @__PURE__ */ knownEventStandardSchema()
