import { faultsThrough, storeConformance } from "@cdp/testkit"
import {
  openBetterSqliteStore,
  openBetterSqliteStoreInThread,
  openBetterSqliteStoreOnWorker,
} from "../src/drivers/better-sqlite3.ts"
import { tempDatabase } from "./support.ts"

/** Faults in the connection; a short busy timeout, so that a held lock fails a write soon. */
const faultOptions = { faultInjection: true, busyTimeoutMs: 250 } as const
const faults = ["io-error", "disk-full", "locked", "read-only"] as const

// On the caller's thread.
storeConformance(
  "better-sqlite3 (caller's thread)",
  async () => {
    const { path, remove } = await tempDatabase()
    const store = openBetterSqliteStoreInThread(path, faultOptions)
    return {
      store,
      reopen: () => openBetterSqliteStore(path, { worker: false }),
      cleanup: remove,
      ...faultsThrough(store.injectFault!),
    }
  },
  { durable: true, faultInjection: true, faults, propertyRuns: 60 },
)

// On a database thread, as the Node app runs it: the faults are caused there.
storeConformance(
  "better-sqlite3 (database thread)",
  async () => {
    const { path, remove } = await tempDatabase()
    const store = await openBetterSqliteStoreOnWorker(path, faultOptions)
    return {
      store,
      reopen: () => openBetterSqliteStore(path, { worker: true }),
      cleanup: remove,
      ...faultsThrough(store.injectFault!),
    }
  },
  { durable: true, faultInjection: true, faults, propertyRuns: 60 },
)
