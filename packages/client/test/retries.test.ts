/**
 * Retries, against local servers that answer what each case needs: 503 and
 * 429 are retried with the same body, within `maxAttempts` and
 * `maxRetryTimeMs`, waiting at least `Retry-After`; 400, 401, 403 and 415
 * are not retried; a port nobody listens on is a `network_error` after every
 * attempt. And the back-off itself, as a property: full jitter under an
 * exponential ceiling, never under `Retry-After`.
 */
import { type ProblemCode, problemTitles, problemType } from "@cdp/api"
import fc from "fast-check"
import { afterEach, expect, it } from "vitest"
import { createClient, type ErrorNotice } from "../src/index.ts"
import { parseRetryAfter, retryDelay } from "../src/retryDelay.ts"
import { type LocalServer, type Reply, startLocalServer } from "./support/localServer.ts"
import { freePort } from "./support/nodeService.ts"

const problem = (code: ProblemCode, status: number, headers: Record<string, string> = {}): Reply => ({
  status,
  headers: { "content-type": "application/problem+json", ...headers },
  body: JSON.stringify({ type: problemType(code), title: problemTitles[code], status, detail: "d", code }),
})

let server: LocalServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

/** A server answering `reply` to every request, recording each body and when it came. */
const serve = async (reply: Reply) => {
  const seen: Array<{ at: number; body: string }> = []
  server = await startLocalServer(({ body }) => {
    seen.push({ at: performance.now(), body: body.toString("utf8") })
    return reply
  })
  return { url: server.url, seen }
}

it("503: retried with the same body until maxAttempts, then unavailable; the hook told of each", async () => {
  const { url, seen } = await serve(problem("unavailable", 503, { "retry-after": "0" }))
  const notices: Array<ErrorNotice> = []
  const client = createClient({
    url,
    key: "k",
    tenant: 567,
    maxAttempts: 4,
    baseDelayMs: 5,
    onError: (n) => notices.push(n),
  })
  const error = await client.send("ootb_user_details_update", { customer: "c" }).catch((e: unknown) => e)
  expect(error).toMatchObject({ name: "ClientError", code: "unavailable", status: 503, attempts: 4 })
  expect(seen.length).toBe(4)
  expect(new Set(seen.map((s) => s.body)).size).toBe(1)
  expect(notices.map((n) => [n.type, n.code, n.attempt])).toEqual([
    ["retry", "unavailable", 1],
    ["retry", "unavailable", 2],
    ["retry", "unavailable", 3],
    ["failed", "unavailable", 4],
  ])
})

it("429 with Retry-After: 1: each retry waits at least a second; maxRetryTimeMs ends it", async () => {
  const { url, seen } = await serve(problem("rate_limited", 429, { "retry-after": "1" }))
  const client = createClient({ url, key: "k", tenant: 567, maxAttempts: 100, maxRetryTimeMs: 2500, baseDelayMs: 1 })
  const started = performance.now()
  const error = await client.send("ootb_user_details_update", { customer: "c" }).catch((e: unknown) => e)
  // Attempts at 0, ≥1 s, ≥2 s; a third wait would end past 2.5 s, so it gives up at once.
  expect(error).toMatchObject({ code: "rate_limited", status: 429, attempts: 3 })
  expect(seen.length).toBe(3)
  for (let i = 1; i < seen.length; i++) expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(995)
  expect(performance.now() - started).toBeLessThan(2500)
})

for (const [code, status] of [
  ["batch_size", 400],
  ["unauthorized", 401],
  ["unsupported_media_type", 415],
  ["not_found", 404],
] as const) {
  it(`${status} ${code}: not retried; the send rejects with the problem's code`, async () => {
    const { url, seen } = await serve(problem(code, status))
    const client = createClient({ url, key: "k", tenant: 567, baseDelayMs: 1 })
    await expect(client.send("ootb_user_details_update", { customer: "c" })).rejects.toMatchObject({
      code,
      status,
      attempts: 1,
    })
    expect(seen.length).toBe(1)
  })
}

it("403 (every event of another tenant): not retried; each send rejects with its own issues", async () => {
  const { url, seen } = await serve({
    status: 403,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      accepted: 0,
      duplicates: 0,
      rejected: 1,
      results: [{ index: 0, status: "rejected", issues: [{ path: "/tenant", code: "tenant_mismatch", message: "m" }] }],
    }),
  })
  const client = createClient({ url, key: "k", tenant: 567 })
  await expect(client.send("ootb_user_details_update", { customer: "c" })).rejects.toMatchObject({
    name: "InvalidEventError",
    issues: [{ path: "/tenant", code: "tenant_mismatch", message: "m" }],
  })
  expect(seen.length).toBe(1)
})

it("nobody listening: network_error after maxAttempts", async () => {
  const port = await freePort()
  const notices: Array<ErrorNotice> = []
  const client = createClient({
    url: `http://127.0.0.1:${port}`,
    key: "k",
    tenant: 567,
    maxAttempts: 3,
    baseDelayMs: 1,
    onError: (n) => notices.push(n),
  })
  await expect(client.send("ootb_user_details_update", { customer: "c" })).rejects.toMatchObject({
    code: "network_error",
    attempts: 3,
  })
  expect(notices.map((n) => n.type)).toEqual(["retry", "retry", "failed"])
  expect(notices.every((n) => n.status === undefined && n.code === "network_error")).toBe(true)
})

it("back-off: full jitter under min(maxDelayMs, baseDelayMs * 2^(attempt-1)), never under Retry-After", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1, max: 10_000 }),
      fc.integer({ min: 1, max: 100_000 }),
      fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (attempt, baseDelayMs, maxDelayMs, retryAfterMs, r) => {
        const delay = retryDelay(attempt, { baseDelayMs, maxDelayMs }, retryAfterMs, () => r)
        let ceiling = baseDelayMs
        for (let i = 1; i < attempt && ceiling < maxDelayMs; i++) ceiling *= 2
        ceiling = Math.min(ceiling, maxDelayMs)
        expect(delay).toBeGreaterThanOrEqual(retryAfterMs ?? 0)
        expect(delay).toBeLessThanOrEqual(Math.max(ceiling, retryAfterMs ?? 0))
        if (retryAfterMs === undefined) expect(delay).toBe(Math.floor(r * ceiling))
      },
    ),
  )
  expect(parseRetryAfter("3")).toBe(3000)
  expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:05 GMT", Date.UTC(2015, 9, 21, 7, 28, 0))).toBe(5000)
  expect(parseRetryAfter(null)).toBeUndefined()
  expect(parseRetryAfter("soon")).toBeUndefined()
})
