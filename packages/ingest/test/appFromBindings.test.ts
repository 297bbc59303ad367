/**
 * `appFromBindings`: the real app on the memory store, built from the
 * bindings each request brings, answering real requests through its
 * `fetch`; the stores it asks for and the lines it writes are recorded. The
 * Worker runs it inside workerd in apps/worker/test-runtime.
 */
import { createHash } from "node:crypto"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { appFromBindings, type IngestBindings } from "../src/appFromBindings.ts"
import { makeMemoryStore } from "../src/MemoryStore.ts"
import { parseConfigText } from "../src/TenantConfig.ts"

const digest = (text: string) => createHash("sha256").update(text).digest("hex")

/** A config text of one tenant holding one key with every scope. */
const configOf = (tenant: number, key: string) =>
  JSON.stringify({ tenants: [{ id: tenant, keys: [digest(key)], channels: [] }] })

/** `appFromBindings` with its stores counted and its output recorded. */
const harness = () => {
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const stores: Array<IngestBindings> = []
  const handler = appFromBindings<IngestBindings>({
    store: (bindings) => {
      stores.push(bindings)
      return makeMemoryStore()
    },
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
  })
  const request = (bindings: IngestBindings, path: string, key?: string) =>
    handler.fetch(
      new Request(
        `http://service.test${path}`,
        key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } },
      ),
      bindings,
    )
  return { stdout, stderr, stores, request }
}

/** A profile read: 404 for a customer never seen with a key the app accepts, 401 with one it does not know. */
const read = "/v1/customers/nobody"

describe("appFromBindings", () => {
  it("serves the app with the tenants of INGEST_CONFIG", async () => {
    const h = harness()
    const bindings = { INGEST_CONFIG: configOf(42, "key-a") }
    const health = await h.request(bindings, "/healthz")
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "ok" })
    expect((await h.request(bindings, read, "key-a")).status).toBe(404)
    expect((await h.request(bindings, read, "key-b")).status).toBe(401)
    expect(h.stderr).toEqual([])
  })

  it("builds the app once per config text, and again when the text changes", async () => {
    const h = harness()
    const a = { INGEST_CONFIG: configOf(42, "key-a") }
    const b = { INGEST_CONFIG: configOf(43, "key-b") }
    await h.request(a, "/healthz")
    await h.request({ ...a }, read, "key-a")
    expect(h.stores).toHaveLength(1)
    expect((await h.request(b, read, "key-a")).status).toBe(401)
    expect((await h.request(b, read, "key-b")).status).toBe(404)
    expect(h.stores).toEqual([a, b])
    expect((await h.request(a, read, "key-a")).status).toBe(404)
    expect(h.stores).toEqual([a, b, a])
  })

  it("logs JSON lines at LOG_LEVEL, info when unset", async () => {
    const quiet = harness()
    await quiet.request({ INGEST_CONFIG: configOf(42, "key-a") }, "/healthz")
    expect(quiet.stdout).toEqual([])
    await quiet.request({ INGEST_CONFIG: configOf(42, "key-a") }, read, "key-b")
    expect(quiet.stdout.map((line) => JSON.parse(line))).toMatchObject([
      { level: "info", message: "request", status: 401 },
    ])

    const chatty = harness()
    await chatty.request({ INGEST_CONFIG: configOf(42, "key-a"), LOG_LEVEL: "debug" }, "/healthz")
    expect(chatty.stdout.map((line) => JSON.parse(line))).toMatchObject([
      { level: "debug", message: "request", route: "/healthz", status: 200 },
    ])
  })

  it.each([
    [
      "missing",
      undefined,
      "cdp ingest: INGEST_CONFIG is not set: `wrangler secret put INGEST_CONFIG` with the tenants JSON",
    ],
    ["empty", "", "cdp ingest: INGEST_CONFIG is not set: `wrangler secret put INGEST_CONFIG` with the tenants JSON"],
    ["not JSON", "{", /^cdp ingest: INGEST_CONFIG: not valid JSON \(/],
    [
      "a bad field",
      JSON.stringify({ tenants: [{ id: 0, keys: [], channels: [] }] }),
      /^cdp ingest: .*tenants\[0\]\.id/,
    ],
  ])("%s: every request answers 500 internal_error and writes why", async (_, text, line) => {
    const h = harness()
    for (const path of ["/healthz", read]) {
      const res = await h.request({ INGEST_CONFIG: text }, path, "key-a")
      expect(res.status).toBe(500)
      expect(res.headers.get("content-type")).toBe("application/problem+json")
      expect(await res.json()).toMatchObject({ code: "internal_error", status: 500 })
    }
    expect(h.stderr).toHaveLength(2)
    for (const written of h.stderr) expect(written).toMatch(line)
    expect(h.stores).toEqual([])
    expect(h.stdout).toEqual([])
  })

  it("a misconfiguration does not stick: the next good text serves, and a bad one after it does not", async () => {
    const h = harness()
    expect((await h.request({}, "/healthz")).status).toBe(500)
    const good = { INGEST_CONFIG: configOf(42, "key-a") }
    expect((await h.request(good, read, "key-a")).status).toBe(404)
    expect((await h.request({ INGEST_CONFIG: "[]" }, read, "key-a")).status).toBe(500)
    expect((await h.request(good, read, "key-a")).status).toBe(404)
    expect(h.stderr).toHaveLength(2)
  })

  it("a store that cannot be made answers 500 internal_error and writes why", async () => {
    const stderr: Array<string> = []
    const handler = appFromBindings({
      store: () => {
        throw new Error("no INGEST_OBJECTS binding")
      },
      stderr: (line) => stderr.push(line),
    })
    const res = await handler.fetch(new Request("http://service.test/healthz"), {
      INGEST_CONFIG: configOf(42, "key-a"),
    })
    expect(res.status).toBe(500)
    expect(await res.json()).toMatchObject({ code: "internal_error" })
    expect(stderr).toEqual(["cdp ingest: no INGEST_OBJECTS binding"])
  })

  it("any config text: served when parseConfigText takes it, otherwise 500 with one line naming INGEST_CONFIG", async () => {
    const valid = fc
      .tuple(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.string({ minLength: 1 }))
      .map(([tenant, key]) => configOf(tenant, key))
    const text = fc.oneof(valid, fc.json(), fc.string())
    await fc.assert(
      fc.asyncProperty(text, async (config) => {
        const h = harness()
        const res = await h.request({ INGEST_CONFIG: config }, "/healthz")
        let parses = config !== ""
        try {
          parseConfigText(config, "INGEST_CONFIG")
        } catch {
          parses = false
        }
        if (parses) {
          expect(res.status).toBe(200)
          expect(h.stderr).toEqual([])
        } else {
          expect(res.status).toBe(500)
          expect(await res.json()).toMatchObject({ code: "internal_error" })
          expect(h.stderr).toHaveLength(1)
          expect(h.stderr[0]).toMatch(/^cdp ingest: INGEST_CONFIG/)
        }
      }),
      { numRuns: 200 },
    )
  })
})
