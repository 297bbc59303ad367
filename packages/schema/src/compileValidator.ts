/**
 * The ahead-of-time compiler of validators: turns event definitions into the
 * TypeScript source of straight-line validators (`generated/validators.ts`).
 * Run by `pnpm generate`; nothing here runs when events are validated, so no
 * code is generated at run time.
 *
 * @module
 */
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { channels as allChannels, type Channel, type FieldSpec, MAX_STRING_LENGTH } from "./Field.ts"

const mask = (list: ReadonlyArray<Channel>): number => list.reduce((m, c) => m | (1 << allChannels.indexOf(c)), 0)

const lit = (v: unknown): string => JSON.stringify(v)

const ident = (key: string): string => key.replace(/[^A-Za-z0-9_]/g, "_")

/** Checks of a string of at most `max` characters (code points). */
const stringChecks = (v: string, segs: string, max: number): string =>
  `if (typeof ${v} !== "string") R(I, D, ${segs}, "invalid_type", ${v})
    else {
      if (${v}.length > ${max} && rt.codePointLength(${v}) > ${max}) R(I, D, ${segs}, "too_long", ${v})`

const fieldCheck = (spec: FieldSpec, v: string, segs: string, patterns: Array<string>): string => {
  if (spec.type === "boolean") return `if (typeof ${v} !== "boolean") R(I, D, ${segs}, "invalid_type", ${v})`
  if (spec.enum) {
    const cond = spec.enum.map((e) => `${v} !== ${lit(e)}`).join(" && ")
    return `if (typeof ${v} !== "string") R(I, D, ${segs}, "invalid_type", ${v})
    else if (${cond}) R(I, D, ${segs}, "invalid_value", ${v})`
  }
  let out = stringChecks(v, segs, spec.maxLength)
  if (spec.format) {
    const re = `re${patterns.length}`
    patterns.push(`const ${re} = /${spec.format.pattern.source}/${spec.format.pattern.flags}`)
    const cal = spec.format.calendarDate ? ` || !rt.isDateString(${v})` : ""
    out += `
      if (!${re}.test(${v})${cal}) R(I, D, ${segs}, "invalid_format", ${v})`
    if (spec.format.notFuture) {
      out += `
      if (rt.isDateString(${v}) && ${v} > rt.todayUtc()) R(I, D, ${segs}, "invalid_value", ${v})`
    }
  }
  return `${out}
    }`
}

const requiredWhen = (spec: FieldSpec): string | undefined => {
  const c = spec.classification
  if (c.kind === "mandatory") return "true"
  if (c.kind === "channel") return `(channels & ${mask(c.channels)}) !== 0`
  return undefined
}

/**
 * The source of one event kind's validator function.
 *
 * @since 0.1.0
 * @category compiling
 */
export const compileEvent = (def: AnyEventDefinition, defName: string, patterns: Array<string>): string => {
  const names = Object.keys(def.fields)
  const fieldLines = names.map((name, i) => {
    const spec = def.fields[name] as FieldSpec
    const v = `v${i}`
    const segs = `["context", ${lit(name)}]`
    const req = requiredWhen(spec)
    return `  const ${v} = c[${lit(name)}]
  if (${v} !== undefined) {
    m++
    ${fieldCheck(spec, v, segs, patterns)}
  }${req ? ` else if (${req}) R(I, D, ${segs}, "required", undefined, channels)` : ""}`
  })
  const missingContext = names
    .map((name) => [name, requiredWhen(def.fields[name] as FieldSpec)] as const)
    .filter(([, req]) => req !== undefined)
    .map(([name, req]) => `    if (${req}) R(I, D, ["context", ${lit(name)}], "required", undefined, channels)`)
  const known = `known_${ident(def.key)}`
  return `const ${known} = new Set(${lit(names)})

/** Validates one \`${def.key}\` event. */
export const validate_${ident(def.key)}: CompiledValidator = (o, channels, I) => {
  const D = ${defName}
  const start = I.length
  let n = 1 // \`event\` is present: it chose this validator
  const tenant = o.tenant
  if (tenant === undefined) R(I, D, ["tenant"], "required", undefined)
  else {
    n++
    if (typeof tenant !== "number") R(I, D, ["tenant"], "invalid_type", tenant)
    else if (!(Number.isSafeInteger(tenant) && tenant > 0)) R(I, D, ["tenant"], "invalid_value", tenant)
  }
  const timestamp = o.timestamp
  let ts: string | undefined
  if (timestamp === undefined) R(I, D, ["timestamp"], "required", undefined)
  else {
    n++
    if (typeof timestamp !== "string") R(I, D, ["timestamp"], "invalid_type", timestamp)
    else if ((ts = rt.normalizeTimestamp(timestamp)) === undefined) R(I, D, ["timestamp"], "invalid_format", timestamp)
  }
  const customer = o.customer
  if (customer === undefined) R(I, D, ["customer"], "required", undefined)
  else {
    n++
    ${stringChecks("customer", '["customer"]', MAX_STRING_LENGTH)}
      if (customer.length === 0) R(I, D, ["customer"], "invalid_value", customer)
    }
  }
  const visitor = o.visitor
  if (visitor !== undefined) {
    n++
    ${stringChecks("visitor", '["visitor"]', MAX_STRING_LENGTH)}
      if (visitor.length === 0) R(I, D, ["visitor"], "invalid_value", visitor)
    }
  }
  let c = o.context as Record<string, unknown> | undefined
  if (c === undefined) {
    c = {}
${missingContext.join("\n")}
  } else {
    n++
    if (!rt.isObject(c)) R(I, D, ["context"], "invalid_type", c)
    else {
      let m = 0
${fieldLines.map((l) => l.replace(/^/gm, "    ")).join("\n")}
      if (m !== rt.countKeys(c)) rt.reportUnknownKeys(I, D, c, ${known}, ["context"])
    }
  }
  if (n !== rt.countKeys(o)) rt.reportUnknownKeys(I, D, o, envelopeKeys, [])
  if (I.length !== start) return undefined
  return visitor === undefined
    ? { tenant, timestamp: ts, event: o.event, customer, context: c }
    : { tenant, timestamp: ts, event: o.event, customer, visitor, context: c }
}`
}

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
  const patterns: Array<string> = []
  const bodies = entries.map((e, i) => compileEvent(e.def, `d${i}`, patterns))
  const imports = entries.map((e, i) => `import { ${e.exportName} as d${i} } from ${lit(e.module)}`)
  return `// Generated by \`pnpm generate\` (scripts/generate.ts) from the event definitions. Do not edit.
// Straight-line validators compiled ahead of time: no code is generated at run time.
/* eslint-disable */
import * as rt from "../validatorRuntime.ts"
import { type CompiledValidator, report as R } from "../validatorRuntime.ts"
${imports.join("\n")}

const envelopeKeys = new Set(["tenant", "timestamp", "event", "customer", "visitor", "context"])
${patterns.join("\n")}

${bodies.join("\n\n")}

/** The compiled validator of each event kind, by event key. */
export const compiled: Record<string, CompiledValidator> = {
${entries.map((e) => `  ${lit(e.def.key)}: validate_${ident(e.def.key)},`).join("\n")}
}
`
}
