/**
 * `cdp-schema schema` and `cdp-schema docs`: write the JSON Schema files and
 * the Markdown docs of every event kind, the same files the package
 * publishes (`json-schema/`, `docs/`).
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises"
import { join } from "node:path"
import pkg from "../../package.json" with { type: "json" }
import { events } from "../registry.ts"
import { jsonSchemaFileName, toJsonSchema } from "../toJsonSchema.ts"
import { toMarkdown } from "../toMarkdown.ts"
import type { CliIO } from "./validateCommand.ts"

/** A JSON Schema dialect. */
export type Dialect = "draft-2020-12" | "draft-07"

const writeAll = async (dir: string, files: ReadonlyArray<readonly [string, string]>, io: CliIO): Promise<number> => {
  await mkdir(dir, { recursive: true })
  for (const [name, content] of files) {
    const path = join(dir, name)
    await writeFile(path, content)
    io.stdout.write(`wrote ${path}\n`)
  }
  return 0
}

export const schemaCommand = (
  options: { readonly out: string; readonly dialects: ReadonlyArray<Dialect> },
  io: CliIO,
): Promise<number> =>
  writeAll(
    options.out,
    Object.values(events).flatMap((def) =>
      options.dialects.map(
        (d) => [jsonSchemaFileName(def.key, d), `${JSON.stringify(toJsonSchema(def, d), null, 2)}\n`] as const,
      ),
    ),
    io,
  )

export const docsCommand = (options: { readonly out: string }, io: CliIO): Promise<number> =>
  writeAll(
    options.out,
    Object.values(events).map((def) => [`${def.key}.md`, toMarkdown(def, pkg.version)] as const),
    io,
  )
