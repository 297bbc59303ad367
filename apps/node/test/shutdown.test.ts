/**
 * Graceful shutdown of the Node service: on SIGTERM or SIGINT it stops
 * accepting connections, finishes the requests in flight (here: POSTs whose
 * bodies are still streaming in), closes the database and exits 0.
 */
import {
  contractTenantIds,
  expectWalCheckpointed,
  type ServerProcess,
  sleep,
  startSlowUploads,
  tryConnect,
  urlOf,
} from "@cdp/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { type Exit, integrityCheck, makeWorkspace, startService, tenantOf, type Workspace } from "./nodeService.ts"

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
    "on %s: finishes in-flight requests with 202, refuses new connections, exits 0, closes the database",
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
      // Every slow request is under way: its headers went, its body is coming.
      await uploads.underway()
      uploads.expectMidStream()

      const child = server.child
      const exited = new Promise<Exit>((resolve) => child.once("exit", (code, sig) => resolve({ code, signal: sig })))
      const signalledAt = Date.now()
      process.kill(child.pid as number, signal)

      // New connections are refused while the slow ones are still streaming.
      await sleep(150)
      const refused = await tryConnect(baseUrl)
      const stillStreaming = uploads.stillStreaming()
      expect(refused, "a new connection after the signal").toBe("ECONNREFUSED")
      expect(stillStreaming, "slow requests still streaming when the new connection was tried").toBeGreaterThan(0)
      await expect(fetch(urlOf(baseUrl, "/healthz"))).rejects.toThrow()

      // The in-flight requests complete, every event accepted.
      const answers = await uploads.answers
      for (const a of answers) {
        expect(a.status).toBe(202)
        expect(a.body).toMatchObject({ accepted: 2, duplicates: 0, rejected: 0 })
      }
      // The process exits 0 within a few seconds of the last answer (at most
      // the server's keep-alive timeout of 5 s, for the idle connections of
      // those answers), long before its own 10 s limit.
      const exit = await Promise.race([exited, sleep(9000).then(() => "still running" as const)])
      const lastAnswer = Math.max(...answers.map((a) => a.at))
      expect(exit, server.output()).toEqual({ code: 0, signal: null })
      expect(Date.now() - lastAnswer, "ms from the last answer to the exit").toBeLessThan(6000)
      expect(Date.now() - signalledAt, "ms from the signal to the exit").toBeLessThan(PIECES * PIECE_MS + 6000)
      server = undefined

      // The database was closed cleanly: its write-ahead log checkpointed away, the file sound.
      expectWalCheckpointed(ws.db)
      expect(integrityCheck(ws.db)).toEqual(["ok"])
      // And everything acknowledged is there after a restart.
      server = await startService(ws)
      await uploads.expectStored(server.baseUrl)
      expect(await server.stop("SIGTERM")).toBe(0)
      server = undefined
    },
  )
})
