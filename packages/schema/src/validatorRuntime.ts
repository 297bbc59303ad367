/**
 * What the compiled validators (`generated/validators.ts`) call at run time:
 * issue construction, key scans and the few checks a regular expression
 * cannot make. Plain functions, no code generation at run time, so the
 * validators run under Cloudflare Workers' no-eval rule.
 *
 * @module
 */
import { makeIssue } from "./describeIssue.ts"
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { channels as allChannels, type Channel } from "./Field.ts"
import type { Issue, IssueCode } from "./Issue.ts"

export { codePointLength, isDateString } from "./Field.ts"
export { normalizeTimestamp, todayUtc } from "./Timestamp.ts"

/**
 * A compiled validator: checks one event of its kind, pushes every issue
 * into `issues` and returns the decoded event when there was none.
 * `channels` is a bit set of the tenant's channels (see `channelMask`).
 *
 * @since 0.1.0
 * @category models
 */
export type CompiledValidator = (
  input: Record<string, unknown>,
  channels: number,
  issues: Array<Issue>,
) => Record<string, unknown> | undefined

/**
 * The bit set of a list of channels: email 1, sms 2, push 4, whatsapp 8.
 *
 * @since 0.1.0
 * @category channels
 */
export const channelMask = (list: ReadonlyArray<Channel> | undefined): number => {
  let mask = 0
  if (list) for (const c of list) mask |= 1 << allChannels.indexOf(c)
  return mask
}

const channelList = (mask: number): Array<Channel> => allChannels.filter((_, i) => (mask & (1 << i)) !== 0)

/** Pushes one issue. */
export const report = (
  issues: Array<Issue>,
  def: AnyEventDefinition,
  segments: ReadonlyArray<string>,
  code: IssueCode,
  actual: unknown,
  mask = 0,
): void => {
  issues.push(makeIssue(def, segments, code, actual, channelList(mask)))
}

/** Counts an object's enumerable keys. */
export const countKeys = (o: object): number => {
  let n = 0
  for (const _ in o) n++
  return n
}

/** Whether a value is a JSON object (not null, not an array). */
export const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * The slow path of the key check, run only when an object has keys the
 * validator did not see: reports each unknown key, and each known key whose
 * value is `undefined` (which JSON cannot say, but a JavaScript caller can).
 */
export const reportUnknownKeys = (
  issues: Array<Issue>,
  def: AnyEventDefinition,
  o: Record<string, unknown>,
  known: ReadonlySet<string>,
  prefix: ReadonlyArray<string>,
): void => {
  for (const k of Object.keys(o)) {
    if (!known.has(k)) report(issues, def, [...prefix, k], "unknown_property", o[k])
    else if (o[k] === undefined) report(issues, def, [...prefix, k], "invalid_type", undefined)
  }
}
