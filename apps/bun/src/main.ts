/**
 * The ingestion service on Bun: read settings, open the SQLite store
 * (bun:sqlite), build the app, serve with Bun.serve; on SIGTERM or SIGINT
 * stop accepting, finish in-flight requests, close the database.
 *
 * @module
 */
import {
  ConfigError,
  type IngestStore,
  jsonLogger,
  listenErrorText,
  loadSettings,
  makeApp,
  makeShutdown,
  redactUrl,
  StoreError,
  startupLines,
} from "@cdp/ingest"
import { isPostgresUrl, openPostgresStoreForSetting } from "@cdp/store-postgres"
import { openBunSqliteStore } from "@cdp/store-sqlite/bun-sqlite"

let settings: Awaited<ReturnType<typeof loadSettings>>
try {
  settings = await loadSettings(process.env, (path) => Bun.file(path).text())
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`cdp ingest: ${e.message}\n`)
    process.exit(1)
  }
  throw e
}

let store: IngestStore
try {
  // A postgres:// URL: the PostgreSQL store (its client runs on Bun as on Node); else a SQLite file.
  store = isPostgresUrl(settings.db)
    ? await openPostgresStoreForSetting(settings.db)
    : await openBunSqliteStore(settings.db)
} catch (e) {
  if (e instanceof ConfigError || e instanceof StoreError) {
    process.stderr.write(`cdp ingest: cannot open the store ${redactUrl(settings.db)}: ${e.message}\n`)
    process.exit(1)
  }
  throw e
}
const logger = jsonLogger(
  (line) => process.stdout.write(`${line}\n`),
  (process.env.LOG_LEVEL as "info" | undefined) ?? "info",
)
// Bun's one-shot hash: synchronous, the fastest of Bun's and node:crypto's here.
const sha256 = (text: string) => Bun.SHA256.hash(text, "hex")
const app = makeApp({ store, config: settings.config, logger, sha256 })

const hostname = process.env.HOST ?? "0.0.0.0"
let server: ReturnType<typeof Bun.serve>
try {
  server = Bun.serve({
    port: settings.port,
    hostname,
    fetch: app.fetch,
    // The handler refuses a body over 1 MiB (413 Problem Details), an announced
    // one before reading it, a streamed one as it comes. Bun's own bound would
    // answer a larger announced length with a bare 413 of its own, so it is
    // set beyond any length.
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
  })
} catch (e) {
  // A port in use (or not ours to take): one line that says so, the store closed, exit 1.
  process.stderr.write(`cdp ingest: ${listenErrorText(hostname, settings.port, e)}\n`)
  await store.close().catch(() => undefined)
  process.exit(1)
}
const host = server.hostname === "0.0.0.0" || server.hostname === "::" ? "localhost" : server.hostname
for (const line of startupLines(settings, `bun ${Bun.version}`, `http://${host}:${server.port}`)) {
  process.stderr.write(`${line}\n`)
}

const stop = makeShutdown({
  // Stops listening; resolves once the requests in flight are answered.
  stopServer: () => server.stop(),
  store,
  log: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
})
process.on("SIGTERM", () => stop("SIGTERM"))
process.on("SIGINT", () => stop("SIGINT"))
