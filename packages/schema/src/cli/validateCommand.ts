/**
 * `cdp-schema validate`: validates events from files or stdin (JSON, JSON
 * arrays or NDJSON, streamed) with the compiled validator, prints each
 * invalid event's issues where it was found and ends with a summary. Exit
 * code: 0 all valid, 1 some invalid, 2 an input could not be read or parsed.
 *
 * @module
 */
import { once } from "node:events"
import { createReadStream } from "node:fs"
import { makeDecoder } from "../decodeEvent.ts"
import type { Channel } from "../Field.ts"
import type { Issue } from "../Issue.ts"
import { type InputRecord, MalformedInputError, readEventBatches } from "./readEvents.ts"

/** What the commands read from and write to: the process's streams, or test doubles. */
export interface CliIO {
  readonly stdin: NodeJS.ReadableStream
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean }
}

export interface ValidateOptions {
  readonly files: ReadonlyArray<string>
  readonly channels: ReadonlyArray<Channel>
  readonly format: "text" | "json"
}

interface Totals {
  events: number
  valid: number
  invalid: number
  inputErrors: number
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? "" : "s"}`

/** The summary line of a run. */
export const summaryLine = (t: Totals): string =>
  `${plural(t.events, "event")}, ${t.valid} valid, ${t.invalid} invalid${
    t.inputErrors > 0 ? `; ${plural(t.inputErrors, "input")} unreadable or malformed` : ""
  }`

const where = (name: string, r: InputRecord): string =>
  r.kind === "event" && r.format === "array"
    ? `${name}[${r.index}] (line ${r.line})`
    : r.kind === "event" && r.format === "json"
      ? name
      : `${name}:${r.line}`

const issueLine = (i: Issue): string => `  ${i.path === "" ? "(event)" : i.path} [${i.code}] ${i.message}\n`

/**
 * A progress line on stderr, shown only when stderr is a terminal and the
 * run has lasted more than a second (so small inputs never see it).
 */
const makeProgress = (stderr: CliIO["stderr"]) => {
  const startedAt = Date.now()
  let shownAt = 0
  let shown = false
  return {
    tick(name: string, t: Totals): void {
      if (!stderr.isTTY || (t.events & 1023) !== 0) return
      const now = Date.now()
      if (now - startedAt < 1000 || now - shownAt < 200) return
      shownAt = now
      shown = true
      stderr.write(`\r\x1b[2K${name}: ${plural(t.events, "event")}, ${t.invalid} invalid`)
    },
    clear(): void {
      if (shown) stderr.write("\r\x1b[2K")
      shown = false
    },
  }
}

export const validateCommand = async (options: ValidateOptions, io: CliIO): Promise<number> => {
  const decode = makeDecoder({ channels: options.channels })
  const totals: Totals = { events: 0, valid: 0, invalid: 0, inputErrors: 0 }
  const progress = makeProgress(io.stderr)
  const json = options.format === "json"
  const out = async (s: string): Promise<void> => {
    progress.clear()
    if (!io.stdout.write(s)) await once(io.stdout, "drain")
  }
  const inputError = async (record: Record<string, unknown>, text: string): Promise<void> => {
    totals.inputErrors++
    progress.clear()
    if (json) await out(`${JSON.stringify({ ...record, fatal: true })}\n`)
    else io.stderr.write(`${text}\n`)
  }

  for (const file of options.files.length === 0 ? ["-"] : options.files) {
    const name = file === "-" ? "<stdin>" : file
    const input = file === "-" ? io.stdin : createReadStream(file, { encoding: "utf8" })
    try {
      for await (const batch of readEventBatches(input as AsyncIterable<string | Uint8Array>)) {
        for (const r of batch) {
          totals.events++
          if (r.kind === "malformed") {
            totals.invalid++
            const error = `malformed JSON: ${r.error}`
            await out(
              json ? `${JSON.stringify({ file: name, line: r.line, error })}\n` : `${where(name, r)}: ${error}\n`,
            )
          } else {
            const result = decode(r.value)
            if (result.ok) totals.valid++
            else {
              totals.invalid++
              const location = r.format === "array" ? { line: r.line, index: r.index } : { line: r.line }
              await out(
                json
                  ? `${JSON.stringify({ file: name, ...location, issues: result.issues })}\n`
                  : `${where(name, r)}:\n${result.issues.map(issueLine).join("")}`,
              )
            }
          }
          progress.tick(name, totals)
        }
      }
    } catch (e) {
      if (e instanceof MalformedInputError) {
        const at = `${e.line === undefined ? "" : `:${e.line}`}${e.column === undefined ? "" : `:${e.column}`}`
        await inputError(
          {
            file: name,
            ...(e.line === undefined ? {} : { line: e.line }),
            ...(e.column === undefined ? {} : { column: e.column }),
            error: e.message,
          },
          `${name}${at}: ${e.message}`,
        )
      } else {
        const message = e instanceof Error ? e.message : String(e)
        await inputError(
          { file: name, error: `cannot read: ${message}` },
          `cdp-schema: cannot read ${name}: ${message}`,
        )
      }
    } finally {
      if (file !== "-") (input as ReturnType<typeof createReadStream>).destroy()
    }
  }
  progress.clear()
  await out(json ? `${JSON.stringify({ summary: totals })}\n` : `${summaryLine(totals)}\n`)
  return totals.inputErrors > 0 ? 2 : totals.invalid > 0 ? 1 : 0
}
