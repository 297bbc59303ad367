/**
 * Request-level errors as Problem Details (RFC 9457): one function, one
 * shape, `application/problem+json`, with the API's `code`. The codes, their
 * status and titles are defined in `@cdp/api`.
 *
 * @module
 */
import { type ProblemCode, problemStatus, problemTitles, problemType } from "@cdp/api"

export { type ProblemCode, problemStatus } from "@cdp/api"

/**
 * A Problem Details response.
 *
 * @since 0.1.0
 * @category problems
 */
export const problem = (code: ProblemCode, detail: string, headers: Record<string, string> = {}): Response => {
  const status = problemStatus[code]
  return new Response(JSON.stringify({ type: problemType(code), title: problemTitles[code], status, detail, code }), {
    status,
    headers: { "content-type": "application/problem+json", ...headers },
  })
}
