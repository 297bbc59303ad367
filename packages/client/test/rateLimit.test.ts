/**
 * The client against the real Node service, for a tenant with a small rate
 * limit (1 request per second, burst 3): the 429s are waited out as
 * `Retry-After` asks, and nothing is lost.
 */
import { contractTenantIds, makeWorkspace, type ServerProcess, tenantOf, type Workspace } from "@cdp/testkit"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createClient, type ErrorNotice } from "../src/index.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"

let ws: Workspace
let service: ServerProcess | undefined

beforeAll(async () => {
  ws = await makeWorkspace("client-rate")
  service = await startNodeService(ws, await freePort())
})

afterAll(async () => {
  try {
    await service?.stop("SIGTERM")
  } finally {
    await ws?.remove()
  }
})

it("rate limit: 200 events in 10 batches against 1 request/s: 429s waited out, every event stored once", async () => {
  const { key, id: tenant, rateLimit } = tenantOf(ws.tenants, contractTenantIds.C)
  expect(rateLimit).toEqual({ perSecond: 1, burst: 3 })
  const notices: Array<ErrorNotice> = []
  const client = createClient({
    url: service!.baseUrl,
    key,
    tenant,
    maxBatchEvents: 20,
    maxAttempts: 100,
    onError: (n) => notices.push(n),
  })
  const customer = "rate-limited-customer"
  const results = await Promise.all(
    Array.from({ length: 200 }, (_, i) =>
      client.send("ootb_user_details_update", { customer, context: { ootb_city: `city-${i}` } }),
    ),
  )
  expect(results.every((r) => r.status === "accepted")).toBe(true)
  const retries = notices.filter((n) => n.type === "retry")
  expect(retries.length).toBeGreaterThan(0)
  for (const n of retries) {
    expect(n).toMatchObject({ operation: "send", code: "rate_limited", status: 429, events: 20 })
    // The service's Retry-After is a whole number of seconds, at least 1: the wait honours it.
    expect(n.delayMs).toBeGreaterThanOrEqual(1000)
  }
  expect(notices.filter((n) => n.type !== "retry")).toEqual([])

  // The reads are rate limited too, and wait as well.
  const cities: Array<unknown> = []
  for await (const e of client.events(customer)) cities.push(e.context["ootb_city"])
  expect(cities.sort()).toEqual(Array.from({ length: 200 }, (_, i) => `city-${i}`).sort())
  expect(new Set(results.map((r) => r.id)).size).toBe(200)
  await client.close()
})
