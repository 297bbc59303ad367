import { storeConformance } from "@cdp/testkit"
import { makeMemoryStore } from "../src/MemoryStore.ts"
import { StoreError } from "../src/StorePort.ts"

storeConformance(
  "memory",
  async () => {
    let poisoned: string | undefined
    const store = makeMemoryStore({
      beforeWrite: (event) => {
        if (event.id === poisoned) throw new StoreError("unavailable", `injected failure writing ${event.id}`)
      },
    })
    return {
      store,
      injectFault: (id) => {
        poisoned = id
      },
    }
  },
  {
    faultInjection: true,
    without: {
      durable: "its data lives in the process's memory only",
      "io-error": "no storage under it to fail (a failed write is injectFault's)",
      "disk-full": "no disk under it",
      locked: "no other connection can hold it",
      "read-only": "no file or mount under it to make read-only",
    },
  },
)
