/**
 * PostgreSQL stopped and restarted under load. The service runs on a private
 * cluster of this test's own (never the shared server), while client loops
 * send single events and batches without pause. The cluster is stopped twice:
 * `fast` (sessions ended with 57P01, then connections refused) and
 * `immediate` (a crash: recovery at the next start, 57P03 meanwhile). Then:
 *
 * - meanwhile, requests get 503 `unavailable` (Problem Details) with
 *   `Retry-After`, and `/healthz` answers 503; nothing else goes wrong
 *   (no 500, no hang);
 * - the service recovers by itself: `/healthz` 200 again and events accepted,
 *   without a restart;
 * - nothing is half-written: every event answered 202 is stored exactly once,
 *   a batch answered 503 is stored whole or not at all (a commit whose answer
 *   was lost in the crash is stored whole), and every profile is the
 *   overwrite rule applied to the stored events.
 *
 * Every event has a timestamp of its own (a counter in the microseconds), so
 * the fold does not depend on the order of arrival.
 */
import { foldProfile } from "@cdp/ingest"
import {
  type ApiResponse,
  bearer,
  contractTenantIds,
  getCustomer,
  type IngestBody,
  request,
  type ServerProcess,
} from "@cdp/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { makeWorkspace, sleep, startService, tenantOf, type Workspace } from "./nodeService.ts"
import { freshSchema, type PrivateCluster, startPrivateCluster, type TestSchema } from "./postgres.ts"

const LOOPS = 8
const CUSTOMERS = 6
const TEXT_ATTRIBUTES = ["ootb_city", "ootb_address", "ootb_first_name", "ootb_last_name", "ootb_alias"]

interface Sent {
  readonly customer: string
  readonly timestamp: string
  readonly context: Record<string, string>
}
interface Post {
  readonly events: ReadonlyArray<Sent>
  readonly phase: string
  answer?: ApiResponse<IngestBody>
}

describe("PostgreSQL stopped and restarted under load", () => {
  let cluster: PrivateCluster | undefined
  let db: TestSchema | undefined
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop("SIGTERM")
    await db?.sql.end({ timeout: 1 }).catch(() => {})
    await cluster?.destroy()
    await ws?.remove()
  })

  it("answers 503 unavailable with Retry-After meanwhile, writes nothing half, recovers by itself", async () => {
    cluster = await startPrivateCluster()
    db = freshSchema("outage", cluster.url)
    ws = await makeWorkspace("outage")
    server = await startService(ws, { INGEST_DB: db.url })
    const baseUrl = server.baseUrl
    const tenant = tenantOf(ws.tenants, contractTenantIds.A)
    const customers = Array.from({ length: CUSTOMERS }, (_, i) => `outage-${i}`)
    const posts: Post[] = []
    const problems: string[] = []
    let phase = "up"
    let serial = 0
    const stop = { now: false }

    const event = (loop: number): Sent => {
      const n = serial++
      const context: Record<string, string> = {}
      for (const a of TEXT_ATTRIBUTES) if (Math.random() < 0.5) context[a] = `l${loop}-${n}`
      // Unique timestamps (microseconds = the serial), in random order of time.
      const seconds = Math.floor(Math.random() * 60)
      const timestamp = `2024-05-27 10:00:${String(seconds).padStart(2, "0")}.${String(n).padStart(6, "0")} UTC`
      return { customer: customers[n % CUSTOMERS]!, timestamp, context }
    }

    const loop = async (n: number) => {
      while (!stop.now) {
        const events = Array.from({ length: Math.random() < 0.5 ? 1 : 2 + Math.floor(Math.random() * 9) }, () =>
          event(n),
        )
        const post: Post = { events, phase }
        posts.push(post)
        const wire = events.map((e) => ({
          tenant: tenant.id,
          timestamp: e.timestamp,
          event: "ootb_user_details_update",
          customer: e.customer,
          context: e.context,
        }))
        try {
          post.answer = await request<IngestBody>(baseUrl, "/v1/events", {
            method: "POST",
            headers: { "content-type": "application/json", ...bearer(tenant.key) },
            body: JSON.stringify(wire.length === 1 ? wire[0] : wire),
            signal: AbortSignal.timeout(20_000),
          })
        } catch (e) {
          problems.push(`${post.phase}: request failed: ${String((e as Error).cause ?? e)}`)
          return
        }
        const { status, headers, body, text } = post.answer
        if (status === 503) {
          const problem = body as unknown as { code?: string }
          if (problem?.code !== "unavailable" || !/^[1-9][0-9]*$/.test(headers.get("retry-after") ?? "")) {
            problems.push(`${post.phase}: a 503 without code unavailable and Retry-After: ${text}`)
          }
          if (!(headers.get("content-type") ?? "").startsWith("application/problem+json")) {
            problems.push(`${post.phase}: a 503 that is not problem+json`)
          }
          await sleep(50) // a client backs off a little before retrying
        } else if (status !== 202) problems.push(`${post.phase}: answered ${status}: ${text.slice(0, 300)}`)
      }
    }

    const health = async (): Promise<number> => (await fetch(`${baseUrl}/healthz`)).status
    const untilHealthy = async (what: string): Promise<number> => {
      const started = Date.now()
      while ((await health()) !== 200) {
        if (Date.now() - started > 30_000) throw new Error(`${what}: /healthz not 200 within 30 s`)
        await sleep(100)
      }
      return Date.now() - started
    }
    const count = (p: string, status: number) =>
      posts.filter((x) => x.phase === p && x.answer?.status === status).length

    const summary = () => {
      const out: Record<string, Record<string, number>> = {}
      for (const p of posts) {
        const k = String(p.answer?.status ?? "pending")
        out[p.phase] ??= {}
        out[p.phase]![k] = (out[p.phase]![k] ?? 0) + 1
      }
      return out
    }
    const loops = Array.from({ length: LOOPS }, (_, n) => loop(n))
    await sleep(1500)
    const outages: Record<string, { health: number; recoveredMs: number }> = {}
    for (const mode of ["fast", "immediate"] as const) {
      phase = `stopped (${mode})`
      cluster.stop(mode)
      await sleep(1500)
      const down = await health()
      phase = `restarting (${mode})`
      cluster.start()
      const recoveredMs = await untilHealthy(mode)
      phase = `up after ${mode}`
      await sleep(1500)
      outages[mode] = { health: down, recoveredMs }
      expect(count(`stopped (${mode})`, 503), `503s while stopped (${mode})`).toBeGreaterThan(0)
      expect(count(`up after ${mode}`, 202), `202s after restart (${mode})`).toBeGreaterThan(0)
    }
    stop.now = true
    await Promise.all(loops)
    expect(problems).toEqual([])
    for (const mode of ["fast", "immediate"])
      expect(outages[mode]?.health, `/healthz while stopped (${mode})`).toBe(503)

    // What the database holds, read directly.
    const rows = await db.sql.unsafe(
      `SELECT customer, timestamp, context::text AS context, count(*) OVER (PARTITION BY id)::int AS copies, id FROM "${db.schema}".events`,
    )
    expect(rows.filter((r) => r["copies"] !== 1)).toEqual([])
    const stored = new Map<string, string>() // timestamp (unique per event) -> id
    for (const r of rows) stored.set(String(r["timestamp"]), String(r["id"]))
    for (const post of posts) {
      const present = post.events.filter((e) => stored.has(e.timestamp)).length
      if (post.answer?.status === 202) {
        expect(present, `a batch answered 202 (${post.phase}) is stored`).toBe(post.events.length)
        post.answer.body.results.forEach((r, i) => {
          expect(r.status).toBe("accepted")
          expect(stored.get(post.events[i]!.timestamp)).toBe(r.id)
        })
      } else {
        expect(
          [0, post.events.length],
          `a batch answered ${post.answer?.status} (${post.phase}): all or nothing`,
        ).toContain(present)
      }
    }
    // Profiles: the overwrite rule over exactly the stored events.
    const sent = new Map(posts.flatMap((p) => p.events).map((e) => [e.timestamp, e]))
    for (const customer of customers) {
      const mine = rows
        .filter((r) => r["customer"] === customer)
        .map((r) => ({
          id: String(r["id"]),
          timestamp: String(r["timestamp"]),
          context: JSON.parse(String(r["context"])),
        }))
      for (const e of mine) expect(e.context).toEqual(sent.get(e.timestamp)?.context)
      const profile = await getCustomer(baseUrl, tenant.key, customer)
      expect(profile.status).toBe(200)
      expect({ attributes: profile.body.attributes, updated_at: profile.body.updated_at }).toEqual(foldProfile(mine))
    }
    const answered = (status: number) => posts.filter((p) => p.answer?.status === status).length
    console.info(
      `outage test: ${posts.length} requests, ${answered(202)} answered 202, ${answered(503)} answered 503, ` +
        `${rows.length} events stored; recovery after restart: ${JSON.stringify(outages)}; answers by phase: ${JSON.stringify(summary())}`,
    )
  })
})
