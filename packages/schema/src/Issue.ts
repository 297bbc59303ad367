/**
 * Validation issues: the one error shape of every layer (schema, CLI, HTTP).
 * Reach for it when reporting or inspecting why an event was rejected.
 *
 * @module
 */

/**
 * The closed set of issue codes of the ingestion API (`ingest-api.md`).
 *
 * @since 0.1.0
 * @category models
 */
export type IssueCode =
  | "required"
  | "invalid_type"
  | "invalid_format"
  | "invalid_value"
  | "too_long"
  | "unknown_property"
  | "unknown_event"
  | "tenant_mismatch"

/** @since 0.1.0 @category models */
export const issueCodes: ReadonlyArray<IssueCode> = [
  "required",
  "invalid_type",
  "invalid_format",
  "invalid_value",
  "too_long",
  "unknown_property",
  "unknown_event",
  "tenant_mismatch",
]

/**
 * One problem with one event: where (a JSON Pointer, RFC 6901, into the
 * event), what kind (`code`) and a message that names the field, what was
 * expected and what came.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issue {
  readonly path: string
  readonly code: IssueCode
  readonly message: string
}

/**
 * Escapes one reference token of a JSON Pointer (`~` -> `~0`, `/` -> `~1`).
 *
 * @since 0.1.0
 * @category pointers
 */
export const escapePointerToken = (token: string): string =>
  token.indexOf("~") === -1 && token.indexOf("/") === -1 ? token : token.replace(/~/g, "~0").replace(/\//g, "~1")

/**
 * Builds a JSON Pointer from path segments.
 *
 * @since 0.1.0
 * @category pointers
 */
export const toPointer = (segments: ReadonlyArray<PropertyKey>): string =>
  segments.length === 0 ? "" : `/${segments.map((s) => escapePointerToken(String(s))).join("/")}`

/**
 * Describes a received value for a message: strings quoted and cut to 40
 * characters, other JSON values by their JSON text or their kind.
 *
 * @since 0.1.0
 * @category messages
 */
export const describeValue = (value: unknown): string => {
  if (value === null) return "null"
  if (value === undefined) return "nothing"
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)
    case "number":
    case "boolean":
      return String(value)
    case "object":
      return Array.isArray(value) ? "an array" : "an object"
    default:
      return `a ${typeof value}`
  }
}

/**
 * Orders issues by path, then code, so that every validator reports them in
 * the same order.
 *
 * @since 0.1.0
 * @category ordering
 */
export const sortIssues = (issues: Array<Issue>): Array<Issue> =>
  issues.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
