/**
 * Graceful shutdown of the Deno service, signalled as a user or a supervisor
 * would: SIGTERM or SIGINT to the start script, which passes it on. Deno
 * finishes the requests in flight (POSTs whose bodies are still streaming
 * in), turns new ones away with 503, stops listening, closes the database and
 * exits 0, and the start script with it; what was acknowledged is there
 * after a restart.
 */
import {
  bearer,
  contractTenantIds,
  expectWalCheckpointed,
  getCustomer,
  type ServerProcess,
  sleep,
  startSlowUploads,
  tryConnect,
  urlOf,
} from "@cdp/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { type Exit, makeWorkspace, startService, tenantOf, type Workspace } from "./denoService.ts"

const EVENT = "ootb_user_details_update"
const SLOW_REQUESTS = 4
const PIECES = 6
const PIECE_MS = 200

describe("graceful shutdown", () => {
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  afterEach(async () => {
    await server?.stop("SIGKILL")
    server = undefined
    await ws?.remove()
  })

  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s to the start script: finishes in-flight requests with 202, refuses new connections, exits 0, data survives",
    async (signal) => {
      ws = await makeWorkspace(`shutdown-${signal}`)
      server = await startService(ws)
      const baseUrl = server.baseUrl
      const tenant = tenantOf(ws.tenants, contractTenantIds.A)
      const customers = Array.from({ length: SLOW_REQUESTS }, (_, i) => `shutdown-${signal}-${i}`)

      // Slow POSTs: each body (a batch of two events) streams in over ~1.2 s.
      const uploads = startSlowUploads({
        baseUrl,
        tenant,
        customers,
        context: (i) => ({ ootb_city: `City ${i}`, ootb_is_test: true }),
        event: EVENT,
        pieces: PIECES,
        pieceMs: PIECE_MS,
      })
      await uploads.underway()
      uploads.expectMidStream()

      const child = server.child
      const exited = new Promise<Exit>((resolve) => child.once("exit", (code, sig) => resolve({ code, signal: sig })))
      const signalledAt = Date.now()
      process.kill(child.pid as number, signal)

      // A request that comes while the slow ones are still streaming is turned
      // away with 503 (retry): Deno 2.9's shutdown() would break the bodies of
      // the in-flight ones (denoland/deno#36809), so the listener stays open
      // until they have finished.
      await sleep(150)
      const late = await fetch(urlOf(baseUrl, "/v1/events"), {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(tenant.key) },
        body: JSON.stringify({
          tenant: tenant.id,
          timestamp: "2024-05-27 10:30:00.000000 UTC",
          event: EVENT,
          customer: "late",
        }),
      })
      const stillStreaming = uploads.stillStreaming()
      expect(late.status, "a request after the signal").toBe(503)
      expect(late.headers.get("retry-after")).toBe("1")
      expect(((await late.json()) as { code: string }).code).toBe("unavailable")
      expect(stillStreaming, "slow requests still streaming when the late one came").toBeGreaterThan(0)

      const answers = await uploads.answers
      for (const a of answers) {
        expect(a.status, `${JSON.stringify(a.body)}\n${server.output()}`).toBe(202)
        expect(a.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 })
      }
      const exit = await Promise.race([exited, sleep(9000).then(() => "still running" as const)])
      expect(exit, server.output()).toEqual({ code: 0, signal: null })
      expect(server.output()).toContain(`${signal}: finishing in-flight requests`)
      expect(Date.now() - signalledAt, "ms from the signal to the exit").toBeLessThan(PIECES * PIECE_MS + 6000)
      server = undefined
      expect(await tryConnect(baseUrl), "a new connection after the exit").toBe("ECONNREFUSED")

      // The database was closed: its write-ahead log checkpointed away.
      expectWalCheckpointed(ws.db)
      server = await startService(ws)
      await uploads.expectStored(server.baseUrl)
      expect((await getCustomer(server.baseUrl, tenant.key, "late")).status, "the late request stored nothing").toBe(
        404,
      )
      expect(await server.stop("SIGTERM")).toBe(0)
      server = undefined
    },
  )
})
