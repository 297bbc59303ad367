import { describe, expect, it } from "vitest"
import { makeShutdown } from "../src/shutdown.ts"

/** A shutdown whose server, store and exit are recorded. */
const harness = (server: () => Promise<void>, close: () => Promise<void> = async () => {}, graceMs = 10_000) => {
  const steps: string[] = []
  let exited: (code: number) => void = () => {}
  const exit = new Promise<number>((resolve) => {
    exited = resolve
  })
  const stop = makeShutdown({
    stopServer: async () => {
      steps.push("stop server")
      await server()
      steps.push("server stopped")
    },
    store: {
      close: async () => {
        steps.push("close store")
        await close()
      },
    },
    log: (line) => steps.push(line),
    exit: (code) => {
      steps.push(`exit ${code}`)
      exited(code)
    },
    graceMs,
  })
  return { steps, exit, stop }
}

describe("makeShutdown", () => {
  it("stops the server, then closes the store, then exits 0; a second signal does nothing", async () => {
    const h = harness(() => new Promise((r) => setTimeout(r, 20)))
    h.stop("SIGTERM")
    h.stop("SIGINT")
    expect(await h.exit).toBe(0)
    expect(h.steps).toEqual([
      "cdp ingest: SIGTERM: finishing in-flight requests",
      "stop server",
      "server stopped",
      "close store",
      "exit 0",
    ])
  })

  it("exits 1 when the server or the store fails to stop, closing the store either way", async () => {
    const server = harness(() => Promise.reject(new Error("stuck")))
    server.stop("SIGTERM")
    expect(await server.exit).toBe(1)
    expect(server.steps.slice(-2)).toEqual(["close store", "exit 1"])
    const store = harness(
      async () => {},
      () => Promise.reject(new Error("disk gone")),
    )
    store.stop("SIGTERM")
    expect(await store.exit).toBe(1)
    expect(store.steps).toContain("close store")
  })

  it("closes the store and exits 1 when requests in flight outlast the grace period", async () => {
    const h = harness(() => new Promise(() => {}), undefined, 30)
    h.stop("SIGTERM")
    expect(await h.exit).toBe(1)
    expect(h.steps).toEqual([
      "cdp ingest: SIGTERM: finishing in-flight requests",
      "stop server",
      "cdp ingest: in-flight requests did not finish in 0.03 s; closing anyway",
      "close store",
      "exit 1",
    ])
  })
})
