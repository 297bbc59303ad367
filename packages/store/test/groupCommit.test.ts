import { describe, expect, it } from "vitest"
import { type BatchOutcome, makeGroupCommit } from "../src/groupCommit.ts"
import type { AppendStatus, NewEvent } from "../src/StorePort.ts"

const event = (id: string): NewEvent => ({
  tenant: 1,
  customer: "c",
  id,
  event: "ootb_user_details_update",
  timestamp: "2024-05-27T10:30:00.000000Z",
  receivedAt: "2024-05-27T10:30:00.000000Z",
  context: {},
})
const batch = (...ids: string[]): ReadonlyArray<NewEvent> => ids.map(event)
const accepted = (b: ReadonlyArray<NewEvent>): BatchOutcome => ({
  ok: true,
  statuses: b.map((): AppendStatus => "accepted"),
})

/** A schedule run by hand, and a record of what `commit` received. */
const harness = () => {
  const scheduled: Array<() => void> = []
  const groups: Array<ReadonlyArray<ReadonlyArray<string>>> = []
  const release: Array<() => void> = []
  const commit = (batches: ReadonlyArray<ReadonlyArray<NewEvent>>) => {
    groups.push(batches.map((b) => b.map((e) => e.id)))
    return new Promise<ReadonlyArray<BatchOutcome>>((resolve) => {
      release.push(() => resolve(batches.map(accepted)))
    })
  }
  return {
    scheduled,
    groups,
    release,
    commit,
    schedule: (run: () => void) => {
      scheduled.push(run)
    },
  }
}

describe("makeGroupCommit", () => {
  it("commits the calls of one turn together, in order, and each settles after its commit", async () => {
    const h = harness()
    const q = makeGroupCommit(h.commit, { schedule: h.schedule })
    const settled: string[] = []
    const a = q.submit(batch("a1", "a2")).then(() => settled.push("a"))
    const b = q.submit(batch("b1")).then(() => settled.push("b"))
    expect(h.groups).toEqual([])
    expect(h.scheduled).toHaveLength(1)
    h.scheduled.shift()!()
    expect(h.groups).toEqual([[["a1", "a2"], ["b1"]]])
    // Calls made while a group commits wait for the next group.
    const c = q.submit(batch("c1")).then(() => settled.push("c"))
    expect(q.size()).toBe(3)
    await Promise.resolve()
    expect(settled).toEqual([])
    h.release.shift()!()
    await Promise.all([a, b])
    expect(settled).toEqual(["a", "b"])
    expect(h.groups).toEqual([[["a1", "a2"], ["b1"]], [["c1"]]])
    h.release.shift()!()
    await c
    await q.drain()
    expect(q.size()).toBe(0)
  })

  it("keeps a group within maxEventsPerCommit, but sends a larger batch whole", async () => {
    const h = harness()
    const q = makeGroupCommit(h.commit, { schedule: h.schedule, maxEventsPerCommit: 3, maxInFlight: 5 })
    const all = [
      q.submit(batch("a", "b")),
      q.submit(batch("c", "d")),
      q.submit(batch("e", "f", "g", "h")),
      q.submit(batch("i")),
    ]
    h.scheduled.shift()!()
    expect(h.groups).toEqual([[["a", "b"]], [["c", "d"]], [["e", "f", "g", "h"]], [["i"]]])
    for (const r of h.release.splice(0)) r()
    expect((await Promise.all(all)).map((s) => s.length)).toEqual([2, 2, 4, 1])
  })

  it("rejects only the batch whose outcome failed", async () => {
    const q = makeGroupCommit(
      (batches) =>
        batches.map((b) => (b[0]!.id === "bad" ? { ok: false as const, error: new Error("bad batch") } : accepted(b))),
      { schedule: (run) => queueMicrotask(run) },
    )
    const [good, bad, other] = await Promise.allSettled([
      q.submit(batch("x")),
      q.submit(batch("bad")),
      q.submit(batch("y", "z")),
    ])
    expect(good).toEqual({ status: "fulfilled", value: ["accepted"] })
    expect(bad).toMatchObject({ status: "rejected", reason: { message: "bad batch" } })
    expect(other).toEqual({ status: "fulfilled", value: ["accepted", "accepted"] })
  })

  it("rejects every batch of a group whose commit threw, and goes on with the next group", async () => {
    let fail = true
    const q = makeGroupCommit(
      (batches) => {
        if (fail) {
          fail = false
          throw new Error("disk full")
        }
        return batches.map(accepted)
      },
      { schedule: (run) => queueMicrotask(run) },
    )
    const first = await Promise.allSettled([q.submit(batch("a")), q.submit(batch("b"))])
    expect(first.map((r) => r.status)).toEqual(["rejected", "rejected"])
    await expect(q.submit(batch("c"))).resolves.toEqual(["accepted"])
  })
})
