/**
 * `@cdp/schema`: the event contract. Event kinds defined once with Effect
 * Schema, and what comes from them: types, a fast validator with precise
 * issues, JSON Schema, docs and a Standard Schema v1 interface.
 *
 * @module
 */
export * from "./decodeEvent.ts"
export * from "./decodeWithSchema.ts"
export * from "./EventDefinition.ts"
export * from "./eventReference.ts"
export * from "./events/ootb_user_details_update.ts"
export type { Channel, Classification, FieldSpec } from "./Field.ts"
export * as Field from "./Field.ts"
export { channels } from "./Field.ts"
export * from "./Issue.ts"
export * from "./makeEvent.ts"
export * from "./registry.ts"
export * from "./StandardSchema.ts"
export * from "./Timestamp.ts"
export * from "./toJsonSchema.ts"
export * from "./toMarkdown.ts"
