/**
 * Batch limits as a property: over random event sizes (every text parameter
 * of the event filled to a random length, non-ASCII included) and random
 * limits, no request the client makes holds more than `maxBatchEvents`
 * events or more than `maxBatchBytes` bytes (counted on the wire, by a
 * local server that records every body), every event is delivered exactly
 * once and every `send` resolves with its own event's answer. With the
 * defaults the limits are the API's: 500 events and 1 MiB.
 */
import { apiLimits } from "@cdp/api"
import fc from "fast-check"
import { afterAll, beforeAll, expect, it } from "vitest"
import { createClient, type SendInput } from "../src/index.ts"
import { acceptAll, type LocalServer, startLocalServer } from "./support/localServer.ts"

/** The text parameters of ootb_user_details_update that take any string of up to 255 characters. */
const textFields = [
  "ootb_registration_source",
  "ootb_gender",
  "ootb_city",
  "ootb_address",
  "ootb_first_name",
  "ootb_last_name",
  "ootb_brand",
  "ootb_alias",
  "ootb_referral_type",
  "ootb_affiliate_id",
  "ootb_platform",
  "ootb_promo_code",
  "ootb_license",
] as const

let server: LocalServer
let received: Array<{ events: number; bytes: number; customers: Array<string> }> = []

beforeAll(async () => {
  server = await startLocalServer(({ body }) => {
    const events = JSON.parse(body.toString("utf8")) as Array<{ customer: string }>
    received.push({ events: events.length, bytes: body.length, customers: events.map((e) => e.customer) })
    // The id the answer gives is the event's own customer field: each send must get its own back.
    return acceptAll(body, (e) => (e as { customer: string }).customer)
  })
})

afterAll(async () => {
  await server?.close()
})

/** One event: each text parameter present or not, at a random length, of a random character (1 to 4 bytes). */
const eventArb = fc.record(
  Object.fromEntries(
    textFields.map((f) => [
      f,
      fc.option(
        fc.tuple(fc.integer({ min: 0, max: 255 }), fc.constantFrom("a", "é", "€", "😀")).map(([n, ch]) =>
          // A string of n characters (an emoji is one character of 2 UTF-16 units, hence the slicing by code points).
          [...ch.repeat(n)].slice(0, n).join(""),
        ),
        { nil: undefined },
      ),
    ]),
  ),
)

let nearBytes = 0
let fullCount = 0

it("batch limits: no request over maxBatchEvents or maxBatchBytes; every event delivered once, each send its own answer", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(eventArb, { minLength: 1, maxLength: 1200, size: "max" }),
      fc.option(fc.integer({ min: 1, max: apiLimits.maxBatch }), { nil: undefined }),
      fc.option(fc.integer({ min: 16 * 1024, max: apiLimits.maxBodyBytes }), { nil: undefined }),
      async (contexts, maxBatchEvents, maxBatchBytes) => {
        received = []
        const client = createClient({
          url: server.url,
          key: "k",
          tenant: 567,
          flushIntervalMs: 1,
          ...(maxBatchEvents === undefined ? {} : { maxBatchEvents }),
          ...(maxBatchBytes === undefined ? {} : { maxBatchBytes }),
        })
        const results = await Promise.all(
          contexts.map((context, i) => {
            const defined = Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined))
            const input = { customer: `c${i}`, context: defined } as SendInput<"ootb_user_details_update">
            return client.send("ootb_user_details_update", input)
          }),
        )
        await client.close()
        const eventsLimit = maxBatchEvents ?? 500
        const bytesLimit = maxBatchBytes ?? 1024 * 1024
        if (received.some((r) => r.bytes > bytesLimit - 8 * 1024)) nearBytes++
        if (received.some((r) => r.events === eventsLimit)) fullCount++
        for (const r of received) {
          expect(r.events).toBeLessThanOrEqual(eventsLimit)
          expect(r.bytes).toBeLessThanOrEqual(bytesLimit)
        }
        expect(received.flatMap((r) => r.customers).sort()).toEqual(contexts.map((_, i) => `c${i}`).sort())
        expect(results.map((r) => r.id)).toEqual(contexts.map((_, i) => `c${i}`))
      },
    ),
    { numRuns: 40 },
  )
  // The runs reached both limits, so both were tested.
  expect(nearBytes).toBeGreaterThan(0)
  expect(fullCount).toBeGreaterThan(0)
})
