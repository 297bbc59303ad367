/**
 * JSON Schema of an event kind, generated from its Effect Schema: the whole
 * event, classification as `x-` keywords, descriptions and examples, and an
 * `$id` that carries the package version. Draft 2020-12, with a draft-07
 * twin for older validators. Reach for it to publish or serve the contract.
 *
 * @module
 */
import * as JsonSchema from "effect/JsonSchema"
import * as Schema from "effect/Schema"
import pkg from "../package.json" with { type: "json" }
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { channels as allChannels } from "./Field.ts"

/**
 * The rules JSON Schema cannot express. Validators of the published schema
 * accept events that break them; the ingestion API rejects those events.
 *
 * @since 0.1.0
 * @category json schema
 */
export const notExpressible = (def: AnyEventDefinition): ReadonlyArray<string> => {
  const list = [
    "timestamp: must name a real instant (no 2024-02-30, no 24:00); the pattern checks only its shape",
    "channel parameters: required only when the tenant's integration uses their channel (see x-channel-requirements)",
  ]
  for (const [name, spec] of Object.entries(def.fields)) {
    if (spec.type === "string" && spec.format?.notFuture) list.push(`context.${name}: must not be in the future`)
  }
  return list
}

/** Where the published schemas live: the `$id` base, versioned. */
export const schemaIdBase = `https://unpkg.com/${pkg.name}@${pkg.version}/json-schema/`

/** @since 0.1.0 @category json schema */
export const jsonSchemaFileName = (key: string, dialect: "draft-2020-12" | "draft-07" = "draft-2020-12"): string =>
  dialect === "draft-07" ? `${key}.draft-07.schema.json` : `${key}.schema.json`

/**
 * The JSON Schema document of an event kind.
 *
 * @since 0.1.0
 * @category json schema
 */
export const toJsonSchema = (
  def: AnyEventDefinition,
  dialect: "draft-2020-12" | "draft-07" = "draft-2020-12",
): Record<string, unknown> => {
  const doc = Schema.toJsonSchemaDocument(def.schema, {
    onExcessProperty: "error",
    includeAnnotationKey: (key) => key === "x-classification" || key === "x-channels",
  })
  const out = dialect === "draft-07" ? JsonSchema.toDocumentDraft07(doc) : doc
  const limits = notExpressible(def)
  const requirements = Object.fromEntries(allChannels.map((c) => [c, def.requiredFor([c])]))
  const { title, description, ...rest } = out.schema as Record<string, unknown>
  return {
    $schema: dialect === "draft-07" ? JsonSchema.META_SCHEMA_URI_DRAFT_07 : JsonSchema.META_SCHEMA_URI_DRAFT_2020_12,
    $id: `${schemaIdBase}${jsonSchemaFileName(def.key, dialect)}`,
    title,
    description: `${description}\n\nNot expressible in JSON Schema (checked by the ingestion API):\n${limits
      .map((l) => `- ${l}`)
      .join("\n")}`,
    "x-event": def.key,
    "x-schema-version": pkg.version,
    "x-channel-requirements": requirements,
    "x-not-expressible": limits,
    ...rest,
    ...(Object.keys(out.definitions).length > 0
      ? dialect === "draft-07"
        ? { definitions: out.definitions }
        : { $defs: out.definitions }
      : {}),
  }
}
