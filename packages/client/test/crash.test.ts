/**
 * The client against the real Node service on SQLite while the service is
 * SIGKILLed and restarted on the same database file: thousands of events go
 * through one client, every `send` resolves, and the events route holds
 * every event exactly once, with the id its `send` answered.
 */
import { makeWorkspace, type ServerProcess, type Workspace } from "@cdp/testkit"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createClient, type ErrorNotice, type SendResult } from "../src/index.ts"
import { freePort, startNodeService } from "./support/nodeService.ts"

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let ws: Workspace
let port: number
let service: ServerProcess | undefined
/** Every process started, so that none outlives the file even if the test ends mid-restart. */
const started: Array<ServerProcess> = []
const start = async () => {
  service = await startNodeService(ws, port)
  started.push(service)
}

beforeAll(async () => {
  ws = await makeWorkspace("client-crash")
  port = await freePort()
  await start()
})

afterAll(async () => {
  try {
    await Promise.all(started.map((s) => s.stop("SIGKILL")))
  } finally {
    await ws?.remove()
  }
})

it("crash: 3,000 events through one client while the service is SIGKILLed 3 times: every send resolves, each event stored once", async () => {
  const { key, id: tenant } = ws.tenants[0]!
  const notices: Array<ErrorNotice> = []
  const client = createClient({
    url: `http://127.0.0.1:${port}`,
    key,
    tenant,
    maxBatchEvents: 50,
    flushIntervalMs: 5,
    maxAttempts: 1000,
    maxRetryTimeMs: 120_000,
    baseDelayMs: 20,
    maxDelayMs: 500,
    onError: (n) => notices.push(n),
  })
  const total = 3000
  const customers = 25
  const customerOf = (i: number) => `crash-customer-${i % customers}`
  const cityOf = (i: number) => `city-${i}`
  const sends: Array<Promise<SendResult>> = []

  let settled = 0
  // The senders: 10 events every 20 ms.
  const sending = (async () => {
    for (let i = 0; i < total; i++) {
      const sent = client.send("ootb_user_details_update", {
        customer: customerOf(i),
        context: { ootb_city: cityOf(i) },
      })
      sends.push(sent)
      void sent.finally(() => settled++).catch(() => {})
      if (i % 10 === 9) await sleep(20)
    }
  })()
  // The killer: SIGKILL at a quarter, half and three quarters of the sends, restart on the same file
  // and port; the senders go on meanwhile, so events are waiting while the service is down.
  const unansweredAtKill: Array<number> = []
  for (let k = 1; k <= 3; k++) {
    while (sends.length < (k * total) / 4) await sleep(5)
    await service?.stop("SIGKILL")
    await sleep(50)
    unansweredAtKill.push(sends.length - settled)
    await start()
  }
  await sending
  const results = await Promise.allSettled(sends)
  await client.close()

  // During each outage, events were sent and waited for the service.
  expect(unansweredAtKill.filter((n) => n > 0).length).toBe(3)
  expect(sends.length).toBe(total)
  expect(results.filter((r) => r.status === "rejected")).toEqual([])
  const answered = results.map((r) => (r as PromiseFulfilledResult<SendResult>).value)
  expect(answered.every((r) => r.status === "accepted" || r.status === "duplicate")).toBe(true)
  // The kills happened under traffic: some requests were retried.
  expect(notices.some((n) => n.type === "retry" && n.code === "network_error")).toBe(true)
  expect(notices.filter((n) => n.type === "failed")).toEqual([])

  // Read back through the events route: each customer's events are exactly the ones sent.
  const reader = createClient({ url: `http://127.0.0.1:${port}`, key, tenant })
  for (let c = 0; c < customers; c++) {
    const customer = customerOf(c)
    const stored: Array<{ id: string; city: unknown }> = []
    for await (const e of reader.events(customer)) stored.push({ id: e.id, city: e.context["ootb_city"] })
    const expected = Array.from({ length: total }, (_, i) => i)
      .filter((i) => i % customers === c)
      .map((i) => ({ id: answered[i]!.id, city: cityOf(i) }))
    const byCity = (a: { city: unknown }, b: { city: unknown }) => String(a.city).localeCompare(String(b.city))
    expect(stored.sort(byCity)).toEqual(expected.sort(byCity))
  }
  // The hook never saw a customer id or a value.
  const told = JSON.stringify(notices)
  expect(told).not.toMatch(/crash-customer|city-/)
})
