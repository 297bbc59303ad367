/**
 * Opens the store that `INGEST_DB` names: a `postgres://` (or
 * `postgresql://`) URL is a PostgreSQL database shared by any number of
 * service processes (`?schema=` picks the schema, default `cdp_ingest`); any
 * other value is the path of an embedded SQLite file (created with its folder
 * when missing), for one process.
 *
 * @module
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { ConfigError, type IngestStore } from "@cdp/ingest"
import { openPostgresStore, quoteSchema, splitPostgresUrl } from "@cdp/store-postgres"
import { openBetterSqliteStore } from "@cdp/store-sqlite/better-sqlite3"

export const openStore = async (db: string): Promise<IngestStore> => {
  if (/^postgres(ql)?:\/\//.test(db)) {
    const { schema } = splitPostgresUrl(db)
    if (schema !== undefined) {
      try {
        quoteSchema(schema)
      } catch (e) {
        throw new ConfigError(`INGEST_DB: ${(e as Error).message}`)
      }
    }
    return openPostgresStore(db)
  }
  mkdirSync(dirname(db), { recursive: true })
  return openBetterSqliteStore(db)
}
