/**
 * The registry of event kinds, keyed by event key. Adding an event kind is
 * one module under `events/` and one line here (then `pnpm generate`).
 *
 * @module
 */
import type { AnyEventDefinition } from "./EventDefinition.ts"
import { OotbUserDetailsUpdate } from "./events/ootb_user_details_update.ts"

/**
 * Every event kind this package knows.
 *
 * @since 0.1.0
 * @category registry
 */
export const events = {
  [OotbUserDetailsUpdate.key]: OotbUserDetailsUpdate,
} as const satisfies Record<string, AnyEventDefinition>

/** The key of a known event kind. @since 0.1.0 @category registry */
export type EventKey = keyof typeof events

/** Every known event, decoded. @since 0.1.0 @category registry */
export type KnownEvent = (typeof events)[EventKey]["schema"]["Type"]

/** @since 0.1.0 @category registry */
export const eventKeys = Object.keys(events) as Array<EventKey>

/** @since 0.1.0 @category registry */
export const getEvent = (key: string): AnyEventDefinition | undefined =>
  Object.hasOwn(events, key) ? (events as Record<string, AnyEventDefinition>)[key] : undefined
