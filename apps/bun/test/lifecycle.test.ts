/**
 * Start-up and shutdown of the Bun service: development mode (a generated
 * key, said plainly, that works), the real port when PORT=0, a malformed
 * tenants file or a port in use stopping start-up; on SIGTERM or SIGINT, requests in flight
 * (bodies still streaming in) are answered, new connections refused, the
 * database closed, exit code 0; what was acknowledged is there after a
 * restart.
 */
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import {
  contractTenantIds,
  expectDevelopmentKey,
  expectPortInUseRefused,
  expectWalCheckpointed,
  launchProcess,
  type ServerProcess,
  sleep,
  startServer,
  startSlowUploads,
  tryConnect,
} from "@cdp/testkit"
import { afterEach, describe, expect, it } from "vitest"
import { appDir, bun, integrityCheck, makeWorkspace, startService, type Workspace } from "./bunService.ts"

const EVENT = "ootb_user_details_update"

let ws: Workspace | undefined
let server: ServerProcess | undefined
afterEach(async () => {
  await server?.stop("SIGKILL")
  server = undefined
  await ws?.remove()
  ws = undefined
})

describe("start-up", () => {
  it("without INGEST_CONFIG: development mode on stderr with a fresh key that works; the real port of PORT=0", async () => {
    ws = await makeWorkspace("dev")
    server = await startService(ws, {})
    const output = server.output()
    expect(output).toMatch(/cdp ingest \(bun \d+\.\d+\.\d+\) listening on http:\/\/127\.0\.0\.1:\d+/)
    expect(new URL(server.baseUrl).port).not.toMatch(/^0?$/)
    await expectDevelopmentKey(server.baseUrl, output)
    expect(await server.stop("SIGTERM")).toBe(0)
  })

  it("with a malformed INGEST_CONFIG: exits non-zero with a message naming the file and the field", async () => {
    ws = await makeWorkspace("bad-config")
    const file = join(ws.dir, "bad.json")
    await writeFile(file, JSON.stringify({ tenants: [{ id: -1, keys: ["a".repeat(64)], channels: [] }] }))
    const started = startServer({
      command: bun,
      args: ["src/main.ts"],
      cwd: appDir,
      env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: file },
      timeoutMs: 30_000,
    })
    const error = (await started.then(
      () => new Error("it started"),
      (e: Error) => e,
    )) as Error
    expect(error.message).toMatch(/exited with [1-9]\d* before listening/)
    expect(error.message).toContain(file)
    expect(error.message).toMatch(/tenants\[0\]\.id/)
  })

  it("on a port in use: exits 1 with one line naming the address, not a stack trace", async () => {
    ws = await makeWorkspace("port-in-use")
    const db = ws.db
    await expectPortInUseRefused((env) =>
      launchProcess({ command: bun, args: ["src/main.ts"], cwd: appDir, env: { ...env, INGEST_DB: db } }),
    )
  })
})

describe("graceful shutdown", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s: answers the requests in flight, refuses new connections, closes the database, exits 0",
    async (signal) => {
      ws = await makeWorkspace(`shutdown-${signal}`)
      server = await startService(ws)
      const baseUrl = server.baseUrl
      const tenant = ws.tenants.find((t) => t.id === contractTenantIds.A)!
      const customers = Array.from({ length: 4 }, (_, i) => `shutdown-${signal}-${i}`)
      const PIECES = 6

      // Slow POSTs: each body streams in over ~1.2 s.
      const uploads = startSlowUploads({
        baseUrl,
        tenant,
        customers,
        context: (i) => ({ ootb_city: `City ${i}` }),
        event: EVENT,
        pieces: PIECES,
      })
      await uploads.underway()
      uploads.expectMidStream()

      const signalledAt = Date.now()
      const exited = server.stop(signal)
      await sleep(150)
      expect(await tryConnect(baseUrl), "a new connection after the signal").toBe("ECONNREFUSED")
      expect(uploads.stillStreaming(), "requests still streaming then").toBeGreaterThan(0)

      for (const answer of await uploads.answers) {
        expect(answer.status).toBe(202)
        expect(answer.body).toMatchObject({ accepted: 2, rejected: 0 })
      }
      expect(await exited, server.output()).toBe(0)
      expect(Date.now() - signalledAt, "ms from the signal to the exit").toBeLessThan(8000)
      server = undefined

      // Closed cleanly: the write-ahead log checkpointed away, the file sound.
      expectWalCheckpointed(ws.db)
      expect(integrityCheck(ws.db)).toEqual(["ok"])

      // Everything acknowledged is there after a restart.
      server = await startService(ws)
      await uploads.expectStored(server.baseUrl)
      expect(await server.stop("SIGTERM")).toBe(0)
      server = undefined
    },
  )
})
