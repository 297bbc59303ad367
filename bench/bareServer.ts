/**
 * The yardstick of `pnpm bench:ingest`: a bare Hono handler on Node.js
 * (@hono/node-server), the same adapter the service uses, that parses the
 * JSON body and answers 202 with a small JSON body. No authentication, no
 * validation, no storage: the cost of HTTP plus `JSON.parse` on this runtime.
 *
 * Env: PORT (0 picks a free one), HOST (default 127.0.0.1). Prints
 * `listening on http://...` on stderr, like the service.
 */
import { serve } from "@hono/node-server"
import { Hono } from "hono"

const app = new Hono()

app.post("/v1/events", async (c) => {
  const body: unknown = await c.req.json()
  const accepted = Array.isArray(body) ? body.length : 1
  return c.json({ accepted, duplicates: 0, rejected: 0 }, 202)
})
app.get("/healthz", (c) => c.json({ status: "ok" }))

const server = serve(
  { fetch: app.fetch, port: Number(process.env.PORT ?? 0), hostname: process.env.HOST ?? "127.0.0.1" },
  (info) =>
    process.stderr.write(`bare hono (node ${process.version}) listening on http://${info.address}:${info.port}\n`),
)

const stop = () => {
  server.close(() => process.exit(0))
  if ("closeIdleConnections" in server) server.closeIdleConnections()
}
process.on("SIGTERM", stop)
process.on("SIGINT", stop)
