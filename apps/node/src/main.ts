/**
 * The ingestion service on Node.js: `runService` of @cdp/ingest wired to
 * @hono/node-server, the process's signals and the store `INGEST_DB` names
 * (a `postgres://` URL: PostgreSQL, shared by any number of processes; else
 * a SQLite file, better-sqlite3, for this one).
 *
 * @module
 */
import { hash } from "node:crypto"
import { readFile } from "node:fs/promises"
import type { Server } from "node:http"
import { runService } from "@cdp/ingest"
import { isPostgresUrl, openPostgresStoreForSetting } from "@cdp/store-postgres"
import { openBetterSqliteStore } from "@cdp/store-sqlite/better-sqlite3"
import { serve } from "@hono/node-server"
import { closeInStages } from "./lingeringClose.ts"

// Stops accepting; resolves once the requests in flight are answered. Idle keep-alive connections
// would hold the server open: closed now and each time a finished request leaves one idle.
const stopServer = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
    setInterval(() => server.closeIdleConnections(), 50).unref()
  })

await runService({
  runtime: `node ${process.version}`,
  env: process.env,
  readText: (path) => readFile(path, "utf8"),
  openStore: (db) => (isPostgresUrl(db) ? openPostgresStoreForSetting(db) : openBetterSqliteStore(db)),
  // Node's one-shot hash (20.12+) is synchronous: no promise round trip per key check and event id, no Hash object.
  sha256: (text) => hash("sha256", text, "hex"),
  serve: (fetch, { hostname, port }) =>
    new Promise((resolve, reject) => {
      const server = serve({ fetch, port, hostname }, (info) => {
        server.off("error", reject)
        resolve({ hostname: info.address, port: info.port, stop: () => stopServer(server as Server) })
      }) as Server
      server.once("error", reject)
      closeInStages(server)
    }),
  onSignal: (signal, handler) => process.on(signal, handler),
  stdout: (line) => process.stdout.write(`${line}\n`),
  stderr: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
})
