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

  it("with launchAt, hands the queue over as soon as that many events wait, without the schedule", async () => {
    const h = harness()
    const q = makeGroupCommit(h.commit, { schedule: h.schedule, launchAt: 3, maxInFlight: Number.POSITIVE_INFINITY })
    const a = q.submit(batch("a1", "a2"))
    expect(h.groups).toEqual([])
    const b = q.submit(batch("b1"))
    // Three events waited: launched at once, while the scheduled run is still pending.
    expect(h.groups).toEqual([[["a1", "a2"], ["b1"]]])
    const c = q.submit(batch("c1", "c2", "c3", "c4"))
    expect(h.groups).toEqual([[["a1", "a2"], ["b1"]], [["c1", "c2", "c3", "c4"]]])
    const d = q.submit(batch("d1"))
    expect(h.groups).toHaveLength(2)
    // The pending scheduled run takes what is left.
    for (const run of h.scheduled.splice(0)) run()
    expect(h.groups).toEqual([[["a1", "a2"], ["b1"]], [["c1", "c2", "c3", "c4"]], [["d1"]]])
    for (const r of h.release.splice(0)) r()
    expect(await Promise.all([a, b, c, d])).toEqual([
      ["accepted", "accepted"],
      ["accepted"],
      ["accepted", "accepted", "accepted", "accepted"],
      ["accepted"],
    ])
    await q.drain()
  })

  it("drains when a launchAt launch emptied the queue before the scheduled run came", async () => {
    const scheduled: Array<() => void> = []
    const q = makeGroupCommit((batches) => batches.map(accepted), {
      schedule: (run) => {
        scheduled.push(run)
      },
      launchAt: 2,
    })
    const a = q.submit(batch("a"))
    const b = q.submit(batch("b"))
    await Promise.all([a, b])
    expect(scheduled).toHaveLength(1)
    let drained = false
    const drain = q.drain().then(() => {
      drained = true
    })
    await new Promise((r) => setTimeout(r, 0))
    expect(drained).toBe(true)
    for (const run of scheduled.splice(0)) run()
    await drain
    expect(q.size()).toBe(0)
  })

  it("with launchAt, still keeps to maxInFlight: a full pipe makes the queue wait", async () => {
    const h = harness()
    const q = makeGroupCommit(h.commit, { schedule: h.schedule, launchAt: 1, maxInFlight: 1 })
    const a = q.submit(batch("a"))
    const b = q.submit(batch("b"))
    const c = q.submit(batch("c"))
    expect(h.groups).toEqual([[["a"]]])
    h.release.shift()!()
    await a
    await new Promise((r) => setTimeout(r, 0))
    // The next group forms from everything that waited meanwhile.
    expect(h.groups).toEqual([[["a"]], [["b"], ["c"]]])
    h.release.shift()!()
    await Promise.all([b, c])
    await q.drain()
  })
})
