/**
 * Crash safety of the Node service on SQLite: under concurrent load, the
 * server is killed with SIGKILL at a random moment, restarted on the same
 * database, and the API must show every acknowledged event exactly once,
 * each unanswered batch all-or-nothing, and every profile equal to the
 * overwrite rule (`foldProfile`) applied to the stored events.
 *
 * Timestamps are drawn so that the oracle is exact: the microseconds of an
 * event's timestamp carry the number of the client loop that sent it, so two
 * events with the same timestamp always come from the same loop of the same
 * cycle, whose order of arrival the test knows (a loop waits for each answer
 * before it sends the next request; cycles are separated by the kill).
 * Within a loop timestamps tie often and go back and forth in time.
 */
import { foldProfile } from "@cdp/ingest"
import {
  type ApiResponse,
  bearer,
  contractTenantIds,
  getCustomer,
  type IngestBody,
  listAllEvents,
  request,
  type ServerProcess,
  TIMESTAMP_FORM,
} from "@cdp/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { integrityCheck, makeWorkspace, sleep, startService, tenantOf, type Workspace } from "./nodeService.ts"

const EVENT = "ootb_user_details_update"
const TEXT_ATTRIBUTES = ["ootb_city", "ootb_address", "ootb_first_name", "ootb_last_name", "ootb_alias", "ootb_brand"]
const CYCLES = 3
const LOOPS = 12
const CUSTOMERS = 10
const BATCH = 20
/** Distinct seconds a loop draws its timestamps from: few, so that ties are common. */
const SECONDS = 8

/**
 * A tiny seeded generator (mulberry32): `CRASH_SEED=<seed>` replays a failing
 * run's choices (not the interleaving of its loops, nor the moment of the kill).
 */
const makeRandom = (seed: number) => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number): number => Math.floor(next() * n)
  return { next, int, pick: <A>(xs: ReadonlyArray<A>): A => xs[int(xs.length)] as A }
}
type Random = ReturnType<typeof makeRandom>

const pad = (n: number, w = 2): string => String(n).padStart(w, "0")

/** The documented form of 2024-05-27 10:00:00 UTC plus `seconds` and `micros`. */
const stamp = (seconds: number, micros: number): string =>
  `2024-05-27 10:${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}.${pad(micros, 6)} UTC`
/** The same instant in RFC 3339, which the API also takes. */
const rfc3339 = (ts: string): string => `${ts.slice(0, 10)}T${ts.slice(11, 26)}Z`

/** One event as the test sent it, in the order of its loop. */
interface Sent {
  /** The event's content: equal contents get one id. */
  readonly key: string
  readonly customer: string
  /** Documented form: what the API must give back. */
  readonly timestamp: string
  readonly context: Record<string, unknown>
  /** The request that carried it (a resend is a new `Sent` of a new request). */
  readonly post: Post
  readonly wire: Record<string, unknown>
}

/** One POST of a loop. */
interface Post {
  readonly cycle: number
  readonly loop: number
  /** What the server answered: the ids and statuses, or nothing (an error, a kill). */
  answer?: { readonly status: number; readonly body: IngestBody | undefined; readonly text: string }
  unknown?: string
  readonly events: Array<Sent>
  /** For each event: `undefined` when it is fresh, else the earlier `Sent` it repeats. */
  readonly repeats: Array<Sent | undefined>
}

interface CycleStats {
  requests: number
  acknowledged: number
  unknown: number
}

describe("crash safety: SIGKILL under load, then restart on the same database", () => {
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop("SIGKILL")
    await ws?.remove()
  })

  it("keeps every acknowledged event exactly once, batches all-or-nothing, profiles by the overwrite rule", async () => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31)
    const random = makeRandom(seed)
    const tag = `seed ${seed}`
    ws = await makeWorkspace("crash")
    const tenant = tenantOf(ws.tenants, contractTenantIds.A)
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `crash-${seed}-${i}`)
    /** Every POST, in the order sent: each loop's in its own order, cycle after cycle. */
    const posts: Array<Post> = []
    const byId = new Map<string, Sent>()
    const idOfKey = new Map<string, string>()
    const problems: Array<string> = []
    const stats: Array<CycleStats> = []
    let serial = 0

    const freshEvent = (rnd: Random, cycle: number, loop: number, post: Post): Sent => {
      const customer = rnd.pick(customers)
      const timestamp = stamp(rnd.int(SECONDS), loop + LOOPS * rnd.int(2))
      const context: Record<string, unknown> = {}
      // At least one text attribute with a value no other event has: fresh events never collide.
      const marked = rnd.pick(TEXT_ATTRIBUTES)
      context[marked] = `c${cycle}-l${loop}-${serial++}`
      for (const a of TEXT_ATTRIBUTES) {
        if (a !== marked && rnd.next() < 0.3) context[a] = rnd.next() < 0.2 ? "" : `c${cycle}-l${loop}-${serial++}`
      }
      if (rnd.next() < 0.3) context.ootb_is_test = rnd.next() < 0.5
      const wire = {
        tenant: tenant.id,
        timestamp: rnd.next() < 0.2 ? rfc3339(timestamp) : timestamp,
        event: EVENT,
        customer,
        context,
      }
      return { key: `${customer}|${timestamp}|${JSON.stringify(context)}`, customer, timestamp, context, post, wire }
    }

    const runLoop = async (baseUrl: string, cycle: number, loop: number, stop: { now: boolean }) => {
      const rnd = makeRandom(seed * 31 + cycle * 1000 + loop)
      const acknowledged: Array<Sent> = []
      while (!stop.now) {
        const post: Post = { cycle, loop, events: [], repeats: [] }
        const kind = rnd.next()
        if (kind < 0.1 && acknowledged.length > 0) {
          // A deliberate duplicate of an event this loop already had acknowledged.
          const original = rnd.pick(acknowledged)
          post.events.push({ ...original, post })
          post.repeats.push(original)
        } else if (kind < 0.55) {
          post.events.push(freshEvent(rnd, cycle, loop, post))
          post.repeats.push(undefined)
        } else {
          for (let i = 0; i < BATCH; i++) {
            if (i > 0 && rnd.next() < 0.05) {
              const original = post.events[rnd.int(i)] as Sent
              post.events.push({ ...original, post })
              post.repeats.push(original)
            } else {
              post.events.push(freshEvent(rnd, cycle, loop, post))
              post.repeats.push(undefined)
            }
          }
        }
        posts.push(post)
        const body = post.events.length === 1 ? post.events[0]?.wire : post.events.map((e) => e.wire)
        let res: ApiResponse<IngestBody>
        try {
          res = await request<IngestBody>(baseUrl, "/v1/events", {
            method: "POST",
            headers: { "content-type": "application/json", ...bearer(tenant.key) },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(20_000),
          })
        } catch (e) {
          post.unknown = String((e as Error).cause ?? e)
          return
        }
        post.answer = { status: res.status, body: res.body, text: res.text }
        if (res.status !== 202) {
          problems.push(`${tag}: a valid request got ${res.status} ${res.text.slice(0, 500)}`)
          return
        }
        for (const [i, sent] of post.events.entries()) {
          const result = res.body.results[i]
          const original = post.repeats[i]
          const expected = original === undefined ? "accepted" : "duplicate"
          if (result?.status !== expected || typeof result.id !== "string") {
            problems.push(`${tag}: event ${i} of a request: expected ${expected}, got ${JSON.stringify(result)}`)
            continue
          }
          if (original !== undefined) {
            const originalId = idOfKey.get(original.key)
            if (originalId !== result.id) problems.push(`${tag}: a duplicate got id ${result.id}, not ${originalId}`)
          } else {
            byId.set(result.id, sent)
            idOfKey.set(sent.key, result.id)
            acknowledged.push(sent)
          }
        }
      }
    }

    /** Checks everything the API shows against what was acknowledged, sent and left unanswered. */
    const verify = async (baseUrl: string, cycle: number): Promise<void> => {
      const where = `${tag}, after kill ${cycle}`
      for (const customer of customers) {
        const profile = await getCustomer(baseUrl, tenant.key, customer)
        const mine = [...byId.entries()].filter(([, s]) => s.customer === customer)
        if (profile.status === 404) {
          expect(mine, `${where}: ${customer} has acknowledged events but no profile`).toEqual([])
          continue
        }
        expect(profile.status, `${where}: profile of ${customer}: ${profile.text}`).toBe(200)
        const { events } = await listAllEvents(baseUrl, tenant.key, customer, 100)
        const ids = events.map((e) => e.id)
        // No event twice.
        expect(new Set(ids).size, `${where}: ${customer} has an event stored twice`).toBe(ids.length)
        // Every acknowledged event is there.
        const stored = new Set(ids)
        const lost = mine.filter(([id]) => !stored.has(id)).map(([id, s]) => `${id} ${s.key}`)
        expect(lost, `${where}: acknowledged events of ${customer} are lost`).toEqual([])
        // Newest timestamp first.
        for (let i = 1; i < events.length; i++) {
          expect(
            (events[i - 1]?.timestamp ?? "") >= (events[i]?.timestamp ?? ""),
            `${where}: events of ${customer} out of order`,
          ).toBe(true)
        }
        // Every stored event is one the test sent, unchanged: an unanswered request's events are learnt here.
        for (const e of events) {
          expect(e.timestamp).toMatch(TIMESTAMP_FORM)
          expect(e.received_at).toMatch(TIMESTAMP_FORM)
          let sent = byId.get(e.id)
          if (sent === undefined) {
            sent = posts
              .filter((r) => r.unknown !== undefined)
              .flatMap((r) => r.events)
              .find((s) => s.customer === customer && s.timestamp === e.timestamp && equalJson(s.context, e.context))
            expect(sent, `${where}: stored event ${JSON.stringify(e)} was never sent unanswered`).toBeDefined()
            if (sent !== undefined) {
              byId.set(e.id, sent)
              idOfKey.set(sent.key, e.id)
            }
          }
          expect({ event: e.event, timestamp: e.timestamp, context: e.context }).toEqual({
            event: EVENT,
            timestamp: sent?.timestamp,
            context: sent?.context,
          })
        }
        // The oracle: the stored events in an order of arrival consistent with every tie.
        const order = posts
          .flatMap((r) => r.events)
          .filter((s) => s.customer === customer)
          .flatMap((s) => {
            const id = idOfKey.get(s.key)
            return id !== undefined && stored.has(id) ? [{ id, timestamp: s.timestamp, context: s.context }] : []
          })
        const expected = foldProfile(order)
        expect(
          { attributes: profile.body.attributes, updated_at: profile.body.updated_at },
          `${where}: profile of ${customer}`,
        ).toEqual(expected)
        expect(profile.body).toMatchObject({ tenant: tenant.id, customer })
      }
      // An unanswered batch is stored whole or not at all.
      const stored = new Set(byId.keys())
      for (const r of posts.filter((x) => x.unknown !== undefined)) {
        const fresh = r.events.filter((_, i) => r.repeats[i] === undefined)
        const kept = fresh.filter((s) => {
          const id = idOfKey.get(s.key)
          return id !== undefined && stored.has(id)
        })
        expect([0, fresh.length], `${where}: an unanswered batch of ${fresh.length} was stored in part`).toContain(
          kept.length,
        )
      }
    }

    server = await startService(ws)
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      const before = posts.length
      const stop = { now: false }
      const loops = Array.from({ length: LOOPS }, (_, loop) =>
        runLoop((server as ServerProcess).baseUrl, cycle, loop, stop),
      )
      await sleep(1000 + random.int(2500))
      // The kill: no chance to finish anything.
      const code = await (server as ServerProcess).stop("SIGKILL")
      expect(code, "a SIGKILLed process has no exit code").toBeNull()
      stop.now = true
      await Promise.all(loops)
      const mine = posts.slice(before)
      stats.push({
        requests: mine.length,
        acknowledged: mine.filter((r) => r.answer?.status === 202).length,
        unknown: mine.filter((r) => r.unknown !== undefined).length,
      })
      expect(problems, tag).toEqual([])
      expect(integrityCheck(ws.db), `${tag}: integrity of the file right after kill ${cycle}`).toEqual(["ok"])
      server = await startService(ws)
      await verify(server.baseUrl, cycle)
    }
    expect(await server.stop("SIGTERM"), "exit code after SIGTERM").toBe(0)
    server = undefined
    expect(integrityCheck(ws.db), `${tag}: integrity after the last clean stop`).toEqual(["ok"])
    // The load was real: every cycle had events acknowledged, and requests were in flight at the kills.
    for (const s of stats) expect(s.acknowledged, `${tag}: ${JSON.stringify(stats)}`).toBeGreaterThan(10)
    expect(
      stats.reduce((n, s) => n + s.unknown, 0),
      `${tag}: no request was in flight at any kill`,
    ).toBeGreaterThan(0)
    const unansweredStored = posts.filter(
      (p) => p.unknown !== undefined && p.events.some((e, i) => p.repeats[i] === undefined && idOfKey.has(e.key)),
    ).length
    console.info(
      `crash test (${tag}): ${JSON.stringify(stats)}, ${byId.size} events stored, ${unansweredStored} unanswered posts stored whole`,
    )
  })
})

/** Deep equality of JSON values, key order aside. */
const equalJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every((k) => equalJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
}
