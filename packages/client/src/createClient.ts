/**
 * `createClient`: the typed sender of the ingestion API. `send` validates an
 * event with the contract's own validator (so an invalid event rejects at
 * once and never leaves), queues it and resolves with its own answer once
 * the batch it went out in is answered; batches hold at most 500 events and
 * 1 MiB and leave when full or after `flushIntervalMs`; failed requests are
 * retried with the same body (`requestWithRetries.ts`); a 413 splits the
 * batch. The reads (`getProfile`, `events`, `erase`) decode their answers
 * with `@cdp/api`'s schemas. Only `fetch` and Web APIs.
 *
 * @module
 */
import { apiLimits, EventPage, IngestResponse, Problem, Profile, type StoredEvent } from "@cdp/api"
import { type Channel, type EventKey, InvalidEventError, type MakeEventInput, makeEvent } from "@cdp/schema"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { ClientError } from "./ClientError.ts"
import type { ErrorNotice } from "./ErrorNotice.ts"
import { type Answer, type FetchFunction, requestWithRetries, type Transport } from "./requestWithRetries.ts"

/**
 * The options of `createClient`. Only `url`, `key` and `tenant` are required.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientOptions {
  /** The service's base URL, e.g. `https://ingest.example.com` (a trailing `/` is fine). */
  readonly url: string
  /** The API key, sent as `Authorization: Bearer <key>`. */
  readonly key: string
  /** The tenant of the key: every event is sent with it. */
  readonly tenant: number
  /** The tenant's channels: their channel parameters become mandatory, as the service checks them. Default none. */
  readonly channels?: ReadonlyArray<Channel>
  /** Events per request, 1 to 500. Default 500. */
  readonly maxBatchEvents?: number
  /** Bytes per request body, 1 KiB to 1 MiB. Default 1 MiB (1,048,576). */
  readonly maxBatchBytes?: number
  /** How long a batch that is not full waits for more events, in ms. Default 50. */
  readonly flushIntervalMs?: number
  /** The most events queued or in flight at once; `send` beyond it rejects with `queue_full`. Default 10,000. */
  readonly maxQueue?: number
  /** Requests in flight at once. Default 4. */
  readonly maxConcurrency?: number
  /** Attempts per request, the first included. Default 10. */
  readonly maxAttempts?: number
  /** The longest a request keeps being retried, from its first attempt, in ms. Default 60,000. */
  readonly maxRetryTimeMs?: number
  /** The back-off's first ceiling, in ms (doubled at each attempt). Default 100. */
  readonly baseDelayMs?: number
  /** The back-off's largest ceiling, in ms. Default 10,000. */
  readonly maxDelayMs?: number
  /** How long one attempt may take before it counts as a network error, in ms. Default 30,000. */
  readonly timeoutMs?: number
  /** The `fetch` to use. Default `globalThis.fetch`. */
  readonly fetch?: FetchFunction
  /** Told of every retry, every request given up and every rejected event; never of personal data (`ErrorNotice`). */
  readonly onError?: (notice: ErrorNotice) => void
}

/**
 * What `send` takes for an event of kind `Key`: `makeEvent`'s input without
 * the tenant, which is the client's.
 *
 * @since 0.1.0
 * @category models
 */
export type SendInput<Key extends EventKey> = Omit<MakeEventInput<Key>, "tenant">

/**
 * The answer of one sent event: stored now (`accepted`) or before
 * (`duplicate`), and its id.
 *
 * @since 0.1.0
 * @category models
 */
export interface SendResult {
  readonly status: "accepted" | "duplicate"
  readonly id: string
}

/**
 * A client of the ingestion API (`createClient`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Client {
  /**
   * Validates the event, queues it and resolves with its answer. Rejects
   * with `InvalidEventError` (at once when invalid here; later when the
   * service rejected it) or with a `ClientError` (`queue_full`, `closed`,
   * or the request's failure).
   */
  readonly send: <const Key extends EventKey>(kind: Key, input: SendInput<Key>) => Promise<SendResult>
  /** Sends everything queued now; resolves once every event sent before the call is answered. Never rejects. */
  readonly flush: () => Promise<void>
  /** Refuses new sends from now on (`closed`), then flushes. */
  readonly close: () => Promise<void>
  /** The customer's profile; rejects with a `ClientError` (`not_found` when the tenant has no such customer). */
  readonly getProfile: (customer: string) => Promise<Profile>
  /** Every recorded event of the customer, newest `timestamp` first, page after page (`limit` per request). */
  readonly events: (customer: string, options?: { readonly limit?: number }) => AsyncIterableIterator<StoredEvent>
  /** Erases the customer's profile and events; rejects with a `ClientError` (`not_found` when there was none). */
  readonly erase: (customer: string) => Promise<void>
}

interface Pending {
  readonly kind: string
  readonly json: string
  readonly bytes: number
  readonly resolve: (result: SendResult) => void
  readonly reject: (error: unknown) => void
  readonly promise: Promise<SendResult>
}

/** The UTF-8 length of a string, counted one UTF-16 unit at a time (for strings too long for `scratch`). */
const utf8LengthByUnits = (s: string): number => {
  let n = s.length
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 2 // a surrogate pair: 2 UTF-16 units, 4 bytes
        i++
        continue
      }
    }
    if (c >= 0x800) n += 2
    else if (c >= 0x80) n += 1
  }
  return n
}

const encoder = new TextEncoder()
/** Where `utf8Length` encodes: one per module, used synchronously only. */
const scratch = new Uint8Array(64 * 1024)

/**
 * The UTF-8 length of a string: the native encoder into a scratch buffer
 * when the string surely fits (at most 3 bytes per UTF-16 unit), several
 * times faster than counting units in JavaScript; else counted by units.
 */
const utf8Length = (s: string): number =>
  s.length * 3 <= scratch.length ? encoder.encodeInto(s, scratch).written : utf8LengthByUnits(s)

const integerOption = (name: string, value: number | undefined, fallback: number, min: number, max: number) => {
  if (value === undefined) return fallback
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw new ClientError("invalid_option", `${name} must be an integer from ${min} to ${max}, got ${value}`, {
      path: `/${name}`,
    })
  return value
}

const decodeWith =
  <S extends Schema.Top>(schema: S) =>
  (text: string): S["Type"] | undefined => {
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return undefined
    }
    const exit = Schema.decodeUnknownExit(schema as unknown as Schema.Codec<S["Type"], unknown>)(json)
    return Exit.isSuccess(exit) ? exit.value : undefined
  }

const decodeIngest = decodeWith(IngestResponse)
const decodeProblem = decodeWith(Problem)
const decodeProfile = decodeWith(Profile)
const decodePage = decodeWith(EventPage)

const isProblem = (answer: Answer) => /^application\/problem\+json/i.test(answer.headers.get("content-type") ?? "")

/** The error of an answer that is not the one hoped for: the Problem's code, or `invalid_answer`. */
const answerError = (what: string, answer: Answer): ClientError => {
  const problem = isProblem(answer) ? decodeProblem(answer.text) : undefined
  return problem === undefined
    ? new ClientError(
        "invalid_answer",
        `${what} answered ${answer.status}, which the HTTP contract does not describe`,
        {
          status: answer.status,
          attempts: answer.attempts,
        },
      )
    : new ClientError(problem.code, `${what} answered ${answer.status} ${problem.code}: ${problem.detail}`, {
        status: answer.status,
        attempts: answer.attempts,
      })
}

/**
 * Creates a client. Throws a `ClientError` `invalid_option` (its `path`
 * names the option) when an option is out of range.
 *
 * @example
 * const client = createClient({ url: "https://ingest.example.com", key, tenant: 567 })
 * const r = await client.send("ootb_user_details_update", { customer: "customerId1", context: { ootb_city: "NYC" } })
 * await client.close()
 *
 * @since 0.1.0
 * @category constructors
 */
export const createClient = (options: ClientOptions): Client => {
  const maxBatchEvents = integerOption(
    "maxBatchEvents",
    options.maxBatchEvents,
    apiLimits.maxBatch,
    1,
    apiLimits.maxBatch,
  )
  const maxBatchBytes = integerOption(
    "maxBatchBytes",
    options.maxBatchBytes,
    apiLimits.maxBodyBytes,
    1024,
    apiLimits.maxBodyBytes,
  )
  const flushIntervalMs = integerOption("flushIntervalMs", options.flushIntervalMs, 50, 0, 3_600_000)
  const maxQueue = integerOption("maxQueue", options.maxQueue, 10_000, 1, Number.MAX_SAFE_INTEGER)
  const maxConcurrency = integerOption("maxConcurrency", options.maxConcurrency, 4, 1, 1024)
  const onError = options.onError
  const transport: Transport = {
    url: options.url.replace(/\/+$/, ""),
    key: options.key,
    fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
    timeoutMs: integerOption("timeoutMs", options.timeoutMs, 30_000, 1, 3_600_000),
    maxAttempts: integerOption("maxAttempts", options.maxAttempts, 10, 1, 1000),
    maxRetryTimeMs: integerOption("maxRetryTimeMs", options.maxRetryTimeMs, 60_000, 0, 86_400_000),
    baseDelayMs: integerOption("baseDelayMs", options.baseDelayMs, 100, 1, 3_600_000),
    maxDelayMs: integerOption("maxDelayMs", options.maxDelayMs, 10_000, 1, 3_600_000),
    notify: (notice) => {
      try {
        onError?.(notice)
      } catch {} // a failing hook must not lose events
    },
  }
  const tenant = options.tenant
  const decodeOptions = { channels: options.channels }

  let closed = false
  /** Events waiting for a batch, oldest first: `queue[head]` onwards (taken ones are dropped in chunks). */
  let queue: Array<Pending> = []
  let head = 0
  /** Their bytes in a body: each event and one separator. */
  let queuedBytes = 0
  /** How many of the oldest queued events must leave now (the interval passed, or `flush()`). */
  let due = 0
  let inFlight = 0
  /** Every event not answered yet, queued or in flight. */
  const unanswered = new Set<Pending>()
  let timer: ReturnType<typeof setTimeout> | undefined

  const settle = (item: Pending, outcome: { ok: SendResult } | { error: unknown }) => {
    unanswered.delete(item)
    if ("ok" in outcome) item.resolve(outcome.ok)
    else item.reject(outcome.error)
  }

  /** The oldest events that fit in one request: at most `maxBatchEvents`, and `[` `,` `]` included, `maxBatchBytes`. */
  const takeBatch = (): Array<Pending> => {
    let end = head
    let bytes = 2
    while (end < queue.length && end - head < maxBatchEvents) {
      const next = (queue[end] as Pending).bytes + (end > head ? 1 : 0)
      if (bytes + next > maxBatchBytes) break
      bytes += next
      end++
    }
    const batch = queue.slice(head, end)
    head = end
    if (head === queue.length) {
      queue = []
      head = 0
    } else if (head >= 4096 && head * 2 >= queue.length) {
      queue = queue.slice(head)
      head = 0
    }
    for (const item of batch) queuedBytes -= item.bytes + 1
    return batch
  }

  const pump = (): void => {
    while (inFlight < maxConcurrency && queue.length > head) {
      const full = queue.length - head >= maxBatchEvents || queuedBytes + 1 > maxBatchBytes
      if (!full && due <= 0) break
      const batch = takeBatch()
      due = Math.max(0, due - batch.length)
      inFlight++
      void postBatch(batch).finally(() => {
        inFlight--
        pump()
      })
    }
    if (queue.length - head > due && timer === undefined) {
      timer = setTimeout(() => {
        timer = undefined
        due = queue.length - head
        pump()
      }, flushIntervalMs)
    }
  }

  const failAll = (batch: ReadonlyArray<Pending>, error: unknown) => {
    for (const item of batch) settle(item, { error })
  }

  /** Sends one batch until it is answered, and settles each of its events with its own answer. */
  const postBatch = async (batch: ReadonlyArray<Pending>): Promise<void> => {
    let answer: Answer
    try {
      answer = await requestWithRetries(transport, {
        method: "POST",
        path: "/v1/events",
        body: `[${batch.map((item) => item.json).join(",")}]`,
        operation: "send",
        events: batch.length,
      })
    } catch (error) {
      failAll(batch, error)
      return
    }
    if (answer.status === 413 && batch.length > 1) {
      // Too large for this service: the halves go on their own.
      const half = Math.ceil(batch.length / 2)
      await Promise.all([postBatch(batch.slice(0, half)), postBatch(batch.slice(half))])
      return
    }
    const body = [202, 400, 403].includes(answer.status) && !isProblem(answer) ? decodeIngest(answer.text) : undefined
    if (body === undefined || body.results.length !== batch.length) {
      const error = answerError("POST /v1/events", answer)
      transport.notify({
        type: "failed",
        operation: "send",
        code: error.code,
        status: answer.status,
        attempt: answer.attempts,
        events: batch.length,
      })
      failAll(batch, error)
      return
    }
    const rejected: Array<{ path: string; code: InvalidEventError["issues"][number]["code"] }> = []
    let rejectedEvents = 0
    for (const result of body.results) {
      const item = batch[result.index]
      if (item === undefined) continue
      if (result.status === "rejected") {
        rejectedEvents++
        for (const issue of result.issues) rejected.push({ path: issue.path, code: issue.code })
        settle(item, { error: new InvalidEventError(item.kind, result.issues) })
      } else settle(item, { ok: { status: result.status, id: result.id } })
    }
    if (rejectedEvents > 0) {
      transport.notify({
        type: "rejected",
        operation: "send",
        code: "invalid_event",
        status: answer.status,
        attempt: answer.attempts,
        events: rejectedEvents,
        issues: rejected,
      })
    }
    // An index the answer skipped would leave its event waiting forever.
    for (const item of batch)
      if (unanswered.has(item))
        settle(item, {
          error: new ClientError("invalid_answer", "POST /v1/events answered without a result for this event", {
            status: answer.status,
            attempts: answer.attempts,
          }),
        })
  }

  const send = <const Key extends EventKey>(kind: Key, input: SendInput<Key>): Promise<SendResult> => {
    if (closed) return Promise.reject(new ClientError("closed", "the client is closed: send refused"))
    if (unanswered.size >= maxQueue)
      return Promise.reject(
        new ClientError("queue_full", `${maxQueue} events are waiting for an answer (maxQueue); send refused`),
      )
    let json: string
    try {
      json = JSON.stringify(makeEvent(kind, { ...input, tenant } as MakeEventInput<Key>, decodeOptions))
    } catch (error) {
      if (error instanceof InvalidEventError)
        transport.notify({
          type: "rejected",
          operation: "send",
          code: "invalid_event",
          attempt: 0,
          events: 1,
          issues: error.issues.map((i) => ({ path: i.path, code: i.code })),
        })
      return Promise.reject(error)
    }
    const bytes = utf8Length(json)
    if (bytes + 2 > maxBatchBytes)
      return Promise.reject(
        new ClientError("event_too_large", `the event takes ${bytes} bytes, more than maxBatchBytes allows`),
      )
    let resolve!: (r: SendResult) => void
    let reject!: (e: unknown) => void
    const promise = new Promise<SendResult>((res, rej) => {
      resolve = res
      reject = rej
    })
    const item: Pending = { kind, json, bytes, resolve, reject, promise }
    unanswered.add(item)
    queue.push(item)
    queuedBytes += bytes + 1
    pump()
    return promise
  }

  const flush = async (): Promise<void> => {
    const waiting = [...unanswered].map((item) =>
      item.promise.then(
        () => {},
        () => {},
      ),
    )
    if (timer !== undefined) {
      clearTimeout(timer)
      timer = undefined
    }
    due = queue.length - head
    pump()
    await Promise.all(waiting)
  }

  const close = async (): Promise<void> => {
    closed = true
    await flush()
  }

  const customerQuery = (customer: string) => `customer=${encodeURIComponent(customer)}`

  const read = async (
    operation: "getProfile" | "events" | "erase",
    method: "GET" | "DELETE",
    route: string,
    query: string,
  ): Promise<Answer> => requestWithRetries(transport, { method, path: `${route}?${query}`, operation, events: 0 })

  const fail = (operation: ErrorNotice["operation"], what: string, answer: Answer): never => {
    const error = answerError(what, answer)
    transport.notify({
      type: "failed",
      operation,
      code: error.code,
      status: answer.status,
      attempt: answer.attempts,
      events: 0,
    })
    throw error
  }

  const getProfile = async (customer: string): Promise<Profile> => {
    const answer = await read("getProfile", "GET", "/v1/customers", customerQuery(customer))
    const profile = answer.status === 200 ? decodeProfile(answer.text) : undefined
    return profile ?? fail("getProfile", "GET /v1/customers", answer)
  }

  async function* events(customer: string, options: { readonly limit?: number } = {}) {
    const limit = integerOption("limit", options.limit, apiLimits.maxPage, 1, apiLimits.maxPage)
    let cursor: string | null = null
    do {
      const query: string = `${customerQuery(customer)}&limit=${limit}${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`
      const answer = await read("events", "GET", "/v1/events", query)
      const page = answer.status === 200 ? decodePage(answer.text) : undefined
      if (page === undefined) return fail("events", "GET /v1/events", answer)
      yield* page.events
      cursor = page.next
    } while (cursor !== null)
  }

  const erase = async (customer: string): Promise<void> => {
    const answer = await read("erase", "DELETE", "/v1/customers", customerQuery(customer))
    if (answer.status === 204) return
    // A retry after a lost answer finds the customer already erased.
    if (answer.status === 404 && answer.attempts > 1 && isProblem(answer)) return
    fail("erase", "DELETE /v1/customers", answer)
  }

  return { send, flush, close, getProfile, events, erase }
}
