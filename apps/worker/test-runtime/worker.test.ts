/**
 * The Worker's fetch handler inside workerd: its `INGEST_CONFIG` binding
 * parsed into the app (a health check through a Durable Object), and a
 * missing or malformed one answered 500 with a log line that says why.
 */

import { createExecutionContext } from "cloudflare:test"
import { env } from "cloudflare:workers"
import { contractConfig, contractOrigins, contractTenants } from "@cdp/testkit/portable"
import { afterEach, describe, expect, it, vi } from "vitest"
import worker, { type Env } from "../src/worker.ts"

const base = env as unknown as Env
const fetchWith = (config: string | undefined, path: string, init?: RequestInit) =>
  worker.fetch(
    new Request(`http://worker.test${path}`, init) as Request<unknown, IncomingRequestCfProperties>,
    { ...base, INGEST_CONFIG: config },
    createExecutionContext(),
  )

describe("the Worker's INGEST_CONFIG binding", () => {
  afterEach(() => {
    vi.restoreAllMocks()
  })

  it("serves the app with the tenants it holds", async () => {
    const tenants = contractTenants()
    const config = JSON.stringify(await contractConfig(tenants))
    const health = await fetchWith(config, "/healthz")
    expect(health.status).toBe(200)
    expect(await health.json()).toEqual({ status: "ok" })
    const res = await fetchWith(config, "/v1/customers/nobody", {
      headers: { authorization: `Bearer ${tenants[0]!.key}` },
    })
    expect(res.status).toBe(404)
  })

  it("takes key scopes and allowedOrigins from it", async () => {
    const tenants = contractTenants()
    const config = JSON.stringify(await contractConfig(tenants))
    const preflight = await fetchWith(config, "/v1/events", {
      method: "OPTIONS",
      headers: { origin: contractOrigins.A, "access-control-request-method": "POST" },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get("access-control-allow-origin")).toBe(contractOrigins.A)
    const sendOnly = tenants[0]!.scopedKeys!.send
    const read = await fetchWith(config, "/v1/customers/nobody", { headers: { authorization: `Bearer ${sendOnly}` } })
    expect(read.status).toBe(403)
    expect(await read.json()).toMatchObject({ code: "forbidden" })
  })

  it.each([
    ["missing", undefined, /INGEST_CONFIG is not set/],
    ["not JSON", "{", /INGEST_CONFIG: not valid JSON/],
    ["a bad field", JSON.stringify({ tenants: [{ id: 0, keys: [], channels: [] }] }), /tenants\[0\]\.id/],
  ])("%s: 500 internal_error, and a log line naming the fault", async (_, config, logged) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {})
    const res = await fetchWith(config, "/healthz")
    expect(res.status).toBe(500)
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/)
    expect(await res.json()).toMatchObject({ code: "internal_error", status: 500 })
    expect(errors.mock.calls.map((c) => String(c[0])).join("\n")).toMatch(logged)
  })
})
