/**
 * The reference of an event kind as data: its example, envelope rows,
 * parameter rows, channel requirements and the rules JSON Schema cannot
 * state, each worded once. The Markdown docs (`toMarkdown`) and the HTML docs
 * page of the ingestion API both render this model, so nothing about an event
 * is written in two places. Reach for it to render an event's docs in any
 * other format.
 *
 * @module
 */
import { type AnyEventDefinition, envelope } from "./EventDefinition.ts"
import { type Channel, type Classification, channels, type FieldSpec, ruleOf } from "./Field.ts"
import { notExpressible } from "./toJsonSchema.ts"

/**
 * The classification of a parameter in the words of the Events-based
 * Integration table.
 *
 * @since 0.1.0
 * @category docs
 */
export const classificationText = (c: Classification): string => {
  switch (c.kind) {
    case "mandatory":
      return "Mandatory"
    case "channel":
      return `Mandatory if the integration uses ${c.channels.join(" or ")}`
    case "enrichment":
      return "Enrichment (out-of-the-box attribute)"
    case "optional":
      return "Optional"
  }
}

const exampleText = (v: unknown): string => (v === "" ? '`""`' : `\`${JSON.stringify(v)}\``)

/**
 * One row of an event's parameter table. Text cells may hold Markdown inline
 * code (`` `x` ``).
 *
 * @since 0.1.0
 * @category docs
 */
export interface ParameterRow {
  readonly key: string
  readonly type: string
  readonly rule: string
  readonly classification: string
  readonly example: string
  readonly description: string
}

/**
 * One row per parameter: key, type, rule, classification, example,
 * description.
 *
 * @since 0.1.0
 * @category docs
 */
export const parameterRows = (def: AnyEventDefinition): ReadonlyArray<ParameterRow> =>
  Object.entries(def.fields).map(([key, spec]: [string, FieldSpec]) => ({
    key,
    type: spec.type === "boolean" ? "Boolean" : "String",
    rule: ruleOf(spec),
    classification: classificationText(spec.classification),
    example: exampleText(spec.example),
    description: spec.description,
  }))

/**
 * One row of the envelope table: a property every event carries. Text cells
 * may hold Markdown inline code.
 *
 * @since 0.2.0
 * @category docs
 */
export interface EnvelopeRow {
  readonly property: string
  readonly type: "Number" | "String" | "Object"
  readonly required: "Mandatory" | "Optional"
  readonly rule: string
  readonly description: string
}

/**
 * An example event of the kind: the envelope's examples and every
 * parameter's example.
 *
 * @since 0.2.0
 * @category docs
 */
export const exampleEvent = (def: AnyEventDefinition): Record<string, unknown> => ({
  tenant: envelope.tenant.example,
  timestamp: envelope.timestamp.example,
  event: def.key,
  customer: envelope.customer.example,
  context: Object.fromEntries(Object.entries(def.fields).map(([k, s]) => [k, s.example])),
})

/**
 * The whole reference of an event kind, ready to render. Text may hold
 * Markdown inline code.
 *
 * @since 0.2.0
 * @category docs
 */
export interface EventReference {
  readonly key: string
  readonly title: string
  readonly description: string
  readonly example: Record<string, unknown>
  readonly envelope: ReadonlyArray<EnvelopeRow>
  /** Said before the parameter table. */
  readonly parametersNote: string
  readonly parameters: ReadonlyArray<ParameterRow>
  /** Per channel, the parameters a tenant's use of it makes mandatory. */
  readonly channels: ReadonlyArray<{ readonly channel: Channel; readonly parameters: ReadonlyArray<string> }>
  /** Said before the rules JSON Schema cannot state. */
  readonly notExpressibleNote: string
  readonly notExpressible: ReadonlyArray<string>
}

/**
 * The reference of an event kind, from its definition.
 *
 * @since 0.2.0
 * @category docs
 */
export const eventReference = (def: AnyEventDefinition): EventReference => ({
  key: def.key,
  title: def.title,
  description: def.description,
  example: exampleEvent(def),
  envelope: [
    {
      property: "tenant",
      type: "Number",
      required: "Mandatory",
      rule: envelope.tenant.expected,
      description: envelope.tenant.description,
    },
    {
      property: "timestamp",
      type: "String",
      required: "Mandatory",
      rule: "`YYYY-MM-DD HH:MM:SS.ssssss UTC` or RFC 3339 with `Z` or an offset; a real instant",
      description: envelope.timestamp.description,
    },
    {
      property: "event",
      type: "String",
      required: "Mandatory",
      rule: `\`${def.key}\``,
      description: envelope.event.description,
    },
    {
      property: "customer",
      type: "String",
      required: "Mandatory",
      rule: envelope.customer.expected,
      description: envelope.customer.description,
    },
    {
      property: "visitor",
      type: "String",
      required: "Optional",
      rule: envelope.visitor.expected,
      description: envelope.visitor.description,
    },
    {
      property: "context",
      type: "Object",
      required: "Optional",
      rule: "only the parameters below; absent means `{}`",
      description: envelope.context.description,
    },
  ],
  parametersNote:
    "Every parameter is optional unless the tenant's integration uses its channel. A `null` is never accepted; unknown parameters are rejected.",
  parameters: parameterRows(def),
  channels: channels.map((channel) => ({ channel, parameters: def.requiredFor([channel]) })),
  notExpressibleNote: "The published JSON Schema cannot state these rules; the ingestion API checks them:",
  notExpressible: notExpressible(def),
})
