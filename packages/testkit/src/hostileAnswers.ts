/**
 * How the hostile-input suite judges one answer, from the request's bytes
 * and the spec alone (`ingest-api.md`), by code of its own: the status a
 * request must get (401, 415, 413, `malformed_json`, `invalid_body`,
 * `batch_size`, or a results body), the shape of every body, the 202/400/403
 * rule, the closed sets of codes, and that every issue path is a JSON
 * Pointer (RFC 6901, `~0` and `~1` escapes) into the event it names.
 *
 * @module
 */
import type { HostileRequest } from "./hostileInputs.ts"
import { ISSUE_CODES, TIMESTAMP_FORM } from "./httpSuite.ts"

/** The request-level error codes of the spec's table, with their status. */
export const PROBLEM_STATUS: Readonly<Record<string, number>> = {
  malformed_json: 400,
  invalid_body: 400,
  batch_size: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
}
/** The closed set of issue codes (the HTTP suite's list). */
const ISSUE_CODE_SET: ReadonlySet<string> = new Set(ISSUE_CODES)
const MAX_BODY = 1024 * 1024
const MAX_BATCH = 500

/** One answer as the suite reads it. */
export interface HostileAnswer {
  readonly status: number
  readonly contentType: string
  readonly text: string
}

/**
 * Splits a JSON Pointer into its reference tokens, undoing `~1` and `~0`
 * in that order (RFC 6901 section 4); `undefined` when it is no pointer
 * (not empty and not starting with `/`, or a `~` not followed by 0 or 1).
 *
 * @since 0.2.0
 * @category pointers
 */
export const pointerTokens = (pointer: string): Array<string> | undefined => {
  if (pointer === "") return []
  if (!pointer.startsWith("/")) return undefined
  if (/~(?![01])/.test(pointer)) return undefined
  return pointer
    .slice(1)
    .split("/")
    .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
}

const has = (value: unknown, token: string): boolean => {
  if (Array.isArray(value)) return /^(0|[1-9]\d*)$/.test(token) && Number(token) < value.length
  return typeof value === "object" && value !== null && Object.hasOwn(value, token)
}
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

/**
 * Whether `pointer` points into `event`: every token but the last names an
 * existing member, and the last one too unless the issue is `required` (a
 * missing member of an existing object).
 *
 * @since 0.2.0
 * @category pointers
 */
export const pointsInto = (event: unknown, pointer: string, code: string): boolean => {
  const tokens = pointerTokens(pointer)
  if (tokens === undefined) return false
  let at: unknown = event
  for (const [i, token] of tokens.entries()) {
    const last = i === tokens.length - 1
    if (last && code === "required") return isObject(at) && !Object.hasOwn(at, token)
    if (!has(at, token)) return false
    at = (at as Record<string, unknown>)[token]
  }
  return code !== "required"
}

const utf8 = new TextDecoder("utf-8", { fatal: true })

/** What a POST body is once read as the spec reads it. */
type Parsed =
  | { readonly kind: "too_large" }
  | { readonly kind: "malformed" }
  | { readonly kind: "invalid_body" }
  | { readonly kind: "batch_size" }
  | { readonly kind: "events"; readonly events: ReadonlyArray<Record<string, unknown>> }

/** The body judged as the spec says: size, UTF-8 (a leading BOM is no character), JSON, shape. */
const parseBody = (body: Uint8Array): Parsed => {
  if (body.length > MAX_BODY) return { kind: "too_large" }
  let value: unknown
  try {
    value = JSON.parse(utf8.decode(body))
  } catch {
    return { kind: "malformed" }
  }
  const batch = Array.isArray(value) ? value : [value]
  if (!batch.every(isObject)) return { kind: "invalid_body" }
  if (batch.length === 0 || batch.length > MAX_BATCH) return { kind: "batch_size" }
  return { kind: "events", events: batch }
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The faults of a Problem Details answer (`code`: the one it must have, or any of `codes`). */
const problemFaults = (answer: HostileAnswer, codes: ReadonlyArray<string>): Array<string> => {
  if (!/^application\/problem\+json\s*(;|$)/i.test(answer.contentType)) {
    return [`expected application/problem+json (${codes.join(" or ")}), got ${answer.contentType || "no type"}`]
  }
  const body = parseJson(answer.text)
  if (!isObject(body)) return ["a problem body that is no JSON object"]
  const faults: Array<string> = []
  const code = body.code
  if (typeof code !== "string" || !(code in PROBLEM_STATUS))
    faults.push(`problem code ${String(code)} not in the table`)
  else if (PROBLEM_STATUS[code] !== answer.status) faults.push(`code ${code} with status ${answer.status}`)
  if (!codes.includes(code as string)) faults.push(`expected code ${codes.join(" or ")}, got ${String(code)}`)
  if (body.status !== answer.status) faults.push(`body status ${String(body.status)} is not ${answer.status}`)
  for (const f of ["type", "title", "detail"]) if (typeof body[f] !== "string") faults.push(`problem without ${f}`)
  return faults
}

/** The faults of a results body for these events, sent with a key of `tenant`. */
const resultsFaults = (
  answer: HostileAnswer,
  events: ReadonlyArray<Record<string, unknown>>,
  tenant: number,
): Array<string> => {
  if (!/^application\/json\s*(;|$)/i.test(answer.contentType)) return [`results as ${answer.contentType}`]
  const body = parseJson(answer.text)
  if (!isObject(body) || !Array.isArray(body.results)) return ["a results body without results"]
  const faults: Array<string> = []
  const results = body.results as Array<unknown>
  if (results.length !== events.length) faults.push(`${results.length} results for ${events.length} events`)
  const count = { accepted: 0, duplicate: 0, rejected: 0 }
  let onlyMismatch = true
  for (const [i, result] of results.entries()) {
    const event = events[i]
    if (!isObject(result)) {
      faults.push(`result ${i} is no object`)
      continue
    }
    if (result.index !== i) faults.push(`result ${i} has index ${String(result.index)}`)
    const status = result.status
    if (status === "accepted" || status === "duplicate") {
      count[status]++
      if (typeof result.id !== "string" || result.id === "") faults.push(`${status} result ${i} without an id`)
      if (result.issues !== undefined) faults.push(`${status} result ${i} with issues`)
      // What any accepted event must be, whatever else: of the key's tenant, of a known event, for a customer.
      if (event?.tenant !== tenant) faults.push(`result ${i} ${status} with tenant ${JSON.stringify(event?.tenant)}`)
      if (typeof event?.customer !== "string") faults.push(`result ${i} ${status} without a string customer`)
      if (typeof event?.timestamp !== "string") faults.push(`result ${i} ${status} without a string timestamp`)
    } else if (status === "rejected") {
      count.rejected++
      if (result.id !== undefined) faults.push(`rejected result ${i} with an id`)
      const issues = result.issues
      if (!Array.isArray(issues) || issues.length === 0) {
        faults.push(`rejected result ${i} without issues`)
        continue
      }
      for (const issue of issues as Array<unknown>) {
        if (!isObject(issue)) {
          faults.push(`result ${i}: an issue that is no object`)
          continue
        }
        const { code, path, message } = issue
        if (typeof code !== "string" || !ISSUE_CODE_SET.has(code))
          faults.push(`result ${i}: issue code ${String(code)}`)
        if (typeof message !== "string" || message === "") faults.push(`result ${i}: issue without a message`)
        if (typeof path !== "string" || !pointsInto(event, path, String(code))) {
          faults.push(`result ${i}: issue ${String(code)} path ${JSON.stringify(path)} does not point into the event`)
        }
        if (code !== "tenant_mismatch") onlyMismatch = false
        else if (path !== "/tenant" || event?.tenant === tenant) {
          faults.push(
            `result ${i}: tenant_mismatch at ${JSON.stringify(path)} for tenant ${JSON.stringify(event?.tenant)}`,
          )
        }
      }
    } else faults.push(`result ${i} has status ${JSON.stringify(status)}`)
    // An event naming another valid tenant is never stored under this key.
    const t = event?.tenant
    if (typeof t === "number" && Number.isSafeInteger(t) && t > 0 && t !== tenant && status !== "rejected") {
      faults.push(`result ${i}: an event of tenant ${t} ${String(status)} with a key of tenant ${tenant}`)
    }
  }
  if (body.accepted !== count.accepted || body.duplicates !== count.duplicate || body.rejected !== count.rejected) {
    faults.push(
      `counts ${JSON.stringify([body.accepted, body.duplicates, body.rejected])} but results ${JSON.stringify([count.accepted, count.duplicate, count.rejected])}`,
    )
  }
  const expected = count.accepted + count.duplicate > 0 ? 202 : onlyMismatch ? 403 : 400
  if (answer.status !== expected) faults.push(`status ${answer.status}, but the results call for ${expected}`)
  return faults
}

/** The faults of an answer of a customer route (GET or DELETE of `/v1/customers/...`). */
const customerRouteFaults = (request: HostileRequest, answer: HostileAnswer): Array<string> => {
  const { status } = answer
  if (status === 404) return problemFaults(answer, ["not_found"])
  if (status === 400) return problemFaults(answer, ["invalid_body", "malformed_json", "batch_size"])
  if (request.method === "DELETE") {
    if (status !== 204) return [`DELETE answered ${status}`]
    return answer.text === "" ? [] : ["a 204 with a body"]
  }
  if (status !== 200) return [`GET answered ${status}`]
  const body = parseJson(answer.text)
  if (!isObject(body)) return ["a 200 that is no JSON object"]
  if (Array.isArray(body.events)) {
    const faults: Array<string> = []
    if (!(body.next === null || typeof body.next === "string")) faults.push("events page without next")
    for (const e of body.events as Array<unknown>) {
      if (!isObject(e) || typeof e.id !== "string" || !isObject(e.context)) faults.push("a malformed stored event")
      else if (!TIMESTAMP_FORM.test(String(e.timestamp)) || !TIMESTAMP_FORM.test(String(e.received_at))) {
        faults.push(`timestamps ${String(e.timestamp)} / ${String(e.received_at)}`)
      }
    }
    return faults
  }
  const faults: Array<string> = []
  if (body.tenant !== request.tenant)
    faults.push(`a profile of tenant ${String(body.tenant)} for a key of ${request.tenant}`)
  if (typeof body.customer !== "string" || !isObject(body.attributes)) faults.push("a malformed profile")
  if (!TIMESTAMP_FORM.test(String(body.updated_at))) faults.push(`updated_at ${String(body.updated_at)}`)
  return faults
}

/**
 * Everything wrong with `answer` as the answer to `request`; empty when it
 * is right. `tenant` of the request says which tenant its key belongs to.
 *
 * @since 0.2.0
 * @category checks
 */
export const answerFaults = (request: HostileRequest, answer: HostileAnswer): Array<string> => {
  if (request.method !== "POST") {
    if (request.tenant === undefined) {
      // A dot segment may take the path out of the authenticated routes (a 404 then).
      const codes = request.dotSegment ? ["unauthorized", "not_found"] : ["unauthorized"]
      return problemFaults(answer, codes)
    }
    if (request.dotSegment && answer.status === 401) return [`a dot segment with a valid key answered 401`]
    return customerRouteFaults(request, answer)
  }
  if (request.tenant === undefined) return problemFaults(answer, ["unauthorized"])
  if (!request.json) return problemFaults(answer, ["unsupported_media_type"])
  const parsed = parseBody(request.body ?? new Uint8Array())
  switch (parsed.kind) {
    case "too_large":
      return problemFaults(answer, ["payload_too_large"])
    case "malformed":
      return problemFaults(answer, ["malformed_json"])
    case "invalid_body":
    case "batch_size":
      return problemFaults(answer, request.deep ? [parsed.kind, "malformed_json"] : [parsed.kind])
    case "events":
      if (request.deep && answer.status === 400 && /problem\+json/i.test(answer.contentType)) {
        return problemFaults(answer, ["malformed_json"])
      }
      if (![202, 400, 403].includes(answer.status)) return [`status ${answer.status} for a body of events`]
      return resultsFaults(answer, parsed.events, request.tenant)
  }
}
