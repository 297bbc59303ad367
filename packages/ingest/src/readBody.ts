/**
 * Reads a request body up to a byte limit, refusing a larger one while it
 * streams (a `Content-Length` over the limit is refused before reading).
 *
 * @module
 */

/**
 * The body's bytes, or `"too_large"` once more than `limit` bytes came.
 *
 * @since 0.1.0
 * @category bodies
 */
export const readBody = async (req: Request, limit: number): Promise<Uint8Array | "too_large"> => {
  const length = req.headers.get("content-length")
  if (length !== null) {
    const n = Number(length)
    if (n > limit) return "too_large"
    // The HTTP framing bounds the body by its Content-Length: read it at once.
    if (Number.isSafeInteger(n)) return new Uint8Array(await req.arrayBuffer())
  }
  if (req.body === null) return new Uint8Array(0)
  const reader = req.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > limit) {
      // Leave the rest to `discardBody`: the answer goes out once the
      // client has stopped sending (or after a bound), not into a reset.
      reader.releaseLock()
      return "too_large"
    }
    chunks.push(value)
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array
  const out = new Uint8Array(size)
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

/**
 * Reads and drops what is left of a refused request's body, so that the
 * client, still uploading, receives the refusal instead of a reset
 * connection (RFC 9112 §9.6: close in stages). Bounded: a body announced by
 * its `Content-Length` is drained up to `maxAnnounced` bytes (a larger one is
 * not read at all), a streamed one up to `maxStreamed`; neither for longer
 * than `maxMs`.
 *
 * @since 0.1.0
 * @category bodies
 */
export const discardBody = async (
  req: Request,
  { maxAnnounced = 16 * 1024 * 1024, maxStreamed = 4 * 1024 * 1024, maxMs = 2000 } = {},
): Promise<void> => {
  if (req.body === null || req.body.locked) return
  const announced = req.headers.get("content-length")
  const maxBytes = announced === null ? maxStreamed : maxAnnounced
  if (announced !== null && Number(announced) > maxAnnounced) return
  // Only what is used: Bun's reader type adds members (readMany) that others lack.
  let reader: Pick<ReadableStreamDefaultReader<Uint8Array>, "read" | "releaseLock">
  try {
    reader = req.body.getReader()
  } catch {
    return
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), maxMs)
  })
  try {
    let size = 0
    for (;;) {
      const r = await Promise.race([reader.read(), timeout])
      if (r === "timeout" || r.done) break
      size += r.value.byteLength
      if (size > maxBytes) break
    }
  } catch {
    // The client went away: nothing left to drain.
  } finally {
    if (timer !== undefined) clearTimeout(timer)
    // Not `cancel()`: on Node that destroys the socket before the refusal is
    // written. Released, the rest is left to the runtime, which closes the
    // connection after the answer (`Connection: close`).
    try {
      reader.releaseLock()
    } catch {
      // A read still pending (the time bound hit): the stream stays locked.
    }
  }
}
