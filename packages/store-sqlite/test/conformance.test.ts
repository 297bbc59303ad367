import { storeConformance } from "@cdp/testkit"
import { openBetterSqliteStore } from "../src/better-sqlite3.ts"
import { makeSqliteStore } from "../src/SqliteStore.ts"
import { faultyDriver, tempDatabase } from "./support.ts"

// On the caller's thread, through a driver that can fail a write mid-batch.
storeConformance(
  "better-sqlite3 (caller's thread)",
  async () => {
    const { path, remove } = await tempDatabase()
    const { driver, state } = faultyDriver(path)
    return {
      store: makeSqliteStore(driver),
      reopen: () => openBetterSqliteStore(path, { worker: false }),
      cleanup: remove,
      injectFault: (id) => {
        state.poisoned = id
      },
    }
  },
  { durable: true, faultInjection: true, propertyRuns: 60 },
)

// On a database thread, as the Node app runs it.
storeConformance(
  "better-sqlite3 (database thread)",
  async () => {
    const { path, remove } = await tempDatabase()
    return {
      store: await openBetterSqliteStore(path, { worker: true }),
      reopen: () => openBetterSqliteStore(path, { worker: true }),
      cleanup: remove,
    }
  },
  { durable: true, propertyRuns: 60 },
)
