/**
 * Bad input against the real Node service: malformed and hostile bodies on
 * `POST /v1/events` (broken JSON, invalid UTF-8, oversized, deeply nested,
 * wrongly typed, huge numbers, prototype keys, long and many keys, garbage
 * batches, random bytes). Every answer must be a coded error of the spec
 * (Problem Details with a code of its table, or a 400/403 results body whose
 * issue codes are of the closed set): never a 500, never a hang. Afterwards
 * the service is healthy, still accepts events, and stored nothing of what
 * it rejected.
 */
import { readFileSync } from "node:fs"
import { connect, type Socket } from "node:net"
import {
  type ApiResponse,
  bearer,
  contractTenantIds,
  getCustomer,
  type IngestBody,
  type ProblemBody,
  postEvents,
  request,
  type ServerProcess,
} from "@cdp/testkit"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeWorkspace, startService, tenantOf, type Workspace } from "./nodeService.ts"

const EVENT = "ootb_user_details_update"
const MiB = 1024 * 1024
/** No single answer may take longer than this: a slower one counts as a hang. */
const ANSWER_MS = 15_000

/** The request-level error codes of the spec's table, with their status. */
const PROBLEM_STATUS: Record<string, number> = {
  malformed_json: 400,
  invalid_body: 400,
  batch_size: 400,
  unauthorized: 401,
  not_found: 404,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
}
/** The closed set of issue codes. */
const ISSUE_CODES = new Set([
  "required",
  "invalid_type",
  "invalid_format",
  "invalid_value",
  "too_long",
  "unknown_property",
  "unknown_event",
  "tenant_mismatch",
])

const suffix = (): string => {
  let s = ""
  for (const b of crypto.getRandomValues(new Uint8Array(5))) s += b.toString(16).padStart(2, "0")
  return s
}

/** What an answer must be: a coded error; `problem` names the code when it must be that one. */
const expectCoded = (res: ApiResponse, what: string, problem?: string): void => {
  const show = `${what}: ${res.status} ${res.headers.get("content-type")} ${res.text.slice(0, 600)}`
  expect(res.status, show).not.toBe(500)
  expect(res.status >= 400 && res.status < 500, show).toBe(true)
  const type = res.headers.get("content-type") ?? ""
  if (/^application\/problem\+json\s*(;|$)/i.test(type)) {
    const body = res.body as ProblemBody
    expect(Object.keys(PROBLEM_STATUS), show).toContain(body?.code)
    expect(body.status, show).toBe(res.status)
    expect(PROBLEM_STATUS[body.code], show).toBe(res.status)
    if (problem !== undefined) expect(body.code, show).toBe(problem)
    return
  }
  expect(problem, `${show}: expected problem ${problem}`).toBeUndefined()
  expect(type, show).toMatch(/^application\/json\s*(;|$)/i)
  expect([400, 403], show).toContain(res.status)
  const body = res.body as IngestBody
  expect(Array.isArray(body?.results) && body.results.length > 0, show).toBe(true)
  expect({ accepted: body.accepted, duplicates: body.duplicates, rejected: body.rejected }, show).toEqual({
    accepted: 0,
    duplicates: 0,
    rejected: body.results.length,
  })
  let allMismatch = true
  for (const [i, r] of body.results.entries()) {
    expect(r.index, show).toBe(i)
    expect(r.status, show).toBe("rejected")
    expect(Array.isArray(r.issues) && (r.issues?.length ?? 0) > 0, show).toBe(true)
    for (const issue of r.issues ?? []) {
      expect(ISSUE_CODES.has(issue.code), `${show}: issue code ${issue.code}`).toBe(true)
      expect(typeof issue.path === "string" && typeof issue.message === "string", show).toBe(true)
      if (issue.code !== "tenant_mismatch") allMismatch = false
    }
  }
  expect(res.status, `${show}: 403 exactly when every issue is tenant_mismatch`).toBe(allMismatch ? 403 : 400)
}

/** An answer of one raw HTTP/1.1 exchange on a socket of its own. */
interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  /** Body bytes the client had written when the answer's head arrived. */
  readonly sentBeforeAnswer: number
  /** Milliseconds from the first byte written to the answer's head. */
  readonly ms: number
  readonly socket: Socket
  /** Settles when the client has written all of the body it meant to (or stopped). */
  readonly written: Promise<void>
}

/**
 * Sends a request head, then body pieces from `body` (until it ends, the
 * answer's head arrives, or the server closes), and reads one whole answer.
 * The socket is left open for a follow-up request; the caller destroys it.
 */
const rawRequest = (
  baseUrl: string,
  head: string,
  body: Iterable<Uint8Array | string>,
  options: { readonly stopOnAnswer?: boolean } = {},
): Promise<RawAnswer> => {
  const url = new URL(baseUrl)
  const socket = connect(Number(url.port), url.hostname)
  const start = Date.now()
  let bodyDone: () => void = () => {}
  const written = new Promise<void>((r) => {
    bodyDone = r
  })
  return new Promise<RawAnswer>((resolve, reject) => {
    let buffer = Buffer.alloc(0)
    let sent = 0
    let headAt: { sent: number; ms: number } | undefined
    let answered = false
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no whole answer within ${ANSWER_MS} ms (sent ${sent} body bytes)`))
    }, ANSWER_MS)
    const tryParse = () => {
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0) return
      headAt ??= { sent, ms: Date.now() - start }
      const lines = buffer.subarray(0, end).toString("latin1").split("\r\n")
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1])
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const i = line.indexOf(":")
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
      }
      const length = Number(headers["content-length"] ?? Number.NaN)
      if (!Number.isFinite(length)) return // read to the close
      if (buffer.length - end - 4 < length) return
      answered = true
      clearTimeout(timer)
      socket.removeAllListeners("data")
      resolve({
        status,
        headers,
        body: buffer.subarray(end + 4, end + 4 + length).toString("utf8"),
        sentBeforeAnswer: headAt.sent,
        ms: headAt.ms,
        socket,
        written,
      })
    }
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      tryParse()
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      if (answered) return
      clearTimeout(timer)
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0) {
        reject(new Error(`connection closed without an answer (sent ${sent} body bytes)`))
        return
      }
      const lines = buffer.subarray(0, end).toString("latin1").split("\r\n")
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1]),
        headers: {},
        body: buffer.subarray(end + 4).toString("utf8"),
        sentBeforeAnswer: headAt?.sent ?? sent,
        ms: headAt?.ms ?? Date.now() - start,
        socket,
        written,
      })
    })
    socket.once("connect", async () => {
      socket.write(head)
      for (const piece of body) {
        if (socket.destroyed || (options.stopOnAnswer && headAt !== undefined)) break
        sent += typeof piece === "string" ? Buffer.byteLength(piece) : piece.byteLength
        // Wait for the kernel to take it: the server's reading paces the client.
        if (!socket.write(piece)) await new Promise((r) => socket.once("drain", r))
      }
      bodyDone()
    })
    socket.once("close", () => bodyDone())
  })
}

/**
 * The most a loopback connection can hold between a writer and a reader that
 * has stopped reading: the receive buffer's and the send buffer's maxima.
 */
const kernelBuffering = (): number => {
  const max = (file: string, fallback: number): number => {
    try {
      const n = Number(readFileSync(file, "utf8").trim().split(/\s+/)[2])
      return Number.isSafeInteger(n) && n > 0 ? n : fallback
    } catch {
      return fallback
    }
  }
  return max("/proc/sys/net/ipv4/tcp_rmem", 32 * MiB) + max("/proc/sys/net/ipv4/tcp_wmem", 4 * MiB)
}

/** The pieces of a chunked body: `count` chunks of `size` bytes of spaces (then the last chunk, when `end`). */
function* chunked(size: number, count: number, end: boolean): Generator<string | Uint8Array> {
  const data = new Uint8Array(size).fill(0x20)
  const opening = new TextEncoder().encode("[")
  for (let i = 0; i < count; i++) {
    yield `${size.toString(16)}\r\n`
    yield i === 0 ? Uint8Array.from([...opening, ...data.subarray(1)]) : data
    yield "\r\n"
  }
  if (end) yield "0\r\n\r\n"
}

describe("bad input to POST /v1/events", () => {
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  /** Customers named only in rejected input: none may have a profile afterwards. */
  const garbageCustomers = new Set<string>()
  const run = suffix()
  let named = 0
  const garbageCustomer = (): string => {
    const c = `fuzz-${run}-g${named++}`
    garbageCustomers.add(c)
    return c
  }

  beforeAll(async () => {
    ws = await makeWorkspace("fuzz")
    server = await startService(ws)
  })
  afterAll(async () => {
    await server?.stop("SIGTERM")
    await ws?.remove()
  })

  const base = (): string => (server as ServerProcess).baseUrl
  const A = () => tenantOf((ws as Workspace).tenants, contractTenantIds.A)
  /**
   * Posts bytes or text with tenant A's key as application/json; `null` sends
   * no Content-Type, or no key. Fails on a hang.
   */
  const post = async (
    body: string | Uint8Array,
    contentType: string | null = "application/json",
    key: string | null = A().key,
  ): Promise<ApiResponse<IngestBody>> => {
    try {
      return await request<IngestBody>(base(), "/v1/events", {
        method: "POST",
        headers: {
          ...(contentType === null ? {} : { "content-type": contentType }),
          ...(key === null ? {} : bearer(key)),
        },
        body: typeof body === "string" ? body : (body as Uint8Array<ArrayBuffer>),
        signal: AbortSignal.timeout(ANSWER_MS),
      })
    } catch (e) {
      throw new Error(`the request failed or hung: ${String((e as Error).cause ?? e)}`)
    }
  }
  /** A valid event of tenant A, as JSON text. */
  const valid = (customer: string, context: Record<string, unknown> = { ootb_city: "NYC" }): string =>
    JSON.stringify({ tenant: A().id, timestamp: "2024-05-27 10:30:00.000000 UTC", event: EVENT, customer, context })

  it("answers broken JSON 400 malformed_json", async () => {
    const v = valid(garbageCustomer())
    const inputs: Array<string> = [
      "",
      " ",
      "\n\t ",
      `${v}x`,
      `${v}}`,
      `${v},`,
      `${v}${v}`,
      `${v} ${v}`,
      `[${v}]]`,
      `[${v},]`,
      `[${v} ${v}]`,
      `${v}\u0000`,
      v.replace('"NYC"', "NaN"),
      v.replace('"NYC"', "Infinity"),
      v.replace('"NYC"', "-Infinity"),
      v.replace('"NYC"', "undefined"),
      v.replace('"NYC"', "0x10"),
      v.replace('"NYC"', ".5"),
      v.replace('"NYC"', "01"),
      v.replace('"NYC"', "+1"),
      v.replace('"NYC"', "1."),
      v.replace('"NYC"', "'NYC'"),
      v.replace('"NYC"', '"N\tY"'),
      v.replace('"NYC"', '"N\nY"'),
      v.replace('"NYC"', '"\\x41"'),
      v.replace('"NYC"', '"\\u12"'),
      v.replace('"NYC"', '"NYC'),
      v.replace('"NYC"', '"NYC" /* comment */'),
      v.replace('"NYC"', '"NYC" // comment\n'),
      `/* comment */${v}`,
      `// comment\n${v}`,
      v.replace('"NYC"}', '"NYC",}'),
      v.replace('{"tenant"', "{tenant"),
      v.replace(',"event"', ' "event"'),
      v.replace(":", "="),
      "{",
      "[",
      "]",
      "}",
      '"',
      "nul",
      "tru",
      "[,]",
      "{,}",
      '{"a" 1}',
      "\u00a0{}",
    ]
    // Every truncation of a valid event and of a batch.
    const batch = `[${v},${valid(garbageCustomer(), { ootb_first_name: "Jane" })}]`
    for (let n = 1; n < v.length; n += 7) inputs.push(v.slice(0, n))
    for (let n = 1; n < batch.length; n += 13) inputs.push(batch.slice(0, n))
    for (const input of inputs) {
      expectCoded(await post(input), `body ${JSON.stringify(input.slice(0, 200))}`, "malformed_json")
    }
  })

  it("answers invalid UTF-8 400 malformed_json", async () => {
    const v = valid(garbageCustomer(), { ootb_city: "@@" })
    const [before, after] = v.split("@@") as [string, string]
    const enc = new TextEncoder()
    const wrap = (bytes: ReadonlyArray<number>): Uint8Array =>
      Uint8Array.from([...enc.encode(before), ...bytes, ...enc.encode(after)])
    const bad: Array<ReadonlyArray<number>> = [
      [0xff],
      [0xfe, 0xff],
      [0x80],
      [0xc0, 0xaf], // overlong "/"
      [0xe0, 0x80, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xe2, 0x82], // truncated
      [0x41, 0xc3], // truncated at the end of the string
      [0xf8, 0x88, 0x80, 0x80, 0x80], // five bytes
    ]
    for (const bytes of bad) {
      expectCoded(await post(wrap(bytes)), `string with bytes ${bytes.map((b) => b.toString(16))}`, "malformed_json")
    }
    // Outside strings too, and a body of nothing but a bad byte.
    expectCoded(await post(Uint8Array.from([...enc.encode(v), 0xff])), "trailing 0xff", "malformed_json")
    expectCoded(await post(Uint8Array.from([0xc3])), "lone 0xc3", "malformed_json")
    expectCoded(await post(Uint8Array.from([0xfe, 0xff, 0x00, 0x7b, 0x00, 0x7d])), "UTF-16 BOM", "malformed_json")
  })

  it("answers bodies of the wrong shape 400 invalid_body or batch_size, and wrong types 400 with issues", async () => {
    const shapes: Array<[string, string]> = [
      ["42", "invalid_body"],
      ["-0", "invalid_body"],
      ['"x"', "invalid_body"],
      ["null", "invalid_body"],
      ["true", "invalid_body"],
      ["[1]", "invalid_body"],
      ["[null]", "invalid_body"],
      ["[[]]", "invalid_body"],
      [`[${valid(garbageCustomer())}, 1]`, "invalid_body"],
      [`[${valid(garbageCustomer())}, [${valid(garbageCustomer())}]]`, "invalid_body"],
      ["[]", "batch_size"],
      [`[${Array.from({ length: 501 }, () => valid(garbageCustomer())).join(",")}]`, "batch_size"],
    ]
    for (const [body, code] of shapes) expectCoded(await post(body), `body ${body.slice(0, 100)}`, code)

    const c = garbageCustomer()
    const good = JSON.parse(valid(c)) as Record<string, unknown>
    const wrongs: Array<unknown> = [
      {},
      { ...good, tenant: "567" },
      { ...good, tenant: null },
      { ...good, tenant: [567] },
      { ...good, tenant: { id: 567 } },
      { ...good, tenant: true },
      { ...good, tenant: 0 },
      { ...good, tenant: -567 },
      { ...good, tenant: 567.5 },
      { ...good, timestamp: 1716805800 },
      { ...good, timestamp: null },
      { ...good, timestamp: "" },
      { ...good, timestamp: "2024-02-30 10:30:00.000000 UTC" },
      { ...good, timestamp: "yesterday" },
      { ...good, event: 1 },
      { ...good, event: null },
      { ...good, event: "" },
      { ...good, event: [EVENT] },
      { ...good, customer: 1 },
      { ...good, customer: null },
      { ...good, customer: { id: c } },
      { ...good, customer: [c] },
      { ...good, customer: undefined },
      { ...good, context: [] },
      { ...good, context: "ootb_city=NYC" },
      { ...good, context: null },
      { ...good, context: 1 },
      { ...good, context: { ootb_city: 1 } },
      { ...good, context: { ootb_city: null } },
      { ...good, context: { ootb_city: ["NYC"] } },
      { ...good, context: { ootb_city: { v: "NYC" } } },
      { ...good, context: { ootb_is_test: "true" } },
      { ...good, context: { ootb_is_test: 1 } },
      { ...good, context: { ootb_city: "x".repeat(256) } },
      { ...good, context: { ootb_email: "not an email" } },
    ]
    for (const body of wrongs) expectCoded(await postEvents(base(), A().key, body), `body ${JSON.stringify(body)}`)
    // One wrong event rejects only itself; a batch of only wrong ones is 400.
    expectCoded(await postEvents(base(), A().key, wrongs), "a batch of every wrong event")
  })

  it("answers huge numbers with issues, not a crash", async () => {
    const c = garbageCustomer()
    const v = valid(c, { ootb_is_test: true, ootb_city: "NYC" })
    const numbers = [
      "1e400",
      "-1e400",
      "1e-400",
      "123456789012345678901234567890",
      "-123456789012345678901234567890",
      "9007199254740993",
      "1" + "0".repeat(5000),
      "0." + "0".repeat(5000) + "1",
    ]
    for (const n of numbers) {
      for (const body of [
        v.replace(`"tenant":${A().id}`, `"tenant":${n}`),
        v.replace('"NYC"', n),
        v.replace("true", n),
        v.replace('"2024-05-27 10:30:00.000000 UTC"', n),
        v.replace(`"${c}"`, n),
        v.replace(`"${EVENT}"`, n),
      ]) {
        expectCoded(await post(body), `body ${body.slice(0, 200)}`)
      }
    }
  })

  it("rejects prototype keys at every level, storing nothing", async () => {
    const protoKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"]
    for (const key of protoKeys) {
      const c = garbageCustomer()
      const v = valid(c)
      const k = JSON.stringify(key)
      const bodies = [
        // Top level of the event, as an object, a string, null.
        v.replace("{", `{${k}:{"tenant":1,"polluted":true},`),
        v.replace("{", `{${k}:"x",`),
        v.replace("{", `{${k}:null,`),
        // In context, with a value that would be a valid parameter map.
        v.replace('"context":{', `"context":{${k}:{"ootb_city":"x"},`),
        v.replace('"context":{', `"context":{${k}:"x",`),
        // As the context, the tenant, the customer.
        v.replace(/"context":\{[^}]*\}/, `"context":{${k}:{${k}:{"ootb_city":"x"}}}`),
        v.replace(`"tenant":${A().id}`, `"tenant":{${k}:${A().id}}`),
        v.replace(`"customer":"${c}"`, `"customer":{${k}:"${c}"}`),
        // As the event key.
        v.replace(`"${EVENT}"`, k),
        // Alone, and in a batch.
        `{${k}:{}}`,
        `{${k}:${v}}`,
        `[{${k}:null}]`,
        `[${v.replace("{", `{${k}:1,`)}, {${k}:[]}]`,
      ]
      for (const body of bodies) expectCoded(await post(body), `body ${body.slice(0, 300)}`)
    }
    // Nothing was polluted: a fresh object has no stray property, an ordinary event still works.
    const probe = `fuzz-${run}-probe`
    const res = await post(valid(probe))
    expect(res.status, res.text).toBe(202)
    const profile = await getCustomer(base(), A().key, probe)
    expect(profile.body.attributes).toEqual({ ootb_city: "NYC" })
  })

  it("treats prototype names as ordinary data where they are values: customer ids, attribute values", async () => {
    const key = A().key
    for (const customer of ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"]) {
      const name = customer
      const context = { ootb_city: name, ootb_first_name: "__proto__", ootb_last_name: "constructor" }
      const res = await post(valid(customer, context))
      expect(res.status, `${name}: ${res.text}`).toBe(202)
      const profile = await getCustomer(base(), key, customer)
      expect(profile.status, `${name}: ${profile.text}`).toBe(200)
      expect(profile.body).toMatchObject({ tenant: A().id, customer, attributes: context })
      const page = await request<{ events: Array<{ context: unknown }> }>(
        base(),
        `/v1/customers/${encodeURIComponent(customer)}/events`,
        { headers: bearer(key) },
      )
      expect(page.status, page.text).toBe(200)
      expect(page.body.events.map((e) => e.context)).toEqual([context])
      const erased = await request(base(), `/v1/customers/${encodeURIComponent(customer)}`, {
        method: "DELETE",
        headers: bearer(key),
      })
      expect(erased.status, erased.text).toBe(204)
    }
  })

  it("answers very long keys with issues", async () => {
    const c = garbageCustomer()
    const v = valid(c)
    const long = "k".repeat(300_000)
    const bodies = [
      v.replace("{", `{"${long}":1,`),
      v.replace('"context":{', `"context":{"${long}":1,`),
      v.replace(`"${c}"`, `"${"c".repeat(300_000)}"`),
      v.replace('"NYC"', `"${"é".repeat(200_000)}"`),
      v.replace(`"${EVENT}"`, `"${"e".repeat(300_000)}"`),
    ]
    for (const body of bodies) expectCoded(await post(body), `long: ${body.slice(0, 80)}`)
  })

  it("answers very many keys with every issue, in time linear in the body, without stalling other requests", async () => {
    // 30,000 unknown parameters in context (in descending order), 30,000
    // unknown properties at the top. Reporting every issue is linear work
    // (a fraction of a second here); meanwhile /healthz keeps answering.
    const v = valid(garbageCustomer())
    const N = 30_000
    const descending = Array.from({ length: N }, (_, i) => `"k${String(N - i).padStart(5, "0")}":1`).join(",")
    const ascending = Array.from({ length: N }, (_, i) => `"k${i}":1`).join(",")
    const LIMIT_MS = 3000
    for (const [what, body] of [
      ["context", v.replace('"context":{', `"context":{${descending},`)],
      ["top level", v.replace("{", `{${ascending},`)],
    ] as const) {
      let done = false
      let slowestHealth = 0
      const healthErrors: Array<string> = []
      const health = (async () => {
        while (!done) {
          const start = Date.now()
          try {
            const res = await request(base(), "/healthz")
            if (res.status !== 200) healthErrors.push(`${res.status} ${res.text}`)
          } catch (e) {
            healthErrors.push(String((e as Error).cause ?? e))
          }
          slowestHealth = Math.max(slowestHealth, Date.now() - start)
          await new Promise((r) => setTimeout(r, 50))
        }
      })()
      const start = Date.now()
      let res: ApiResponse<IngestBody>
      try {
        res = await post(body)
      } finally {
        done = true
        await health
      }
      const ms = Date.now() - start
      expectCoded(res, `${N} keys at the ${what}`)
      expect((res.body as IngestBody).results[0]?.issues?.length).toBeGreaterThanOrEqual(N)
      expect(ms, `${N} unknown keys at the ${what}: answer time (ms)`).toBeLessThan(LIMIT_MS)
      expect(slowestHealth, `${N} unknown keys at the ${what}: slowest /healthz meanwhile (ms)`).toBeLessThan(LIMIT_MS)
      expect(healthErrors, `${N} unknown keys at the ${what}: /healthz meanwhile`).toEqual([])
    }
  })

  it("answers batches of 500 garbage events with 500 rejected results", async () => {
    const c = garbageCustomer()
    const good = JSON.parse(valid(c)) as Record<string, unknown>
    const garbage: Array<Array<unknown>> = [
      Array.from({ length: 500 }, () => ({})),
      Array.from({ length: 500 }, (_, i) => ({ ...good, timestamp: `not a time ${i}` })),
      Array.from({ length: 500 }, (_, i) => ({ ...good, context: { [`nope_${i}`]: i, __proto__: i } })),
      Array.from({ length: 500 }, (_, i) => ({ ...good, tenant: A().id + 1 + i })),
      Array.from({ length: 500 }, (_, i) => [{}, { ...good, event: `e${i}` }, { ...good, customer: i }][i % 3]),
    ]
    for (const batch of garbage) {
      const res = await postEvents(base(), A().key, batch)
      expectCoded(res, `batch of 500 like ${JSON.stringify(batch[0]).slice(0, 100)}`)
      expect((res.body as IngestBody).results).toHaveLength(500)
    }
  })

  it("answers deeply nested JSON (1 MiB of nesting, at the top and inside an event) without a crash", async () => {
    const c = garbageCustomer()
    const v = valid(c)
    const arrays = (n: number) => "[".repeat(n) + "]".repeat(n)
    const objects = (n: number) => '{"a":'.repeat(n) + "1" + "}".repeat(n)
    const mixed = (n: number) => '[{"a":'.repeat(n) + "1" + "}]".repeat(n)
    const nestToFill = (make: (n: number) => string, room: number): string => {
      let n = 100_000
      while (make(n * 2).length <= room) n *= 2
      while (make(n + 10_000).length <= room) n += 10_000
      return make(n)
    }
    const room = MiB - v.length - 50
    const invalid = v.replace("2024-05-27 10:30:00.000000 UTC", "2024-05-27 10:30:00")
    const bodies: Array<[string, string]> = [
      ["top-level arrays", nestToFill(arrays, MiB)],
      ["top-level objects", nestToFill(objects, MiB)],
      ["top-level arrays of objects", nestToFill(mixed, MiB)],
      ["a batch whose first element nests", `[${nestToFill(arrays, MiB - 2)}]`],
      ["a parameter's value", v.replace('"NYC"', nestToFill(arrays, room))],
      ["an unknown parameter's value", v.replace('"context":{', `"context":{"zzz":${nestToFill(objects, room)},`)],
      ["the context", v.replace(/"context":\{[^}]*\}/, `"context":${nestToFill(mixed, room)}`)],
      ["an unknown top-level property", v.replace("{", `{"deep":${nestToFill(arrays, room)},`)],
      ["the tenant", v.replace(`"tenant":${A().id}`, `"tenant":${nestToFill(arrays, room)}`)],
      ["the customer", v.replace(`"${c}"`, nestToFill(objects, room))],
      ["the timestamp", v.replace('"2024-05-27 10:30:00.000000 UTC"', nestToFill(mixed, room))],
      ["the event key", v.replace(`"${EVENT}"`, nestToFill(arrays, room))],
      ["a second event of a batch", `[${invalid},${nestToFill(objects, room - 2 - invalid.length + v.length)}]`],
    ]
    for (const [what, body] of bodies) {
      expect(body.length, what).toBeGreaterThan(MiB - 200_000)
      expect(body.length, what).toBeLessThanOrEqual(MiB)
      expectCoded(await post(body), `nesting in ${what}`)
    }
    // Unclosed nesting: malformed.
    expectCoded(await post("[".repeat(MiB)), "1 MiB of [", "malformed_json")
  })

  it("answers oversized bodies 413 without reading them whole, announced or streamed", async () => {
    const head = (extra: string, key = A().key) =>
      `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n${extra}\r\n`
    // Announced far beyond the limit, barely sent: answered at once.
    const claimed = await rawRequest(base(), head("Content-Length: 10737418240\r\n"), ["[{"])
    claimed.socket.destroy()
    expect(claimed.status, claimed.body).toBe(413)
    expect(JSON.parse(claimed.body)).toMatchObject({ code: "payload_too_large", status: 413 })
    // Streamed without a length and without end: a server that read bodies whole
    // would never answer. It answers once a little over 1 MiB came and at most
    // 4 MiB more were drained; what the client has written by then also counts
    // the kernel's buffers in between (the receiver's window grows up to
    // tcp_rmem's maximum, the sender's up to tcp_wmem's), so the bound adds them.
    const endless = await rawRequest(
      base(),
      head("Transfer-Encoding: chunked\r\n"),
      chunked(64 * 1024, Number.POSITIVE_INFINITY, false),
      { stopOnAnswer: true },
    )
    endless.socket.destroy()
    expect(endless.status, endless.body).toBe(413)
    expect(JSON.parse(endless.body)).toMatchObject({ code: "payload_too_large" })
    const bound = MiB + 4 * MiB + kernelBuffering() + MiB
    expect(endless.sentBeforeAnswer, `bytes sent before the 413 (bound ${bound})`).toBeLessThan(bound)
    // Through fetch too, which is still sending when the 413 comes: it must get the 413,
    // not a broken connection (RFC 9112 9.6: close in stages, reading on for a while).
    const v = valid(garbageCustomer())
    const padding = `{${" ".repeat(2 * MiB)}${v.slice(1)}`
    const batch = `[${Array.from({ length: Math.ceil((8 * MiB) / v.length) }, () => v).join(",")}]`
    for (let i = 0; i < 3; i++) {
      expectCoded(await post(padding), "2 MiB of padding", "payload_too_large")
      expectCoded(await post(batch), "8 MiB batch", "payload_too_large")
    }
  })

  it("keeps the connection of a 413 usable, or says Connection: close", async () => {
    // A client that sent its whole (too large) body may reuse the connection
    // unless the answer says `Connection: close`; undici's fetch does.
    const key = A().key
    const cases: Array<[string, string, Iterable<string | Uint8Array>]> = [
      ["chunked 2 MiB", "Transfer-Encoding: chunked\r\n", chunked(64 * 1024, 32, true)],
      ["Content-Length 2 MiB", `Content-Length: ${2 * MiB}\r\n`, [new Uint8Array(2 * MiB).fill(0x20)]],
    ]
    for (const [what, framing, body] of cases) {
      const head = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\n${framing}\r\n`
      const first = await rawRequest(base(), head, body)
      const socket = first.socket
      try {
        expect(first.status, `${what}: ${first.body}`).toBe(413)
        if ((first.headers.connection ?? "").toLowerCase() === "close") continue
        // Keep-alive promised: once the body is written, a second request on it must be answered.
        await first.written
        await new Promise((r) => setTimeout(r, 800))
        const second = await new Promise<string>((resolve) => {
          let got = ""
          socket.on("data", (chunk: Buffer) => {
            got += chunk.toString()
            if (got.includes("\r\n\r\n")) resolve(got)
          })
          socket.on("close", () => resolve(got || "(closed without an answer)"))
          if (socket.destroyed) resolve("(closed before the second request)")
          else socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        })
        expect(
          second.split("\r\n")[0],
          `${what}: the 413 said "Connection: ${first.headers.connection ?? "(none)"}", then a second request on that connection got`,
        ).toBe("HTTP/1.1 200 OK")
      } finally {
        socket.destroy()
      }
    }
  })

  it("answers other media types 415 and checks the key before the media type and the body", async () => {
    const v = valid(garbageCustomer())
    const types = [
      "text/plain",
      "text/json",
      "application/x-www-form-urlencoded",
      "multipart/form-data; boundary=x",
      "application/xml",
      "application/json-patch+json",
      "application/vnd.api+json",
      "application/jsonx",
      "json",
      "*/*",
    ]
    for (const type of types) expectCoded(await post(v, type), `type ${type}`, "unsupported_media_type")
    expectCoded(await post(new TextEncoder().encode(v), null), "no type", "unsupported_media_type")
    const form = new FormData()
    form.set("event", v)
    expectCoded(
      await request(base(), "/v1/events", { method: "POST", headers: bearer(A().key), body: form }),
      "a FormData body",
      "unsupported_media_type",
    )
    expectCoded(
      await request(base(), "/v1/events", {
        method: "POST",
        headers: bearer(A().key),
        body: new URLSearchParams({ event: v }),
      }),
      "a URLSearchParams body",
      "unsupported_media_type",
    )

    // Authentication first: a wrong or missing key gets 401 whatever the body.
    const wrong = `cdp_wrong_${suffix()}`
    const bodies: Array<[string, string | Uint8Array, string]> = [
      ["text/plain", "nonsense", "text/plain"],
      ["malformed JSON", "{", "application/json"],
      ["invalid UTF-8", Uint8Array.from([0xff, 0xfe]), "application/json"],
      ["a wrong shape", "42", "application/json"],
      ["an empty batch", "[]", "application/json"],
      ["2 MiB", `[${" ".repeat(2 * MiB)}]`, "application/json"],
      ["deep nesting", "[".repeat(500_000) + "]".repeat(500_000), "application/json"],
      ["a valid event", v, "application/json"],
    ]
    for (const [what, body, type] of bodies) {
      for (const key of [null, wrong]) {
        expectCoded(await post(body, type, key), `${what} with key ${key}`, "unauthorized")
      }
    }
    // An endless body with a wrong key is refused without reading it.
    const head = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${wrong}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`
    const endless = await rawRequest(base(), head, chunked(64 * 1024, 16 * 16, false), { stopOnAnswer: true })
    endless.socket.destroy()
    expect(endless.status, endless.body).toBe(401)
    expect(endless.sentBeforeAnswer).toBeLessThan(12 * MiB)
  })

  it("answers random bytes and random JSON with coded errors (fast-check)", async () => {
    const c = garbageCustomer()
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), async (bytes) => {
        const res = await post(bytes)
        expectCoded(res, `bytes ${Buffer.from(bytes).toString("hex").slice(0, 200)}`)
      }),
      { numRuns: 150 },
    )
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: "binary", maxLength: 500 }), async (text) => {
        expectCoded(await post(text), `text ${JSON.stringify(text).slice(0, 200)}`)
      }),
      { numRuns: 100 },
    )
    // Events with garbage fields: never valid (no field is a valid timestamp), always coded.
    const key = fc.oneof(
      fc.constantFrom("__proto__", "constructor", "prototype", "ootb_city", "ootb_is_test", "ootb_email", "tenant"),
      fc.string({ maxLength: 30 }),
    )
    const garbageEvent = fc.record(
      {
        tenant: fc.oneof(fc.constant(A().id), fc.jsonValue({ maxDepth: 2 })),
        timestamp: fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant("2024-05-27 10:30:00.000000")),
        event: fc.oneof(fc.constant(EVENT), fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 1 })),
        customer: fc.oneof(fc.constant(c), fc.jsonValue({ maxDepth: 1 })),
        context: fc.oneof(fc.dictionary(key, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 8 }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(garbageEvent, fc.array(garbageEvent, { minLength: 1, maxLength: 30 }), fc.jsonValue()),
        async (body) => {
          expectCoded(await postEvents(base(), A().key, body), `json ${JSON.stringify(body).slice(0, 300)}`)
        },
      ),
      { numRuns: 300 },
    )
    // Valid events with bytes flipped: a coded error, or accepted as whatever valid event they became.
    // (Its customer is no garbage customer: a few flipped bytes cannot turn one name into the other.)
    const seedText = valid(`fuzz-${run}-flip`, { ootb_city: "NYC", ootb_is_test: false })
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(seedText.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 4,
        }),
        async (flips) => {
          const bytes = new TextEncoder().encode(seedText)
          for (const [at, byte] of flips) bytes[at] = byte
          const res = await post(bytes)
          if (res.status === 202) {
            expect((res.body as IngestBody).accepted + (res.body as IngestBody).duplicates).toBe(1)
            const ev = JSON.parse(new TextDecoder().decode(bytes)) as { customer?: unknown }
            if (typeof ev.customer === "string") garbageCustomers.delete(ev.customer)
          } else expectCoded(res, `flipped ${JSON.stringify(flips)}`)
        },
      ),
      { numRuns: 200 },
    )
  })

  it("is healthy afterwards, still accepts events, and stored nothing it rejected", async () => {
    const health = await request(base(), "/healthz")
    expect(health.status, health.text).toBe(200)
    expect(health.body).toEqual({ status: "ok" })
    const customer = `fuzz-${run}-after`
    const res = await post(valid(customer, { ootb_city: "Oslo" }))
    expect(res.status, res.text).toBe(202)
    expect((await getCustomer(base(), A().key, customer)).body.attributes).toEqual({ ootb_city: "Oslo" })
    expect(garbageCustomers.size).toBeGreaterThan(20)
    for (const c of garbageCustomers) {
      const profile = await getCustomer(base(), A().key, c)
      expect(profile.status, `${c} was only in rejected input, yet: ${profile.text}`).toBe(404)
    }
    expect(server?.child.exitCode, "the service is still running").toBeNull()
    expect(server?.output() ?? "", "the service logged an unhandled error").not.toMatch(
      /unhandled error|"level":"error"/,
    )
  })
})
