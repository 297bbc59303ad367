/**
 * A TCP proxy on 127.0.0.1 that the tests can cut: `cut()` drops every
 * connection and refuses new ones (as a dead server or a lost network does),
 * `restore()` lets connections through again.
 */
import { connect, createServer, type Server, type Socket } from "node:net"

export interface TcpProxy {
  readonly port: number
  readonly cut: () => Promise<void>
  readonly restore: () => Promise<void>
  readonly close: () => Promise<void>
}

export const startTcpProxy = async (targetHost: string, targetPort: number): Promise<TcpProxy> => {
  const sockets = new Set<Socket>()
  let port = 0
  const makeServer = (): Server =>
    createServer((client) => {
      const upstream = connect({ host: targetHost, port: targetPort })
      sockets.add(client)
      sockets.add(upstream)
      const drop = () => {
        client.destroy()
        upstream.destroy()
        sockets.delete(client)
        sockets.delete(upstream)
      }
      client.on("error", drop).on("close", drop)
      upstream.on("error", drop).on("close", drop)
      client.pipe(upstream)
      upstream.pipe(client)
    })
  const listen = (server: Server) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(port, "127.0.0.1", () => {
        port = (server.address() as { port: number }).port
        resolve()
      })
    })
  const stop = (server: Server) =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      sockets.clear()
      server.close(() => resolve())
    })
  let server: Server | undefined = makeServer()
  await listen(server)
  return {
    port,
    cut: async () => {
      if (server === undefined) return
      const s = server
      server = undefined
      await stop(s)
    },
    restore: async () => {
      if (server !== undefined) return
      server = makeServer()
      await listen(server)
    },
    close: async () => {
      if (server !== undefined) await stop(server)
      server = undefined
    },
  }
}
