/**
 * The store conformance suite inside workerd, against the real Durable
 * Object store: the Worker's fan-out store over the `INGEST_OBJECTS`
 * namespace, each customer's object on SQLite storage. `reopen` resets
 * every object (their in-memory state is gone) and opens a new store on
 * the same namespace, whose objects must read everything back from storage.
 * Storage faults (I/O error, disk full, read-only) make every object's
 * writes throw what workerd throws for them (`testWorker.ts`).
 */

import { abortAllDurableObjects } from "cloudflare:test"
import { env } from "cloudflare:workers"
import type { IngestObjectNamespace } from "@cdp/store-sqlite/durable-object"
import { makeDurableObjectStore } from "@cdp/store-sqlite/durable-object"
import { storeConformance } from "@cdp/testkit/portable"
import type { Env } from "../src/worker.ts"
import { injectFault, setStorageFault } from "./testWorker.ts"

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
    setFault: async (fault) => {
      if (fault === "locked") throw new Error("an object's database cannot be locked by another connection")
      setStorageFault(fault)
    },
    cleanup: async () => {
      injectFault(undefined)
      setStorageFault(undefined)
    },
  }),
  {
    durable: true,
    faultInjection: true,
    batchAtomicity: "per-customer",
    propertyRuns: 50,
    faults: ["io-error", "disk-full", "read-only"],
    without: {
      locked:
        "an object's SQLite database belongs to that object alone, run on its one thread: no other connection can hold its lock",
    },
  },
)
