/**
 * The client against the real Node service on SQLite: local validation
 * gives the very issues the service gives for the same events (a property
 * over random events, valid and not, for a tenant with channels); the
 * reads decode the service's answers and page through everything; request
 * errors carry the problem's code and 401 and 403 are not retried (a key
 * outside its scopes gets `forbidden`); `close()` sends
 * what is queued, then refuses new sends.
 */
import { events as eventKinds } from "@cdp/schema"
import { contractTenantIds, makeWorkspace, type ServerProcess, tenantOf, type Workspace } from "@cdp/testkit"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  ClientError,
  createClient,
  type ErrorNotice,
  InvalidEventError,
  type SendInput,
  type SendResult,
} from "../src/index.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"

let ws: Workspace
let service: ServerProcess | undefined
let url = ""

beforeAll(async () => {
  ws = await makeWorkspace("client-service")
  service = await startNodeService(ws, await freePort())
  url = service.baseUrl
})

afterAll(async () => {
  try {
    await service?.stop("SIGTERM")
  } finally {
    await ws?.remove()
  }
})

const kind = "ootb_user_details_update"

describe("local validation", () => {
  const parameterKeys = Object.keys(eventKinds[kind].fields)
  const value = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.boolean(),
    fc.integer(),
    fc.constant(null),
    fc.constantFrom("Yes", "No", "john.doe@example.com", "+14155550100", "US", "en", "EUR", "Started", "1990-01-01"),
    fc.constantFrom("x".repeat(256), "not-an-email", "1990-02-30", "ZZ"),
  )
  const channelParameters = {
    ootb_email: "john.doe@example.com",
    ootb_allow_email: "Yes",
    ootb_mobile_number: "+14155550100",
    ootb_allow_sms: "No",
  }
  const input = fc.record(
    {
      customer: fc.oneof(
        { arbitrary: fc.string({ minLength: 1, maxLength: 6 }), weight: 4 },
        fc.constantFrom("", "c".repeat(256)),
      ),
      visitor: fc.oneof({ arbitrary: fc.constant("v1"), weight: 4 }, fc.constant(""), fc.integer()),
      timestamp: fc.constantFrom(
        "2024-05-27 10:30:00.000000 UTC",
        "2024-05-27T10:30:00Z",
        "2024-05-27T10:30:00.123+02:00",
        "2024-13-01T00:00:00Z",
        "yesterday",
        "3024-01-01T00:00:00Z",
      ),
      // With the channel parameters the tenant requires (a valid event when the rest is), or not.
      context: fc
        .tuple(
          fc.boolean(),
          fc.dictionary(fc.constantFrom(...parameterKeys, "ootb_unknown", "city"), value, { maxKeys: 3 }),
        )
        .map(([withChannels, rest]) => (withChannels ? { ...channelParameters, ...rest } : rest)),
    },
    { requiredKeys: ["customer", "timestamp"] },
  )

  it("gives the issues the service gives, and the same id for a valid event (tenant with email and sms channels)", async () => {
    const { key, id: tenant, channels } = tenantOf(ws.tenants, contractTenantIds.B)
    const client = createClient({ url, key, tenant, channels, flushIntervalMs: 1 })
    let rejectedHere = 0
    let sentHere = 0
    await fc.assert(
      fc.asyncProperty(fc.array(input, { minLength: 1, maxLength: 12 }), async (inputs) => {
        // The service's answer to the very events, sent raw.
        const raw = await fetch(`${url}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify(inputs.map((i) => ({ tenant, event: kind, ...i }))),
        })
        const answer = (await raw.json()) as {
          results: Array<{ status: string; id?: string; issues?: Array<unknown> }>
        }
        const local = await Promise.allSettled(
          inputs.map((i) => client.send(kind, i as unknown as SendInput<typeof kind>)),
        )
        for (const [n, result] of answer.results.entries()) {
          const here = local[n]!
          if (result.status === "rejected") {
            rejectedHere++
            expect(here.status).toBe("rejected")
            const error = (here as PromiseRejectedResult).reason
            expect(error).toBeInstanceOf(InvalidEventError)
            expect((error as InvalidEventError).issues).toEqual(result.issues)
          } else {
            sentHere++
            // Stored by the raw request already: the client's copy is a duplicate with the same id.
            expect(here).toEqual({ status: "fulfilled", value: { status: "duplicate", id: result.id } })
          }
        }
      }),
      { numRuns: 60 },
    )
    await client.close()
    expect(rejectedHere).toBeGreaterThan(0)
    expect(sentHere).toBeGreaterThan(0)
  })

  it("an event the service rejects fails alone: the others of its batch are stored (channels left out here)", async () => {
    const { key, id: tenant, channels } = tenantOf(ws.tenants, contractTenantIds.B)
    const notices: Array<ErrorNotice> = []
    // Without `channels`, events lacking the tenant's channel parameters pass here and fail there.
    const client = createClient({ url, key, tenant, onError: (n) => notices.push(n) })
    const strict = createClient({ url, key, tenant, channels, flushIntervalMs: 1 })
    const withChannels = (i: number) => ({
      customer: `mixed-${i}`,
      context: {
        ootb_email: "john.doe@example.com",
        ootb_allow_email: "Yes" as const,
        ootb_mobile_number: "+14155550100",
        ootb_allow_sms: "No" as const,
        ootb_city: `c${i}`,
      },
    })
    const without = (i: number) => ({ customer: `mixed-${i}`, context: { ootb_city: `c${i}` } })
    const sends = Array.from({ length: 10 }, (_, i) => client.send(kind, i % 2 === 0 ? withChannels(i) : without(i)))
    const settled = await Promise.allSettled(sends)
    for (const [i, r] of settled.entries()) {
      if (i % 2 === 0) expect(r).toMatchObject({ status: "fulfilled", value: { status: "accepted" } })
      else {
        expect(r.status).toBe("rejected")
        const error = (r as PromiseRejectedResult).reason as InvalidEventError
        expect(error).toBeInstanceOf(InvalidEventError)
        // The very issues the client gives at once when told the tenant's channels.
        const here = await strict.send(kind, without(i)).catch((e: unknown) => e as InvalidEventError)
        expect(error.issues).toEqual((here as InvalidEventError).issues)
      }
    }
    expect(notices).toHaveLength(1)
    expect(notices[0]).toMatchObject({
      type: "rejected",
      operation: "send",
      code: "invalid_event",
      status: 202,
      events: 5,
    })
    expect(JSON.stringify(notices)).not.toMatch(/mixed-|john|NYC|c\d/)
    await client.close()
    await strict.close()
  })

  it("rejects an invalid event at once, before anything is sent", async () => {
    const calls: Array<string> = []
    const client = createClient({
      url,
      key: "unused",
      tenant: 567,
      fetch: (input) => {
        calls.push(String(input))
        return Promise.reject(new Error("no request should be made"))
      },
    })
    const error = await client
      .send(kind, { customer: "", context: { ootb_email: "x" } } as SendInput<typeof kind>)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(InvalidEventError)
    expect((error as InvalidEventError).issues.map((i) => [i.path, i.code])).toEqual([
      ["/context/ootb_email", "invalid_format"],
      ["/customer", "invalid_value"],
    ])
    await client.close()
    expect(calls).toEqual([])
  })
})

describe("reads", () => {
  it("getProfile, events over every page, erase; then not_found as a ClientError code", async () => {
    const { key, id: tenant } = ws.tenants[0]!
    const client = createClient({ url, key, tenant })
    const customer = "reader/../odd id?&"
    const sent = await Promise.all(
      Array.from({ length: 230 }, (_, i) =>
        client.send(kind, {
          customer,
          timestamp: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
          context: { ootb_city: `city-${i}`, ootb_is_test: i % 2 === 0 },
        }),
      ),
    )
    const profile = await client.getProfile(customer)
    expect(profile).toEqual({
      tenant,
      customer,
      attributes: { ootb_city: "city-229", ootb_is_test: false },
      updated_at: "2024-01-01 00:03:49.000000 UTC",
    })
    for (const limit of [undefined, 7]) {
      const ids: Array<string> = []
      for await (const e of client.events(customer, limit === undefined ? {} : { limit })) ids.push(e.id)
      // Newest timestamp first: the reverse of the sending order.
      expect(ids).toEqual(sent.map((r) => r.id).reverse())
    }
    await client.erase(customer)
    await expect(client.getProfile(customer)).rejects.toMatchObject({
      name: "ClientError",
      code: "not_found",
      status: 404,
      attempts: 1,
    })
    await expect(client.erase(customer)).rejects.toMatchObject({ code: "not_found" })
    const listing = client.events(customer)
    await expect(listing.next()).rejects.toMatchObject({ code: "not_found" })
    await client.close()
  })

  it("a wrong key: 401 unauthorized, not retried, for sends and reads alike", async () => {
    const notices: Array<ErrorNotice> = []
    const client = createClient({ url, key: "cdp_wrong", tenant: 567, onError: (n) => notices.push(n) })
    const error = await client.send(kind, { customer: "c1" }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ClientError)
    expect(error).toMatchObject({ code: "unauthorized", status: 401, attempts: 1 })
    await expect(client.getProfile("c1")).rejects.toMatchObject({ code: "unauthorized", attempts: 1 })
    expect(notices).toEqual([
      { type: "failed", operation: "send", code: "unauthorized", status: 401, attempt: 1, events: 1 },
      { type: "failed", operation: "getProfile", code: "unauthorized", status: 401, attempt: 1, events: 0 },
    ])
    await client.close()
  })
})

describe("key scopes", () => {
  it("a send-only key sends; its reads and erase reject with forbidden (403), not retried; a read-only key cannot send", async () => {
    const { id: tenant, scopedKeys } = ws.tenants[0]!
    if (scopedKeys === undefined) throw new Error("tenant A has no scoped keys")
    const sender = createClient({ url, key: scopedKeys.send, tenant })
    await expect(sender.send(kind, { customer: "scoped" })).resolves.toMatchObject({ status: "accepted" })
    const forbidden = { name: "ClientError", code: "forbidden", status: 403, attempts: 1 }
    await expect(sender.getProfile("scoped")).rejects.toMatchObject(forbidden)
    await expect(sender.events("scoped").next()).rejects.toMatchObject(forbidden)
    await expect(sender.erase("scoped")).rejects.toMatchObject(forbidden)
    await sender.close()
    const reader = createClient({ url, key: scopedKeys.read, tenant })
    await expect(reader.send(kind, { customer: "scoped" })).rejects.toMatchObject(forbidden)
    await expect(reader.getProfile("scoped")).resolves.toMatchObject({ customer: "scoped" })
    await reader.close()
  })
})

describe("close", () => {
  it("sends what is queued, answers it, then refuses new sends with closed", async () => {
    const { key, id: tenant } = ws.tenants[0]!
    // A long interval: only close() can make these events leave.
    const client = createClient({ url, key, tenant, flushIntervalMs: 3_600_000 })
    const queued: Array<Promise<SendResult>> = []
    for (let i = 0; i < 5; i++) queued.push(client.send(kind, { customer: "closing", context: { ootb_city: `c${i}` } }))
    await client.close()
    const settled = await Promise.allSettled(queued)
    expect(settled.map((s) => s.status === "fulfilled" && s.value.status)).toEqual(Array(5).fill("accepted"))
    const refused = await client.send(kind, { customer: "closing" }).catch((e: unknown) => e)
    expect(refused).toBeInstanceOf(ClientError)
    expect(refused).toMatchObject({ code: "closed" })
    let stored = 0
    for await (const _ of client.events("closing")) stored++
    expect(stored).toBe(5)
  })

  it("an option out of range is a ClientError invalid_option naming it", () => {
    expect(() => createClient({ url, key: "k", tenant: 567, maxBatchEvents: 501 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: "/maxBatchEvents" }),
    )
    expect(() => createClient({ url, key: "k", tenant: 567, maxBatchBytes: 2 * 1024 * 1024 })).toThrow(
      expect.objectContaining({ code: "invalid_option", path: "/maxBatchBytes" }),
    )
  })
})
