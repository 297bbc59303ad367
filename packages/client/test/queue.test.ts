/**
 * The cap on unanswered events (`maxQueue`): a local server holds every
 * request open until the test lets it answer, so the events stay
 * unanswered. At the cap, `send` rejects at once with `queue_full` and
 * nothing is dropped: every event queued before resolves once the server
 * answers, and sends are taken again. And when batches leave: full at once,
 * otherwise after `flushIntervalMs`, or at `flush()`.
 */
import { afterAll, beforeAll, expect, it } from "vitest"
import { ClientError, createClient, type SendResult } from "../src/index.ts"
import { acceptAll, type LocalServer, type Reply, startLocalServer } from "./support/localServer.ts"

let server: LocalServer
const held: Array<() => void> = []
let bodies = 0

beforeAll(async () => {
  server = await startLocalServer(
    ({ body }) =>
      new Promise<Reply>((resolve) => {
        bodies += (JSON.parse(body.toString("utf8")) as Array<unknown>).length
        held.push(() => resolve(acceptAll(body, (e) => (e as { customer: string }).customer)))
      }),
  )
})

afterAll(async () => {
  for (const release of held) release()
  await server?.close()
})

const until = async (condition: () => boolean) => {
  const deadline = Date.now() + 10_000
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition never held")
    await new Promise((r) => setTimeout(r, 5))
  }
}

it("queue cap: at maxQueue unanswered events send rejects at once with queue_full; nothing queued is lost", async () => {
  const client = createClient({
    url: server.url,
    key: "k",
    tenant: 567,
    maxQueue: 30,
    maxBatchEvents: 10,
    flushIntervalMs: 1,
  })
  const accepted: Array<Promise<SendResult>> = []
  for (let i = 0; i < 30; i++) accepted.push(client.send("ootb_user_details_update", { customer: `q${i}` }))
  // Three requests of 10 are in flight, held by the server: 30 events unanswered.
  await until(() => held.length === 3)
  // Rejected while every request is still held: it waited for no answer.
  const refused = await client.send("ootb_user_details_update", { customer: "over" }).catch((e: unknown) => e)
  expect(held.length).toBe(3)
  expect(refused).toBeInstanceOf(ClientError)
  expect(refused).toMatchObject({ code: "queue_full" })
  expect(bodies).toBe(30)

  for (const release of held.splice(0)) release()
  const results = await Promise.all(accepted)
  expect(results.every((r) => r.status === "accepted")).toBe(true)
  // Each send got its own event's answer.
  expect(results.map((r) => r.id)).toEqual(Array.from({ length: 30 }, (_, i) => `q${i}`))
  // Answered: room again.
  const again = client.send("ootb_user_details_update", { customer: "after" })
  await until(() => held.length === 1)
  for (const release of held.splice(0)) release()
  await expect(again).resolves.toEqual({ status: "accepted", id: "after" })
  await client.close()
  expect(bodies).toBe(31)
})

it("flushIntervalMs: a batch that is not full leaves after the interval; a full one at once; flush() sends at once", async () => {
  const arrivals: Array<{ at: number; events: number }> = []
  const recorder = await startLocalServer(({ body }) => {
    arrivals.push({ at: performance.now(), events: (JSON.parse(body.toString("utf8")) as Array<unknown>).length })
    return acceptAll(body, (e) => (e as { customer: string }).customer)
  })
  try {
    const client = createClient({ url: recorder.url, key: "k", tenant: 567, maxBatchEvents: 5, flushIntervalMs: 300 })
    let started = performance.now()
    await client.send("ootb_user_details_update", { customer: "lonely" })
    expect(arrivals).toHaveLength(1)
    expect(arrivals[0]!.at - started).toBeGreaterThanOrEqual(295)

    started = performance.now()
    await Promise.all(
      Array.from({ length: 5 }, (_, i) => client.send("ootb_user_details_update", { customer: `full${i}` })),
    )
    expect(arrivals[1]).toMatchObject({ events: 5 })
    expect(arrivals[1]!.at - started).toBeLessThan(200)

    started = performance.now()
    const pending = client.send("ootb_user_details_update", { customer: "flushed" })
    await client.flush()
    expect(arrivals[2]).toMatchObject({ events: 1 })
    expect(arrivals[2]!.at - started).toBeLessThan(200)
    await expect(pending).resolves.toEqual({ status: "accepted", id: "flushed" })
    await client.close()
  } finally {
    await recorder.close()
  }
})
