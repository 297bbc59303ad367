/**
 * The SQLite store of the CDP ingestion service, runtime-free: the shared
 * core and the driver interface. Each runtime's driver is its own entry
 * point (`@cdp/store-sqlite/better-sqlite3`, ...).
 *
 * @module
 */

export { type GroupCommit, type GroupCommitOptions, makeGroupCommit } from "@cdp/store"
export { classifySqliteError, isLockError } from "./classifySqliteError.ts"
export {
  type EncodedBatches,
  EVENT_FIELDS,
  encodeBatches,
  joinStamps,
  type StampPieces,
  stampPieces,
  stampsJson,
} from "./encodeEvents.ts"
export { type FaultableDriver, faultableDriver, type SqliteFault } from "./faultInjection.ts"
export { inTransaction, type Migration, migrate, migrations } from "./migrations.ts"
export {
  type BatchOutcome,
  openSqliteCore,
  type SqliteCore,
  type SqliteCoreOptions,
  type SqliteCoreStats,
} from "./SqliteCore.ts"
export type { SqliteDriver, SqliteStatement, SqlValue } from "./SqliteDriver.ts"
export { makeSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./SqliteStore.ts"
