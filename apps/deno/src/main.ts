/**
 * The ingestion service on Deno: read settings, open the node:sqlite store,
 * build the app, `Deno.serve` it; on SIGTERM or SIGINT stop accepting,
 * finish in-flight requests, close the database, exit 0. Run it through
 * `scripts/start.mjs`, which grants the narrowest permissions.
 *
 * @module
 */
import { createHash } from "node:crypto"
import {
  ConfigError,
  type IngestStore,
  jsonLogger,
  listenErrorText,
  loadSettings,
  makeApp,
  makeShutdown,
  problem,
  redactUrl,
  StoreError,
  startupLines,
} from "@cdp/ingest"
import { isPostgresUrl, openPostgresStoreForSetting } from "@cdp/store-postgres"
import { openNodeSqliteStore } from "@cdp/store-sqlite/node-sqlite"

const fail = (message: string): never => {
  console.error(`cdp ingest: ${message}`)
  return Deno.exit(1)
}

// Only the variables granted by --allow-env (Deno.env.toObject() would need them all).
const names = ["PORT", "HOST", "INGEST_DB", "INGEST_CONFIG", "LOG_LEVEL"] as const
const env = Object.fromEntries(names.map((name) => [name, Deno.env.get(name)]))

const settings = await loadSettings(env, (path) => Deno.readTextFile(path)).catch((e: unknown) =>
  e instanceof ConfigError ? fail(e.message) : Promise.reject(e),
)
// A postgres:// URL: the PostgreSQL store (its client runs on Deno as on Node); else a SQLite file.
const store: IngestStore = await (isPostgresUrl(settings.db)
  ? openPostgresStoreForSetting(settings.db)
  : openNodeSqliteStore(settings.db)
).catch((e: unknown) =>
  e instanceof StoreError || e instanceof ConfigError
    ? fail(`cannot open the store ${redactUrl(settings.db)}: ${e.message}`)
    : Promise.reject(e),
)
const encoder = new TextEncoder()
const log = (line: string) => Deno.stdout.writeSync(encoder.encode(`${line}\n`))
const logger = jsonLogger(log, (env.LOG_LEVEL as "info" | undefined) ?? "info")
// node:crypto's hash is synchronous and ~2 µs, against ~15-40 µs for crypto.subtle on Deno.
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex")
const app = makeApp({ store, config: settings.config, logger, sha256 })

// Deno 2.9's server.shutdown() makes the bodies of in-flight requests
// unreadable (https://github.com/denoland/deno/issues/36809): on a signal,
// requests in flight finish first, new ones get 503 (retry), then shutdown.
let inFlight = 0
let draining = false
let drained = () => {}
const handle = async (request: Request): Promise<Response> => {
  if (draining) return problem("unavailable", "the service is shutting down; retry", { "retry-after": "1" })
  inFlight++
  try {
    return await app.fetch(request)
  } finally {
    if (--inFlight === 0 && draining) drained()
  }
}

const hostname = env.HOST ?? "0.0.0.0"
let server: Deno.HttpServer
try {
  server = Deno.serve(
    {
      port: settings.port,
      hostname,
      onListen: ({ hostname, port }) => {
        const host = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname
        const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`
        for (const line of startupLines(settings, `deno ${Deno.version.deno}`, url)) console.error(line)
      },
    },
    handle,
  )
} catch (e) {
  // A port in use (or not ours to take): one line that says so, the store closed, exit 1.
  console.error(`cdp ingest: ${listenErrorText(hostname, settings.port, e)}`)
  await store.close().catch(() => undefined)
  Deno.exit(1)
}

const stop = makeShutdown({
  stopServer: async () => {
    draining = true
    if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve))
    await server.shutdown()
  },
  store,
  log: (line) => console.error(line),
  exit: (code) => Deno.exit(code),
})
Deno.addSignalListener("SIGTERM", () => stop("SIGTERM"))
Deno.addSignalListener("SIGINT", () => stop("SIGINT"))
