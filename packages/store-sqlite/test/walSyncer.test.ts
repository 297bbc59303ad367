import { writeFileSync } from "node:fs"
import { MessageChannel, type MessagePort } from "node:worker_threads"
import { StoreError } from "@cdp/store"
import { makeEvent } from "@cdp/testkit"
import { describe, expect, it } from "vitest"
import { betterSqliteThreads } from "../src/drivers/better-sqlite3.ts"
import type { Reply, ThreadMessage, WalSyncerData } from "../src/threads/protocol.ts"
import { openSqliteStoreOnWorker } from "../src/threads/SqliteWorkerStore.ts"
import { scratch } from "./support.ts"

const { cleanups, temp } = scratch()

const startWalSyncer = (data: WalSyncerData) => betterSqliteThreads.startSyncer!(data)

/** A syncer of `walPath`, fed through a channel as the database thread feeds it. */
const syncer = (walPath: string) => {
  const thread = startWalSyncer({ walPath })
  const { port1, port2 } = new MessageChannel()
  thread.post({ port: port1 }, [port1])
  const exited = new Promise<void>((resolve) => thread.onExit(() => resolve()))
  cleanups.push(async () => {
    thread.post("close")
    await exited
    port2.close()
  })
  const received: Reply[][] = []
  thread.onMessage((message: ThreadMessage) => {
    expect(message.type).toBe("replies")
    if (message.type === "replies") received.push([...message.replies])
  })
  const pass = async (replies: Reply[]): Promise<Reply[]> => {
    const before = received.length
    ;(port2 as MessagePort).postMessage(replies)
    for (let waited = 0; received.length === before; waited++) {
      if (waited > 500) throw new Error("the syncer did not answer")
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    return received.splice(before).flat()
  }
  return { pass, exited, thread }
}

describe("WAL syncer", () => {
  it("passes replies on, unchanged, once the WAL is synced", async () => {
    const path = await temp()
    writeFileSync(`${path}-wal`, "frames")
    const { pass } = syncer(`${path}-wal`)
    const replies: Reply[] = [
      { id: 1, ok: true, value: [{ ok: true, statuses: ["accepted"] }] },
      { id: 2, ok: false, error: { name: "StoreError", message: "x", storeCode: "unavailable" } },
    ]
    expect(await pass(replies)).toEqual(replies)
    expect(await pass([{ id: 3, ok: true, value: true }])).toEqual([{ id: 3, ok: true, value: true }])
  })

  it("passes replies on when there is no WAL yet (nothing written, nothing to sync)", async () => {
    const path = await temp()
    const { pass } = syncer(`${path}-wal`)
    expect(await pass([{ id: 1, ok: true, value: false }])).toEqual([{ id: 1, ok: true, value: false }])
  })

  it("fails the replies of a failed sync, and every later one, as unavailable", async () => {
    // fdatasync of a character device fails (EINVAL), as a failing disk's would.
    const { pass } = syncer("/dev/null")
    const failed = await pass([
      { id: 1, ok: true, value: [] },
      { id: 2, ok: true, value: [] },
    ])
    expect(failed.map((r) => [r.id, r.ok])).toEqual([
      [1, false],
      [2, false],
    ])
    const error = (failed[0] as Extract<Reply, { ok: false }>).error
    expect(error.storeCode).toBe("unavailable")
    expect(error.message).toMatch(/write-ahead log could not be synced/)
    expect((await pass([{ id: 3, ok: true, value: [] }])).map((r) => [r.id, r.ok])).toEqual([[3, false]])
  })
})

describe("store with a WAL syncer", () => {
  const open = async (startSyncer = startWalSyncer) => {
    const path = await temp()
    const store = await openSqliteStoreOnWorker({ ...betterSqliteThreads, startSyncer }, path)
    cleanups.push(() => store.close())
    return store
  }
  const batch = (customer: string, size: number) =>
    Array.from({ length: size }, (_, i) => makeEvent({ customer, timestamp: i }))

  it("answers large groups through the syncer and small ones from the database thread", async () => {
    // The syncer of a WAL that cannot be synced: what goes through it fails.
    const store = await open((data) => startWalSyncer({ ...data, walPath: "/dev/null" }))
    await expect(store.append(batch("large", 100))).rejects.toSatisfy(
      (e) => e instanceof StoreError && e.code === "unavailable",
    )
    expect(await store.append(batch("small", 3))).toEqual(["accepted", "accepted", "accepted"])
    expect((await store.getProfile(567, "small"))?.customer).toBe("small")
  })

  it("stores and answers large and small groups alike with a working syncer", async () => {
    const store = await open()
    const large = batch("large", 300)
    const results = await Promise.all([store.append(large), store.append(batch("small", 2))])
    expect(results[0]).toEqual(large.map(() => "accepted"))
    expect(results[1]).toEqual(["accepted", "accepted"])
    expect(await store.append(large.slice(0, 70))).toEqual(large.slice(0, 70).map(() => "duplicate"))
    expect((await store.listEvents(567, "large", { limit: 100 })).events).toHaveLength(100)
  })
})

describe("store without its WAL syncer", () => {
  it("commits every group with FULL on the database thread when the syncer cannot start", async () => {
    const path = await temp()
    const store = await openSqliteStoreOnWorker(
      {
        ...betterSqliteThreads,
        startSyncer: () => {
          throw new Error("no threads here")
        },
      },
      path,
    )
    cleanups.push(() => store.close())
    const large = Array.from({ length: 100 }, (_, i) => makeEvent({ customer: "large", timestamp: i }))
    expect(await store.append(large)).toEqual(large.map(() => "accepted"))
    expect((await store.listEvents(567, "large", { limit: 100 })).events).toHaveLength(100)
  })
})

describe("databases without a file", () => {
  it("start no WAL syncer for :memory: or SQLite's temporary database", async () => {
    const started: string[] = []
    for (const path of [":memory:", ""]) {
      const store = await openSqliteStoreOnWorker(
        {
          ...betterSqliteThreads,
          startSyncer: (data) => {
            started.push(data.walPath)
            return startWalSyncer(data)
          },
        },
        path,
      )
      cleanups.push(() => store.close())
      const batch = Array.from({ length: 70 }, (_, i) => makeEvent({ customer: "c", timestamp: i }))
      expect(await store.append(batch)).toEqual(batch.map(() => "accepted"))
    }
    expect(started).toEqual([])
  })
})
