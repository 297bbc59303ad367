/**
 * The breaking-change guard of the published JSON Schemas. Compares each
 * schema of the last release (`released/*.schema.json`, written by
 * `scripts/release-snapshot.ts`) with the current one (`json-schema/`) and
 * lists every change that would make the current schema reject an event the
 * released one accepted: a property removed, a new required key, a narrower
 * type, an enum value removed, a pattern or format added or changed, a lower
 * maximum or higher minimum, `additionalProperties` closed, a new channel
 * requirement or a new rule that JSON Schema cannot express.
 *
 * Such a change needs a major release: it passes only when `.changeset/`
 * holds a changeset that bumps `@cdp/schema` by `major`.
 *
 * Run: `pnpm check:breaking` (part of `pnpm check`, so of `npm test`); it
 * exits 1 when a breaking change has no major changeset, naming each change.
 * `test/checkBreakingCommand.test.ts` puts narrowing changes through it in a
 * scratch copy of the package.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { basename, join } from "node:path"
import { pathToFileURL } from "node:url"

/** The kinds of change that can reject an event the released schema accepted. */
export type BreakingKind =
  | "schema_removed"
  | "schema_closed"
  | "property_removed"
  | "required_added"
  | "type_narrowed"
  | "enum_value_removed"
  | "enum_added"
  | "const_changed"
  | "pattern_changed"
  | "format_changed"
  | "limit_lowered"
  | "limit_raised"
  | "multiple_of_changed"
  | "additional_properties_closed"
  | "keyword_changed"
  | "channel_requirement_added"
  | "unexpressed_rule_added"

/** One breaking change: where in the current schema (a JSON Pointer), what kind, and in words. */
export interface BreakingChange {
  readonly path: string
  readonly kind: BreakingKind
  readonly detail: string
}

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json }
type SchemaObject = { readonly [k: string]: Json }

const isRecord = (u: unknown): u is SchemaObject => typeof u === "object" && u !== null && !Array.isArray(u)

/** A canonical text of a JSON value (object keys sorted) for equality. */
const canonical = (v: unknown): string => {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`
  if (isRecord(v))
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`
  return JSON.stringify(v) ?? "undefined"
}
const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b)

const escapeToken = (t: string): string => t.replace(/~/g, "~0").replace(/\//g, "~1")
const unescapeToken = (t: string): string => t.replace(/~1/g, "/").replace(/~0/g, "~")
const child = (path: string, ...tokens: ReadonlyArray<string | number>): string =>
  `${path}${tokens.map((t) => `/${escapeToken(String(t))}`).join("")}`

/** Upper bounds: a lower value (or a new one) narrows. */
const upperBounds = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains"] as const
/** Lower bounds: a higher value (or a new one) narrows. */
const lowerBounds = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains"] as const
/**
 * Assertion keywords this walker does not analyse: any change to them that
 * leaves them present is reported, to be judged by a person. Removing one only
 * widens what is accepted.
 */
const opaque = [
  "allOf",
  "anyOf",
  "oneOf",
  "not",
  "if",
  "then",
  "else",
  "dependentRequired",
  "dependentSchemas",
  "dependencies",
  "propertyNames",
  "patternProperties",
  "contains",
  "unevaluatedProperties",
  "unevaluatedItems",
  "contentSchema",
] as const

const typesOf = (s: SchemaObject): ReadonlyArray<string> | undefined => {
  const t = s.type
  if (typeof t === "string") return [t]
  if (Array.isArray(t)) return t.filter((x): x is string => typeof x === "string")
  return undefined
}

/** Resolves a local `$ref` (`#/...`) against the root; other refs stay as they are. */
const resolve = (root: Json, s: Json): Json => {
  let cur = s
  for (let i = 0; i < 32; i++) {
    if (!isRecord(cur) || typeof cur.$ref !== "string" || !cur.$ref.startsWith("#")) return cur
    let target: Json | undefined = root
    const tokens = cur.$ref === "#" ? [] : cur.$ref.slice(2).split("/").map(unescapeToken)
    for (const t of tokens) target = isRecord(target) ? target[t] : Array.isArray(target) ? target[+t] : undefined
    if (target === undefined) return cur
    const { $ref: _, ...siblings } = cur
    // Keywords beside a `$ref` add to the target (2020-12); draft-07 ignores them, so this errs on the safe side.
    cur = isRecord(target) && Object.keys(siblings).length > 0 ? { ...target, ...siblings } : target
  }
  return cur
}

/**
 * Lists the changes from `released` to `current` that would reject an event
 * `released` accepted. Widening changes (a new optional property where none
 * was allowed, a higher maxLength, an enum value added, a requirement
 * dropped, a pattern removed) are not listed; annotations are ignored.
 */
export const breakingChanges = (released: unknown, current: unknown): Array<BreakingChange> => {
  const out: Array<BreakingChange> = []
  const oldRoot = released as Json
  const newRoot = current as Json
  const seen = new Set<string>()
  const push = (path: string, kind: BreakingKind, detail: string) => out.push({ path, kind, detail })

  const walk = (oldIn: Json | undefined, newIn: Json | undefined, path: string): void => {
    const oldS = resolve(oldRoot, oldIn === undefined ? true : oldIn)
    const newS = resolve(newRoot, newIn === undefined ? true : newIn)
    if (isRecord(oldIn) && isRecord(newIn) && (typeof oldIn.$ref === "string" || typeof newIn.$ref === "string")) {
      const id = `${canonical(oldIn)}|${canonical(newIn)}`
      if (seen.has(id)) return
      seen.add(id)
    }
    if (oldS === false) return // nothing was accepted here
    if (newS === false) return void push(path, "schema_closed", "the schema now accepts nothing here")
    if (newS === true || !isRecord(newS)) return
    const o: SchemaObject = isRecord(oldS) ? oldS : {}
    const n = newS

    // type
    const nt = typesOf(n)
    if (nt !== undefined) {
      const ot = typesOf(o)
      const covered = (t: string) => nt.includes(t) || (t === "integer" && nt.includes("number"))
      const lost = ot === undefined ? ["any type"] : ot.filter((t) => !covered(t))
      if (lost.length > 0)
        push(
          child(path, "type"),
          "type_narrowed",
          `type ${JSON.stringify(n.type)} no longer accepts ${lost.join(", ")}`,
        )
    }

    // enum and const
    if (Array.isArray(n.enum)) {
      if (Array.isArray(o.enum)) {
        for (const v of o.enum)
          if (!n.enum.some((w) => same(v, w)))
            push(child(path, "enum"), "enum_value_removed", `enum value ${JSON.stringify(v)} removed`)
      } else if (!("const" in o && n.enum.some((w) => same(o.const, w)))) {
        push(child(path, "enum"), "enum_added", `values now limited to ${JSON.stringify(n.enum)}`)
      }
    }
    if ("const" in n) {
      const was = "const" in o ? [o.const] : Array.isArray(o.enum) ? o.enum : undefined
      if (was === undefined || !was.every((v) => same(v, n.const)))
        push(child(path, "const"), "const_changed", `value now fixed to ${JSON.stringify(n.const)}`)
    }

    // string formats
    if (typeof n.pattern === "string" && n.pattern !== o.pattern)
      push(
        child(path, "pattern"),
        "pattern_changed",
        o.pattern === undefined ? `pattern ${n.pattern} added` : `pattern changed from ${o.pattern} to ${n.pattern}`,
      )
    if (typeof n.format === "string" && n.format !== o.format)
      push(
        child(path, "format"),
        "format_changed",
        o.format === undefined ? `format ${n.format} added` : `format changed from ${o.format} to ${n.format}`,
      )

    // bounds
    for (const k of upperBounds) {
      const nv = n[k]
      const ov = o[k]
      if (typeof nv === "number" && (typeof ov !== "number" || nv < ov))
        push(
          child(path, k),
          "limit_lowered",
          typeof ov === "number" ? `${k} lowered from ${ov} to ${nv}` : `${k} ${nv} added`,
        )
    }
    for (const k of lowerBounds) {
      const nv = n[k]
      const ov = o[k]
      if (typeof nv === "number" && (typeof ov !== "number" || nv > ov))
        push(
          child(path, k),
          "limit_raised",
          typeof ov === "number" ? `${k} raised from ${ov} to ${nv}` : `${k} ${nv} added`,
        )
    }
    if (typeof n.multipleOf === "number") {
      const ov = o.multipleOf
      if (!(typeof ov === "number" && (ov / n.multipleOf) % 1 === 0))
        push(child(path, "multipleOf"), "multiple_of_changed", `multipleOf ${n.multipleOf} (was ${ov ?? "none"})`)
    }
    if (n.uniqueItems === true && o.uniqueItems !== true)
      push(child(path, "uniqueItems"), "keyword_changed", "uniqueItems added")

    // objects
    const oProps = isRecord(o.properties) ? o.properties : {}
    const nProps = isRecord(n.properties) ? n.properties : {}
    const oRequired = Array.isArray(o.required) ? o.required : []
    if (Array.isArray(n.required))
      for (const k of n.required)
        if (!oRequired.includes(k))
          push(child(path, "required"), "required_added", `property ${JSON.stringify(k)} is now required`)
    const oAdditional = o.additionalProperties
    for (const k of Object.keys(oProps)) {
      if (!Object.hasOwn(nProps, k))
        push(child(path, "properties", k), "property_removed", `property ${JSON.stringify(k)} removed`)
      else walk(oProps[k], nProps[k], child(path, "properties", k))
    }
    for (const k of Object.keys(nProps)) {
      // A new property narrows only what the released schema let through as an additional property.
      if (!Object.hasOwn(oProps, k) && oAdditional !== false) walk(oAdditional, nProps[k], child(path, "properties", k))
    }
    if (n.additionalProperties === false && oAdditional !== false)
      push(child(path, "additionalProperties"), "additional_properties_closed", "additional properties now rejected")
    else if (n.additionalProperties !== undefined && n.additionalProperties !== false)
      walk(oAdditional, n.additionalProperties, child(path, "additionalProperties"))

    // arrays
    if (n.items !== undefined && !Array.isArray(n.items)) walk(o.items, n.items, child(path, "items"))
    const oPrefix = Array.isArray(o.prefixItems) ? o.prefixItems : Array.isArray(o.items) ? o.items : []
    const nPrefix = Array.isArray(n.prefixItems) ? n.prefixItems : Array.isArray(n.items) ? n.items : []
    nPrefix.forEach((s, i) => {
      walk(oPrefix[i], s, child(path, Array.isArray(n.prefixItems) ? "prefixItems" : "items", i))
    })

    // what the walker does not analyse
    for (const k of opaque)
      if (n[k] !== undefined && !same(o[k], n[k])) push(child(path, k), "keyword_changed", `${k} added or changed`)
  }

  walk(oldRoot, newRoot, "")

  // Extensions of this package's schemas: channel requirements and rules JSON Schema cannot express.
  if (isRecord(oldRoot) && isRecord(newRoot)) {
    const oReq = isRecord(oldRoot["x-channel-requirements"]) ? oldRoot["x-channel-requirements"] : {}
    const nReq = isRecord(newRoot["x-channel-requirements"]) ? newRoot["x-channel-requirements"] : {}
    for (const [ch, list] of Object.entries(nReq)) {
      const was = oReq[ch]
      if (!Array.isArray(list)) continue
      for (const k of list)
        if (!(Array.isArray(was) && was.includes(k)))
          push(
            child("", "x-channel-requirements", ch),
            "channel_requirement_added",
            `the ${ch} channel now requires ${JSON.stringify(k)}`,
          )
    }
    const oRules = Array.isArray(oldRoot["x-not-expressible"]) ? oldRoot["x-not-expressible"] : []
    const nRules = Array.isArray(newRoot["x-not-expressible"]) ? newRoot["x-not-expressible"] : []
    for (const r of nRules)
      if (!oRules.some((x) => same(x, r)))
        push("/x-not-expressible", "unexpressed_rule_added", `new rule checked by the API: ${String(r)}`)
  }
  return out
}

/**
 * Whether a changeset's text bumps `pkg` by `major` (in its front matter,
 * `"@cdp/schema": major`, quoted or not).
 */
export const bumpsMajor = (changeset: string, pkg = "@cdp/schema"): boolean => {
  const m = /^\s*---\r?\n([\s\S]*?)\r?\n---/.exec(changeset)
  if (m === null) return false
  return (m[1] as string).split(/\r?\n/).some((line) => {
    const kv = /^\s*(["']?)([^"':]+)\1\s*:\s*(\w+)\s*$/.exec(line)
    return kv !== null && kv[2] === pkg && kv[3] === "major"
  })
}

/** Whether the changesets in `dir` bump `pkg` by `major`. */
export const hasMajorChangeset = (dir: string, pkg = "@cdp/schema"): boolean =>
  existsSync(dir) &&
  readdirSync(dir)
    .filter((f) => f.endsWith(".md") && f.toLowerCase() !== "readme.md")
    .some((f) => bumpsMajor(readFileSync(join(dir, f), "utf8"), pkg))

/** The breaking changes of every released schema, by file name. */
export const breakingChangesOfPackage = (packageDir: string): Map<string, Array<BreakingChange>> => {
  const releasedDir = join(packageDir, "released")
  const currentDir = join(packageDir, "json-schema")
  const result = new Map<string, Array<BreakingChange>>()
  if (!existsSync(releasedDir)) return result
  for (const file of readdirSync(releasedDir).filter((f) => f.endsWith(".schema.json"))) {
    const released: unknown = JSON.parse(readFileSync(join(releasedDir, file), "utf8"))
    const currentFile = join(currentDir, basename(file))
    result.set(
      file,
      existsSync(currentFile)
        ? breakingChanges(released, JSON.parse(readFileSync(currentFile, "utf8")))
        : [{ path: "", kind: "schema_removed", detail: `json-schema/${file} no longer exists` }],
    )
  }
  return result
}

const main = () => {
  const packageDir = join(import.meta.dirname, "..")
  const changes = [...breakingChangesOfPackage(packageDir)].filter(([, list]) => list.length > 0)
  if (changes.length === 0) {
    console.log("no breaking changes against released/")
    return
  }
  const lines = changes.flatMap(([file, list]) => [
    `${file}:`,
    ...list.map((c) => `  ${c.kind} at ${c.path || "/"}: ${c.detail}`),
  ])
  if (hasMajorChangeset(join(packageDir, "..", "..", ".changeset"))) {
    console.log([...lines, "breaking changes are covered by a major changeset of @cdp/schema"].join("\n"))
    return
  }
  // The refusal names every change on stderr, where a CI log shows it.
  console.error(
    [
      "breaking changes against released/ (they reject events the released schema accepted):",
      ...lines,
      'they need a changeset with "@cdp/schema": major (pnpm changeset), or undo them',
    ].join("\n"),
  )
  process.exitCode = 1
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main()
