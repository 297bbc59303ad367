/**
 * The ahead-of-time compiler of validators: turns event definitions into the
 * TypeScript source of straight-line validators (`generated/validators.ts`).
 * Run by `pnpm generate`; nothing here runs when events are validated, so no
 * code is generated at run time.
 *
 * Speed comes from doing at generation time what does not depend on the
 * event: each issue's JSON Pointer and the constant part of its message are
 * computed here with `makeIssue` (the very function the Effect Schema decoder
 * uses), checked to decompose as assumed, and emitted as string literals; at
 * run time only the part that depends on the value is appended. Simple
 * formats are checked by character tests instead of regular expressions.
 *
 * @module
 */
import { makeIssue } from "./describeIssue.ts"
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { channels as allChannels, type Channel, codePointLength, type FieldSpec, MAX_STRING_LENGTH } from "./Field.ts"
import { describeValue, escapePointerToken, type IssueCode } from "./Issue.ts"
import { channelList, patternChecks, quoteKey } from "./validatorRuntime.ts"

const mask = (list: ReadonlyArray<Channel>): number => list.reduce((m, c) => m | (1 << allChannels.indexOf(c)), 0)

const lit = (v: unknown): string => JSON.stringify(v)

const ident = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, "_")

/** Values on which a message's decomposition is checked. */
const samples: ReadonlyArray<unknown> = [
  null,
  undefined,
  true,
  false,
  0,
  -1.5,
  Number.NaN,
  "",
  "x",
  'a"b\\c',
  "😀".repeat(30),
  "y".repeat(300),
  [],
  [1],
  {},
  { a: 1 },
]

/**
 * The state of compiling one registry: the module-level constants the
 * validators share (regular expressions, tables of messages).
 */
interface Module {
  readonly constants: Array<string>
  /** Tables of messages already emitted, by their JSON text. */
  readonly tables: Map<string, string>
}

/**
 * The JavaScript expression of an issue at `segments` with `code`, whose
 * value is the expression `actual` (for `too_long`: its length in code points). The message is
 * precomputed up to its value-dependent tail. A `required` message depends
 * only on the channels (the four low bits of the mask); `when` is the mask of
 * the channels that make the issue arise (none: any): when the message is the
 * same for each of those, it is a literal, else it comes from a table indexed
 * by the channel bits.
 */
const issueExpr = (
  mod: Module,
  def: AnyEventDefinition,
  segments: ReadonlyArray<string>,
  code: IssueCode,
  actual: string,
  when?: number,
): string => {
  const message = (value: unknown, channelBits = 0) =>
    makeIssue(def, segments, code, value, channelList(channelBits)).message
  const { path } = makeIssue(def, segments, code, undefined)
  const head = `{ path: ${lit(path)}, code: ${lit(code)}, message: `
  const where = `${path} (${code})`
  if (code === "required") {
    const table = Array.from({ length: 16 }, (_, bits) => message(undefined, bits))
    const arising = table.filter((_, bits) => when === undefined || (bits & when) !== 0)
    if (arising.every((m) => m === arising[0])) return `${head}${lit(arising[0])} }`
    const text = lit(table)
    let name = mod.tables.get(text)
    if (name === undefined) {
      name = `required${mod.constants.length}`
      mod.tables.set(text, name)
      mod.constants.push(`/** Messages of ${where} by the channel bits. */\nconst ${name} = ${text}`)
    }
    return `${head}${name}[channels & 15] as string }`
  }
  const tail = code === "too_long" ? (v: unknown) => String(codePointLength(v as string)) : describeValue
  const first = "x"
  const prefix = message(first).slice(0, message(first).length - tail(first).length)
  for (const value of samples) {
    if (code === "too_long" && typeof value !== "string") continue
    for (const bits of [0, 15]) {
      if (message(value, bits) !== prefix + tail(value))
        throw new Error(`compileValidator: the message of ${where} is not a constant followed by its value`)
    }
  }
  const value = code === "too_long" ? actual : `rt.describeValue(${actual})`
  return `${head}${lit(prefix)} + ${value} }`
}

/** The properties of the envelope. */
const envelopeKeys: ReadonlyArray<string> = ["tenant", "timestamp", "event", "customer", "visitor", "context"]

/** Keys on which the message of an unknown key is checked. */
const sampleKeys: ReadonlyArray<string> = [
  "x",
  "ootb_x",
  "_a9",
  "a b",
  "a/b",
  "a~b",
  "",
  "0",
  "9a",
  "é",
  'q"',
  "__proto__",
]

/**
 * The arguments of \`reportUnknownKeys\` for the keys under `prefix`: the
 * prefix, its JSON Pointer with a trailing slash and the constant suffix of
 * the message of an unknown key, checked on sample keys to make, after the
 * pointer and the escaped key, the path of \`makeIssue\`, and after
 * \`quoteKey(key)\`, its message.
 */
const unknownKeyArgs = (def: AnyEventDefinition, prefix: ReadonlyArray<string>): string => {
  const suffix = makeIssue(def, [...prefix, "x"], "unknown_property", undefined).message.slice(1)
  const pathPrefix = prefix.length === 0 ? "/" : `/${prefix.map(escapePointerToken).join("/")}/`
  for (const key of sampleKeys) {
    for (const value of [undefined, 1, "x", {}]) {
      for (const channels of [undefined, channelList(0), channelList(15)]) {
        const issue = makeIssue(def, [...prefix, key], "unknown_property", value, channels)
        if (issue.message !== quoteKey(key) + suffix || issue.path !== pathPrefix + escapePointerToken(key))
          throw new Error(
            `compileValidator: the message of an unknown key under /${prefix.join("/")} is not its quoted name and a constant`,
          )
      }
    }
  }
  return `${lit(prefix)}, ${lit(pathPrefix)}, ${lit(suffix)}`
}

/**
 * The source of a function giving the index of a key in `keys`, or -1: by
 * the key's length, then by its character at a position where the keys of
 * that length differ, then one comparison.
 */
const keyIndex = (name: string, what: string, keys: ReadonlyArray<string>): string => {
  const byLength = new Map<number, Array<string>>()
  for (const k of keys) byLength.set(k.length, [...(byLength.get(k.length) ?? []), k])
  const is = (k: string) => `k === ${lit(k)} ? ${keys.indexOf(k)} : -1`
  const cases = [...byLength]
    .sort(([a], [b]) => a - b)
    .map(([length, ks]) => {
      if (ks.length === 1) return `    case ${length}:\n      return ${is(ks[0] as string)}`
      const at = Array.from({ length }, (_, i) => i).find(
        (i) => new Set(ks.map((k) => k.charCodeAt(i))).size === ks.length,
      )
      if (at === undefined)
        return `    case ${length}:\n${ks.map((k) => `      if (k === ${lit(k)}) return ${keys.indexOf(k)}\n`).join("")}      return -1`
      const inner = ks.map((k) => `        case ${k.charCodeAt(at)}:\n          return ${is(k)}`).join("\n")
      return `    case ${length}:\n      switch (k.charCodeAt(${at})) {\n${inner}\n        default:\n          return -1\n      }`
    })
  return `/** The index of \`k\` among ${what}, or -1. */
const ${name} = (k: string): number => {
  switch (k.length) {
${cases.join("\n")}
    default:
      return -1
  }
}`
}

/** The statement that pushes one issue. */
const push = (
  mod: Module,
  def: AnyEventDefinition,
  segments: ReadonlyArray<string>,
  code: IssueCode,
  actual: string,
  when?: number,
): string => `I.push(${issueExpr(mod, def, segments, code, actual, when)})`

/** The test of a format's pattern: a character check when one stands for it, else the expression. */
const patternTest = (mod: Module, pattern: RegExp, v: string): string => {
  const check = pattern.flags === "u" || pattern.flags === "" ? patternChecks[pattern.source] : undefined
  if (check !== undefined) return `rt.${check}(${v})`
  const re = `re${mod.constants.length}`
  mod.constants.push(`const ${re} = /${pattern.source}/${pattern.flags}`)
  return `${re}.test(${v})`
}

/**
 * The check of a string's length: at most `max` code points. Last among a
 * string's checks, as \`too_long\` sorts after the other codes.
 */
const lengthCheck = (
  mod: Module,
  def: AnyEventDefinition,
  v: string,
  segments: ReadonlyArray<string>,
  max: number,
): string => `
      if (${v}.length > ${max}) {
        const ${v}n = rt.codePointLength(${v})
        if (${v}n > ${max}) ${push(mod, def, segments, "too_long", `${v}n`)}
      }`

/**
 * The checks of a present parameter. A value has at most one issue of each
 * code, and they are pushed in the order of their codes (as \`sortIssues\`
 * orders them): \`invalid_format\`, \`invalid_type\`, \`invalid_value\`,
 * \`too_long\`.
 */
const fieldCheck = (
  mod: Module,
  def: AnyEventDefinition,
  spec: FieldSpec,
  v: string,
  segments: ReadonlyArray<string>,
): string => {
  if (spec.type === "boolean") return `if (typeof ${v} !== "boolean") ${push(mod, def, segments, "invalid_type", v)}`
  if (spec.enum) {
    const cond = spec.enum.map((e) => `${v} !== ${lit(e)}`).join(" && ")
    return `if (typeof ${v} !== "string") ${push(mod, def, segments, "invalid_type", v)}
    else if (${cond}) ${push(mod, def, segments, "invalid_value", v)}`
  }
  let out = `if (typeof ${v} !== "string") ${push(mod, def, segments, "invalid_type", v)}
    else {`
  const format = spec.format
  if (format) {
    const test = patternTest(mod, format.pattern, v)
    if (format.calendarDate || format.notFuture) {
      // Whether it is a real date: computed once, used by both checks.
      out += `
      const ${v}d = rt.isDateString(${v})`
    }
    const ok = format.calendarDate ? `${v}d && ${test}` : test
    out += `
      if (!(${ok})) ${push(mod, def, segments, "invalid_format", v)}`
    if (format.notFuture) {
      out += `
      if (${v}d && ${v} > rt.todayUtc()) ${push(mod, def, segments, "invalid_value", v)}`
    }
  }
  return `${out}${lengthCheck(mod, def, v, segments, spec.maxLength)}
    }`
}

const requiredWhen = (spec: FieldSpec): string | undefined => {
  const c = spec.classification
  if (c.kind === "mandatory") return "true"
  if (c.kind === "channel") return `(channels & ${mask(c.channels)}) !== 0`
  return undefined
}

/** The mask of the channels that make a parameter required (none: always or never). */
const requiredMask = (spec: FieldSpec): number | undefined =>
  spec.classification.kind === "channel" ? mask(spec.classification.channels) : undefined

/** Orders items by the JSON Pointer of their issues, as \`sortIssues\` does. */
const byPath = <A>(items: ReadonlyArray<A>, pathOf: (a: A) => string): Array<A> =>
  [...items].sort((a, b) => (pathOf(a) < pathOf(b) ? -1 : pathOf(a) > pathOf(b) ? 1 : 0))

/**
 * The source of one event kind's validator function. It reads the input in
 * a fixed order (the envelope, then each parameter in declaration order) and
 * then checks it in the order of the issues' paths, so that the issues of an
 * event come out in the order of \`sortIssues\` (issues of unknown keys are
 * inserted in their places) and sorting them has little to do.
 */
const compileEventIn = (mod: Module, def: AnyEventDefinition, defName: string): string => {
  const names = Object.keys(def.fields)
  const pathOf = (segments: ReadonlyArray<string>) => makeIssue(def, segments, "required", undefined).path
  const P = (segments: ReadonlyArray<string>, code: IssueCode, actual = "undefined", when?: number) =>
    push(mod, def, segments, code, actual, when)
  const reads = names.map((name, i) => `        const v${i} = c[${lit(name)}]`)
  const fieldLines = byPath(
    names.map((name, i) => ({ name, i })),
    ({ name }) => pathOf(["context", name]),
  ).map(({ name, i }) => {
    const spec = def.fields[name] as FieldSpec
    const v = `v${i}`
    const segments = ["context", name]
    const req = requiredWhen(spec)
    return `  if (${v} !== undefined) {
    m++
    ${fieldCheck(mod, def, spec, v, segments)}
  }${req ? ` else if (${req} && !rt.has(c, ${lit(name)})) ${P(segments, "required", "undefined", requiredMask(spec))}` : ""}`
  })
  const missingContext = byPath(
    names.filter((name) => requiredWhen(def.fields[name] as FieldSpec) !== undefined),
    (name) => pathOf(["context", name]),
  ).map((name) => {
    const spec = def.fields[name] as FieldSpec
    return `      if (${requiredWhen(spec)}) ${P(["context", name], "required", "undefined", requiredMask(spec))}`
  })
  const parameterIndex = `parameterIndex_${ident(def.key)}`
  const parameterKeys = `parameterKeys_${ident(def.key)}`
  const idChecks = (key: "customer" | "visitor") =>
    `if (typeof ${key} !== "string") ${P([key], "invalid_type", key)}
    else {
      if (${key}.length === 0) ${P([key], "invalid_value", key)}${lengthCheck(mod, def, key, [key], MAX_STRING_LENGTH)}
    }`
  const checks: Record<"context" | "customer" | "tenant" | "timestamp" | "visitor", string> = {
    context: `if (c === undefined) {
    c = {}
    // A context key holding \`undefined\` is reported as such, not as missing.
    if (!rt.has(o, "context")) {
${missingContext.join("\n")}
    }
  } else {
    n++
    if (!rt.isObject(c)) ${P(["context"], "invalid_type", "c")}
    else {
${reads.map((l) => l.replace(/^ {2}/, "")).join("\n")}
      let m = 0
${fieldLines.map((l) => l.replace(/^/gm, "    ")).join("\n")}
      if (m !== rt.countKeys(c)) rt.reportUnknownKeys(I, start, ${defName}, c, ${parameterIndex}, ${parameterKeys}, [${names.map((_, i) => `v${i}`).join(", ")}], ${unknownKeyArgs(def, ["context"])})
    }
  }`,
    customer: `if (customer === undefined) {
    if (!rt.has(o, "customer")) ${P(["customer"], "required")}
  }
  else {
    n++
    ${idChecks("customer")}
  }`,
    tenant: `if (tenant === undefined) {
    if (!rt.has(o, "tenant")) ${P(["tenant"], "required")}
  }
  else {
    n++
    if (typeof tenant !== "number") ${P(["tenant"], "invalid_type", "tenant")}
    else if (!(Number.isSafeInteger(tenant) && tenant > 0)) ${P(["tenant"], "invalid_value", "tenant")}
  }`,
    timestamp: `if (timestamp === undefined) {
    if (!rt.has(o, "timestamp")) ${P(["timestamp"], "required")}
  }
  else {
    n++
    if (typeof timestamp !== "string") ${P(["timestamp"], "invalid_type", "timestamp")}
    else if ((ts = rt.normalizeTimestamp(timestamp)) === undefined) ${P(["timestamp"], "invalid_format", "timestamp")}
  }`,
    visitor: `if (visitor !== undefined) {
    n++
    ${idChecks("visitor")}
  }`,
  }
  const envelopeChecks = byPath(Object.keys(checks) as Array<keyof typeof checks>, (k) => pathOf([k])).map(
    (k) => `  ${checks[k]}`,
  )
  return `/** The parameters of \`${def.key}\`, in declaration order. */
const ${parameterKeys} = ${lit(names)}

${keyIndex(parameterIndex, `the parameters of \`${def.key}\``, names)}

/** Validates one \`${def.key}\` event. */
export const validate_${ident(def.key)}: CompiledValidator = (o, channels, I) => {
  const start = I.length
  const tenant = o.tenant
  const timestamp = o.timestamp
  const customer = o.customer
  const visitor = o.visitor
  let c = o.context as Record<string, unknown> | undefined
  let n = 1 // \`event\` is present: it chose this validator
  let ts: string | undefined
${envelopeChecks.join("\n")}
  if (n !== rt.countKeys(o)) rt.reportUnknownKeys(I, start, ${defName}, o, envelopeIndex, envelopeKeys, [${envelopeKeys.map((k) => (k === "context" ? "o.context" : k === "event" ? "o.event" : k)).join(", ")}], ${unknownKeyArgs(def, [])})
  if (I.length !== start) return undefined
  return visitor === undefined
    ? { tenant, timestamp: ts, event: o.event, customer, context: c }
    : { tenant, timestamp: ts, event: o.event, customer, visitor, context: c }
}`
}

/**
 * The source of one event kind's validator function, with the module-level
 * constants it needs pushed onto `constants`.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileEvent = (def: AnyEventDefinition, defName: string, constants: Array<string>): string =>
  compileEventIn({ constants, tables: new Map() }, def, defName)

/**
 * The source of `generated/validators.ts` for a registry of event kinds,
 * given the module each definition is exported from.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileRegistry = (
  entries: ReadonlyArray<{ readonly def: AnyEventDefinition; readonly module: string; readonly exportName: string }>,
): string => {
  const constants: Array<string> = []
  const bodies = entries.map((e, i) => compileEvent(e.def, `d${i}`, constants))
  const imports = entries.map((e, i) => `import { ${e.exportName} as d${i} } from ${lit(e.module)}`)
  return `// Generated by \`pnpm generate\` (scripts/generate.ts) from the event definitions. Do not edit.
// Straight-line validators compiled ahead of time: no code is generated at run time.
// Paths and the constant parts of messages are computed at generation time by makeIssue.
/* eslint-disable */
import * as rt from "../validatorRuntime.ts"
import type { CompiledValidator } from "../validatorRuntime.ts"
${imports.join("\n")}

/** The properties of the envelope. */
const envelopeKeys = ${lit(envelopeKeys)}

${keyIndex("envelopeIndex", "the properties of the envelope", envelopeKeys)}
${constants.join("\n")}

${bodies.join("\n\n")}

/** The compiled validator of each event kind, by event key. */
export const compiled: Record<string, CompiledValidator> = {
${entries.map((e) => `  ${lit(e.def.key)}: validate_${ident(e.def.key)},`).join("\n")}
}
`
}
