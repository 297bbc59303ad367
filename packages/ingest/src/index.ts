/**
 * `@cdp/ingest`: the ingestion handler (a Hono app), its storage port, the
 * tenant configuration and what the runtime adapters share.
 *
 * @module
 */

export * from "./Auth.ts"
export * from "./app.ts"
export * from "./drainingFetch.ts"
export * from "./eventId.ts"
export * from "./Logger.ts"
export * from "./Metrics.ts"
export * from "./problem.ts"
export * from "./profileFold.ts"
export * from "./StorePort.ts"
export * from "./serviceRunner.ts"
export * from "./settings.ts"
export * from "./shutdown.ts"
export * from "./TenantConfig.ts"
