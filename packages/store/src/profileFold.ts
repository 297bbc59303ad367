/**
 * The profile overwrite rule, as pure functions: each attribute keeps the
 * value of the event with the latest timestamp that carried it, ties going to
 * the later arrival. Drivers that merge in code use `applyToProfile`; tests
 * use `foldProfile` as the oracle.
 *
 * @module
 */
import type { NewEvent } from "./StorePort.ts"

/**
 * A profile's stored state: each attribute's value and the timestamp of the
 * event it came from.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProfileState {
  attributes: Record<string, { value: unknown; ts: string }>
  updatedAt: string
}

/**
 * Applies one event (arriving after everything already in `state`) to a
 * profile state, in place. Returns the state.
 *
 * @since 0.1.0
 * @category folding
 */
export const applyToProfile = (state: ProfileState, event: Pick<NewEvent, "timestamp" | "context">): ProfileState => {
  const ts = event.timestamp
  for (const key of Object.keys(event.context)) {
    const current = state.attributes[key]
    if (current === undefined || ts >= current.ts) {
      state.attributes[key] = { value: event.context[key], ts }
    }
  }
  if (ts > state.updatedAt) state.updatedAt = ts
  return state
}

/** @since 0.1.0 @category folding */
export const emptyProfileState = (): ProfileState => ({ attributes: Object.create(null), updatedAt: "" })

/**
 * The profile that a sequence of events (in arrival order; duplicates by id
 * counted once, at their first arrival) must end in.
 *
 * @since 0.1.0
 * @category folding
 */
export const foldProfile = (
  events: ReadonlyArray<Pick<NewEvent, "id" | "timestamp" | "context">>,
): { attributes: Record<string, unknown>; updated_at: string } | undefined => {
  const seen = new Set<string>()
  const state = emptyProfileState()
  for (const e of events) {
    if (seen.has(e.id)) continue
    seen.add(e.id)
    applyToProfile(state, e)
  }
  if (seen.size === 0) return undefined
  return { attributes: attributesOf(state), updated_at: state.updatedAt }
}

/**
 * The plain attribute values of a state, keys sorted. Built with
 * `Object.fromEntries`, which defines each key as an own property: an
 * assignment would hand a key named `__proto__` to the prototype setter.
 *
 * @since 0.1.0
 * @category folding
 */
export const attributesOf = (state: ProfileState): Record<string, unknown> =>
  Object.fromEntries(
    Object.keys(state.attributes)
      .sort()
      .map((key) => [key, state.attributes[key]?.value]),
  )
