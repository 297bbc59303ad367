import { StoreError } from "@cdp/store"
import { storeConformance } from "@cdp/testkit"
import { describe, expect, it } from "vitest"
import { makeMemoryStore } from "../src/MemoryStore.ts"

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

describe("the memory store", () => {
  it("keeps a key named __proto__ in the profile as an attribute of its own", async () => {
    const store = makeMemoryStore()
    const T0 = "2024-05-27 10:30:00.000000 UTC"
    const context = JSON.parse('{"__proto__": "x"}') as Record<string, unknown>
    await store.append([{ tenant: 567, customer: "c", id: "e1", event: "e", timestamp: T0, receivedAt: T0, context }])
    expect(JSON.stringify((await store.getProfile(567, "c"))?.attributes)).toBe('{"__proto__":"x"}')
    await store.close()
  })
})
