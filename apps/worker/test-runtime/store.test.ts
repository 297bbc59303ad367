/**
 * The store conformance suite inside workerd, against the real Durable
 * Object store: the Worker's fan-out store over the `INGEST_OBJECTS`
 * namespace, each customer's object on SQLite storage. `reopen` resets
 * every object (their in-memory state is gone) and opens a new store on
 * the same namespace, whose objects must read everything back from storage.
 */

import { abortAllDurableObjects } from "cloudflare:test"
import { env } from "cloudflare:workers"
import type { IngestObjectNamespace } from "@cdp/store-sqlite/durable-object"
import { makeDurableObjectStore } from "@cdp/store-sqlite/durable-object"
import { storeConformance } from "@cdp/testkit/storeSuite.ts"
import type { Env } from "../src/worker.ts"
import { injectFault } from "./testWorker.ts"

const namespace = (env as unknown as Env).INGEST_OBJECTS as unknown as IngestObjectNamespace

const open = () => makeDurableObjectStore(namespace)

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
