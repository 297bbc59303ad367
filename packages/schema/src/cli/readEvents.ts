/**
 * Reads events from a stream of text without holding it whole: one JSON
 * object, a JSON array (split element by element as it streams) or NDJSON
 * (line by line). The format is told by the first non-space character: `[`
 * is an array; otherwise the first line decides: a complete JSON value is
 * NDJSON, an incomplete one (a pretty-printed object) is one JSON document.
 * Reach for it to feed a validator from files or stdin of any size.
 *
 * @module
 */

/** How the input is laid out. */
export type InputFormat = "json" | "array" | "ndjson"

/**
 * One entry of the input: an event (any JSON value) with where it was, or an
 * NDJSON line that is not JSON (reported as an invalid event, not fatal).
 */
export type InputRecord =
  | {
      readonly kind: "event"
      readonly format: InputFormat
      readonly value: unknown
      /** The line the event starts on (1-based). */
      readonly line: number
      /** The element's index (arrays only). */
      readonly index?: number
    }
  | { readonly kind: "malformed"; readonly format: "ndjson"; readonly line: number; readonly error: string }

/** Input that cannot be read as JSON at all: the rest of it is skipped. */
export class MalformedInputError extends Error {
  override readonly name = "MalformedInputError"
  /** Where the error is, when known (1-based). */
  readonly line: number | undefined
  readonly column: number | undefined
  constructor(message: string, line?: number, column?: number) {
    super(message)
    this.line = line
    this.column = column
  }
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09

/** The message of a JSON.parse error on one line, without V8's position (told apart). */
const parseMessage = (e: unknown): string =>
  (e instanceof Error ? e.message : String(e))
    .replace(/\s*\n\s*/g, " ")
    .replace(/ in JSON at position \d+/, "")
    .replace(/ \(line \d+ column \d+\)$/, "")

/** The message of a JSON.parse error on one line, its position as a column. */
const lineMessage = (e: unknown): string => {
  const m = /at position (\d+)/.exec(e instanceof Error ? e.message : "")
  return m ? `${parseMessage(e)} at column ${Number(m[1]) + 1}` : parseMessage(e)
}

/**
 * Line and column (1-based) of a JSON.parse error within `text`, which starts
 * on `firstLine`, when the engine tells the position (V8 does not for every
 * error).
 */
const positionOf = (e: unknown, text: string, firstLine: number): { line?: number; column?: number } => {
  const m = /at position (\d+)/.exec(e instanceof Error ? e.message : "")
  if (!m) return {}
  const pos = Math.min(Number(m[1]), text.length)
  let line = firstLine
  let lineStart = 0
  for (let i = 0; i < pos; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++
      lineStart = i + 1
    }
  }
  return { line, column: pos - lineStart + 1 }
}

/** Chunks as strings, whatever the stream yields. */
async function* asStrings(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  for await (const chunk of chunks) {
    const s = typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true })
    if (s.length > 0) yield s
  }
  const tail = decoder.decode()
  if (tail.length > 0) yield tail
}

async function* prepend(head: string, rest: AsyncIterator<string>): AsyncGenerator<string> {
  if (head.length > 0) yield head
  for (;;) {
    const r = await rest.next()
    if (r.done) return
    yield r.value
  }
}

/**
 * The events of an input, in order. Throws `MalformedInputError` when a JSON
 * document or array is malformed (what came before it was yielded already).
 */
export async function* readEvents(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<InputRecord> {
  for await (const batch of readEventBatches(chunks)) yield* batch
}

/**
 * The events of an input in batches, one per chunk read: what `readEvents`
 * yields one by one, without the cost of an await per event.
 */
export async function* readEventBatches(
  chunks: AsyncIterable<string | Uint8Array>,
): AsyncGenerator<ReadonlyArray<InputRecord>> {
  const it = asStrings(chunks)[Symbol.asyncIterator]()
  let head = ""
  let first = -1
  for (;;) {
    const r = await it.next()
    if (r.done) break
    head += head.length === 0 && r.value.charCodeAt(0) === 0xfeff ? r.value.slice(1) : r.value
    first = head.search(/\S/)
    if (first !== -1) break
  }
  if (first === -1) return
  const rest = prepend(head, it)
  if (head[first] === "[") yield* readArray(rest)
  else yield* readLines(rest)
}

/** The lines of the input (without `\n` or `\r\n`), a batch per chunk. */
async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<Array<string>> {
  let buf = ""
  for await (const chunk of chunks) {
    buf = buf.length === 0 ? chunk : buf + chunk
    const batch: Array<string> = []
    let start = 0
    for (let nl = buf.indexOf("\n"); nl !== -1; nl = buf.indexOf("\n", start)) {
      batch.push(buf.charCodeAt(nl - 1) === 0x0d && nl > start ? buf.slice(start, nl - 1) : buf.slice(start, nl))
      start = nl + 1
    }
    buf = buf.slice(start)
    if (batch.length > 0) yield batch
  }
  if (buf.length > 0) yield [buf.endsWith("\r") ? buf.slice(0, -1) : buf]
}

const tryParse = (text: string): { ok: true; value: unknown } | { ok: false; error: unknown } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (error) {
    return { ok: false, error }
  }
}

/**
 * NDJSON or a single (pretty-printed) JSON document. When the first line is
 * not JSON on its own, the next non-blank line decides: one that opens an
 * object means NDJSON with a malformed first line, anything else means the
 * lines are one document.
 */
async function* readLines(chunks: AsyncIterable<string>): AsyncGenerator<ReadonlyArray<InputRecord>> {
  let mode: "start" | "undecided" | "ndjson" | "document" = "start"
  let held: { line: number; error: unknown } | undefined
  const doc: Array<string> = []
  let n = 0
  for await (const batch of lines(chunks)) {
    const out: Array<InputRecord> = []
    for (const text of batch) {
      n++
      if (mode === "document" || (mode === "undecided" && text.trim() === "")) {
        doc.push(text)
        continue
      }
      if (mode === "undecided") {
        if (text.trimStart().startsWith("{") && held) {
          out.push({ kind: "malformed", format: "ndjson", line: held.line, error: lineMessage(held.error) })
          mode = "ndjson"
          doc.length = 0
        } else {
          doc.push(text)
          mode = "document"
          continue
        }
      }
      if (text.trim() === "") continue
      const r = tryParse(text)
      if (r.ok) {
        mode = "ndjson"
        out.push({ kind: "event", format: "ndjson", value: r.value, line: n })
      } else if (mode === "start") {
        mode = "undecided"
        held = { line: n, error: r.error }
        doc.push(text)
      } else out.push({ kind: "malformed", format: "ndjson", line: n, error: lineMessage(r.error) })
    }
    if (out.length > 0) yield out
  }
  if ((mode === "undecided" || mode === "document") && held) {
    const text = doc.join("\n")
    const r = tryParse(text)
    if (r.ok) yield [{ kind: "event", format: "json", value: r.value, line: held.line }]
    else {
      const at = positionOf(r.error, text, held.line)
      throw new MalformedInputError(`malformed JSON: ${parseMessage(r.error)}`, at.line, at.column)
    }
  }
}

/**
 * A JSON array, split into its elements as it streams: each element is
 * parsed on its own, so memory holds one element at a time.
 */
async function* readArray(chunks: AsyncIterable<string>): AsyncGenerator<ReadonlyArray<InputRecord>> {
  // before: before the `[`; first: after `[`; value: after a comma;
  // element: inside an element; end: after the closing `]`.
  let phase = "before" as "before" | "first" | "value" | "element" | "end"
  let line = 1
  let depth = 0
  let inString = false
  let escaped = false
  let element = ""
  let elementLine = 0
  let index = 0
  const fail = (message: string): never => {
    throw new MalformedInputError(`malformed JSON array: ${message}`, line)
  }
  const finish = (text: string): InputRecord => {
    const r = tryParse(text)
    if (!r.ok) {
      const at = positionOf(r.error, text, elementLine)
      throw new MalformedInputError(`malformed JSON in element ${index}: ${parseMessage(r.error)}`, at.line, at.column)
    }
    return { kind: "event", format: "array", value: r.value, line: elementLine, index: index++ }
  }
  for await (const chunk of chunks) {
    const out: Array<InputRecord> = []
    try {
      let start = phase === "element" ? 0 : -1
      for (let i = 0; i < chunk.length; i++) {
        const c = chunk.charCodeAt(i)
        if (phase === "element") {
          if (inString) {
            if (escaped) escaped = false
            else if (c === 0x5c) escaped = true
            else if (c === 0x22) inString = false
            else if (c === 0x0a) line++
            continue
          }
          if (c === 0x22) inString = true
          else if (c === 0x7b || c === 0x5b) depth++
          else if ((c === 0x7d || c === 0x5d) && depth > 0) depth--
          else if (depth === 0 && (c === 0x2c || c === 0x5d)) {
            element += chunk.slice(start, i)
            out.push(finish(element))
            element = ""
            start = -1
            phase = c === 0x2c ? "value" : "end"
          } else if (c === 0x0a) line++
          continue
        }
        if (c === 0x0a) line++
        if (isSpace(c)) continue
        switch (phase) {
          case "before":
            if (c !== 0x5b) fail("expected [")
            phase = "first"
            break
          case "first":
          case "value":
            if (c === 0x5d) {
              if (phase === "value") fail("expected a value after the comma")
              phase = "end"
              break
            }
            if (c === 0x2c) fail("expected a value, got ,")
            phase = "element"
            elementLine = line
            start = i
            i-- // read the first character again as part of the element
            break
          case "end":
            fail("unexpected data after the closing ]")
        }
      }
      if (phase === "element" && start !== -1) element += chunk.slice(start)
    } catch (e) {
      // What came before the error in this chunk is told first.
      if (out.length > 0) yield out
      throw e
    }
    if (out.length > 0) yield out
  }
  if (phase !== "end") fail(phase === "before" ? "expected [" : "unexpected end of input: the array is not closed")
}
