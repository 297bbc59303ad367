/**
 * The generated files of the package and their contents, computed from the
 * registry. Used by `scripts/generate.ts` and by the staleness test.
 */

import pkg from "../package.json" with { type: "json" }
import { compileRegistry } from "../src/compileValidator.ts"
import { events } from "../src/registry.ts"
import { jsonSchemaFileName, toJsonSchema } from "../src/toJsonSchema.ts"
import { toMarkdown } from "../src/toMarkdown.ts"

const json = (v: unknown): string => `${JSON.stringify(v, null, 2)}\n`

export const generatedFiles = async (): Promise<Map<string, string>> => {
  const files = new Map<string, string>()
  const entries = []
  for (const def of Object.values(events)) {
    // Convention: the module of an event kind is src/events/<key>.ts.
    const module = `../events/${def.key}.ts`
    const exports: Record<string, unknown> = await import(`../src/events/${def.key}.ts`)
    const exportName = Object.keys(exports).find((k) => exports[k] === def)
    if (exportName === undefined)
      throw new Error(`src/events/${def.key}.ts does not export the definition of ${def.key}`)
    entries.push({ def, module, exportName })
    files.set(`json-schema/${jsonSchemaFileName(def.key)}`, json(toJsonSchema(def)))
    files.set(`json-schema/${jsonSchemaFileName(def.key, "draft-07")}`, json(toJsonSchema(def, "draft-07")))
    files.set(`docs/${def.key}.md`, toMarkdown(def, pkg.version))
  }
  files.set("src/generated/validators.ts", compileRegistry(entries))
  return files
}
