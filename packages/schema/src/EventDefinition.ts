/**
 * `defineEvent`: one event kind, defined once. From the envelope and the
 * event's parameter specs it builds the Effect Schema (the reference
 * decoder), and keeps the specs for JSON Schema, docs and the compiled
 * validator. Reach for it when adding an event kind.
 *
 * @module
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as SchemaGetter from "effect/SchemaGetter"
import {
  type Channel,
  type FieldSpec,
  type FieldValue,
  isMaxChars,
  MAX_STRING_LENGTH,
  toEffectSchema,
} from "./Field.ts"
import { normalizeTimestamp, timestampPattern } from "./Timestamp.ts"

/**
 * The envelope properties every event carries, as specs for messages and docs.
 *
 * @since 0.1.0
 * @category envelope
 */
export const envelope = {
  tenant: { expected: "a positive integer", description: "The tenant's numeric id.", example: 567 },
  timestamp: {
    expected: "a timestamp YYYY-MM-DD HH:MM:SS.ssssss UTC or RFC 3339 with Z or an offset, and a real instant",
    description:
      "When the event happened. `YYYY-MM-DD HH:MM:SS.ssssss UTC`, or RFC 3339 with `Z` or an offset; normalised to the first form in UTC.",
    example: "2024-05-27 10:30:00.000000 UTC",
  },
  event: { expected: "an event key", description: "The event key.", example: "ootb_user_details_update" },
  customer: {
    expected: `a non-empty string of at most ${MAX_STRING_LENGTH} characters`,
    description: "The persistent customer id.",
    example: "customerId1",
  },
  visitor: {
    expected: `a non-empty string of at most ${MAX_STRING_LENGTH} characters`,
    description: "The visitor id issued by the web or app SDK.",
    example: "visitor-7f3a",
  },
  context: { expected: "an object", description: "The event's parameters.", example: {} },
} as const

/** @since 0.1.0 @category envelope */
export type EnvelopeKey = keyof typeof envelope

const code = (c: string) => ({ "x-code": c })

/** The tenant id: a positive safe integer. @since 0.1.0 @category envelope */
export const Tenant = Schema.Finite.annotate({
  description: envelope.tenant.description,
  examples: [envelope.tenant.example],
}).pipe(
  Schema.check(
    Schema.makeFilter((n: number) => Number.isSafeInteger(n) && n > 0, {
      expected: envelope.tenant.expected,
      toJsonSchema: () => ({ type: "integer", minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
      ...code("invalid_value"),
    }),
  ),
)

const TimestampString = Schema.String.annotate({
  description: envelope.timestamp.description,
  examples: [envelope.timestamp.example],
}).pipe(
  Schema.check(
    Schema.makeFilter((s: string) => normalizeTimestamp(s) !== undefined, {
      expected: envelope.timestamp.expected,
      toJsonSchema: () => ({ pattern: timestampPattern.source }),
      ...code("invalid_format"),
    }),
  ),
)

/**
 * A timestamp as sent (documented form or RFC 3339), decoded to the
 * documented form in UTC.
 *
 * @since 0.1.0
 * @category envelope
 */
export const Timestamp = TimestampString.pipe(
  Schema.decodeTo(Schema.String, {
    // The check above has already proven the string normalisable.
    decode: SchemaGetter.transform((s: string) => normalizeTimestamp(s) ?? s),
    encode: SchemaGetter.passthrough(),
  }),
)

const nonEmpty = Schema.makeFilter((s: string) => s.length > 0, {
  expected: envelope.customer.expected,
  toJsonSchema: () => ({ minLength: 1 }),
  ...code("invalid_value"),
})

const Id = (spec: { description: string; example: string }) =>
  Schema.String.annotate({ description: spec.description, examples: [spec.example] }).pipe(
    Schema.check(nonEmpty, isMaxChars(MAX_STRING_LENGTH)),
  )

/** A customer id: 1 to 255 characters. @since 0.1.0 @category envelope */
export const Customer = Id(envelope.customer)

/** A visitor id: 1 to 255 characters. @since 0.1.0 @category envelope */
export const Visitor = Id(envelope.visitor)

/** The context type of a set of parameter specs. @since 0.1.0 @category models */
export type ContextOf<Fields extends Record<string, FieldSpec>> = {
  readonly [K in keyof Fields]?: FieldValue<Fields[K]>
}

/**
 * A decoded event of a kind: timestamp normalised, context present.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventOf<Key extends string, Fields extends Record<string, FieldSpec>> {
  readonly tenant: number
  readonly timestamp: string
  readonly event: Key
  readonly customer: string
  readonly visitor?: string
  readonly context: ContextOf<Fields>
}

/**
 * An event as a sender may write it: `context` may be left out and
 * `timestamp` may be RFC 3339.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventInputOf<Key extends string, Fields extends Record<string, FieldSpec>> {
  readonly tenant: number
  readonly timestamp: string
  readonly event: Key
  readonly customer: string
  readonly visitor?: string
  readonly context?: ContextOf<Fields>
}

/**
 * Any event kind, whatever its key and parameters: what generic code
 * (registry, decoders, generators) works with.
 *
 * @since 0.1.0
 * @category models
 */
export interface AnyEventDefinition {
  readonly key: string
  readonly title: string
  readonly description: string
  readonly fields: Readonly<Record<string, FieldSpec>>
  readonly schema: Schema.Top
  readonly schemaFor: (channels: ReadonlyArray<Channel>) => Schema.Top
  readonly requiredFor: (channels: ReadonlyArray<Channel>) => ReadonlyArray<string>
}

/**
 * An event kind.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventDefinition<Key extends string, Fields extends Record<string, FieldSpec>>
  extends AnyEventDefinition {
  readonly key: Key
  readonly title: string
  readonly description: string
  readonly fields: Fields
  /** The Effect Schema of the whole event, without channel requirements. */
  readonly schema: Schema.Codec<EventOf<Key, Fields>, EventInputOf<Key, Fields>>
  /** The Effect Schema with the parameters of these channels required. */
  readonly schemaFor: (
    channels: ReadonlyArray<Channel>,
  ) => Schema.Codec<EventOf<Key, Fields>, EventInputOf<Key, Fields>>
  /** The parameters a set of channels makes mandatory, in declaration order. */
  readonly requiredFor: (channels: ReadonlyArray<Channel>) => ReadonlyArray<keyof Fields & string>
}

/**
 * Defines an event kind from its key, texts and parameter specs. Every event
 * kind defined here updates a customer, so `customer` is required; `visitor`
 * may come beside it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const defineEvent = <const Key extends string, const Fields extends Record<string, FieldSpec>>(options: {
  readonly key: Key
  readonly title: string
  readonly description: string
  readonly fields: Fields
}): EventDefinition<Key, Fields> => {
  const { key, fields } = options
  const names = Object.keys(fields) as Array<keyof Fields & string>
  const fieldSchemas = Object.fromEntries(names.map((n) => [n, toEffectSchema(fields[n] as FieldSpec)]))

  const requiredFor = (list: ReadonlyArray<Channel>) =>
    names.filter((n) => {
      const c = (fields[n] as FieldSpec).classification
      return c.kind === "mandatory" || (c.kind === "channel" && c.channels.some((ch) => list.includes(ch)))
    })

  const build = (required: ReadonlyArray<string>) => {
    const ctx: Record<string, Schema.Top> = {}
    for (const n of names) {
      const s = fieldSchemas[n] as Schema.Top
      ctx[n] = required.includes(n) ? s : Schema.optionalKey(s as Schema.Codec<unknown>)
    }
    const Context = Schema.Struct(ctx as Record<string, Schema.Codec<unknown>>).annotate({
      description: envelope.context.description,
    })
    return Schema.Struct({
      tenant: Tenant,
      timestamp: Timestamp,
      event: Schema.Literal(key).annotate({ description: envelope.event.description }),
      customer: Customer,
      visitor: Schema.optionalKey(Visitor),
      context: Schema.optionalKey(Context).pipe(Schema.withDecodingDefaultKey(Effect.succeed({}))),
    }).annotate({ title: options.title, description: options.description }) as unknown as Schema.Codec<
      EventOf<Key, Fields>,
      EventInputOf<Key, Fields>
    >
  }

  const cache = new Map<string, Schema.Codec<EventOf<Key, Fields>, EventInputOf<Key, Fields>>>()
  const schemaFor = (list: ReadonlyArray<Channel>) => {
    const required = requiredFor(list)
    const id = required.join(",")
    let s = cache.get(id)
    if (s === undefined) {
      s = build(required)
      cache.set(id, s)
    }
    return s
  }
  return { ...options, schema: schemaFor([]), schemaFor, requiredFor }
}
