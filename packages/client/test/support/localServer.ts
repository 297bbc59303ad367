/**
 * A local HTTP server on 127.0.0.1 for the tests that need an answer the
 * real service does not give on demand (a 413 under 1 MiB, a request held
 * open, a record of every body received). The handler gets the method, the
 * path with its query, the headers and the whole body.
 */
import { createServer, type IncomingHttpHeaders } from "node:http"

export interface Received {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

export interface Reply {
  readonly status: number
  readonly headers?: Record<string, string>
  readonly body?: string | Buffer
}

export interface LocalServer {
  readonly url: string
  readonly close: () => Promise<void>
}

export const startLocalServer = async (handle: (req: Received) => Promise<Reply> | Reply): Promise<LocalServer> => {
  const server = createServer(async (req, res) => {
    const chunks: Array<Buffer> = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const reply = await handle({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      body: Buffer.concat(chunks),
    })
    res.writeHead(reply.status, reply.headers ?? {})
    res.end(reply.body)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** The answer of the service to a batch whose events are all stored now: ids made from their positions. */
export const acceptAll = (body: Buffer, idOf: (event: unknown, index: number) => string): Reply => {
  const events = JSON.parse(body.toString("utf8")) as Array<unknown>
  return {
    status: 202,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      accepted: events.length,
      duplicates: 0,
      rejected: 0,
      results: events.map((e, index) => ({ index, status: "accepted", id: idOf(e, index) })),
    }),
  }
}
