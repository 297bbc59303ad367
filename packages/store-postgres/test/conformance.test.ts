import type { IngestStore } from "@cdp/store"
import type { StoreFault } from "@cdp/testkit"
import { storeConformance } from "@cdp/testkit"
import { afterAll } from "vitest"
import { openPostgresStore } from "../src/openPostgresStore.ts"
import {
  adminClient,
  dropSchema,
  freshSchema,
  holdTableLock,
  installFaultTrigger,
  installServerFaults,
  postgresUrl,
  setFault,
  setServerFault,
} from "./support.ts"

const admin = adminClient()
afterAll(() => admin.end())

// The store's sessions give up on a held lock after this (its default is
// 5 s), set as a deployment would: a URL parameter.
const url = `${postgresUrl}${postgresUrl.includes("?") ? "&" : "?"}lock_timeout=250ms`

// The real server, a fresh schema per test; a trigger fails the insert of a
// poisoned event inside the statement that carries it. Storage faults:
// `locked` is a lock another session holds; the others are the errors the
// server raises for them, from triggers (support.ts).
storeConformance(
  "postgres",
  async () => {
    const schema = freshSchema("conformance")
    const store = await openPostgresStore(url, { schema })
    await installFaultTrigger(admin, schema)
    await installServerFaults(admin, schema)
    // injectFault is synchronous; appends made meanwhile wait for the fault to be set.
    let pending: Promise<void> | undefined
    const wrapped: IngestStore = {
      ...store,
      append: (events) => (pending === undefined ? store.append(events) : pending.then(() => store.append(events))),
    }
    let unlock: (() => Promise<void>) | undefined
    const endFault = async (): Promise<void> => {
      const release = unlock
      unlock = undefined
      await release?.()
      await setServerFault(admin, schema, undefined)
    }
    return {
      store: wrapped,
      reopen: () => openPostgresStore(url, { schema }),
      cleanup: async () => {
        await endFault()
        await dropSchema(admin, schema)
      },
      injectFault: (id) => {
        const setting = setFault(admin, schema, id).then(() => {
          if (pending === setting) pending = undefined
        })
        pending = setting
      },
      setFault: async (fault: StoreFault | undefined) => {
        await endFault()
        if (fault === "locked") unlock = await holdTableLock(admin, schema)
        else if (fault !== undefined) await setServerFault(admin, schema, fault)
      },
    }
  },
  {
    durable: true,
    faultInjection: true,
    propertyRuns: 60,
    faults: ["io-error", "disk-full", "locked", "read-only"],
  },
)
