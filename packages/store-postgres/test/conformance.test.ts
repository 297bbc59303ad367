import type { IngestStore } from "@cdp/ingest"
import { storeConformance } from "@cdp/testkit"
import { afterAll } from "vitest"
import { openPostgresStore } from "../src/openPostgresStore.ts"
import { adminClient, dropSchema, freshSchema, installFaultTrigger, postgresUrl, setFault } from "./support.ts"

const admin = adminClient()
afterAll(() => admin.end())

// The real server, a fresh schema per test; a trigger fails the insert of a
// poisoned event inside the statement that carries it.
storeConformance(
  "postgres",
  async () => {
    const schema = freshSchema("conformance")
    const store = await openPostgresStore(postgresUrl, { schema })
    await installFaultTrigger(admin, schema)
    // injectFault is synchronous; appends made meanwhile wait for the fault to be set.
    let pending: Promise<void> | undefined
    const wrapped: IngestStore = {
      ...store,
      append: (events) => (pending === undefined ? store.append(events) : pending.then(() => store.append(events))),
    }
    return {
      store: wrapped,
      reopen: () => openPostgresStore(postgresUrl, { schema }),
      cleanup: () => dropSchema(admin, schema),
      injectFault: (id) => {
        const setting = setFault(admin, schema, id).then(() => {
          if (pending === setting) pending = undefined
        })
        pending = setting
      },
    }
  },
  {
    durable: true,
    faultInjection: true,
    propertyRuns: 60,
    without: {
      "io-error": "the server's disk cannot be made to fail from a client (a failed insert is injectFault's trigger)",
      "disk-full": "the server's disk cannot be filled from a client",
      locked: "the store sets no lock_timeout: a write waits for a held lock instead of failing",
      "read-only": "a server made read-only applies to new sessions only, not to the store's open connections",
    },
  },
)
