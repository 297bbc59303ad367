/**
 * The ingestion service on Node.js: read settings, open the store, build the
 * app, serve; on SIGTERM or SIGINT stop accepting, finish in-flight
 * requests, close the database.
 *
 * @module
 */
import { hash } from "node:crypto"
import { readFile } from "node:fs/promises"
import type { Server } from "node:http"
import {
  ConfigError,
  jsonLogger,
  listenErrorText,
  loadSettings,
  makeApp,
  makeShutdown,
  redactUrl,
  StoreError,
  startupLines,
} from "@cdp/ingest"
import { serve } from "@hono/node-server"
import { closeInStages } from "./lingeringClose.ts"
import { openStore } from "./openStore.ts"

const log = (line: string) => process.stdout.write(`${line}\n`)

let settings: Awaited<ReturnType<typeof loadSettings>>
try {
  settings = await loadSettings(process.env, (path) => readFile(path, "utf8"))
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`cdp ingest: ${e.message}\n`)
    process.exit(1)
  }
  throw e
}

let store: Awaited<ReturnType<typeof openStore>>
try {
  store = await openStore(settings.db)
} catch (e) {
  if (e instanceof ConfigError || e instanceof StoreError) {
    process.stderr.write(`cdp ingest: cannot open the store ${redactUrl(settings.db)}: ${e.message}\n`)
    process.exit(1)
  }
  throw e
}
const logger = jsonLogger(log, (process.env.LOG_LEVEL as "info" | undefined) ?? "info")
// Node's one-shot hash (20.12+) is synchronous: no promise round trip per key check and event id, and no Hash object.
const sha256 = (text: string) => hash("sha256", text, "hex")
const app = makeApp({ store, config: settings.config, logger, sha256 })

const hostname = process.env.HOST ?? "0.0.0.0"
const server = serve({ fetch: app.fetch, port: settings.port, hostname }, (info) => {
  server.off("error", cannotListen)
  const url = `http://${info.address === "0.0.0.0" || info.address === "::" ? "localhost" : info.address}:${info.port}`
  for (const line of startupLines(settings, `node ${process.version}`, url)) process.stderr.write(`${line}\n`)
})
// A port in use (or not ours to take): one line that says so, the store closed, exit 1; not a stack trace.
function cannotListen(error: NodeJS.ErrnoException): void {
  process.stderr.write(`cdp ingest: ${listenErrorText(hostname, settings.port, error)}\n`)
  void store.close().finally(() => process.exit(1))
}
server.once("error", cannotListen)

closeInStages(server as Server)

const stop = makeShutdown({
  stopServer: () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      // Idle keep-alive connections would hold the server open: close them now
      // and each time an in-flight request finishes and leaves one idle.
      if ("closeIdleConnections" in server) {
        server.closeIdleConnections()
        setInterval(() => server.closeIdleConnections(), 50).unref()
      }
    }),
  store,
  log: (line) => process.stderr.write(`${line}\n`),
  exit: (code) => process.exit(code),
})
process.on("SIGTERM", () => stop("SIGTERM"))
process.on("SIGINT", () => stop("SIGINT"))
