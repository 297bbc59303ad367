/**
 * The paging cursor of `listEvents`: an opaque token naming the last event of
 * a page by its `(timestamp, id)`, the sort key of a customer's activity.
 * Every store encodes and decodes it here, so a cursor from one driver means
 * the same to another. Runtime-free: `btoa`, `atob`, `TextEncoder` only.
 *
 * @module
 */
import { StoreError } from "./StorePort.ts"

/**
 * The position a cursor names: the last event of the previous page. The next
 * page holds the events that sort after it, newest timestamp first (ties:
 * greatest id first), i.e. those with `(timestamp, id)` less than this one.
 *
 * @since 0.1.0
 * @category models
 */
export interface CursorPosition {
  readonly timestamp: string
  readonly id: string
}

const base64urlPattern = /^[A-Za-z0-9_-]+$/
/** Longest cursor accepted: a timestamp and a digest id fit in far less. */
const maxCursorLength = 1024

const encoder = new TextEncoder()
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

const invalid = (detail: string, cause?: unknown): StoreError =>
  new StoreError(
    "invalid_cursor",
    `cursor is not a cursor of this API: ${detail}`,
    cause === undefined ? {} : { cause },
  )

/**
 * Encodes a position as base64url (no padding) of the JSON `[timestamp, id]`.
 *
 * @since 0.1.0
 * @category cursor
 */
export const encodeCursor = (position: CursorPosition): string => {
  const bytes = encoder.encode(JSON.stringify([position.timestamp, position.id]))
  let binary = ""
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")
}

/**
 * Decodes a cursor made by `encodeCursor`. Throws `StoreError` with code
 * `invalid_cursor` when it is not one.
 *
 * @since 0.1.0
 * @category cursor
 */
export const decodeCursor = (cursor: string): CursorPosition => {
  if (typeof cursor !== "string" || cursor.length === 0) throw invalid("it is empty")
  if (cursor.length > maxCursorLength) throw invalid(`it is longer than ${maxCursorLength} characters`)
  if (!base64urlPattern.test(cursor)) throw invalid("it is not base64url")
  let parsed: unknown
  try {
    const binary = atob(cursor.replace(/-/g, "+").replace(/_/g, "/"))
    const bytes = new Uint8Array(binary.length)
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
    parsed = JSON.parse(decoder.decode(bytes))
  } catch (cause) {
    throw invalid("it does not decode", cause)
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== "string" ||
    typeof parsed[1] !== "string" ||
    parsed[1].length === 0
  ) {
    throw invalid("it does not name an event")
  }
  return { timestamp: parsed[0], id: parsed[1] }
}
