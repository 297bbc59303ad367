/**
 * `runService` with a runtime of its own making: the environment, file,
 * store, server, signals, output and exit it is handed are recorded here, the
 * app it builds is the real one (on the memory store) and answers real
 * requests. The real runtimes' services run it in apps/*\/test.
 */
import { createHash } from "node:crypto"
import { ConfigError, StoreError } from "@cdp/store"
import { describe, expect, it } from "vitest"
import { makeMemoryStore } from "../src/MemoryStore.ts"
import { type ListeningServer, runService, type ServiceRuntime } from "../src/serviceRunner.ts"

/** SHA-256 hex through node:crypto: the keys' digests, and the runtime's synchronous hash. */
const digest = (text: string) => createHash("sha256").update(text).digest("hex")

/** A runtime whose every effect is recorded in `steps`, `stdout`, `stderr`; `overrides` replace its parts. */
const fakeRuntime = (overrides: Partial<ServiceRuntime> = {}, listening: Partial<ListeningServer> = {}) => {
  const steps: Array<string> = []
  const stdout: Array<string> = []
  const stderr: Array<string> = []
  const signals = new Map<string, () => void>()
  let fetch: ((request: Request) => Response | Promise<Response>) | undefined
  let exited: (code: number) => void = () => {}
  const exit = new Promise<number>((resolve) => (exited = resolve))
  const store = makeMemoryStore()
  const runtime: ServiceRuntime = {
    runtime: "test 1.2.3",
    env: {},
    readText: async (path) => {
      throw new Error(`ENOENT: no such file, open '${path}'`)
    },
    openStore: async (db) => {
      steps.push(`open ${db}`)
      return {
        ...store,
        close: async () => {
          steps.push("close store")
        },
      }
    },
    serve: (handler, { hostname, port }) => {
      steps.push(`serve ${hostname} ${port}`)
      fetch = handler
      return {
        hostname,
        port: port === 0 ? 40_123 : port,
        stop: async () => {
          steps.push("stop server")
        },
        ...listening,
      }
    },
    onSignal: (signal, handler) => {
      steps.push(`on ${signal}`)
      signals.set(signal, handler)
    },
    stdout: (line) => stdout.push(line),
    stderr: (line) => stderr.push(line),
    exit: (code) => {
      steps.push(`exit ${code}`)
      exited(code)
    },
    ...overrides,
  }
  const request = (path: string, init?: RequestInit) => {
    if (fetch === undefined) throw new Error("nothing is served")
    return fetch(new Request(`http://service.test${path}`, init))
  }
  return { runtime, steps, stdout, stderr, signals, exit, request }
}

describe("runService: start-up", () => {
  it("development mode by default: port 8787 on every address, the defaults printed, the printed key works", async () => {
    const rt = fakeRuntime()
    await runService(rt.runtime)
    expect(rt.steps).toEqual(["open ./.data/ingest.db", "serve 0.0.0.0 8787", "on SIGTERM", "on SIGINT"])
    expect(rt.stderr[0]).toBe("cdp ingest (test 1.2.3) listening on http://localhost:8787")
    expect(rt.stderr[1]).toBe("store: ./.data/ingest.db")
    expect(rt.stderr.join("\n")).toMatch(/DEVELOPMENT MODE/)
    expect(rt.stderr.join("\n")).toMatch(/tenant: 567/)
    const key = /key:\s+(dev_\S+)/.exec(rt.stderr.join("\n"))?.[1]
    expect(key).toBeDefined()

    const customer = "/v1/customers/customerId1"
    expect((await rt.request(customer)).status).toBe(401)
    expect((await rt.request(customer, { headers: { authorization: `Bearer ${key}` } })).status).toBe(404)
    // The JSON log goes to stdout (a refusal logs at info, the default level), and nothing else does.
    expect(rt.stdout.length).toBeGreaterThan(0)
    expect(rt.stdout.map((line) => JSON.parse(line).level)).toContain("info")
    expect(rt.stderr.join("\n")).not.toMatch(/"level"/)
  })

  it("a tenants file, HOST, PORT, LOG_LEVEL and a synchronous SHA-256 from the runtime", async () => {
    const key = "a-key-of-tenant-568"
    const files = new Map([
      [
        "/etc/cdp/tenants.json",
        JSON.stringify({
          tenants: [
            { id: 567, keys: [digest("another")], channels: [] },
            { id: 568, keys: [digest(key)], channels: [] },
          ],
        }),
      ],
    ])
    const hashed: Array<string> = []
    const rt = fakeRuntime({
      env: {
        PORT: "9999",
        HOST: "127.0.0.1",
        INGEST_CONFIG: "/etc/cdp/tenants.json",
        INGEST_DB: "postgres://ingest:secret@db.internal:5432/cdp?schema=s1",
        LOG_LEVEL: "warn",
      },
      readText: async (path) => files.get(path) ?? Promise.reject(new Error(`no file ${path}`)),
      sha256: (text) => {
        hashed.push(text)
        return digest(text)
      },
    })
    await runService(rt.runtime)
    expect(rt.steps.slice(0, 2)).toEqual([
      "open postgres://ingest:secret@db.internal:5432/cdp?schema=s1",
      "serve 127.0.0.1 9999",
    ])
    expect(rt.stderr).toEqual([
      "cdp ingest (test 1.2.3) listening on http://127.0.0.1:9999",
      "store: postgres://ingest:***@db.internal:5432/cdp?schema=s1",
      "tenants: 567, 568",
    ])
    const answer = await rt.request("/v1/customers/customerId1", { headers: { authorization: `Bearer ${key}` } })
    expect(answer.status).toBe(404)
    expect(hashed, "the runtime's SHA-256 checks the key").toContain(key)
    expect((await rt.request("/v1/customers/customerId1")).status).toBe(401)
    expect(rt.stdout, "LOG_LEVEL=warn: no line for a refusal").toEqual([])
  })

  it.each([
    ["0.0.0.0", "http://localhost:8787"],
    ["::", "http://localhost:8787"],
    ["127.0.0.1", "http://127.0.0.1:8787"],
    ["::1", "http://[::1]:8787"],
    ["service.internal", "http://service.internal:8787"],
  ])("a server listening on %s is announced as %s", async (hostname, url) => {
    const rt = fakeRuntime({}, { hostname })
    await runService(rt.runtime)
    expect(rt.stderr[0]).toBe(`cdp ingest (test 1.2.3) listening on ${url}`)
  })

  it("announces the port the runtime reports (PORT=0: the one it picked)", async () => {
    const rt = fakeRuntime({ env: { PORT: "0", HOST: "127.0.0.1" } })
    await runService(rt.runtime)
    expect(rt.steps[1]).toBe("serve 127.0.0.1 0")
    expect(rt.stderr[0]).toBe("cdp ingest (test 1.2.3) listening on http://127.0.0.1:40123")
  })
})

describe("runService: a start-up that cannot go on prints one line and exits 1", () => {
  it.each([
    ["a PORT that is no port", { PORT: "eighty" }, /^cdp ingest: PORT must be a port number .*"eighty"/],
    ["a PORT out of range", { PORT: "65536" }, /^cdp ingest: PORT must be/],
    ["an INGEST_CONFIG that cannot be read", { INGEST_CONFIG: "/nowhere/t.json" }, /^cdp ingest: .*\/nowhere\/t\.json/],
  ])("%s: before the store is opened", async (_, env, line) => {
    const rt = fakeRuntime({ env })
    await runService(rt.runtime)
    expect(rt.stderr).toHaveLength(1)
    expect(rt.stderr[0]).toMatch(line)
    expect(rt.steps).toEqual(["exit 1"])
  })

  it("a malformed tenants file: the line names the file and the field", async () => {
    const rt = fakeRuntime({
      env: { INGEST_CONFIG: "/t.json" },
      readText: async () => JSON.stringify({ tenants: [{ id: -1, keys: [], channels: [] }] }),
    })
    await runService(rt.runtime)
    expect(rt.stderr).toHaveLength(1)
    expect(rt.stderr[0]).toMatch(/^cdp ingest: .*\/t\.json/)
    expect(rt.stderr[0]).toMatch(/tenants\[0\]\.id/)
    expect(rt.steps).toEqual(["exit 1"])
  })

  it.each([
    ["StoreError", new StoreError("unavailable", "connection refused")],
    ["ConfigError", new ConfigError("bad ?schema= parameter")],
  ])("a store that does not open (%s): the URL without its password, nothing served", async (_, error) => {
    const rt = fakeRuntime({
      env: { INGEST_DB: "postgres://u:pw@db:5432/x", INGEST_CONFIG: "" },
      openStore: async () => Promise.reject(error),
    })
    await runService(rt.runtime)
    expect(rt.stderr).toEqual([`cdp ingest: cannot open the store postgres://u:***@db:5432/x: ${error.message}`])
    expect(rt.steps).toEqual(["exit 1"])
  })

  it("any other failure to open the store is not the operator's: it rejects, with its stack", async () => {
    const bug = new TypeError("undefined is not a function")
    const rt = fakeRuntime({ openStore: async () => Promise.reject(bug) })
    await expect(runService(rt.runtime)).rejects.toBe(bug)
    expect(rt.steps).toEqual([])
  })

  it.each([
    ["throws", "throw"],
    ["rejects", "reject"],
  ])("a port in use (the runtime's serve %s): one line, the store closed, exit 1", async (_, how) => {
    const inUse = Object.assign(new Error("listen EADDRINUSE: address already in use 127.0.0.1:8080"), {
      code: "EADDRINUSE",
    })
    const rt = fakeRuntime({
      env: { HOST: "127.0.0.1", PORT: "8080" },
      serve: () => {
        if (how === "throw") throw inUse
        return Promise.reject(inUse)
      },
    })
    await runService(rt.runtime)
    expect(rt.stderr).toHaveLength(1)
    expect(rt.stderr[0]).toMatch(/^cdp ingest: cannot listen on 127\.0\.0\.1:8080: .*already in use/)
    expect(rt.steps).toEqual(["open ./.data/ingest.db", "close store", "exit 1"])
    expect(await rt.exit).toBe(1)
  })
})

describe("runService: shutdown", () => {
  it.each(["SIGTERM", "SIGINT"] as const)(
    "on %s: stops the server, closes the store, exits 0; once",
    async (signal) => {
      const rt = fakeRuntime()
      await runService(rt.runtime)
      const before = rt.steps.length
      rt.signals.get(signal)?.()
      rt.signals.get(signal === "SIGTERM" ? "SIGINT" : "SIGTERM")?.()
      expect(await rt.exit).toBe(0)
      expect(rt.steps.slice(before)).toEqual(["stop server", "close store", "exit 0"])
      expect(rt.stderr).toContain(`cdp ingest: ${signal}: finishing in-flight requests`)
    },
  )
})
