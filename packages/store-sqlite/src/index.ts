/**
 * The SQLite store of the CDP ingestion service: the runtime-free core
 * (`core/`: migrations, the write path, group commit, reads, erasure) and
 * the driver interface it runs on. Each runtime's driver is its own entry
 * point (`@cdp/store-sqlite/better-sqlite3`, `/bun-sqlite`, `/node-sqlite`,
 * `/durable-object`); the threads they run the database on are in
 * `threads/`.
 *
 * @module
 */

export { classifySqliteError, isLockError } from "./core/classifySqliteError.ts"
export { type FaultableDriver, faultableDriver, type SqliteFault } from "./core/faultInjection.ts"
export { type Migration, migrations } from "./core/migrations.ts"
export type { SqliteCoreOptions, SqliteCoreStats } from "./core/SqliteCore.ts"
export type { SqliteDriver, SqliteStatement, SqlValue } from "./core/SqliteDriver.ts"
export { makeSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./core/SqliteStore.ts"
