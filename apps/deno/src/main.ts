/**
 * The ingestion service on Deno: `runService` of @cdp/ingest wired to
 * `Deno.serve`, Deno's signals and the store `INGEST_DB` names (a
 * `postgres://` URL: PostgreSQL, its client runs on Deno as on Node; else a
 * SQLite file, node:sqlite). Run it through `scripts/start.mjs`, which
 * grants the narrowest permissions.
 *
 * @module
 */
import { createHash } from "node:crypto"
import { drainingFetch, runService, SERVICE_ENV } from "@cdp/ingest"
import { isPostgresUrl, openPostgresStoreForSetting } from "@cdp/store-postgres"
import { openNodeSqliteStore } from "@cdp/store-sqlite/node-sqlite"

const encoder = new TextEncoder()

await runService({
  runtime: `deno ${Deno.version.deno}`,
  // Only the variables granted by --allow-env (Deno.env.toObject() would need them all).
  env: Object.fromEntries(SERVICE_ENV.map((name) => [name, Deno.env.get(name)])),
  readText: (path) => Deno.readTextFile(path),
  openStore: (db) => (isPostgresUrl(db) ? openPostgresStoreForSetting(db) : openNodeSqliteStore(db)),
  // node:crypto's hash is synchronous, where crypto.subtle's is a promise per call.
  sha256: (text) => createHash("sha256").update(text).digest("hex"),
  serve: (fetch, { hostname, port }) => {
    // Deno 2.9's server.shutdown() makes the bodies of in-flight requests unreadable
    // (https://github.com/denoland/deno/issues/36809): they finish first, new ones get 503 (retry).
    const app = drainingFetch(fetch)
    // onListen: the runner prints the start-up lines, not Deno.
    const server = Deno.serve({ port, hostname, onListen: () => {} }, app.fetch)
    const stop = async () => {
      await app.drain()
      await server.shutdown()
    }
    return { hostname: server.addr.hostname, port: server.addr.port, stop }
  },
  onSignal: (signal, handler) => Deno.addSignalListener(signal, handler),
  stdout: (line) => Deno.stdout.writeSync(encoder.encode(`${line}\n`)),
  stderr: (line) => console.error(line),
  exit: (code) => Deno.exit(code),
})
