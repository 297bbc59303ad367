/**
 * Closing in stages (RFC 9112 §9.6) for Node's HTTP server. When Node closes
 * a connection after an answer (`Connection: close`), it destroys the socket
 * as soon as the answer is written; a client still uploading then gets a
 * reset, and with it loses the answer (a 413 or 401 for a body it is still
 * sending). Here the server half-closes instead and reads on, discarding,
 * until the client closes too or `lingerMs` has passed.
 *
 * @module
 */
import type { Server } from "node:http"
import type { Socket } from "node:net"

export const closeInStages = (server: Server, lingerMs = 2000): void => {
  server.on("connection", (socket: Socket) => {
    socket.destroySoon = function (this: Socket) {
      if (this.writable) this.end()
      const timer = setTimeout(() => this.destroy(), lingerMs)
      timer.unref()
      this.once("close", () => clearTimeout(timer))
      this.once("end", () => this.destroy())
      this.resume()
    }
  })
}
