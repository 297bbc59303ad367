/**
 * The PostgreSQL store of the CDP ingestion service: many stateless service
 * processes (or machines) on one database, deduplication by the primary key
 * and the profile overwrite rule applied atomically in SQL. The store itself
 * is runtime-free (`makePostgresStore` over a `PgConnection`);
 * `openPostgresStore` opens it on porsager's `postgres` client, which runs on
 * Node.js, Bun and Deno.
 *
 * @module
 */
export { classifyPostgresError, isAvailabilityError, isRetryableConflict } from "./classifyPostgresError.ts"
export { type EncodedGroup, encodeGroup, fromPgText, parsePgJson, toPgText } from "./encodeEvents.ts"
export {
  MIGRATION_LOCK_CLASS,
  type Migration,
  type MigrationConnection,
  migrate,
  migrations,
  quoteSchema,
} from "./migrations.ts"
export {
  isPostgresUrl,
  type OpenPostgresStoreOptions,
  openPostgresStore,
  openPostgresStoreForSetting,
  splitPostgresUrl,
} from "./openPostgresStore.ts"
export {
  DEFAULT_SCHEMA,
  makePostgresStore,
  type PgConnection,
  type PgValue,
  type PostgresStore,
  type PostgresStoreOptions,
  type PostgresStoreStats,
} from "./PostgresStore.ts"
export { type Statements, statementsFor } from "./statements.ts"
