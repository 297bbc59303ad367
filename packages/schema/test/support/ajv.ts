/**
 * Ajv validators of the committed JSON Schemas: draft 2020-12 (`Ajv2020`)
 * and the draft-07 twin (plain `Ajv`), both with ajv-formats, all errors, and
 * strict mode kept on with the schemas' `x-` keywords declared as
 * annotations.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import AjvModule from "ajv"
import Ajv2020Module from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"

// ajv and ajv-formats are CommonJS: under NodeNext their class is `.default` of the module.
const Ajv = AjvModule.default
const Ajv2020 = Ajv2020Module.default
const addFormats = addFormatsModule.default

export const packageDir = join(import.meta.dirname, "..", "..")

export const readJson = (relative: string): Record<string, unknown> =>
  JSON.parse(readFileSync(join(packageDir, relative), "utf8")) as Record<string, unknown>

/** Every `x-` keyword used anywhere in a schema. */
export const extensionKeywords = (schema: unknown, out = new Set<string>()): Set<string> => {
  if (Array.isArray(schema)) for (const s of schema) extensionKeywords(s, out)
  else if (typeof schema === "object" && schema !== null)
    for (const [k, v] of Object.entries(schema)) {
      if (k.startsWith("x-")) out.add(k)
      else extensionKeywords(v, out)
    }
  return out
}

export type Validate = (data: unknown) => boolean

const options = { allErrors: true, strict: true, strictTypes: true } as const

export const compile2020 = (schema: Record<string, unknown>): Validate => {
  const ajv = new Ajv2020(options)
  addFormats(ajv)
  ajv.addVocabulary([...extensionKeywords(schema)])
  const validate = ajv.compile(schema)
  return (data) => validate(data) as boolean
}

export const compileDraft07 = (schema: Record<string, unknown>): Validate => {
  const ajv = new Ajv(options)
  addFormats(ajv)
  ajv.addVocabulary([...extensionKeywords(schema)])
  const validate = ajv.compile(schema)
  return (data) => validate(data) as boolean
}
