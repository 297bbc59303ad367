/**
 * `@cdp/client` inside workerd (the runtime of Cloudflare Workers), sending
 * through workerd's own `fetch` to a real service over the network: the
 * Node service the project's global setup starts (`test/nodeServiceSetup.ts`).
 * The testkit's `clientInRuntime` suite (the one Bun and Deno run too), and
 * the edge pattern of the client's README as written: a fetch handler
 * queues an event, returns its response at once and hands `client.flush()`
 * to `ctx.waitUntil`; the event is stored once the context's waits are over.
 */

import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test"
import { createClient, type SendResult } from "@cdp/client"
import { clientInRuntime } from "@cdp/testkit/portable"
import { expect, inject, it } from "vitest"
import type {} from "./clientService.ts"

const service = inject("clientService")

clientInRuntime("workerd", () => ({ createClient, service }))

it("a Worker's fetch handler answers at once; ctx.waitUntil(client.flush()) delivers its event", async () => {
  const customer = `workerd-edge-${crypto.randomUUID()}`
  let sent: Promise<SendResult> | undefined
  const handler = {
    async fetch(request: Request, env: { INGEST_KEY: string }, ctx: ExecutionContext): Promise<Response> {
      const client = createClient({ url: service.url, key: env.INGEST_KEY, tenant: service.tenant })
      const { customer } = (await request.json()) as { customer: string }
      sent = client.send("ootb_user_details_update", { customer, context: { ootb_city: "NYC" } })
      sent.catch(() => {})
      ctx.waitUntil(client.flush())
      return new Response("ok")
    },
  }
  const ctx = createExecutionContext()
  const response = await handler.fetch(
    new Request("http://worker.test/", { method: "POST", body: JSON.stringify({ customer }) }),
    { INGEST_KEY: service.sendKey },
    ctx,
  )
  expect(await response.text()).toBe("ok")
  await waitOnExecutionContext(ctx)
  const result = await sent
  expect(result?.status).toBe("accepted")
  const reader = createClient({ url: service.url, key: service.key, tenant: service.tenant })
  const ids: Array<string> = []
  for await (const event of reader.events(customer)) ids.push(event.id)
  expect(ids).toEqual([result?.id])
})
