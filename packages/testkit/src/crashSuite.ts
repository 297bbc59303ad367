/**
 * `crashSuite`: the black-box crash test of the ingestion service, for any
 * runtime and store. Under concurrent load (loops sending single events and
 * batches for several customers), the service process is killed with
 * SIGKILL at a random moment, several times, and restarted on the same
 * storage; after each restart the API must show every acknowledged event
 * exactly once, nothing that was not sent, each unanswered batch whole or
 * not at all (per customer where the runtime declares so), and every profile
 * equal to the overwrite rule applied to the stored events, computed by the
 * suite's own oracle (`crashOracle.ts`). Each app gives how to start its
 * server and, when the service is more than one process, how to kill it.
 *
 * Timestamps are drawn so that the oracle is exact: the microseconds of an
 * event's timestamp carry the number of the loop that sent it, so two events
 * with the same timestamp always come from the same loop, whose order of
 * arrival the suite knows (a loop waits for each answer before it sends the
 * next request, stops at its first unanswered one, and kills separate the
 * cycles). Within a loop timestamps tie often and go back and forth in time.
 *
 * Seeded: `CRASH_SEED=<seed>` replays a run's choices (not the interleaving
 * of its loops, nor the moment of the kills); a failure names its seed.
 * Test-side only (uses node:*).
 *
 * @module
 */
import { afterAll, expect, it } from "vitest"
import { type Arrival, equalJson, expectedProfile } from "./crashOracle.ts"
import { type ApiResponse, bearer, getCustomer, type IngestBody, listAllEvents, request } from "./http/ApiClient.ts"
import { contractTenantIds } from "./http/contractTenants.ts"
import { TIMESTAMP_FORM } from "./httpSuite.ts"
import type { ServerProcess } from "./serverProcess.ts"
import { makeWorkspace, type ServiceSetup, tenantOf, type Workspace } from "./serviceWorkspace.ts"
import { sleep, tryConnect } from "./slowUploads.ts"

/**
 * What a setup guarantees of a request that a crash cut off.
 *
 * @since 0.2.0
 * @category models
 */
export interface CrashCapabilities {
  /**
   * `"request"`: an unanswered batch is stored whole or not at all.
   * `"customer"`: whole or not at all per customer of the batch (the Worker:
   * one Durable Object per customer, written in parallel).
   */
  readonly batchAtomicity: "request" | "customer"
}

/**
 * How the suite drives one setup.
 *
 * @since 0.2.0
 * @category models
 */
export interface CrashSetup extends ServiceSetup {
  /**
   * Kills the service with SIGKILL and resolves once every process that
   * served is gone. Default: SIGKILL to `server.child`, which must then die
   * of it; enough when the child is the service process itself.
   */
  readonly kill?: (server: ServerProcess) => Promise<void>
  readonly capabilities: CrashCapabilities
  /**
   * A check of the storage while the service is down (after each kill and
   * after the last clean stop), e.g. SQLite's `integrity_check`: its rows,
   * which must be `["ok"]`.
   */
  readonly integrity?: (ws: Workspace, env: Readonly<Record<string, string>>) => Promise<ReadonlyArray<string>>
  /** Kills (default 3). */
  readonly kills?: number
}

const EVENT = "ootb_user_details_update"
const TEXT_ATTRIBUTES = ["ootb_city", "ootb_address", "ootb_first_name", "ootb_last_name", "ootb_alias", "ootb_brand"]
/** Concurrent sending loops. */
const LOOPS = 12
const CUSTOMERS = 10
const BATCH = 20
/** Distinct seconds a loop draws its timestamps from: few, so that ties are common. */
const SECONDS = 8
/** Answers a cycle waits for before its kill may come, and for how long at most. */
const WARM_ANSWERS = 40
const WARM_UP_LIMIT_MS = 30_000

/** A tiny seeded generator (mulberry32). */
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

/** One event as the suite sent it, in the order of its loop. */
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
  /** What the server answered, when it did. */
  answer?: { readonly status: number; readonly body: IngestBody | undefined; readonly text: string }
  /** Why there is no answer (a refused connection, or one cut by the kill). */
  unanswered?: string
  readonly events: Array<Sent>
  /** For each event: `undefined` when it is fresh, else the earlier `Sent` it repeats. */
  readonly repeats: Array<Sent | undefined>
}

/** Counts of one cycle (from a start to its kill). */
interface CycleCounts {
  requests: number
  answered: number
  eventsAcknowledged: number
  /** Unanswered requests whose connection was not refused: in flight at the kill. */
  cut: number
  refused: number
}

/** Whether a fetch failure is a refused connection (the request never reached a server). */
const refused = (e: unknown): boolean => {
  const cause = (e as { cause?: { code?: string } } | undefined)?.cause
  return cause?.code === "ECONNREFUSED"
}

/**
 * Registers the crash test of one setup: `crash: <name>: …`.
 *
 * @since 0.2.0
 * @category suites
 */
export const crashSuite = (name: string, setup: CrashSetup): void => {
  const kills = setup.kills ?? 3
  const { batchAtomicity } = setup.capabilities
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  let cleanup: (() => Promise<void>) | undefined
  const kill = async (s: ServerProcess): Promise<void> => {
    if (setup.kill !== undefined) return setup.kill(s)
    await s.stop("SIGKILL")
    expect(s.child.signalCode, `${name}: the service process died of SIGKILL`).toBe("SIGKILL")
  }

  afterAll(async () => {
    try {
      if (server !== undefined) await kill(server)
      await cleanup?.()
    } finally {
      await ws?.remove()
    }
  })

  const atomicity = batchAtomicity === "request" ? "whole or not at all" : "whole or not at all per customer"
  it(`crash: ${name}: every acknowledged event survives ${kills} SIGKILLs under load exactly once, nothing unsent is stored, unanswered batches ${atomicity}, profiles by the overwrite rule`, {
    timeout: 240_000,
  }, async () => {
    const seed = Number(process.env["CRASH_SEED"] ?? Date.now() % 2 ** 31)
    if (!Number.isSafeInteger(seed)) throw new Error(`CRASH_SEED must be an integer, got ${process.env["CRASH_SEED"]}`)
    const tag = `${name}, seed ${seed} (replay: CRASH_SEED=${seed})`
    try {
      await run(seed, tag)
    } catch (e) {
      console.error(`crash: ${tag}: failed`)
      throw e
    }
  })

  const run = async (seed: number, tag: string): Promise<void> => {
    const random = makeRandom(seed)
    ws = await makeWorkspace(setup.label, setup.workspace)
    const extra = setup.environment ? await setup.environment() : { env: {} }
    cleanup = extra.cleanup
    const env = extra.env
    const workspace = ws
    const tenant = tenantOf(ws.tenants, contractTenantIds.A)
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `crash-${seed}-${i}`)
    /** Every POST, in the order sent: each loop's in its own order, cycle after cycle. */
    const posts: Array<Post> = []
    /** The event each stored id stands for: acknowledged ones, and unanswered ones once found stored. */
    const byId = new Map<string, Sent>()
    const idOfKey = new Map<string, string>()
    const problems: Array<string> = []
    const counts: Array<CycleCounts> = []
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
      if (rnd.next() < 0.3) context["ootb_is_test"] = rnd.next() < 0.5
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
          post.unanswered = refused(e) ? "refused" : String((e as Error).cause ?? e)
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
    const verify = async (baseUrl: string, kill: number): Promise<void> => {
      const where = `${tag}, after kill ${kill}`
      const unanswered = posts.filter((p) => p.unanswered !== undefined)
      for (const customer of customers) {
        const profile = await getCustomer(baseUrl, tenant.key, customer)
        const mine = [...byId.entries()].filter(([, s]) => s.customer === customer)
        if (profile.status === 404) {
          expect(mine, `${where}: ${customer} has acknowledged events but no profile`).toEqual([])
          const { events } = await listAllEvents(baseUrl, tenant.key, customer, 100).catch(() => ({ events: [] }))
          expect(events, `${where}: ${customer} has no profile but stored events`).toEqual([])
          continue
        }
        expect(profile.status, `${where}: profile of ${customer}: ${profile.text}`).toBe(200)
        expect(profile.body, `${where}: profile of ${customer}`).toMatchObject({ tenant: tenant.id, customer })
        const { events } = await listAllEvents(baseUrl, tenant.key, customer, 100)
        const ids = events.map((e) => e.id)
        expect(new Set(ids).size, `${where}: ${customer} has an event id stored twice`).toBe(ids.length)
        const stored = new Set(ids)
        const lost = mine.filter(([id]) => !stored.has(id)).map(([id, s]) => `${id} ${s.key}`)
        expect(lost, `${where}: acknowledged events of ${customer} are lost`).toEqual([])
        for (let i = 1; i < events.length; i++) {
          expect(
            (events[i - 1]?.timestamp ?? "") >= (events[i]?.timestamp ?? ""),
            `${where}: events of ${customer} not newest first`,
          ).toBe(true)
        }
        // Every stored event is one the suite sent, unchanged, once: an unanswered request's events are learnt here.
        for (const e of events) {
          expect(e.timestamp, `${where}: timestamp form`).toMatch(TIMESTAMP_FORM)
          expect(e.received_at, `${where}: received_at form`).toMatch(TIMESTAMP_FORM)
          let sent = byId.get(e.id)
          if (sent === undefined) {
            sent = unanswered
              .flatMap((p) => p.events)
              .find((s) => s.customer === customer && s.timestamp === e.timestamp && equalJson(s.context, e.context))
            expect(sent, `${where}: stored event ${JSON.stringify(e)} was never sent unanswered`).toBeDefined()
            if (sent === undefined) continue
            const known = idOfKey.get(sent.key)
            expect(known, `${where}: one event stored under two ids (${known}, ${e.id})`).toBeUndefined()
            byId.set(e.id, sent)
            idOfKey.set(sent.key, e.id)
          }
          expect({ event: e.event, timestamp: e.timestamp, context: e.context }, `${where}: stored event`).toEqual({
            event: EVENT,
            timestamp: sent.timestamp,
            context: sent.context,
          })
        }
        // The oracle: the stored events in an order of arrival consistent with every tie.
        const arrivals: Array<Arrival> = posts
          .flatMap((p) => p.events)
          .filter((s) => s.customer === customer)
          .flatMap((s) => {
            const id = idOfKey.get(s.key)
            return id !== undefined && stored.has(id) ? [{ id, timestamp: s.timestamp, context: s.context }] : []
          })
        expect(
          { attributes: profile.body.attributes, updated_at: profile.body.updated_at },
          `${where}: profile of ${customer}`,
        ).toEqual(expectedProfile(arrivals))
      }
      // Nothing is stored for a customer the suite never sent to.
      const never = await getCustomer(baseUrl, tenant.key, `crash-${seed}-never`)
      expect(never.status, `${where}: a customer never sent to: ${never.text}`).toBe(404)
      // An unanswered batch is stored whole or not at all (per customer on some setups).
      const isStored = (s: Sent): boolean => {
        const id = idOfKey.get(s.key)
        return id !== undefined && byId.has(id)
      }
      for (const p of unanswered) {
        const fresh = p.events.filter((_, i) => p.repeats[i] === undefined)
        const groups =
          batchAtomicity === "request"
            ? [fresh]
            : customers.map((c) => fresh.filter((s) => s.customer === c)).filter((g) => g.length > 0)
        for (const group of groups) {
          const kept = group.filter(isStored).length
          expect(
            [0, group.length],
            `${where}: an unanswered batch (${batchAtomicity}) kept ${kept} of ${group.length}`,
          ).toContain(kept)
        }
      }
    }

    const checkIntegrity = async (when: string): Promise<void> => {
      if (setup.integrity === undefined) return
      expect(await setup.integrity(workspace, env), `${tag}: integrity of the storage ${when}`).toEqual(["ok"])
    }

    const started = Date.now()
    let startMs = 0
    const start = async (): Promise<ServerProcess> => {
      const t = Date.now()
      const s = await setup.start(workspace, env)
      startMs += Date.now() - t
      return s
    }
    server = await start()
    for (let cycle = 1; cycle <= kills; cycle++) {
      const before = posts.length
      const stop = { now: false }
      const baseUrl = server.baseUrl
      const loops = Array.from({ length: LOOPS }, (_, loop) => runLoop(baseUrl, cycle, loop, stop))
      // The kill comes at a random moment once the cycle has had real load (a cold start can be slow to answer).
      const warm = Date.now() + WARM_UP_LIMIT_MS
      while (posts.slice(before).filter((p) => p.answer !== undefined).length < WARM_ANSWERS && Date.now() < warm) {
        await sleep(20)
      }
      await sleep(random.int(2500))
      // The kill: no chance to finish anything.
      await kill(server)
      server = undefined
      // Nothing serves any more: the process killed was the service itself, not a wrapper around it.
      expect(await tryConnect(baseUrl), `${tag}: the port still takes connections after kill ${cycle}`).toBe(
        "ECONNREFUSED",
      )
      stop.now = true
      await Promise.all(loops)
      const mine = posts.slice(before)
      counts.push({
        requests: mine.length,
        answered: mine.filter((p) => p.answer?.status === 202).length,
        eventsAcknowledged: mine.filter((p) => p.answer?.status === 202).reduce((n, p) => n + p.events.length, 0),
        cut: mine.filter((p) => p.unanswered !== undefined && p.unanswered !== "refused").length,
        refused: mine.filter((p) => p.unanswered === "refused").length,
      })
      expect(problems, tag).toEqual([])
      await checkIntegrity(`right after kill ${cycle}`)
      server = await start()
      await verify(server.baseUrl, cycle)
    }
    const last = server
    server = undefined
    expect(await last.stop("SIGTERM"), `${tag}: exit code after SIGTERM: ${last.output().slice(-2000)}`).toBe(0)
    await checkIntegrity("after the last clean stop")
    // The load was real: every cycle had events acknowledged, and requests were cut at the kills.
    for (const c of counts) expect(c.answered, `${tag}: ${JSON.stringify(counts)}`).toBeGreaterThan(10)
    expect(
      counts.reduce((n, c) => n + c.cut, 0),
      `${tag}: no request was in flight at any kill: ${JSON.stringify(counts)}`,
    ).toBeGreaterThan(0)
    const storedOfUnanswered = posts
      .filter((p) => p.unanswered !== undefined)
      .map((p) => {
        const fresh = p.events.filter((_, i) => p.repeats[i] === undefined)
        return { fresh: fresh.length, kept: fresh.filter((e) => idOfKey.has(e.key)).length }
      })
    const unansweredStored = storedOfUnanswered.filter((x) => x.kept > 0).length
    const unansweredSplit = storedOfUnanswered.filter((x) => x.kept > 0 && x.kept < x.fresh).length
    const total = (f: (c: CycleCounts) => number) => counts.reduce((n, c) => n + f(c), 0)
    console.info(
      `crash: ${tag}: ${kills} kills, ${total((c) => c.requests)} requests, ` +
        `${total((c) => c.eventsAcknowledged)} events acknowledged, ${total((c) => c.cut)} requests cut, ` +
        `${byId.size} distinct events stored, ${unansweredStored} unanswered requests found stored ` +
        `(${unansweredSplit} of them in part), ${((Date.now() - started) / 1000).toFixed(1)} s ` +
        `(${(startMs / 1000).toFixed(1)} s of it starting the service); per cycle ${JSON.stringify(counts)}`,
    )
  }
}
