/**
 * One raw HTTP/1.1 exchange on a socket of its own, for what `fetch` cannot
 * send or observe: a body that streams without end, how many bytes went out
 * before the answer's head came, a second request on the same connection.
 * Test-side only (uses node:net and node:fs).
 *
 * @module
 */
import { readFileSync } from "node:fs"
import { connect, type Socket } from "node:net"

const MiB = 1024 * 1024
/** No single answer may take longer than this: a slower one counts as a hang. */
export const ANSWER_MS = 15_000

/** An answer of one raw HTTP/1.1 exchange on a socket of its own. */
export interface RawAnswer {
  readonly status: number
  readonly headers: Record<string, string>
  readonly body: string
  /** Body bytes the client had written when the answer's head arrived. */
  readonly sentBeforeAnswer: number
  /** Milliseconds from the first byte written to the answer's head. */
  readonly ms: number
  readonly socket: Socket
  /** Settles when the client has written all of the body it meant to (or stopped). */
  readonly written: Promise<void>
}

/**
 * Sends a request head, then body pieces from `body` (until it ends, the
 * answer's head arrives, or the server closes), and reads one whole answer.
 * The socket is left open for a follow-up request; the caller destroys it.
 */
export const rawRequest = (
  baseUrl: string,
  head: string,
  body: Iterable<Uint8Array | string>,
  options: {
    readonly stopOnAnswer?: boolean
    /** A connection closed before any answer resolves with status 0 instead of failing. */
    readonly allowClose?: boolean
  } = {},
): Promise<RawAnswer> => {
  const url = new URL(baseUrl)
  const socket = connect(Number(url.port), url.hostname)
  const start = Date.now()
  let bodyDone: () => void = () => {}
  const written = new Promise<void>((r) => {
    bodyDone = r
  })
  return new Promise<RawAnswer>((resolve, reject) => {
    let buffer = Buffer.alloc(0)
    let sent = 0
    let headAt: { sent: number; ms: number } | undefined
    let answered = false
    const timer = setTimeout(() => {
      socket.destroy()
      reject(new Error(`no whole answer within ${ANSWER_MS} ms (sent ${sent} body bytes)`))
    }, ANSWER_MS)
    const tryParse = () => {
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0) return
      headAt ??= { sent, ms: Date.now() - start }
      const lines = buffer.subarray(0, end).toString("latin1").split("\r\n")
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1])
      const headers: Record<string, string> = {}
      for (const line of lines.slice(1)) {
        const i = line.indexOf(":")
        headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim()
      }
      const length = Number(headers["content-length"] ?? Number.NaN)
      if (!Number.isFinite(length)) return // read to the close
      if (buffer.length - end - 4 < length) return
      answered = true
      clearTimeout(timer)
      socket.removeAllListeners("data")
      resolve({
        status,
        headers,
        body: buffer.subarray(end + 4, end + 4 + length).toString("utf8"),
        sentBeforeAnswer: headAt.sent,
        ms: headAt.ms,
        socket,
        written,
      })
    }
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      tryParse()
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      if (answered) return
      clearTimeout(timer)
      const end = buffer.indexOf("\r\n\r\n")
      if (end < 0) {
        if (options.allowClose) {
          resolve({ status: 0, headers: {}, body: "", sentBeforeAnswer: sent, ms: Date.now() - start, socket, written })
        } else reject(new Error(`connection closed without an answer (sent ${sent} body bytes)`))
        return
      }
      const lines = buffer.subarray(0, end).toString("latin1").split("\r\n")
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0] ?? "")?.[1]),
        headers: {},
        body: buffer.subarray(end + 4).toString("utf8"),
        sentBeforeAnswer: headAt?.sent ?? sent,
        ms: headAt?.ms ?? Date.now() - start,
        socket,
        written,
      })
    })
    socket.once("connect", async () => {
      socket.write(head)
      for (const piece of body) {
        if (socket.destroyed || (options.stopOnAnswer && headAt !== undefined)) break
        sent += typeof piece === "string" ? Buffer.byteLength(piece) : piece.byteLength
        // Wait for the kernel to take it: the server's reading paces the client.
        if (!socket.write(piece)) await new Promise((r) => socket.once("drain", r))
      }
      bodyDone()
    })
    socket.once("close", () => bodyDone())
  })
}

/**
 * The most a loopback connection can hold between a writer and a reader that
 * has stopped reading: the receive buffer's and the send buffer's maxima.
 */
export const kernelBuffering = (): number => {
  const max = (file: string, fallback: number): number => {
    try {
      const n = Number(readFileSync(file, "utf8").trim().split(/\s+/)[2])
      return Number.isSafeInteger(n) && n > 0 ? n : fallback
    } catch {
      return fallback
    }
  }
  return max("/proc/sys/net/ipv4/tcp_rmem", 32 * MiB) + max("/proc/sys/net/ipv4/tcp_wmem", 4 * MiB)
}

/** The pieces of a chunked body: `count` chunks of `size` bytes of spaces (then the last chunk, when `end`). */
export function* chunked(size: number, count: number, end: boolean): Generator<string | Uint8Array> {
  const data = new Uint8Array(size).fill(0x20)
  const opening = new TextEncoder().encode("[")
  for (let i = 0; i < count; i++) {
    yield `${size.toString(16)}\r\n`
    yield i === 0 ? Uint8Array.from([...opening, ...data.subarray(1)]) : data
    yield "\r\n"
  }
  if (end) yield "0\r\n\r\n"
}
