/**
 * The order in which the Durable Object store's calls reach each object,
 * under a delivery that reorders them (as the vitest pool's object wrapper
 * can, by awaiting before it hands each call over): with one stub per store,
 * each object sees its calls in the order they were made; with one stub per
 * call, calls do not wait for one another. The whole store on real objects
 * runs in workerd (apps/worker, project worker-workerd).
 */
import { StoreError } from "@cdp/store"
import { makeEvent } from "@cdp/testkit"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { EncodedEvents } from "../src/core/encodeEvents.ts"
import {
  type IngestObjectNamespace,
  type IngestObjectReply,
  type IngestObjectStub,
  makeDurableObjectStore,
} from "../src/drivers/durable-object.ts"

/** The ids of an encoded batch. */
const idsOf = (batch: EncodedEvents): Array<string> => [...batch.id]

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/**
 * A namespace of objects that record what reaches them, each call delivered
 * after the delay `delay()` picks, so that later calls may overtake earlier
 * ones. `inFlight` is the most calls one object had in flight at once.
 */
const reorderingNamespace = (delay: () => number) => {
  const seen = new Map<string, Array<string>>()
  let inFlight = 0
  let maxInFlight = 0
  const stubFor = (name: string): IngestObjectStub => {
    const deliver = async <A>(label: string, value: A): Promise<IngestObjectReply<A>> => {
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      try {
        await sleep(delay())
        const log = seen.get(name) ?? []
        seen.set(name, log)
        log.push(label)
        return { ok: true, value }
      } finally {
        inFlight--
      }
    }
    return {
      append: (batch) => {
        const ids = idsOf(batch)
        return deliver(
          `append ${ids.join(",")}`,
          ids.map(() => "accepted" as const),
        )
      },
      getProfile: (_tenant, customer) => deliver(`getProfile ${customer}`, undefined),
      listEvents: (_tenant, customer) => deliver(`listEvents ${customer}`, { events: [], next: null }),
      eraseCustomer: (_tenant, customer) => deliver(`eraseCustomer ${customer}`, false),
      ping: () => deliver("ping", null),
    }
  }
  const namespace: IngestObjectNamespace<string> = { idFromName: (name) => name, get: stubFor }
  return { namespace, seen, maxInFlight: () => maxInFlight }
}

describe("makeDurableObjectStore: call order per object", () => {
  it("delivers each object's calls in call order, whatever the delivery delays (per-store stubs)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 8, maxLength: 40 }),
        fc.array(fc.nat({ max: 2 }), { minLength: 8, maxLength: 40 }),
        async (delays, customerOf) => {
          let d = 0
          const { namespace, seen } = reorderingNamespace(() => delays[d++ % delays.length]!)
          const store = makeDurableObjectStore(namespace)
          const customers = ["a", "b", "c"]
          const expected = new Map<string, Array<string>>()
          const calls = customerOf.map((c, i) => {
            const customer = customers[c]!
            const name = `567:${customer}`
            const log = expected.get(name) ?? []
            expected.set(name, log)
            if (i % 5 === 4) {
              log.push(`getProfile ${customer}`)
              return store.getProfile(567, customer)
            }
            // a batch of two customers: one call to each object
            const other = customers[(c + 1) % 3]!
            const events = [makeEvent({ customer }), makeEvent({ customer: other }), makeEvent({ customer })]
            log.push(`append ${events[0]!.id},${events[2]!.id}`)
            const otherLog = expected.get(`567:${other}`) ?? []
            expected.set(`567:${other}`, otherLog)
            otherLog.push(`append ${events[1]!.id}`)
            return store.append(events)
          })
          await Promise.all(calls)
          await store.close()
          expect(Object.fromEntries(seen)).toEqual(Object.fromEntries(expected))
        },
      ),
      { numRuns: 40 },
    )
  })

  it("lets calls to one object overlap with per-call stubs", async () => {
    const { namespace, seen, maxInFlight } = reorderingNamespace(() => 5)
    const store = makeDurableObjectStore(namespace, { stubs: "per-call" })
    await Promise.all(Array.from({ length: 5 }, () => store.append([makeEvent({ customer: "a" })])))
    await store.close()
    expect(seen.get("567:a")).toHaveLength(5)
    expect(maxInFlight()).toBe(5)
  })

  it("sends the next call after a failed one, on a fresh stub", async () => {
    let stubs = 0
    const log: Array<string> = []
    const namespace: IngestObjectNamespace<string> = {
      idFromName: (name) => name,
      get: () => {
        const stub = ++stubs
        const ping = async (): Promise<IngestObjectReply<null>> => {
          await sleep(stub === 1 ? 5 : 0)
          log.push(`ping on stub ${stub}`)
          if (stub === 1) throw new Error("connection lost")
          return { ok: true, value: null }
        }
        return { ping } as unknown as IngestObjectStub
      },
    }
    const store = makeDurableObjectStore(namespace)
    const outcomes = await Promise.allSettled([store.ping(), store.ping()])
    expect(outcomes[0]).toMatchObject({ status: "rejected", reason: expect.any(StoreError) })
    expect(outcomes[1]).toEqual({ status: "fulfilled", value: undefined })
    expect(log).toEqual(["ping on stub 1", "ping on stub 2"])
    await store.close()
  })
})
