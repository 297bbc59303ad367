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
      await reader.cancel().catch(() => {})
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
