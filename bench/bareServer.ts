/**
 * The yardstick of `pnpm bench:ingest`: a bare Hono handler that parses the
 * JSON body and answers 202 with a small JSON body, served the way the
 * service is served on the runtime that runs this file: @hono/node-server on
 * Node.js, `Bun.serve` on Bun, `Deno.serve` on Deno. No authentication, no
 * validation, no storage: the cost of HTTP plus `JSON.parse` on this runtime.
 *
 * Env: PORT (0 picks a free one), HOST (default 127.0.0.1). Prints
 * `listening on http://...` on stderr, like the service.
 */
import { Hono } from "hono"

declare const Bun:
  | {
      version: string
      serve(options: { fetch: (req: Request) => Response | Promise<Response>; port: number; hostname: string }): {
        port: number
        hostname: string
        stop(): Promise<void>
      }
    }
  | undefined
declare const Deno:
  | {
      version: { deno: string }
      serve(
        options: { port: number; hostname: string; onListen: (addr: { hostname: string; port: number }) => void },
        handler: (req: Request) => Response | Promise<Response>,
      ): { shutdown(): Promise<void> }
      addSignalListener(signal: string, fn: () => void): void
      exit(code: number): never
    }
  | undefined

const app = new Hono()

app.post("/v1/events", async (c) => {
  const body: unknown = await c.req.json()
  const accepted = Array.isArray(body) ? body.length : 1
  return c.json({ accepted, duplicates: 0, rejected: 0 }, 202)
})
app.get("/healthz", (c) => c.json({ status: "ok" }))

const port = Number(process.env.PORT ?? 0)
const hostname = process.env.HOST ?? "127.0.0.1"
const listening = (runtime: string, host: string, at: number) =>
  process.stderr.write(`bare hono (${runtime}) listening on http://${host}:${at}\n`)

if (typeof Bun !== "undefined") {
  const server = Bun.serve({ fetch: app.fetch, port, hostname })
  listening(`bun ${Bun.version}`, server.hostname, server.port)
  const stop = () => void server.stop().then(() => process.exit(0))
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
} else if (typeof Deno !== "undefined") {
  const runtime = Deno
  const server = runtime.serve(
    { port, hostname, onListen: (addr) => listening(`deno ${runtime.version.deno}`, addr.hostname, addr.port) },
    app.fetch,
  )
  const stop = () => void server.shutdown().then(() => runtime.exit(0))
  runtime.addSignalListener("SIGTERM", stop)
  runtime.addSignalListener("SIGINT", stop)
} else {
  const { serve } = await import("@hono/node-server")
  const server = serve({ fetch: app.fetch, port, hostname }, (info) =>
    listening(`node ${process.version}`, info.address, info.port),
  )
  const stop = () => {
    server.close(() => process.exit(0))
    if ("closeIdleConnections" in server) server.closeIdleConnections()
  }
  process.on("SIGTERM", stop)
  process.on("SIGINT", stop)
}
