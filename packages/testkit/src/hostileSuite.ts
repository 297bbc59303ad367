/**
 * `hostileSuite`: the hostile-input suite, black-box like the HTTP contract
 * suite. It starts the real service (any runtime, any store), sends it at
 * least 10,000 seeded requests (`hostileInputs.ts`: broken and truncated
 * JSON, invalid UTF-8, byte flips, BOMs, duplicate keys, deep nesting, huge
 * numbers and strings, prototype keys, keys holding `~` and `/`, bad
 * batches, odd media types and keys, hostile customer path segments) with a
 * few in flight at once, and judges every answer (`hostileAnswers.ts`). Then:
 * the service is healthy, still accepts and reads events, a customer stored
 * before is unchanged, nothing of the rejected input is stored, its resident
 * memory stayed bounded, and it logged nothing at error level. A few
 * hand-written cases follow that need a raw socket or timing.
 *
 * `HOSTILE_SEED` replays a run (a failure prints its seed);
 * `HOSTILE_REQUESTS` changes how many requests are generated.
 * Test-side only (uses node:*).
 *
 * @module
 */
import { Agent, type Agent as HttpAgent, request as httpRequest } from "node:http"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { answerFaults, type HostileAnswer } from "./hostileAnswers.ts"
import {
  HOSTILE_EVENT,
  type HostileRequest,
  type HostileSetup,
  hostileCustomer,
  hostileRequest,
} from "./hostileInputs.ts"
import {
  type ApiResponse,
  bearer,
  getCustomer,
  type IngestBody,
  listAllEvents,
  postEvents,
  postRaw,
  request,
} from "./http/ApiClient.ts"
import { type ContractTenant, contractTenantIds } from "./http/contractTenants.ts"
import { type AnswerChecker, makeAnswerChecker } from "./http/documentedAnswers.ts"
import { ANSWER_MS, chunked, kernelBuffering, rawRequest } from "./rawExchange.ts"
import type { ServerProcess } from "./serverProcess.ts"
import { residentBytes } from "./serviceMemory.ts"
import { makeWorkspace, type ServiceSetup, tenantOf, type Workspace } from "./serviceWorkspace.ts"

const MiB = 1024 * 1024

/**
 * How to run the suite on one setup; `start`, `workspace` and `environment`
 * as in `serviceContract`.
 *
 * @since 0.2.0
 * @category models
 */
export interface HostileOptions extends ServiceSetup {
  /** The pids whose memory is measured: the processes that serve (default: the started one). */
  readonly servicePids?: (server: ServerProcess) => Promise<ReadonlyArray<number>>
  /**
   * The server closes a connection in stages (RFC 9112 section 9.6: it
   * half-closes and reads on), so a client still sending a refused body
   * gets the answer, never a reset; default false. Node's server does (the
   * app's `closeInStages`); Bun, Deno and workerd close at once.
   */
  readonly closesInStages?: boolean
  /**
   * The server answers a request as soon as its head announces a body over
   * the limit, without waiting for the body; default true. Under `wrangler
   * dev` a request announcing 10 GiB and sending 2 bytes got no answer in 15 s.
   */
  readonly answersAnnouncedLength?: boolean
  /**
   * How a proxy in front of the service reports a connection the service
   * closed under a request whose body was still coming (what a direct
   * client sees as a reset): its status and a text of its answer. Under
   * `wrangler dev` that is 503 "Your worker restarted mid-request". Counted
   * as a reset, only where the server closes at once (`closesInStages` false).
   */
  readonly proxyReset?: { readonly status: number; readonly text: string }
  /** Generated requests (default `HOSTILE_REQUESTS` or 10,000). */
  readonly requests?: number
  /** Requests in flight at once (default 12). */
  readonly concurrency?: number
}

/** What one run of the generated traffic measured. */
interface TrafficReport {
  readonly seed: number
  readonly sent: number
  readonly ms: number
  readonly bytes: number
  readonly byKind: Record<string, number>
  readonly byStatus: Record<string, number>
  /**
   * Resident bytes: before any traffic, the most seen in the first half of
   * the requests, the most seen in the second half (the end included), at
   * the end.
   */
  readonly rss: {
    readonly start: number
    readonly firstHalf: number
    readonly secondHalf: number
    readonly end: number
  }
  /** Bytes sent in the second half. */
  readonly bytesSecondHalf: number
  /** Customers of the pool that only ever appeared in rejected input or problem answers. */
  readonly acceptedCustomers: ReadonlySet<string>
}

/**
 * How much the resident set may keep at the end of the requests above the
 * most it reached in the first half (where a heap finds its working size):
 * half the bytes sent in the second half, which a leak of the request
 * volume would exceed. Enough is sent that this is far above a heap's
 * ordinary drift.
 */
const growthBound = (bytesSecondHalf: number): number => bytesSecondHalf / 2
const MIN_SECOND_HALF_BYTES = 64 * MiB

/**
 * Waits until the set of serving processes has stayed the same for 2 s
 * (at most 30 s): `wrangler dev` replaces a workerd process just after it
 * first answers.
 */
const settled = async (pids: () => Promise<ReadonlyArray<number>>): Promise<void> => {
  const deadline = Date.now() + 30_000
  let last = (await pids()).join()
  let since = Date.now()
  while (Date.now() - since < 2000 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200))
    const now = (await pids()).join()
    if (now !== last) {
      last = now
      since = Date.now()
    }
  }
}

/** Sends one request as is (the path raw) and reads the whole answer. */
const send = (baseUrl: string, agent: HttpAgent, req: HostileRequest): Promise<HostileAnswer> => {
  const url = new URL(baseUrl)
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { ...req.headers }
    if (req.body !== undefined) headers["content-length"] = String(req.body.length)
    let answered = false
    const r = httpRequest(
      { host: url.hostname, port: url.port, method: req.method, path: req.path, headers, agent },
      (res) => {
        answered = true
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            contentType: String(res.headers["content-type"] ?? ""),
            text: Buffer.concat(chunks).toString("utf8"),
          }),
        )
        res.on("error", reject)
      },
    )
    r.setTimeout(ANSWER_MS, () => r.destroy(new Error(`no answer within ${ANSWER_MS} ms`)))
    // A server that answers before reading the whole body may close while the body is still going out.
    r.on("error", (e) => {
      if (!answered) reject(e)
    })
    r.end(req.body === undefined ? undefined : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.length))
  })
}

/** A request as a failure shows it: enough to see it, the seed to replay it. */
const describeRequest = (req: HostileRequest): string => {
  const body = req.body ?? new Uint8Array()
  let shown: string
  try {
    shown = JSON.stringify(new TextDecoder("utf-8", { fatal: true }).decode(body.subarray(0, 300)))
  } catch {
    shown = `hex ${Buffer.from(body.subarray(0, 150)).toString("hex")}`
  }
  const auth = req.headers.authorization
  return `#${req.index} ${req.kind}: ${req.method} ${req.path.slice(0, 200)} content-type=${JSON.stringify(req.headers["content-type"])} auth=${auth === undefined ? "none" : JSON.stringify(auth.slice(0, 40))} (tenant ${req.tenant}) body ${body.length} bytes ${shown}`
}

const runTraffic = async (options: {
  readonly baseUrl: string
  readonly setup: HostileSetup
  readonly seed: number
  readonly requests: number
  readonly concurrency: number
  readonly pids: () => Promise<ReadonlyArray<number>>
  /** The service's own `/openapi.json`: every answer must be as it documents. */
  readonly documented: AnswerChecker
}): Promise<{ report: TrafficReport; failures: Array<string> }> => {
  const { baseUrl, seed, requests, concurrency, pids, documented } = options
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
  const failures: Array<string> = []
  const byKind: Record<string, number> = {}
  const byStatus: Record<string, number> = {}
  const acceptedCustomers = new Set<string>()
  const half = Math.floor(requests / 2)
  const pidsAtStart = await pids()
  const rssStart = residentBytes(pidsAtStart)
  const peaks = [rssStart, 0]
  let bytes = 0
  let bytesSecondHalf = 0
  let done = 0
  let next = 0
  // The serving processes are looked up at each sample: a wrapper may have replaced one.
  const sample = async () => {
    const i = done < half ? 0 : 1
    try {
      peaks[i] = Math.max(peaks[i] as number, residentBytes(await pids()))
    } catch {
      // A process ended between its lookup and its reading: the next sample counts.
    }
  }
  let sampling = false
  const sampler = setInterval(() => {
    if (sampling) return
    sampling = true
    void sample().finally(() => {
      sampling = false
    })
  }, 100)
  const start = Date.now()
  const worker = async () => {
    for (;;) {
      const index = next++
      if (index >= requests) return
      const req = hostileRequest(seed, index, options.setup)
      byKind[req.kind] = (byKind[req.kind] ?? 0) + 1
      const size = req.body?.length ?? 0
      bytes += size
      if (index >= half) bytesSecondHalf += size
      let faults: Array<string>
      let answer: HostileAnswer | undefined
      try {
        answer = await send(baseUrl, agent, req)
        byStatus[answer.status] = (byStatus[answer.status] ?? 0) + 1
        faults = [
          ...answerFaults(req, answer),
          ...documented.check({ baseUrl, path: req.path, method: req.method, ...answer }),
        ]
      } catch (e) {
        faults = [`no answer: ${String((e as Error).message ?? e)}`]
      }
      if (faults.length > 0 && failures.length < 12) {
        failures.push(
          `${describeRequest(req)}\n    answered ${answer?.status} ${answer?.contentType} ${answer?.text.slice(0, 400)}\n    ${faults.slice(0, 5).join("\n    ")}`,
        )
      }
      if (answer?.status === 202) noteAccepted(req, answer, acceptedCustomers)
      if (done === half - 1) await sample()
      done++
    }
  }
  try {
    await Promise.all(Array.from({ length: concurrency }, worker))
  } finally {
    clearInterval(sampler)
    agent.destroy()
  }
  const pidsAtEnd = await pids()
  const end = residentBytes(pidsAtEnd)
  const ended = pidsAtStart.filter((p) => !pidsAtEnd.includes(p))
  if (ended.length > 0)
    failures.push(`serving processes ${ended.join(", ")} ended during the traffic (now ${pidsAtEnd.join(", ")})`)
  return {
    report: {
      seed,
      sent: requests,
      ms: Date.now() - start,
      bytes,
      byKind,
      byStatus,
      rss: { start: rssStart, firstHalf: peaks[0] as number, secondHalf: Math.max(peaks[1] as number, end), end },
      bytesSecondHalf,
      acceptedCustomers,
    },
    failures,
  }
}

/** The customers of the events a 202 answer accepted or found duplicate. */
const noteAccepted = (req: HostileRequest, answer: HostileAnswer, into: Set<string>): void => {
  try {
    const value = JSON.parse(new TextDecoder().decode(req.body)) as unknown
    const events = (Array.isArray(value) ? value : [value]) as Array<{ customer?: unknown }>
    const results = (JSON.parse(answer.text) as IngestBody).results
    for (const [i, r] of results.entries()) {
      const c = events[i]?.customer
      if (r.status !== "rejected" && typeof c === "string") into.add(c)
    }
  } catch {}
}

const suffix = (): string => {
  let s = ""
  for (const b of crypto.getRandomValues(new Uint8Array(4))) s += b.toString(16).padStart(2, "0")
  return s
}
const mib = (n: number): string => (n / MiB).toFixed(1)

/**
 * Runs the hostile-input suite against a real server started by
 * `options.start` in a fresh workspace; every test is named `hostile: …`.
 *
 * @since 0.2.0
 * @category suites
 */
export const hostileSuite = (name: string, options: HostileOptions): void => {
  /** The connection was reset under the answer, seen directly (status 0) or through a proxy. */
  const wasReset = (r: { readonly status: number; readonly body: string }): boolean =>
    !options.closesInStages &&
    (r.status === 0 ||
      (options.proxyReset !== undefined &&
        r.status === options.proxyReset.status &&
        r.body.includes(options.proxyReset.text)))
  const requests = options.requests ?? Number(process.env["HOSTILE_REQUESTS"] ?? 10_000)
  const concurrency = options.concurrency ?? 12
  const seed = process.env["HOSTILE_SEED"] ? Number(process.env["HOSTILE_SEED"]) : (Math.random() * 2 ** 32) >>> 0
  const run = suffix()
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  let cleanup: (() => Promise<void>) | undefined
  let pids: () => Promise<ReadonlyArray<number>> = async () => []
  let report: TrafficReport | undefined
  /** A customer stored before the traffic, and what reading it gave then. */
  const known = `KNOWN.${run}`
  let knownBefore: { profile: unknown; events: unknown } | undefined

  const base = (): string => (server as ServerProcess).baseUrl
  const A = (): ContractTenant => tenantOf((ws as Workspace).tenants, contractTenantIds.A)
  const B = (): ContractTenant => tenantOf((ws as Workspace).tenants, contractTenantIds.B)
  const setup = (): HostileSetup => ({ a: A(), b: B(), run })
  const readKnown = async () => ({
    profile: (await getCustomer(base(), A().key, known)).body,
    events: (await listAllEvents(base(), A().key, known, 2)).events,
  })
  const valid = (customer: string, context: Record<string, unknown> = { ootb_city: "NYC" }) => ({
    tenant: A().id,
    timestamp: "2024-05-27 10:30:00.000000 UTC",
    event: HOSTILE_EVENT,
    customer,
    context,
  })
  const post = (body: string | Uint8Array, type: string | undefined = "application/json", key = A().key) =>
    postRaw(base(), key, body, type)

  describe(name, () => {
    beforeAll(async () => {
      ws = await makeWorkspace(options.label, options.workspace)
      const extra = options.environment ? await options.environment() : { env: {} }
      cleanup = extra.cleanup
      // Refusals log at info: seeing them proves the service's log reaches `output()`.
      server = await options.start(ws, { LOG_LEVEL: "info", ...extra.env })
      const started = server
      pids = options.servicePids
        ? () => options.servicePids?.(started) ?? Promise.resolve([])
        : async () => [started.child.pid as number]
      await settled(pids)
      const stored = await postEvents(base(), A().key, [
        {
          ...valid(known, { ootb_city: "Oslo", ootb_first_name: "Kari" }),
          timestamp: "2024-05-27 10:30:00.000000 UTC",
        },
        { ...valid(known, { ootb_city: "Bergen" }), timestamp: "2024-05-28 10:30:00.000000 UTC" },
        { ...valid(known, { ootb_city: "Tromsø", ootb_is_test: true }), timestamp: "2024-05-26 10:30:00.000000 UTC" },
      ])
      if (stored.status !== 202 || stored.body.accepted !== 3) throw new Error(`known customer: ${stored.text}`)
      knownBefore = await readKnown()
    })
    afterAll(async () => {
      try {
        await server?.stop("SIGTERM")
        await cleanup?.()
      } finally {
        await ws?.remove()
      }
    })

    it("hostile: prototype names are ordinary data as customer ids and values (before the generated traffic, which uses them too)", async () => {
      for (const customer of ["__proto__", "constructor", "prototype", "hasOwnProperty", "toString"]) {
        const id = `${customer}`
        const context = { ootb_city: id, ootb_first_name: "__proto__", ootb_last_name: "constructor" }
        const res = await postEvents(base(), A().key, valid(id, context))
        expect(res.status, `${id}: ${res.text}`).toBe(202)
        const profile = await getCustomer(base(), A().key, id)
        expect(profile.status, `${id}: ${profile.text}`).toBe(200)
        expect(profile.body).toMatchObject({ tenant: A().id, customer: id, attributes: context })
        const events = await listAllEvents(base(), A().key, id, 10)
        expect(events.events.map((e) => e.context)).toEqual([context])
        const erased = await request(base(), `/v1/customers/${encodeURIComponent(id)}`, {
          method: "DELETE",
          headers: bearer(A().key),
        })
        expect(erased.status, erased.text).toBe(204)
      }
      // Nothing was polluted: an ordinary event still reads back exactly.
      const probe = `probe.${run}`
      expect((await postEvents(base(), A().key, valid(probe))).status).toBe(202)
      expect((await getCustomer(base(), A().key, probe)).body.attributes).toEqual({ ootb_city: "NYC" })
    })

    it(`hostile: ${requests} generated requests each get a documented answer`, { timeout: 300_000 }, async () => {
      const openApi = await request(base(), "/openapi.json")
      expect(openApi.status, openApi.text.slice(0, 500)).toBe(200)
      const { report: r, failures } = await runTraffic({
        baseUrl: base(),
        setup: setup(),
        seed,
        requests,
        concurrency,
        pids,
        documented: makeAnswerChecker(openApi.body),
      })
      report = r
      console.log(
        `hostile: ${name}: ${r.sent} requests (${mib(r.bytes)} MiB) in ${(r.ms / 1000).toFixed(1)} s, seed ${seed}; ` +
          `RSS MiB start ${mib(r.rss.start)}, most in the first half ${mib(r.rss.firstHalf)}, in the second ${mib(r.rss.secondHalf)}, end ${mib(r.rss.end)}; ` +
          `statuses ${JSON.stringify(r.byStatus)}; kinds ${JSON.stringify(r.byKind)}`,
      )
      expect(failures, `seed ${seed} (replay with HOSTILE_SEED=${seed}):\n${failures.join("\n")}`).toEqual([])
      expect(r.sent).toBeGreaterThanOrEqual(requests)
    })

    it("hostile: the service stays healthy, accepts and reads events, and kept the known customer", async () => {
      const health = await request(base(), "/healthz")
      expect(health.status, health.text).toBe(200)
      expect(health.body).toEqual({ status: "ok" })
      const customer = `after.${run}`
      const res = await postEvents(base(), A().key, valid(customer, { ootb_city: "Oslo" }))
      expect(res.status, res.text).toBe(202)
      const profile = await getCustomer(base(), A().key, customer)
      expect(profile.status, profile.text).toBe(200)
      expect(profile.body.attributes).toEqual({ ootb_city: "Oslo" })
      expect(await readKnown(), "the known customer after the hostile traffic").toEqual(knownBefore)
      expect(knownBefore?.profile).toMatchObject({
        attributes: { ootb_city: "Bergen", ootb_first_name: "Kari", ootb_is_test: true },
      })
      expect(server?.child.exitCode, "the service is still running").toBeNull()
    })

    it("hostile: nothing of the rejected input is stored", async () => {
      if (report === undefined) throw new Error("the generated traffic did not run")
      const s = setup()
      // Customers of the run's pool that no 202 ever took must have no profile; the corpus's customer too.
      const never = [`h${run}-known-case`]
      for (let k = 0; k < 64; k++)
        if (!report.acceptedCustomers.has(hostileCustomer(s, k))) never.push(hostileCustomer(s, k))
      for (const c of never) {
        const profile = await getCustomer(base(), A().key, c)
        expect(profile.status, `${c} was only in rejected input, yet: ${profile.text}`).toBe(404)
      }
      expect(report.acceptedCustomers.size, "customers some valid event reached").toBeGreaterThan(10)
    })

    it("hostile: the resident memory stays bounded", () => {
      if (report === undefined) throw new Error("the generated traffic did not run")
      const { rss, bytesSecondHalf } = report
      expect(bytesSecondHalf, "bytes sent in the second half").toBeGreaterThan(MIN_SECOND_HALF_BYTES)
      const seen = `MiB: most ${mib(rss.firstHalf)} in the first half, ${mib(rss.secondHalf)} in the second, ${mib(rss.end)} at the end; ${mib(bytesSecondHalf)} MiB sent in the second half`
      // What stays after the traffic: a leak of the request volume keeps it.
      expect(rss.end - rss.firstHalf, `RSS kept after the traffic (${seen})`).toBeLessThan(growthBound(bytesSecondHalf))
      // The second half's peak, which also holds the collector's garbage: it may
      // not grow by as much as was sent, as it would if bodies were kept.
      expect(rss.secondHalf - rss.firstHalf, `RSS peak of the second half (${seen})`).toBeLessThan(bytesSecondHalf)
    })

    it("hostile: nothing is logged at error level", () => {
      const lines = (server?.output() ?? "").split("\n")
      expect(
        lines.filter((l) => l.includes('"level":"info"')).length,
        "info lines of refused requests",
      ).toBeGreaterThan(100)
      const errors = lines.filter((l) =>
        /"level":\s*"error"|unhandled error|uncaught|panic|\[wrangler:error\]/i.test(l),
      )
      expect(errors, "error-level lines in the service's output").toEqual([])
    })

    const head413 = (extra: string) =>
      `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${A().key}\r\nContent-Type: application/json\r\n${extra}\r\n`

    it.skipIf(options.answersAnnouncedLength === false)(
      "hostile: a Content-Length of 10 GiB gets 413 at once, before the body comes",
      async () => {
        const claimed = await rawRequest(base(), head413("Content-Length: 10737418240\r\n"), ["[{"])
        claimed.socket.destroy()
        expect(claimed.status, claimed.body).toBe(413)
        expect(JSON.parse(claimed.body)).toMatchObject({ code: "payload_too_large", status: 413 })
      },
    )

    it("hostile: bodies over 1 MiB get 413 without being read whole", async () => {
      const head = head413
      // Streamed without a length and without end: a server that read bodies whole would never answer.
      // What the client wrote by the answer counts the kernel's buffers in between too.
      // A server that closes at once may reset the connection under its answer (head or body)
      // while the client still sends: then only the bytes it let in are checked.
      const endless = await rawRequest(
        base(),
        head("Transfer-Encoding: chunked\r\n"),
        chunked(64 * 1024, Number.POSITIVE_INFINITY, false),
        { stopOnAnswer: true, allowClose: !options.closesInStages },
      )
      endless.socket.destroy()
      if (!wasReset(endless)) expect(endless.status, endless.body).toBe(413)
      if (options.closesInStages || (!wasReset(endless) && endless.body !== "")) {
        expect(JSON.parse(endless.body)).toMatchObject({ code: "payload_too_large" })
      }
      const bound = MiB + 4 * MiB + kernelBuffering() + MiB
      expect(endless.sentBeforeAnswer, `bytes sent before the 413 (bound ${bound})`).toBeLessThan(bound)
      // Through fetch, still sending when the 413 comes: it gets the 413, not a broken connection.
      const v = JSON.stringify(valid(`big.${run}`))
      const padding = `{${" ".repeat(2 * MiB)}${v.slice(1)}`
      const batch = `[${Array.from({ length: Math.ceil((8 * MiB) / v.length) }, () => v).join(",")}]`
      for (let i = 0; i < 3; i++) {
        for (const body of [padding, batch]) {
          const res = await post(body)
          expect(res.status, res.text).toBe(413)
          expect(res.body).toMatchObject({ code: "payload_too_large" })
        }
      }
      expect((await getCustomer(base(), A().key, `big.${run}`)).status).toBe(404)
    })

    it("hostile: the connection of a 413 stays usable, or the 413 says Connection: close", async () => {
      const cases: Array<[string, string, Iterable<string | Uint8Array>]> = [
        ["chunked 2 MiB", "Transfer-Encoding: chunked\r\n", chunked(64 * 1024, 32, true)],
        ["Content-Length 2 MiB", `Content-Length: ${2 * MiB}\r\n`, [new Uint8Array(2 * MiB).fill(0x20)]],
      ]
      for (const [what, framing, body] of cases) {
        const head = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${A().key}\r\nContent-Type: application/json\r\n${framing}\r\n`
        const first = await rawRequest(base(), head, body)
        const socket = first.socket
        try {
          expect(first.status, `${what}: ${first.body}`).toBe(413)
          if ((first.headers.connection ?? "").toLowerCase() === "close") continue
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
          expect(second.split("\r\n")[0], `${what}: a second request on the connection of a keep-alive 413 got`).toBe(
            "HTTP/1.1 200 OK",
          )
        } finally {
          socket.destroy()
        }
      }
    })

    it("hostile: the key is checked before the media type and the body, and a wrong key's endless body is not read", async () => {
      const v = JSON.stringify(valid(`auth.${run}`))
      const wrong = `cdp_wrong_${suffix()}`
      const bodies: Array<[string, string | Uint8Array, string | undefined]> = [
        ["text/plain", "nonsense", "text/plain"],
        ["no type", v, undefined],
        ["malformed JSON", "{", "application/json"],
        ["invalid UTF-8", Uint8Array.from([0xff, 0xfe]), "application/json"],
        ["a wrong shape", "42", "application/json"],
        ["an empty batch", "[]", "application/json"],
        ["2 MiB", `[${" ".repeat(2 * MiB)}]`, "application/json"],
        ["deep nesting", "[".repeat(500_000) + "]".repeat(500_000), "application/json"],
        ["a valid event", v, "application/json"],
      ]
      for (const [what, body, type] of bodies) {
        for (const key of [undefined, wrong]) {
          const res = await postRaw(base(), key, body, type)
          expect(res.status, `${what} with key ${key}: ${res.text}`).toBe(401)
          expect(res.body).toMatchObject({ code: "unauthorized" })
        }
      }
      const form = new FormData()
      form.set("event", v)
      for (const body of [form, new URLSearchParams({ event: v })]) {
        const res = await request(base(), "/v1/events", { method: "POST", headers: bearer(A().key), body })
        expect(res.status, res.text).toBe(415)
        expect(res.body).toMatchObject({ code: "unsupported_media_type" })
      }
      const head = `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${wrong}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`
      if (options.closesInStages) {
        const endless = await rawRequest(base(), head, chunked(64 * 1024, 16 * 16, false), { stopOnAnswer: true })
        endless.socket.destroy()
        expect(endless.status, endless.body).toBe(401)
        expect(endless.sentBeforeAnswer).toBeLessThan(12 * MiB)
      } else {
        // Closed at once, the connection may be reset under the answer while the body still
        // comes; either way the server stops reading: at most what it drains (4 MiB) and the
        // kernel's buffers in between were sent.
        const endless = await rawRequest(base(), head, chunked(64 * 1024, Number.POSITIVE_INFINITY, false), {
          stopOnAnswer: true,
          allowClose: true,
        })
        endless.socket.destroy()
        if (!wasReset(endless)) expect(endless.status, endless.body).toBe(401)
        expect(endless.sentBeforeAnswer).toBeLessThan(4 * MiB + kernelBuffering() + 2 * MiB)
      }
      expect((await getCustomer(base(), A().key, `auth.${run}`)).status).toBe(404)
    })

    it("hostile: 30,000 unknown keys get every issue, in time linear in the body, without stalling other requests", async () => {
      const v = JSON.stringify(valid(`keys.${run}`))
      const N = 30_000
      const descending = Array.from({ length: N }, (_, i) => `"k${String(N - i).padStart(5, "0")}":1`).join(",")
      const ascending = Array.from({ length: N }, (_, i) => `"k/${i}~":1`).join(",")
      const LIMIT_MS = 3000
      for (const [what, body, pathOf] of [
        [
          "context",
          v.replace('"context":{', `"context":{${descending},`),
          (i: number) => `/context/k${String(N - i).padStart(5, "0")}`,
        ],
        ["top level", v.replace("{", `{${ascending},`), (i: number) => `/k~1${i}~0`],
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
        expect(res.status, res.text.slice(0, 300)).toBe(400)
        const issues = res.body.results[0]?.issues ?? []
        expect(issues.length).toBeGreaterThanOrEqual(N)
        // Every unknown key is reported at its own escaped path.
        const paths = new Set(issues.filter((i) => i.code === "unknown_property").map((i) => i.path))
        for (let i = 0; i < N; i += 997) expect(paths.has(pathOf(i)), `${what}: path ${pathOf(i)}`).toBe(true)
        expect(ms, `${N} unknown keys at the ${what}: answer time (ms)`).toBeLessThan(LIMIT_MS)
        expect(slowestHealth, `${N} unknown keys at the ${what}: slowest /healthz meanwhile (ms)`).toBeLessThan(
          LIMIT_MS,
        )
        expect(healthErrors, `${N} unknown keys at the ${what}: /healthz meanwhile`).toEqual([])
      }
    })

    it("hostile: keys holding ~ and / are reported at RFC 6901 paths", async () => {
      // Literal pointers, written by hand: ~ is ~0, / is ~1, ~1 written as a key is ~01.
      const cases: Array<[string, string]> = [
        ["a/b", "/context/a~1b"],
        ["~", "/context/~0"],
        ["~1", "/context/~01"],
        ["/~", "/context/~1~0"],
        ["~/~/", "/context/~0~1~0~1"],
      ]
      const c = `ptr.${run}`
      const res = await postEvents(base(), A().key, valid(c, Object.fromEntries(cases.map(([k]) => [k, 1]))))
      expect(res.status, res.text).toBe(400)
      const paths = (res.body.results[0]?.issues ?? []).map((i) => i.path).sort()
      expect(paths).toEqual(cases.map(([, p]) => p).sort())
      const top = await postEvents(base(), A().key, { ...valid(c), "x/y~z": 1 })
      expect((top.body.results[0]?.issues ?? []).map((i) => [i.code, i.path])).toEqual([
        ["unknown_property", "/x~1y~0z"],
      ])
    })
  })
}
