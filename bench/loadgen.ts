/**
 * A small closed-loop HTTP/1.1 load generator for `bench:ingest`: N keep-alive
 * connections on raw sockets, each sending one POST, waiting for its answer,
 * sending the next (no pipelining). Bodies come from a callback, one fresh
 * body per request.
 *
 * Why not autocannon: with a fresh body per request (`setupRequest`),
 * autocannon spends much more client CPU per request than this client, and so
 * drives the same bare handler to far fewer requests per second. The client
 * shares the cores with the server it measures, so whatever it spends is taken
 * from the contender's figure.
 *
 * Answers are framed by `Content-Length` or chunked transfer coding. Each 2xx
 * answer's body is expected to open with `{"accepted":N`; N is summed, so the
 * caller knows how many events were acknowledged as stored.
 */
import { connect, type Socket } from "node:net"

export interface LoadOptions {
  /**
   * The server, or several servers (processes of one service on as many
   * ports): connection i goes to `url[i % url.length]`.
   */
  readonly url: string | ReadonlyArray<string>
  readonly path: string
  readonly headers: Readonly<Record<string, string>>
  readonly connections: number
  readonly seconds: number
  readonly body: () => string
  /** A request unanswered this long is a timeout; its connection is dropped. */
  readonly timeoutMs?: number
}

export interface LoadResult {
  /** Wall time of the measured window, seconds. */
  readonly seconds: number
  /** 2xx answers received within the window. */
  readonly ok: number
  /** All answers received (window and drain), by status code. */
  readonly statuses: Readonly<Record<string, number>>
  /** Sum of `accepted` over all 2xx answers (window and drain). */
  readonly accepted: number
  /** 2xx answers whose body did not open with `{"accepted":N`. */
  readonly unreadable: number
  readonly socketErrors: number
  readonly timeouts: number
  /** Latencies of the 2xx answers within the window, ms, sorted. */
  readonly latencies: Float64Array
}

const acceptedPrefix = /^\{"accepted":(\d+)/

export const runLoad = (o: LoadOptions): Promise<LoadResult> => {
  const targets = (typeof o.url === "string" ? [o.url] : o.url).map((u) => {
    const url = new URL(u)
    let head = `POST ${o.path} HTTP/1.1\r\nhost: ${url.host}\r\nconnection: keep-alive\r\n`
    for (const [k, v] of Object.entries(o.headers)) head += `${k}: ${v}\r\n`
    return { port: Number(url.port), host: url.hostname, head: `${head}content-length: ` }
  })
  const timeoutMs = o.timeoutMs ?? 10_000

  let latencies = new Float64Array(1 << 16)
  let n = 0
  let ok = 0
  let accepted = 0
  let unreadable = 0
  let socketErrors = 0
  let timeouts = 0
  const statuses: Record<string, number> = {}

  const start = performance.now()
  const end = start + o.seconds * 1000

  const connection = (_: unknown, i: number) =>
    new Promise<void>((resolve) => {
      const { port, host, head } = targets[i % targets.length]!
      const socket: Socket = connect({ port, host, noDelay: true })
      socket.setEncoding("latin1")
      let buf = ""
      let sentAt = 0
      let inFlight = false
      let done = false
      let timer: NodeJS.Timeout | undefined
      const finish = () => {
        if (done) return
        done = true
        if (timer) clearTimeout(timer)
        socket.destroy()
        resolve()
      }
      const send = () => {
        const body = o.body()
        inFlight = true
        sentAt = performance.now()
        socket.write(`${head}${Buffer.byteLength(body)}\r\n\r\n${body}`)
        timer = setTimeout(() => {
          timeouts++
          finish()
        }, timeoutMs)
      }
      /** Parses as many complete answers as `buf` holds. */
      const parse = () => {
        for (;;) {
          const headEnd = buf.indexOf("\r\n\r\n")
          if (headEnd < 0) return
          const status = Number(buf.slice(9, 12))
          const headers = buf.slice(0, headEnd).toLowerCase()
          let body: string
          let rest: string
          const cl = headers.indexOf("\r\ncontent-length:")
          if (cl >= 0) {
            const lineEnd = headers.indexOf("\r\n", cl + 17)
            const len = Number.parseInt(headers.slice(cl + 17, lineEnd < 0 ? undefined : lineEnd), 10)
            if (buf.length < headEnd + 4 + len) return
            body = buf.slice(headEnd + 4, headEnd + 4 + len)
            rest = buf.slice(headEnd + 4 + len)
          } else if (headers.includes("\r\ntransfer-encoding: chunked")) {
            let at = headEnd + 4
            body = ""
            for (;;) {
              const lineEnd = buf.indexOf("\r\n", at)
              if (lineEnd < 0) return
              const size = Number.parseInt(buf.slice(at, lineEnd), 16)
              if (buf.length < lineEnd + 2 + size + 2) return
              body += buf.slice(lineEnd + 2, lineEnd + 2 + size)
              at = lineEnd + 2 + size + 2
              if (size === 0) break
            }
            rest = buf.slice(at)
          } else {
            body = ""
            rest = buf.slice(headEnd + 4)
          }
          buf = rest
          const now = performance.now()
          if (timer) clearTimeout(timer)
          inFlight = false
          statuses[status] = (statuses[status] ?? 0) + 1
          if (status >= 200 && status < 300) {
            const m = acceptedPrefix.exec(body)
            if (m) accepted += Number(m[1])
            else unreadable++
            if (now <= end) {
              ok++
              if (n === latencies.length) {
                const bigger = new Float64Array(n * 2)
                bigger.set(latencies)
                latencies = bigger
              }
              latencies[n++] = now - sentAt
            }
          }
          if (now < end) send()
          else return finish()
        }
      }
      socket.on("connect", send)
      socket.on("data", (chunk: string) => {
        buf += chunk
        parse()
      })
      socket.on("error", () => {
        socketErrors++
        finish()
      })
      socket.on("close", () => {
        if (inFlight && !done) socketErrors++
        finish()
      })
    })

  return Promise.all(Array.from({ length: o.connections }, connection)).then(() => ({
    seconds: o.seconds,
    ok,
    statuses,
    accepted,
    unreadable,
    socketErrors,
    timeouts,
    latencies: latencies.slice(0, n).sort(),
  }))
}
