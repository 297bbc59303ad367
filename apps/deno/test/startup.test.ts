/**
 * Start-up of the Deno service through scripts/start.mjs: development mode
 * without `INGEST_CONFIG`, the real port printed for `PORT=0`, a malformed
 * tenants file, and the sandbox: the permissions the start script grants are
 * narrow, and a config file or a database outside them is refused with a
 * plain message, not a prompt or a stack trace.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { expectDevelopmentKey, expectPortInUseRefused } from "@cdp/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { denoCommand, launch, launchService, makeWorkspace, repoDir, waitForStderr, within } from "./denoService.ts"

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cdp-app-deno-startup-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("development mode (no INGEST_CONFIG)", () => {
  it("says so on stderr with a fresh key that works, prints the real port, exits 0 on SIGTERM", async () => {
    const service = launchService({ PORT: "0", HOST: "127.0.0.1", INGEST_DB: join(dir, "dev", "ingest.db") })
    try {
      const baseUrl = await within(60_000, "start-up", service.listening)
      expect(new URL(baseUrl).port, baseUrl).toMatch(/^[1-9]\d*$/)
      await waitForStderr(service, /DEVELOPMENT MODE[^\n]*\n[\s\S]*key:\s*\S+/)
      const stderr = service.stderr()
      expect(stderr).toMatch(/cdp ingest \(deno 2\.\d+\.\d+\) listening on/)
      await expectDevelopmentKey(baseUrl, stderr)
      expect(await service.stop("SIGTERM")).toEqual({ code: 0, signal: null })
    } finally {
      await service.stop("SIGKILL")
    }
  })
})

describe("a malformed INGEST_CONFIG stops start-up", () => {
  it("exits 1 with a message naming the file and the field", async () => {
    const file = join(dir, "bad-tenants.json")
    await writeFile(file, JSON.stringify({ tenants: [{ id: -1, keys: ["a".repeat(64)], channels: [] }] }))
    const service = launchService({
      PORT: "0",
      HOST: "127.0.0.1",
      INGEST_DB: join(dir, "bad", "x.db"),
      INGEST_CONFIG: file,
    })
    const exit = await within(30_000, "exit", service.exited)
    expect(exit, service.stderr()).toEqual({ code: 1, signal: null })
    expect(service.stderr()).toContain(file)
    expect(service.stderr()).toMatch(/tenants\[0\]\.id/)
    expect(service.stderr(), "a message, not a stack trace").not.toMatch(/^\s+at /m)
  })
})

describe("permissions", () => {
  it("grants the network for HOST:PORT (HOST alone for PORT=0), the database folder, the database thread's code and the config file, five variables", async () => {
    const ws = await makeWorkspace("permissions")
    try {
      const fixed = denoCommand({ PORT: "18787", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config })
      const data = join(ws.dir, "data")
      // The database thread (a Web Worker) loads its modules with read permission: the two source folders.
      const code = [join(repoDir, "packages/store-sqlite/src"), join(repoDir, "packages/store/src")].join(",")
      expect(fixed.args).toEqual([
        "run",
        "--no-prompt",
        "--allow-net=127.0.0.1:18787",
        `--allow-read=${data},${code},${ws.config}`,
        `--allow-write=${data}`,
        "--allow-env=PORT,HOST,INGEST_DB,INGEST_CONFIG,LOG_LEVEL",
        expect.stringMatching(/apps\/deno\/src\/main\.ts$/),
      ])
      const any = denoCommand({ PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db })
      expect(any.args).toContain("--allow-net=127.0.0.1")
      expect(any.args).toContain(`--allow-read=${data},${code}`)
      // Defaults, relative to where it runs (the repo root for `pnpm start:deno`).
      const defaults = denoCommand({})
      expect(defaults.args).toContain("--allow-net=0.0.0.0:8787")
      expect(defaults.args.find((a) => a.startsWith("--allow-write="))).toMatch(/\/\.data$/)
    } finally {
      await ws.remove()
    }
  })

  // The service run with the permissions computed for one environment, in another one.
  const outside = async (
    override: (ws: { dir: string; db: string; config: string }) => Record<string, string>,
    port = "0",
  ) => {
    const ws = await makeWorkspace("outside")
    const env = { PORT: port, HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config }
    const { command, args } = denoCommand(env)
    const elsewhere = join(dir, `elsewhere-${Math.random().toString(36).slice(2)}`)
    await mkdir(elsewhere, { recursive: true })
    const service = launch(command, args, { ...env, ...override({ dir: elsewhere, db: ws.db, config: ws.config }) })
    try {
      const exit = await within(30_000, "exit", service.exited)
      return { exit, stderr: service.stderr(), elsewhere }
    } finally {
      await service.stop("SIGKILL")
      await ws.remove()
    }
  }

  it("refuses a config file outside the granted paths cleanly", async () => {
    const { exit, stderr, elsewhere } = await outside(({ dir: d }) => ({ INGEST_CONFIG: join(d, "tenants.json") }))
    expect(exit, stderr).toEqual({ code: 1, signal: null })
    expect(stderr).toContain(`INGEST_CONFIG: cannot read ${join(elsewhere, "tenants.json")}`)
    expect(stderr).toMatch(/Requires read access/)
    expect(stderr, "a message, not a stack trace").not.toMatch(/^\s+at /m)
  })

  it("refuses a database outside the granted folder cleanly", async () => {
    const { exit, stderr, elsewhere } = await outside(({ dir: d }) => ({ INGEST_DB: join(d, "data", "ingest.db") }))
    expect(exit, stderr).toEqual({ code: 1, signal: null })
    expect(stderr).toContain(`cannot open the store ${join(elsewhere, "data", "ingest.db")}`)
    expect(stderr).toMatch(/Requires (read|write) access/)
    expect(stderr, "a message, not a stack trace").not.toMatch(/^\s+at /m)
  })

  it("refuses a port other than the granted one", async () => {
    const { exit, stderr } = await outside(() => ({ PORT: "18799" }), "18798")
    expect(exit, stderr).toEqual({ code: 1, signal: null })
    expect(stderr).toMatch(/cannot listen on 127\.0\.0\.1:18799: Requires net access/)
    expect(stderr, "a message, not a stack trace").not.toMatch(/^\s+at /m)
  })
})

describe("a port in use stops start-up", () => {
  it("exits 1 with one line naming the address, not a stack trace", async () => {
    await expectPortInUseRefused((env) => launchService({ ...env, INGEST_DB: join(dir, "port-in-use", "ingest.db") }))
  })
})
