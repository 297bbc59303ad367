/**
 * `cdp-schema`: the command line of the event contract. Validates events
 * from files or stdin and writes the JSON Schemas and the docs. The Node
 * edge of the package: the library (`index.ts`) does not import it.
 * `bin/cdp-schema.mjs` runs it; `tsx src/cli.ts` runs it from source.
 *
 * @module
 */
import { realpathSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { type ParseArgsConfig, parseArgs } from "node:util"
import pkg from "../package.json" with { type: "json" }
import { type CliIO, validateCommand } from "./cli/validateCommand.ts"
import { type Dialect, docsCommand, schemaCommand } from "./cli/writeCommands.ts"
import { channels as allChannels, type Channel } from "./Field.ts"
import { eventKeys } from "./registry.ts"

export const usage = `cdp-schema ${pkg.version}: validate events and write the contract of ${pkg.name}

Usage:
  cdp-schema validate [files...] [--channels email,sms] [--format text|json]
  cdp-schema schema [--out dir] [--dialect 2020-12|draft-07]
  cdp-schema docs [--out dir]
  cdp-schema --help | --version

Commands:
  validate  Validate events from files, or from stdin when no file or "-" is given.
            An input is one JSON object, a JSON array of events, or NDJSON (one
            event per line); large inputs are streamed. Prints each invalid
            event's issues with its file and line (NDJSON) or index (array),
            then a summary: "N events, N valid, N invalid".
            --channels  the tenant's channels (${allChannels.join(", ")}): their
                        parameters become mandatory
            --format    text (default) or json (one JSON object per line: each
                        invalid event, then {"summary": ...})
  schema    Write the JSON Schema of every event kind (default dir ./json-schema;
            both dialects unless --dialect names one).
  docs      Write the Markdown docs of every event kind (default dir ./docs).

Event kinds: ${eventKeys.join(", ")}

Exit codes: 0 all events valid (or files written), 1 some event invalid,
            2 usage error, unreadable input or malformed JSON.
`

class UsageError extends Error {}

const commandOptions = {
  validate: {
    channels: { type: "string", multiple: true },
    format: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
  schema: { out: { type: "string" }, dialect: { type: "string" }, help: { type: "boolean", short: "h" } },
  docs: { out: { type: "string" }, help: { type: "boolean", short: "h" } },
} as const satisfies Record<string, ParseArgsConfig["options"]>

const parseChannels = (values: ReadonlyArray<string> | undefined): Array<Channel> => {
  const list = (values ?? []).flatMap((v) => v.split(",")).map((v) => v.trim())
  for (const c of list)
    if (!allChannels.includes(c as Channel))
      throw new UsageError(`unknown channel ${JSON.stringify(c)}: use ${allChannels.join(", ")}`)
  return [...new Set(list as Array<Channel>)]
}

const parseDialects = (value: string | undefined): Array<Dialect> => {
  if (value === undefined) return ["draft-2020-12", "draft-07"]
  if (value === "2020-12" || value === "draft-2020-12") return ["draft-2020-12"]
  if (value === "draft-07" || value === "07") return ["draft-07"]
  throw new UsageError(`unknown dialect ${JSON.stringify(value)}: use 2020-12 or draft-07`)
}

/**
 * Runs the CLI with these arguments (without `node` and the script) and
 * returns the exit code.
 */
export const run = async (args: ReadonlyArray<string>, io: CliIO): Promise<number> => {
  try {
    const [command, ...rest] = args
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      ;(command === undefined ? io.stderr : io.stdout).write(usage)
      return command === undefined ? 2 : 0
    }
    if (command === "--version" || command === "-v") {
      io.stdout.write(`${pkg.version}\n`)
      return 0
    }
    if (!Object.hasOwn(commandOptions, command)) throw new UsageError(`unknown command ${JSON.stringify(command)}`)
    const name = command as keyof typeof commandOptions
    let parsed: ReturnType<typeof parseArgs<{ options: (typeof commandOptions)[typeof name]; allowPositionals: true }>>
    try {
      parsed = parseArgs({ args: [...rest], options: commandOptions[name], allowPositionals: true, strict: true })
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e))
    }
    const values = parsed.values as {
      help?: boolean
      channels?: Array<string>
      format?: string
      out?: string
      dialect?: string
    }
    if (values.help) {
      io.stdout.write(usage)
      return 0
    }
    if (name !== "validate" && parsed.positionals.length > 0)
      throw new UsageError(`${name} takes no arguments, got ${JSON.stringify(parsed.positionals[0])}`)
    switch (name) {
      case "validate": {
        const format = values.format ?? "text"
        if (format !== "text" && format !== "json")
          throw new UsageError(`unknown format ${JSON.stringify(format)}: use text or json`)
        return await validateCommand(
          { files: parsed.positionals, channels: parseChannels(values.channels), format },
          io,
        )
      }
      case "schema":
        return await schemaCommand({ out: values.out ?? "json-schema", dialects: parseDialects(values.dialect) }, io)
      case "docs":
        return await docsCommand({ out: values.out ?? "docs" }, io)
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e
    io.stderr.write(`cdp-schema: ${e.message}\nRun \`cdp-schema --help\` for usage.\n`)
    return 2
  }
}

/** Runs the CLI in this process: arguments from `process.argv`, exit code to `process.exitCode`. */
export const main = async (args: ReadonlyArray<string> = process.argv.slice(2)): Promise<void> => {
  // A closed pipe (`cdp-schema validate big.ndjson | head`) ends the run
  // quietly. What was being written was an invalid event's report (exit 1),
  // unless the run had already ended.
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 1)
    throw e
  })
  try {
    process.exitCode = await run(args, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr })
  } catch (e) {
    process.stderr.write(`cdp-schema: ${e instanceof Error ? e.message : String(e)}\n`)
    process.exitCode = 2
  }
}

const isEntry = (): boolean => {
  try {
    return realpathSync(process.argv[1] ?? "") === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isEntry()) await main()
