/**
 * Opens the store that `INGEST_DB` names: a file path is an embedded SQLite
 * database (created with its folder when missing).
 *
 * @module
 */
import { mkdirSync } from "node:fs"
import { dirname } from "node:path"
import { ConfigError, type IngestStore } from "@cdp/ingest"
import { openBetterSqliteStore } from "@cdp/store-sqlite/better-sqlite3"

export const openStore = async (db: string): Promise<IngestStore> => {
  if (/^postgres(ql)?:\/\//.test(db)) {
    throw new ConfigError("INGEST_DB: PostgreSQL is not supported by this build yet; give a SQLite file path")
  }
  mkdirSync(dirname(db), { recursive: true })
  return openBetterSqliteStore(db)
}
