/**
 * Start-up of `scripts/start.mjs`: development mode without
 * `INGEST_CONFIG` (a generated key, said plainly, that works), and a
 * malformed tenants file stopping start-up with a message naming the file
 * and the field, before wrangler is started.
 */
import { spawn } from "node:child_process"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { expectDevelopmentKey, type ServerProcess, startServer } from "@cdp/testkit"
import { afterAll, describe, expect, it } from "vitest"
import { appDir, makeWorkspace, type Workspace } from "./workerService.ts"

const start = join(appDir, "scripts", "start.mjs")

describe("start-up", () => {
  let ws: Workspace | undefined
  let server: ServerProcess | undefined
  afterAll(async () => {
    await server?.stop("SIGKILL")
    await ws?.remove()
  })

  it("development mode: prints a tenant and a fresh key, which works", async () => {
    ws = await makeWorkspace("dev")
    const env = { ...process.env }
    delete env.INGEST_CONFIG
    server = await startServer({
      command: process.execPath,
      args: [start],
      env: { PORT: "0", INGEST_DB: join(ws.dir, "dev"), INGEST_CONFIG: "" },
      timeoutMs: 120_000,
    })
    const output = server.output()
    await expectDevelopmentKey(server.baseUrl, output)
    expect(await server.stop("SIGTERM")).toBe(0)
    server = undefined
  })

  it("a malformed INGEST_CONFIG stops start-up with a message naming the file and the field", async () => {
    ws ??= await makeWorkspace("bad")
    const file = join(ws.dir, "bad.json")
    await writeFile(file, JSON.stringify({ tenants: [{ id: -1, keys: ["a".repeat(64)], channels: [] }] }))
    const child = spawn(process.execPath, [start], {
      env: { ...process.env, PORT: "0", INGEST_DB: join(ws.dir, "bad"), INGEST_CONFIG: file },
      stdio: ["ignore", "pipe", "pipe"],
    })
    let out = ""
    child.stdout.on("data", (c: Buffer) => (out += c))
    child.stderr.on("data", (c: Buffer) => (out += c))
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve))
    expect(code, out).toBe(1)
    expect(out).toContain(file)
    expect(out).toMatch(/tenants\[0\]\.id/)
    expect(out).not.toMatch(/listening on/)
  })
})
