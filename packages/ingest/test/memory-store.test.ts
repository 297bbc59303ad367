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
  { faultInjection: true },
)
