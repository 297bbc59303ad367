/**
 * A free TCP port on 127.0.0.1, for a test that must know its service's
 * address before starting it (to keep it across a restart, or to hand it to
 * a server it launches). Test-side only (uses node:net).
 *
 * @module
 */
import { createServer } from "node:net"

/**
 * A TCP port nobody listens on right now.
 *
 * @since 0.2.0
 * @category constructors
 */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
