/**
 * The ingestion service on Bun: `runService` of @cdp/ingest wired to
 * `Bun.serve`, the process's signals and the store `INGEST_DB` names (a
 * `postgres://` URL: PostgreSQL, its client runs on Bun as on Node; else a
 * SQLite file, bun:sqlite).
 *
 * @module
 */
import { runService } from "@cdp/ingest"
import { isPostgresUrl, openPostgresStoreForSetting } from "@cdp/store-postgres"
import { openBunSqliteStore } from "@cdp/store-sqlite/bun-sqlite"

await runService({
  runtime: `bun ${Bun.version}`,
  env: process.env,
  readText: (path) => Bun.file(path).text(),
  openStore: (db) => (isPostgresUrl(db) ? openPostgresStoreForSetting(db) : openBunSqliteStore(db)),
  // Bun's one-shot hash: synchronous, the fastest of Bun's and node:crypto's here.
  sha256: (text) => Bun.SHA256.hash(text, "hex"),
  serve: (fetch, { hostname, port }) => {
    // The handler refuses a body over 1 MiB (413 Problem Details), an announced one before reading it, a
    // streamed one as it comes. Bun's own bound would answer a larger announced length with a bare 413 of
    // its own, so it is set beyond any length.
    const server = Bun.serve({ port, hostname, fetch, maxRequestBodySize: Number.MAX_SAFE_INTEGER })
    return {
      hostname: server.hostname ?? hostname,
      port: server.port ?? port,
      // Stops listening; resolves once the requests in flight are answered.
      stop: () => server.stop(),
    }
  },
  onSignal: (signal, handler) => process.on(signal, handler),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
})
