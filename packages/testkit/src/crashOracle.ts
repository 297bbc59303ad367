/**
 * The crash suite's oracle: the profile a customer must have, given its
 * stored events in an order of arrival consistent with every tie. Written
 * apart from the service's own fold (`foldProfile` of `@cdp/store`, which
 * applies events one after another) so that a mistake shared by the stores
 * and their oracle cannot hide: here each attribute is chosen directly as the
 * value of the event with the greatest (timestamp, first arrival) among the
 * events that carry it, and `updated_at` is the greatest timestamp.
 *
 * @module
 */

/**
 * One stored event as the oracle sees it: `timestamp` in the documented form
 * (`YYYY-MM-DD HH:MM:SS.ssssss UTC`, fixed width, so that comparing the
 * strings compares the instants).
 *
 * @since 0.2.0
 * @category models
 */
export interface Arrival {
  readonly id: string
  readonly timestamp: string
  readonly context: Readonly<Record<string, unknown>>
}

/**
 * The profile that `arrivals` (in arrival order; a repeated id counts at its
 * first arrival only) must leave: `undefined` when there is none.
 *
 * @since 0.2.0
 * @category oracle
 */
export const expectedProfile = (
  arrivals: ReadonlyArray<Arrival>,
): { attributes: Record<string, unknown>; updated_at: string } | undefined => {
  const firsts: Array<Arrival> = []
  const ids = new Set<string>()
  for (const a of arrivals) {
    if (ids.has(a.id)) continue
    ids.add(a.id)
    firsts.push(a)
  }
  if (firsts.length === 0) return undefined
  // The winner of an attribute: latest timestamp; on a tie, the later position in `firsts`.
  const winner = new Map<string, number>()
  for (const [position, a] of firsts.entries()) {
    for (const key of Object.keys(a.context)) {
      const best = winner.get(key)
      if (best === undefined || (firsts[best] as Arrival).timestamp <= a.timestamp) winner.set(key, position)
    }
  }
  const attributes: Record<string, unknown> = {}
  for (const [key, position] of winner) attributes[key] = (firsts[position] as Arrival).context[key]
  let updated_at = ""
  for (const a of firsts) if (a.timestamp > updated_at) updated_at = a.timestamp
  return { attributes, updated_at }
}

/**
 * Deep equality of JSON values, key order aside.
 *
 * @since 0.2.0
 * @category utils
 */
export const equalJson = (a: unknown, b: unknown): boolean => {
  if (a === b) return true
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false
  if (Array.isArray(a) !== Array.isArray(b)) return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  return ka.every(
    (k) => Object.hasOwn(b, k) && equalJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
  )
}
