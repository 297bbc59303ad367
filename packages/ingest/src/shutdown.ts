/**
 * Graceful shutdown, the same on every runtime: on the first signal, say so,
 * stop the server (the runtime's own way: stop accepting, let the requests
 * in flight be answered), close the store, exit 0; exit 1 when either fails
 * (the store is closed even when the server failed to stop).
 * When the requests in flight take longer than the grace period, close the
 * store anyway and exit 1. Runtime-free: the adapter hands in how to stop its
 * server, write a line and exit.
 *
 * @module
 */
import type { IngestStore } from "@cdp/store"

/**
 * @since 0.2.0
 * @category models
 */
export interface ShutdownOptions {
  /** Stops accepting and resolves once the requests in flight are answered. */
  readonly stopServer: () => Promise<void>
  readonly store: Pick<IngestStore, "close">
  /** Writes one line for the operator (stderr). */
  readonly log: (line: string) => void
  readonly exit: (code: number) => void
  /** How long requests in flight may take, in ms (default 10,000). */
  readonly graceMs?: number
}

/**
 * The handler of SIGTERM and SIGINT: `stop(signal)`; later calls do nothing.
 *
 * @since 0.2.0
 * @category lifecycle
 */
export const makeShutdown = (options: ShutdownOptions): ((signal: string) => void) => {
  const { stopServer, store, log, exit } = options
  const graceMs = options.graceMs ?? 10_000
  let stopping = false
  return (signal) => {
    if (stopping) return
    stopping = true
    log(`cdp ingest: ${signal}: finishing in-flight requests`)
    const force = setTimeout(() => {
      log(`cdp ingest: in-flight requests did not finish in ${graceMs / 1000} s; closing anyway`)
      void store.close().finally(() => exit(1))
    }, graceMs)
    stopServer()
      .then(
        () => {
          clearTimeout(force)
          return store.close()
        },
        async (error: unknown) => {
          // The server did not stop cleanly: still close the store, then exit 1.
          clearTimeout(force)
          await store.close().catch(() => undefined)
          throw error
        },
      )
      .then(
        () => exit(0),
        () => exit(1),
      )
  }
}
