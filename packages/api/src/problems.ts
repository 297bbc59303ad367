/**
 * The request-level error codes of the API (Problem Details, RFC 9457):
 * each code with its HTTP status, title and `type` URI. The handler answers
 * with them; the `Problem` schema and the OpenAPI document list them.
 *
 * @module
 */

/**
 * The request-level error codes of the API, with their status.
 *
 * @since 0.1.0
 * @category problems
 */
export const problemStatus = {
  malformed_json: 400,
  invalid_body: 400,
  batch_size: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const

/**
 * A request-level error code.
 *
 * @since 0.1.0
 * @category problems
 */
export type ProblemCode = keyof typeof problemStatus

/**
 * Every request-level error code, in the order of `problemStatus`.
 *
 * @since 0.1.0
 * @category problems
 */
export const problemCodes = Object.keys(problemStatus) as ReadonlyArray<ProblemCode>

/**
 * The short summary (`title`) of each kind of problem.
 *
 * @since 0.1.0
 * @category problems
 */
export const problemTitles: Readonly<Record<ProblemCode, string>> = {
  malformed_json: "Malformed JSON",
  invalid_body: "Invalid body",
  batch_size: "Invalid batch size",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many requests",
  internal_error: "Internal error",
  unavailable: "Service unavailable",
}

/**
 * The URI naming a kind of problem (the `type` of its Problem Details).
 *
 * @since 0.1.0
 * @category problems
 */
export const problemType = (code: ProblemCode): string => `https://cdp.dev/problems/${code.replace(/_/g, "-")}`
