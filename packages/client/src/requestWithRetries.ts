/**
 * One request of the client, sent again until it gets an answer worth
 * keeping: network errors (and timeouts), 429 and 5xx are retried with
 * back-off (`retryDelay.ts`) within `maxAttempts` and `maxRetryTimeMs`;
 * every other status is the answer. The same body goes out every time, so
 * a retried `POST /v1/events` cannot store an event twice (the event id is
 * a digest of its content: events stored by a lost attempt come back
 * `duplicate`).
 *
 * @module
 */
import { ClientError } from "./ClientError.ts"
import type { ErrorNotice } from "./ErrorNotice.ts"
import { parseRetryAfter, retryDelay } from "./retryDelay.ts"

/**
 * The `fetch` the client calls: any function that takes a URL and an init
 * and answers a `Response`, so that every runtime's own `fetch` fits (Bun's
 * type adds `preconnect`, which a wrapper need not have).
 *
 * @since 0.1.0
 * @category models
 */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>

/**
 * What a request needs of the client's settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Transport {
  readonly url: string
  readonly key: string
  readonly fetch: FetchFunction
  readonly timeoutMs: number
  readonly maxAttempts: number
  readonly maxRetryTimeMs: number
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  readonly notify: (notice: ErrorNotice) => void
}

/**
 * The answer kept: status, headers, text, and the number of attempts made.
 *
 * @since 0.1.0
 * @category models
 */
export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  readonly attempts: number
}

/** Statuses worth sending the same request again for. */
const retryable = (status: number): boolean => status === 429 || status === 408 || status >= 500

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** The problem code of a retryable answer, for the notices (read from the body when it is Problem Details). */
const codeOf = (status: number, text: string): ErrorNotice["code"] => {
  try {
    const body = JSON.parse(text) as { code?: unknown }
    if (typeof body.code === "string") return body.code as ErrorNotice["code"]
  } catch {}
  return status === 429 ? "rate_limited" : status === 503 ? "unavailable" : "internal_error"
}

/**
 * Sends `method path` (with `body` as JSON when given) until an answer that
 * is not retryable comes, or attempts or time run out: then the last
 * retryable answer is returned, or, when none came, a `ClientError`
 * `network_error` is thrown (and reported as `failed`). Each retry is
 * reported to the hook; `events` is what the notices say the request carried.
 *
 * @since 0.1.0
 * @category requests
 */
export const requestWithRetries = async (
  transport: Transport,
  request: {
    readonly method: "GET" | "POST" | "DELETE"
    readonly path: string
    readonly body?: string
    readonly operation: ErrorNotice["operation"]
    readonly events: number
  },
): Promise<Answer> => {
  const started = Date.now()
  const headers: Record<string, string> = { authorization: `Bearer ${transport.key}`, accept: "application/json" }
  if (request.body !== undefined) headers["content-type"] = "application/json"
  for (let attempt = 1; ; attempt++) {
    let answer: Answer | undefined
    let failure: unknown
    try {
      const res = await transport.fetch(`${transport.url}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal: AbortSignal.timeout(transport.timeoutMs),
      })
      answer = { status: res.status, headers: res.headers, text: await res.text(), attempts: attempt }
    } catch (e) {
      failure = e
    }
    if (answer !== undefined && !retryable(answer.status)) return answer
    const code = answer === undefined ? "network_error" : codeOf(answer.status, answer.text)
    const status = answer?.status
    const delayMs = retryDelay(
      attempt,
      transport,
      answer === undefined ? undefined : parseRetryAfter(answer.headers.get("retry-after")),
    )
    const outOfTime = Date.now() + delayMs - started > transport.maxRetryTimeMs
    if (attempt >= transport.maxAttempts || outOfTime) {
      // The caller judges (and reports) an answer; no answer at all is reported here.
      if (answer !== undefined) return answer
      transport.notify({ type: "failed", operation: request.operation, code, attempt, events: request.events })
      const why = failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure)
      throw new ClientError(
        "network_error",
        `${request.method} ${request.path.replace(/\?.*$/, "")} got no answer in ${attempt} attempts (last: ${why})`,
        { attempts: attempt },
      )
    }
    transport.notify({
      type: "retry",
      operation: request.operation,
      code,
      ...(status === undefined ? {} : { status }),
      attempt,
      delayMs,
      events: request.events,
    })
    await sleep(delayMs)
  }
}
