/**
 * The rule vocabulary of event parameters. Each builder returns a
 * `FieldSpec`: plain data (type, rule, classification, description, example)
 * from which the Effect Schema, the JSON Schema, the docs and the ahead-of-time
 * validator are all derived. Reach for it when defining a new event.
 *
 * @module
 */
import * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import { isCalendarDate, todayUtc } from "./Timestamp.ts"

/**
 * An execution channel of a tenant's integration.
 *
 * @since 0.1.0
 * @category models
 */
export type Channel = "email" | "sms" | "push" | "whatsapp"

/** @since 0.1.0 @category models */
export const channels: ReadonlyArray<Channel> = ["email", "sms", "push", "whatsapp"]

/**
 * How an Events-based Integration treats a parameter.
 *
 * @since 0.1.0
 * @category models
 */
export type Classification =
  | { readonly kind: "mandatory" }
  | { readonly kind: "channel"; readonly channels: ReadonlyArray<Channel> }
  | { readonly kind: "enrichment" }
  | { readonly kind: "optional" }

/** @since 0.1.0 @category classification */
export const mandatory: Classification = { kind: "mandatory" }
/** @since 0.1.0 @category classification */
export const enrichment: Classification = { kind: "enrichment" }
/** @since 0.1.0 @category classification */
export const optional: Classification = { kind: "optional" }
/** @since 0.1.0 @category classification */
export const channel = (...list: [Channel, ...Array<Channel>]): Classification => ({ kind: "channel", channels: list })

/**
 * A format that a string parameter must have, as a Unicode regular
 * expression (so that it shows in JSON Schema) plus, where a pattern cannot
 * say it all, a further check (`date`: a real calendar date).
 *
 * @since 0.1.0
 * @category models
 */
export interface StringFormat {
  readonly name: string
  readonly pattern: RegExp
  readonly expected: string
  /** A real calendar date `YYYY-MM-DD` (pattern plus calendar). */
  readonly calendarDate?: boolean
  /** With `calendarDate`: not after today (UTC). Not expressible in JSON Schema. */
  readonly notFuture?: boolean
}

interface Common {
  readonly description: string
  readonly example: string | boolean
  readonly classification: Classification
}

/**
 * A parameter's complete definition.
 *
 * @since 0.1.0
 * @category models
 */
export type FieldSpec = StringField | EnumField<string> | BooleanField

/** @since 0.1.0 @category models */
export interface StringField extends Common {
  readonly type: "string"
  readonly maxLength: number
  readonly format?: StringFormat
  readonly enum?: undefined
}

/** @since 0.1.0 @category models */
export interface EnumField<A extends string> extends Common {
  readonly type: "string"
  readonly maxLength: number
  readonly format?: undefined
  readonly enum: ReadonlyArray<A>
}

/** @since 0.1.0 @category models */
export interface BooleanField extends Common {
  readonly type: "boolean"
}

/**
 * The TypeScript type of a parameter's value.
 *
 * @since 0.1.0
 * @category models
 */
export type FieldValue<F> = F extends BooleanField ? boolean : F extends EnumField<infer A> ? A : string

/** Strings of the platform: at most 255 characters (Unicode code points). */
export const MAX_STRING_LENGTH = 255

type Options = Omit<Common, "example"> & { readonly example: string }

/** @since 0.1.0 @category builders */
export const text = (o: Options): StringField => ({ type: "string", maxLength: MAX_STRING_LENGTH, ...o })

/** @since 0.1.0 @category builders */
export const oneOf = <const A extends string>(values: ReadonlyArray<A>, o: Options): EnumField<A> => ({
  type: "string",
  maxLength: MAX_STRING_LENGTH,
  enum: values,
  ...o,
})

/** @since 0.1.0 @category builders */
export const consent = (o: Options): EnumField<"Yes" | "No"> => oneOf(["Yes", "No"], o)

/** @since 0.1.0 @category builders */
export const flag = (o: Omit<Common, "example"> & { readonly example: boolean }): BooleanField => ({
  type: "boolean",
  ...o,
})

/** @since 0.1.0 @category builders */
export const formatted = (format: StringFormat, o: Options): StringField => ({
  type: "string",
  maxLength: MAX_STRING_LENGTH,
  format,
  ...o,
})

/** Formats used by the standard parameters. @since 0.1.0 @category formats */
export const formats = {
  email: {
    name: "email",
    pattern:
      /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/u,
    expected: "an email address",
  },
  e164: { name: "e164", pattern: /^\+[0-9]{7,15}$/u, expected: "an E.164 phone number (+ and 7 to 15 digits)" },
  pastDate: {
    name: "date",
    pattern: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/u,
    expected: "a date YYYY-MM-DD",
    calendarDate: true,
    notFuture: true,
  },
  country: { name: "country", pattern: /^[A-Z]{2}$/u, expected: "a two-letter country code in capitals (US, UK)" },
  language: {
    name: "language",
    pattern: /^[a-z]{2}(?:-(?:[A-Z]{2}|[0-9]{3}))?$/u,
    expected: "an ISO 639-1 language code, optionally with a region (en, en-US)",
  },
  currency: { name: "currency", pattern: /^[A-Z]{3}$/u, expected: "a three-letter currency code in capitals (USD)" },
} as const satisfies Record<string, StringFormat>

/** Counts Unicode code points, the unit of the platform's 255-character limit. */
export const codePointLength = (s: string): number => {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--
        i++
      }
    }
  }
  return n
}

/** Whether a `YYYY-MM-DD` string names a real calendar date. */
export const isDateString = (s: string): boolean =>
  datePattern.test(s) && isCalendarDate(+s.slice(0, 4), +s.slice(5, 7), +s.slice(8, 10))

const datePattern = /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/

/**
 * What a parameter expects, in words: used in messages and docs.
 *
 * @since 0.1.0
 * @category messages
 */
export const expectedOf = (spec: FieldSpec): string => {
  if (spec.type === "boolean") return "a JSON boolean (true or false)"
  if (spec.enum) return `one of ${spec.enum.map((v) => JSON.stringify(v)).join(", ")}`
  if (spec.format) return spec.format.expected
  return `a string of at most ${spec.maxLength} characters`
}

/**
 * The rule of a parameter in one line, for docs.
 *
 * @since 0.1.0
 * @category messages
 */
export const ruleOf = (spec: FieldSpec): string => {
  if (spec.type === "boolean") return "`true` or `false` (JSON booleans, never strings)"
  const parts: Array<string> = []
  if (spec.enum) parts.push(`one of ${spec.enum.map((v) => `\`${v}\``).join(", ")}`)
  else if (spec.format) {
    parts.push(spec.format.expected)
    if (spec.format.calendarDate) parts.push("a real calendar date")
    if (spec.format.notFuture) parts.push("not in the future")
  } else parts.push("any text, may be empty")
  if (!spec.enum) parts.push(`at most ${spec.maxLength} characters`)
  return parts.join("; ")
}

const code = (c: string) => ({ "x-code": c })

/** The `too_long` check: at most `max` code points (`maxLength` in JSON Schema). */
export const isMaxChars = (max: number) =>
  Schema.makeFilter((s: string) => s.length <= max || codePointLength(s) <= max, {
    expected: `a string of at most ${max} characters`,
    toJsonSchema: () => ({ maxLength: max }),
    ...code("too_long"),
  })

const isFormat = (f: StringFormat) =>
  Schema.makeFilter((s: string) => f.pattern.test(s) && (!f.calendarDate || isDateString(s)), {
    expected: f.expected,
    toJsonSchema: () =>
      f.calendarDate ? { pattern: f.pattern.source, format: "date" } : { pattern: f.pattern.source },
    ...code("invalid_format"),
  })

const isNotFuture = Schema.makeFilter((s: string) => !isDateString(s) || s <= todayUtc(), {
  expected: "a date not in the future",
  toJsonSchema: () => [{}, true],
  ...code("invalid_value"),
})

/**
 * The Effect Schema of a parameter, with its description and example as
 * annotations and its classification as `x-` annotations.
 *
 * @since 0.1.0
 * @category schemas
 */
export const toEffectSchema = (spec: FieldSpec): Schema.Top => {
  const annotations: Record<string, unknown> = {
    description: spec.description,
    examples: [spec.example],
    "x-classification": spec.classification.kind,
  }
  if (spec.classification.kind === "channel") annotations["x-channels"] = spec.classification.channels
  if (spec.type === "boolean") return Schema.Boolean.annotate(annotations)
  if (spec.enum) return Schema.Literals(spec.enum).annotate(annotations)
  const checks: Array<SchemaAST.Filter<string>> = [isMaxChars(spec.maxLength)]
  if (spec.format) {
    checks.push(isFormat(spec.format))
    if (spec.format.notFuture) checks.push(isNotFuture)
  }
  return Schema.String.annotate(annotations).pipe(Schema.check(...(checks as [SchemaAST.Filter<string>])))
}
