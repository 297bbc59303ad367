/**
 * `drainingFetch`: requests pass through untouched until `drain()`; then new
 * ones get 503 `unavailable` with `Retry-After: 1`, and `drain()` resolves
 * exactly when the last request in flight is answered, whatever the order in
 * which they finish.
 */
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { drainingFetch } from "../src/drainingFetch.ts"

const request = (i: number) => new Request(`http://service.test/r/${i}`)

/** A handler whose answers are held until `release(i)`; `answers` counts those given. */
const heldHandler = () => {
  const releases = new Map<number, () => void>()
  const handler = (req: Request) =>
    new Promise<Response>((resolve) => {
      const i = Number(new URL(req.url).pathname.split("/").pop())
      releases.set(i, () => resolve(new Response(`answer ${i}`)))
    })
  return { handler, release: (i: number) => releases.get(i)?.() }
}

const tick = () => new Promise<void>((resolve) => setTimeout(resolve, 0))

describe("drainingFetch", () => {
  it("hands each request to the app and its answer back, untouched", async () => {
    const answer = new Response("the app's")
    const seen: Array<Request> = []
    const gate = drainingFetch((req) => {
      seen.push(req)
      return answer
    })
    const req = request(1)
    expect(await gate.fetch(req)).toBe(answer)
    expect(seen).toEqual([req])
  })

  it("with nothing in flight, drain() resolves at once; later requests get 503 with Retry-After: 1", async () => {
    let calls = 0
    const gate = drainingFetch(() => {
      calls++
      return new Response("ok")
    })
    await gate.drain()
    const refused = await gate.fetch(request(1))
    expect(refused.status).toBe(503)
    expect(refused.headers.get("retry-after")).toBe("1")
    expect(refused.headers.get("content-type")).toBe("application/problem+json")
    expect(await refused.json()).toMatchObject({ status: 503, code: "unavailable" })
    expect(calls, "the app saw none of them").toBe(0)
  })

  it("a request that fails in the app still counts as finished", async () => {
    let fail: (e: Error) => void = () => {}
    const gate = drainingFetch(() => new Promise<Response>((_, reject) => (fail = reject)))
    const inFlight = gate.fetch(request(1))
    const drained = gate.drain()
    fail(new Error("store gone"))
    await expect(inFlight).rejects.toThrow("store gone")
    await drained
  })

  it("drain() resolves when the last request in flight is answered, in any order of finishing", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .integer({ min: 1, max: 12 })
          .chain((n) => fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()], { minLength: n }))),
        async ([n, order]) => {
          const held = heldHandler()
          const gate = drainingFetch(held.handler)
          const answers = Array.from({ length: n }, (_, i) => gate.fetch(request(i)))
          await tick()
          let drained = false
          const drain = gate.drain().then(() => (drained = true))
          expect(gate.drain(), "one drain, however often asked").toBe(gate.drain())
          expect((await gate.fetch(request(n))).status, "a new request while draining").toBe(503)
          for (const [k, i] of order.entries()) {
            held.release(i)
            expect(await answers[i]!.then((r) => r.text())).toBe(`answer ${i}`)
            await tick()
            expect(drained, `after ${k + 1} of ${n} answered`).toBe(k + 1 === n)
          }
          await drain
        },
      ),
      { numRuns: 50 },
    )
  })
})
