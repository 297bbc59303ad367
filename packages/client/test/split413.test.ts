/**
 * 413 splitting. The service's body limit is the contract's 1 MiB, which is
 * also the client's largest batch, so the real service never answers 413 to
 * this client; a local proxy in front of it answers 413 `payload_too_large`
 * (the service's own Problem Details) to every body over 12 KiB and passes
 * the others to the real Node service. The client halves each refused batch
 * until the halves pass; every event is stored once.
 */
import { problemTitles, problemType } from "@cdp/api"
import { makeWorkspace, type ServerProcess, type Workspace } from "@cdp/testkit"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createClient } from "../src/index.ts"
import { type LocalServer, startLocalServer } from "./support/localServer.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"

const limit = 12 * 1024
let ws: Workspace
let service: ServerProcess | undefined
let proxy: LocalServer
const seen: Array<{ bytes: number; status: number }> = []

beforeAll(async () => {
  ws = await makeWorkspace("client-413")
  service = await startNodeService(ws, await freePort())
  proxy = await startLocalServer(async ({ method, url, headers, body }) => {
    if (body.length > limit) {
      seen.push({ bytes: body.length, status: 413 })
      return {
        status: 413,
        headers: { "content-type": "application/problem+json" },
        body: JSON.stringify({
          type: problemType("payload_too_large"),
          title: problemTitles.payload_too_large,
          status: 413,
          detail: `The body exceeds ${limit} bytes.`,
          code: "payload_too_large",
        }),
      }
    }
    const res = await fetch(`${service!.baseUrl}${url}`, {
      method,
      headers: {
        authorization: String(headers.authorization),
        ...(headers["content-type"] === undefined ? {} : { "content-type": String(headers["content-type"]) }),
      },
      ...(method === "GET" || method === "DELETE" ? {} : { body: new Uint8Array(body) }),
    })
    seen.push({ bytes: body.length, status: res.status })
    return {
      status: res.status,
      headers: { "content-type": res.headers.get("content-type") ?? "application/json" },
      body: Buffer.from(await res.arrayBuffer()),
    }
  })
})

afterAll(async () => {
  try {
    await proxy?.close()
    await service?.stop("SIGTERM")
  } finally {
    await ws?.remove()
  }
})

it("413: a batch refused as too large is split in halves until they pass; 300 events stored once", async () => {
  const { key, id: tenant } = ws.tenants[0]!
  const client = createClient({ url: proxy.url, key, tenant, flushIntervalMs: 20 })
  const customer = "split-customer"
  const total = 300
  const results = await Promise.all(
    Array.from({ length: total }, (_, i) =>
      client.send("ootb_user_details_update", {
        customer,
        context: { ootb_city: `city-${i}`, ootb_address: "a".repeat(250), ootb_last_name: "b".repeat(250) },
      }),
    ),
  )
  expect(results.every((r) => r.status === "accepted")).toBe(true)
  const posts = seen.filter((s) => s.bytes > 0)
  // The first batch (every event, about 190 KB) was refused, then split down to bodies of at most 12 KiB.
  expect(posts[0]?.status).toBe(413)
  expect(posts.filter((s) => s.status === 413).length).toBeGreaterThanOrEqual(7)
  for (const s of posts.filter((s) => s.status !== 413)) {
    expect(s.status).toBe(202)
    expect(s.bytes).toBeLessThanOrEqual(limit)
  }
  const cities: Array<unknown> = []
  for await (const e of client.events(customer)) cities.push(e.context["ootb_city"])
  expect(cities.sort()).toEqual(Array.from({ length: total }, (_, i) => `city-${i}`).sort())
  await client.close()
})

it("413 on a single event: its send rejects with payload_too_large, the others pass", async () => {
  const { key, id: tenant } = ws.tenants[0]!
  const client = createClient({ url: proxy.url, key, tenant, flushIntervalMs: 20 })
  // 13 text parameters of 255 four-byte characters: over 13,000 bytes of UTF-8, more than the 12 KiB.
  const big = "😀".repeat(255)
  const huge = client.send("ootb_user_details_update", {
    customer: "huge",
    context: {
      ootb_city: big,
      ootb_address: big,
      ootb_first_name: big,
      ootb_last_name: big,
      ootb_brand: big,
      ootb_alias: big,
      ootb_platform: big,
      ootb_promo_code: big,
      ootb_license: big,
      ootb_gender: big,
      ootb_referral_type: big,
      ootb_affiliate_id: big,
      ootb_registration_source: big,
    },
  })
  const small = client.send("ootb_user_details_update", { customer: "small", context: { ootb_city: "NYC" } })
  await expect(huge).rejects.toMatchObject({ name: "ClientError", code: "payload_too_large", status: 413 })
  await expect(small).resolves.toMatchObject({ status: "accepted" })
  await client.close()
})
