/**
 * Checks real answers of the API against its OpenAPI 3.1 document: the
 * request resolves to an operation (method and path template, the query
 * forms included), the answer's status is documented for it (or by a range
 * or `default`), its media type is one documented for that status, and its
 * body validates against the documented schema (Ajv, draft 2020-12, `$ref`s
 * resolved inside the document). Reach for it in a black-box suite: the
 * HTTP contract suite checks every answer it receives with it.
 *
 * A request the document has no operation for (an unserved path or method)
 * must answer 404 with a `Problem` (`#/components/schemas/Problem`), the one
 * answer the document cannot list per route.
 *
 * @module
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"
import addFormatsModule from "ajv-formats"
import type { Exchange } from "./ApiClient.ts"

type Json = Record<string, unknown>

// ajv-formats is CommonJS with a default export; under NodeNext its type is the module namespace.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020

const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
const docId = "https://cdp.test/openapi.json"
const unroutedSchema = "/components/schemas/Problem"

const pointerToken = (s: string): string => s.replace(/~/g, "~0").replace(/\//g, "~1")

/** The operation a request resolves to: its path template and method, and where it sits in the document. */
export interface ResolvedOperation {
  readonly template: string
  readonly method: string
  readonly pointer: string
}

/**
 * A checker of answers against one OpenAPI document.
 *
 * @since 0.3.0
 * @category openapi
 */
export interface AnswerChecker {
  /** The operation of `method` on `path` (query ignored), or `undefined` when the document has none. */
  readonly operationOf: (method: string, path: string) => ResolvedOperation | undefined
  /** What is wrong with the answer of the exchange; empty when it is documented and valid. */
  readonly check: (exchange: Exchange) => ReadonlyArray<string>
}

/** `type/subtype` of a Content-Type, lower-cased and without parameters; `undefined` when there is none. */
const mediaTypeOf = (contentType: string | null): string | undefined => {
  const type = contentType?.split(";")[0]?.trim().toLowerCase()
  return type === undefined || type === "" ? undefined : type
}

const isJson = (mediaType: string): boolean => mediaType === "application/json" || mediaType.endsWith("+json")

/** Whether a documented media type range (`text/*`, `*\/*`) covers the answer's media type. */
const covers = (range: string, mediaType: string): boolean => {
  const r = range.toLowerCase()
  if (r === mediaType || r === "*/*") return true
  return r.endsWith("/*") && mediaType.startsWith(r.slice(0, -1))
}

const templatePattern = (template: string): RegExp =>
  new RegExp(
    `^${template
      .split(/(\{[^}]+\})/)
      .map((part) => (part.startsWith("{") ? "([^/]+)" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
      .join("")}$`,
  )

/**
 * Builds the checker of one OpenAPI 3.1 document (as served at
 * `/openapi.json`). Schemas are compiled once each, on first use.
 *
 * @since 0.3.0
 * @category openapi
 */
export const makeAnswerChecker = (document: unknown): AnswerChecker => {
  const doc = document as Json
  const paths = (doc.paths ?? {}) as Record<string, Json>
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema(doc, docId)
  const compiled = new Map<string, ValidateFunction>()
  const validatorAt = (pointer: string): ValidateFunction => {
    let v = compiled.get(pointer)
    if (v === undefined) {
      v = ajv.getSchema(`${docId}#${pointer}`)
      if (v === undefined) throw new Error(`the document has no schema at ${pointer}`)
      compiled.set(pointer, v)
    }
    return v
  }
  // Concrete templates before templated ones, then fewer parameters first (OpenAPI's matching rule).
  const templates = Object.keys(paths)
    .map((template) => ({ template, pattern: templatePattern(template), params: template.split("{").length - 1 }))
    .sort((a, b) => a.params - b.params)
  /** A Reference Object followed (`#/components/...`), with the pointer of what it names. */
  const follow = (node: Json, pointer: string): { node: Json; pointer: string } => {
    let current = { node, pointer }
    for (let hops = 0; typeof current.node.$ref === "string" && hops < 10; hops++) {
      const ref = current.node.$ref as string
      if (!ref.startsWith("#/")) throw new Error(`${pointer}: only local references are followed, got ${ref}`)
      const target = ref
        .slice(2)
        .split("/")
        .map((t) => t.replace(/~1/g, "/").replace(/~0/g, "~"))
        .reduce<unknown>((n, t) => (n as Json | undefined)?.[t], doc)
      if (typeof target !== "object" || target === null) throw new Error(`${pointer}: ${ref} names nothing`)
      current = { node: target as Json, pointer: ref.slice(1) }
    }
    return current
  }

  const operationOf = (method: string, path: string): ResolvedOperation | undefined => {
    const m = method.toLowerCase()
    if (!methods.includes(m)) return undefined
    const pathname = path.split("?")[0] ?? ""
    for (const { template, pattern } of templates) {
      if (!pattern.test(pathname)) continue
      const item = paths[template] as Json
      // The first template that matches the path decides; a method it lacks is not served.
      return item[m] === undefined
        ? undefined
        : { template, method: m, pointer: `/paths/${pointerToken(template)}/${m}` }
    }
    return undefined
  }

  /** What is wrong with a body against the schema at `pointer`. */
  const bodyProblems = (pointer: string, mediaType: string, text: string): Array<string> => {
    let value: unknown = text
    if (isJson(mediaType)) {
      try {
        value = JSON.parse(text)
      } catch {
        return [`the body is not JSON, as ${mediaType} says it is`]
      }
    }
    const validate = validatorAt(pointer)
    if (validate(value)) return []
    return (validate.errors ?? []).map(
      (e) => `body${e.instancePath || ""} ${e.message ?? "is invalid"} ${JSON.stringify(e.params)} (${e.schemaPath})`,
    )
  }

  const check = (exchange: Exchange): ReadonlyArray<string> => {
    const mediaType = mediaTypeOf(exchange.contentType)
    const operation = operationOf(exchange.method, exchange.path)
    if (operation === undefined) {
      const problems: Array<string> = []
      if (exchange.status !== 404) problems.push(`no documented operation, and the status is not 404`)
      if (mediaType !== "application/problem+json") {
        problems.push(`no documented operation, and the answer is not application/problem+json`)
        return problems
      }
      return [...problems, ...bodyProblems(unroutedSchema, mediaType, exchange.text)]
    }
    const where = `${operation.method.toUpperCase()} ${operation.template}`
    const responses = ((paths[operation.template] as Json)[operation.method] as Json).responses as
      | Record<string, Json>
      | undefined
    const status = String(exchange.status)
    const key = [status, `${status[0]}XX`, `${status[0]}xx`, "default"].find((k) => responses?.[k] !== undefined)
    if (key === undefined) return [`${where} does not document status ${status}`]
    const response = follow(responses?.[key] as Json, `${operation.pointer}/responses/${pointerToken(key)}`)
    const content = (response.node.content ?? {}) as Record<string, Json>
    const documented = Object.keys(content)
    if (documented.length === 0) {
      return exchange.text === "" ? [] : [`${where} ${key} documents no body, but the answer has one`]
    }
    if (mediaType === undefined) {
      return [`${where} ${key} documents ${documented.join(", ")}, but the answer has no Content-Type`]
    }
    const range = documented.find((r) => r.toLowerCase() === mediaType) ?? documented.find((r) => covers(r, mediaType))
    if (range === undefined) {
      return [`${where} ${key} documents ${documented.join(", ")}, not ${mediaType}`]
    }
    if ((content[range] as Json).schema === undefined) return []
    return bodyProblems(`${response.pointer}/content/${pointerToken(range)}/schema`, mediaType, exchange.text)
  }

  return { operationOf, check }
}

/**
 * One line naming the exchange, for failure messages: the request (with the
 * start of its body) and the answer (status, Content-Type, start of the body).
 *
 * @since 0.3.0
 * @category openapi
 */
export const describeExchange = (e: Exchange): string => {
  const cut = (s: string): string => (s.length > 400 ? `${s.slice(0, 400)}… (${s.length} characters)` : s)
  const sent = e.requestBody === undefined ? "" : ` with ${cut(e.requestBody)}`
  return `${e.method} ${e.path}${sent} -> ${e.status} ${e.contentType ?? "(no Content-Type)"} ${cut(e.text)}`
}
