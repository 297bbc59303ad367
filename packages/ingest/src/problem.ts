/**
 * Request-level errors as Problem Details (RFC 9457): one function, one
 * shape, `application/problem+json`, with the API's `code`.
 *
 * @module
 */

/** The request-level error codes of the API, with their status. @since 0.1.0 @category problems */
export const problemStatus = {
  malformed_json: 400,
  invalid_body: 400,
  batch_size: 400,
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const

/** @since 0.1.0 @category problems */
export type ProblemCode = keyof typeof problemStatus

const titles: Record<ProblemCode, string> = {
  malformed_json: "Malformed JSON",
  invalid_body: "Invalid body",
  batch_size: "Invalid batch size",
  unauthorized: "Unauthorized",
  not_found: "Not found",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  rate_limited: "Too many requests",
  internal_error: "Internal error",
  unavailable: "Service unavailable",
}

/**
 * A Problem Details response.
 *
 * @since 0.1.0
 * @category problems
 */
export const problem = (code: ProblemCode, detail: string, headers: Record<string, string> = {}): Response => {
  const status = problemStatus[code]
  return new Response(
    JSON.stringify({
      type: `https://cdp.dev/problems/${code.replace(/_/g, "-")}`,
      title: titles[code],
      status,
      detail,
      code,
    }),
    { status, headers: { "content-type": "application/problem+json", ...headers } },
  )
}
