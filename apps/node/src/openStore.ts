/**
 * Opens the store that `INGEST_DB` names: a `postgres://` (or
 * `postgresql://`) URL is a PostgreSQL database shared by any number of
 * service processes (`?schema=` picks the schema, default `cdp_ingest`); any
 * other value is the path of an embedded SQLite file (created with its folder
 * when missing), for one process.
 *
 * @module
 */
import type { IngestStore } from "@cdp/ingest"
import { isPostgresUrl, openPostgresStoreForSetting } from "@cdp/store-postgres"
import { openBetterSqliteStore } from "@cdp/store-sqlite/better-sqlite3"

export const openStore = (db: string): Promise<IngestStore> =>
  isPostgresUrl(db) ? openPostgresStoreForSetting(db) : openBetterSqliteStore(db)
