/**
 * `@cdp/store`: the storage port of the ingestion service and what every
 * store shares — the port's types and errors, group commit, the paging
 * cursor, the profile overwrite rule and the JSON key cache. The handler
 * (`@cdp/ingest`) and every driver import it; it imports nothing.
 *
 * @module
 */

export * from "./ConfigError.ts"
export * from "./cursor.ts"
export * from "./groupCommit.ts"
export * from "./jsonKey.ts"
export * from "./profileFold.ts"
export * from "./StorePort.ts"
