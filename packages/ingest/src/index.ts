/**
 * `@cdp/ingest`: the ingestion handler (a Hono app), the tenant
 * configuration, the in-memory store and what the runtime adapters share.
 * The storage port lives in `@cdp/store`; what the handler's users need of
 * it (the port's types, `StoreError`, `ConfigError`, the profile overwrite
 * rule) is re-exported here.
 *
 * @module
 */

export {
  type AppendStatus,
  applyToProfile,
  attributesOf,
  ConfigError,
  type EventPage,
  emptyProfileState,
  foldProfile,
  type IngestStore,
  type NewEvent,
  type Profile,
  type ProfileState,
  type StoredEvent,
  StoreError,
} from "@cdp/store"
export * from "./Auth.ts"
export * from "./app.ts"
export * from "./appFromBindings.ts"
export * from "./drainingFetch.ts"
export * from "./eventId.ts"
export * from "./Logger.ts"
export * from "./MemoryStore.ts"
export * from "./Metrics.ts"
export * from "./problem.ts"
export * from "./serviceRunner.ts"
export * from "./settings.ts"
export * from "./shutdown.ts"
export * from "./TenantConfig.ts"
