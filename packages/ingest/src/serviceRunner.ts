/**
 * The service's process, the same on every runtime: read the settings, open
 * the store, build the app, serve it, print the start-up lines, and stop
 * gracefully on SIGTERM or SIGINT. A start-up that cannot go on (a bad
 * setting, a store that does not open, a port that is taken) prints one line
 * and exits 1. Runtime-free: each runtime's entry point hands in what it
 * supplies (its environment, file reading, store driver, server, signals,
 * output and exit), as hono's adapters do.
 *
 * @module
 */

import { ConfigError, type IngestStore, StoreError } from "@cdp/store"
import { type AppOptions, makeApp } from "./app.ts"
import { jsonLogger, type LogLevel } from "./Logger.ts"
import { listenErrorText, loadSettings, redactUrl, type Settings, startupLines } from "./settings.ts"
import { makeShutdown } from "./shutdown.ts"

/**
 * The environment variables the service reads; a runtime that grants them
 * one by one (Deno) reads exactly these.
 *
 * @since 0.3.0
 * @category settings
 */
export const SERVICE_ENV = ["PORT", "HOST", "INGEST_DB", "INGEST_CONFIG", "LOG_LEVEL"] as const

/**
 * A server that listens: where (as the runtime reports it), and how to stop
 * it (stop accepting; resolve once the requests in flight are answered).
 *
 * @since 0.3.0
 * @category models
 */
export interface ListeningServer {
  readonly hostname: string
  readonly port: number
  readonly stop: () => Promise<void>
}

/**
 * What a runtime supplies to `runService`.
 *
 * @since 0.3.0
 * @category models
 */
export interface ServiceRuntime {
  /** Named in the first start-up line, e.g. `node v20.18.0`. */
  readonly runtime: string
  /** `PORT`, `HOST`, `INGEST_DB`, `INGEST_CONFIG`, `LOG_LEVEL` (`SERVICE_ENV`). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads the `INGEST_CONFIG` file. */
  readonly readText: (path: string) => Promise<string>
  /** Opens the store `INGEST_DB` names (a SQLite path or a `postgres://` URL); fails with `StoreError` or `ConfigError`. */
  readonly openStore: (db: string) => Promise<IngestStore>
  /** A synchronous SHA-256, when the runtime has one (`makeApp`'s `sha256`). */
  readonly sha256?: AppOptions["sha256"]
  /** Serves `fetch` on `hostname:port`; fails (throws or rejects) when it cannot listen. */
  readonly serve: (
    fetch: (request: Request) => Response | Promise<Response>,
    address: { readonly hostname: string; readonly port: number },
  ) => ListeningServer | Promise<ListeningServer>
  /** Calls `handler` on each delivery of `signal`. */
  readonly onSignal: (signal: "SIGTERM" | "SIGINT", handler: () => void) => void
  /** Writes one line to stdout: the JSON log. */
  readonly stdout: (line: string) => void
  /** Writes one line to stderr: start-up, shutdown and failures, for the operator. */
  readonly stderr: (line: string) => void
  readonly exit: (code: number) => void
}

/**
 * Runs the service; resolves once it listens (or once it has exited 1).
 * Errors other than a bad setting, a store that does not open and a failed
 * listen are not the operator's to fix: they reject, with their stack.
 *
 * @since 0.3.0
 * @category lifecycle
 */
export const runService = async (rt: ServiceRuntime): Promise<void> => {
  const fail = (message: string) => {
    rt.stderr(`cdp ingest: ${message}`)
    rt.exit(1)
  }
  let settings: Settings
  try {
    settings = await loadSettings(rt.env, rt.readText)
  } catch (e) {
    if (e instanceof ConfigError) return fail(e.message)
    throw e
  }

  let store: IngestStore
  try {
    store = await rt.openStore(settings.db)
  } catch (e) {
    if (e instanceof ConfigError || e instanceof StoreError) {
      return fail(`cannot open the store ${redactUrl(settings.db)}: ${e.message}`)
    }
    throw e
  }

  const logger = jsonLogger(rt.stdout, (rt.env.LOG_LEVEL as LogLevel | undefined) ?? "info")
  const app = makeApp({ store, config: settings.config, logger, ...(rt.sha256 ? { sha256: rt.sha256 } : {}) })

  const hostname = rt.env.HOST ?? "0.0.0.0"
  let server: ListeningServer
  try {
    server = await rt.serve(app.fetch, { hostname, port: settings.port })
  } catch (e) {
    // A port in use (or not ours to take): one line that says so, the store closed, exit 1; not a stack trace.
    rt.stderr(`cdp ingest: ${listenErrorText(hostname, settings.port, e)}`)
    await store.close().catch(() => undefined)
    return rt.exit(1)
  }
  for (const line of startupLines(settings, rt.runtime, listeningUrl(server))) rt.stderr(line)

  const stop = makeShutdown({ stopServer: server.stop, store, log: rt.stderr, exit: rt.exit })
  rt.onSignal("SIGTERM", () => stop("SIGTERM"))
  rt.onSignal("SIGINT", () => stop("SIGINT"))
}

/** The URL to print for a server: `localhost` for the wildcard addresses, an IPv6 address in brackets. */
const listeningUrl = ({ hostname, port }: ListeningServer): string => {
  const host = hostname === "0.0.0.0" || hostname === "::" ? "localhost" : hostname
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`
}
