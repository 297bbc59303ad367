/**
 * The store conformance suite inside workerd, against the real Durable
 * Object store: the Worker's fan-out store over the `INGEST_OBJECTS`
 * namespace, each customer's object on SQLite storage. `reopen` resets
 * every object (their in-memory state is gone) and opens a new store on
 * the same namespace, whose objects must read everything back from storage.
 */

import { abortAllDurableObjects } from "cloudflare:test"
import { env } from "cloudflare:workers"
import type { IngestStore } from "@cdp/ingest/StorePort.ts"
import type { IngestObjectNamespace } from "@cdp/store-sqlite/durable-object"
import { makeDurableObjectStore } from "@cdp/store-sqlite/durable-object"
import { storeConformance } from "@cdp/testkit/storeSuite.ts"
import type { Env } from "../src/worker.ts"
import { injectFault } from "./testWorker.ts"

const namespace = (env as unknown as Env).INGEST_OBJECTS as unknown as IngestObjectNamespace

/**
 * The test pool runs each object behind a wrapper of its own that awaits
 * (module loading, instantiation) before it hands a call to the object, so
 * that concurrent calls can overtake one another; plain workerd delivers
 * one stub's calls in order (E-order). Here each object's calls go out one
 * after the other, in the order they were made, as E-order would deliver
 * them.
 */
const inCallOrder = (store: IngestStore): IngestStore => {
  const tails = new Map<string, Promise<unknown>>()
  const object = (tenant: number, customer: string) => `${tenant}:${customer}`
  const after = <A>(names: ReadonlyArray<string>, fn: () => Promise<A>): Promise<A> => {
    const unique = [...new Set(names)]
    const previous = unique.map((name) => tails.get(name))
    const call = Promise.allSettled(previous).then(fn)
    const settled = call.then(
      () => undefined,
      () => undefined,
    )
    for (const name of unique) tails.set(name, settled)
    void settled.then(() => {
      for (const name of unique) if (tails.get(name) === settled) tails.delete(name)
    })
    return call
  }
  return {
    append: (events) =>
      after(
        events.map((e) => object(e.tenant, e.customer)),
        () => store.append(events),
      ),
    getProfile: (tenant, customer) => after([object(tenant, customer)], () => store.getProfile(tenant, customer)),
    listEvents: (tenant, customer, options) =>
      after([object(tenant, customer)], () => store.listEvents(tenant, customer, options)),
    eraseCustomer: (tenant, customer) => after([object(tenant, customer)], () => store.eraseCustomer(tenant, customer)),
    ping: () => store.ping(),
    close: async () => {
      await Promise.allSettled([...tails.values()])
      await store.close()
    },
  }
}

const open = () => inCallOrder(makeDurableObjectStore(namespace))

storeConformance(
  "durable objects",
  async () => ({
    store: open(),
    reopen: async () => {
      await abortAllDurableObjects()
      return open()
    },
    injectFault,
    cleanup: async () => injectFault(undefined),
  }),
  { durable: true, faultInjection: true, batchAtomicity: "per-customer", propertyRuns: 50 },
)
