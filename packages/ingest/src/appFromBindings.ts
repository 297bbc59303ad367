/**
 * The service on a platform that hands its settings to every request as
 * bindings (Cloudflare Workers' `env`) rather than to a process at start:
 * the app is built from the `INGEST_CONFIG` text and `LOG_LEVEL` on first
 * use, and again whenever the config text changes (a changed secret takes
 * effect at the next request). A misconfiguration (no config, or one that
 * does not parse) has no operator's terminal to stop at: each request then
 * answers 500 `internal_error` and one line says why. Runtime-free: the
 * runtime hands in its store and its output.
 *
 * @module
 */

import type { IngestStore } from "@cdp/store"
import type { ExecutionContext } from "hono"
import { makeApp } from "./app.ts"
import { jsonLogger, type LogLevel } from "./Logger.ts"
import { problem } from "./problem.ts"
import { parseConfigText } from "./TenantConfig.ts"

/**
 * The bindings the app is built from.
 *
 * @since 0.3.0
 * @category models
 */
export interface IngestBindings {
  /** The tenants config, JSON text (on Workers, a secret). */
  readonly INGEST_CONFIG?: string | undefined
  /** The JSON log's lowest level; `info` when unset. */
  readonly LOG_LEVEL?: string | undefined
}

/**
 * What the runtime supplies to `appFromBindings`.
 *
 * @since 0.3.0
 * @category models
 */
export interface BindingsAppOptions<B extends IngestBindings> {
  /** The store of the app built for these bindings; called once per build. */
  readonly store: (bindings: B) => IngestStore
  /** Writes one line of the JSON log; `console.log` by default. */
  readonly stdout?: ((line: string) => void) | undefined
  /** Writes the line that says why the service is misconfigured; `console.error` by default. */
  readonly stderr?: ((line: string) => void) | undefined
}

/**
 * A fetch handler that serves each request with the app its bindings
 * configure (an `ExportedHandler` on Workers).
 *
 * @since 0.3.0
 * @category models
 */
export interface BindingsApp<B extends IngestBindings> {
  readonly fetch: (request: Request, bindings: B, ctx?: ExecutionContext) => Response | Promise<Response>
}

/**
 * The app of the bindings each request comes with, built once per config
 * text. Any failure to build it (the config missing or malformed, the store
 * not made) answers 500 `internal_error` and writes `cdp ingest: <why>`;
 * the next request tries again.
 *
 * @since 0.3.0
 * @category constructors
 */
export const appFromBindings = <B extends IngestBindings>(options: BindingsAppOptions<B>): BindingsApp<B> => {
  const stdout = options.stdout ?? ((line: string) => console.log(line))
  const stderr = options.stderr ?? ((line: string) => console.error(line))
  let built: { readonly text: string; readonly app: ReturnType<typeof makeApp> } | undefined

  const appFor = (bindings: B): ReturnType<typeof makeApp> => {
    const text = bindings.INGEST_CONFIG ?? ""
    if (built?.text !== text) {
      if (text === "")
        throw new Error("INGEST_CONFIG is not set: `wrangler secret put INGEST_CONFIG` with the tenants JSON")
      const config = parseConfigText(text, "INGEST_CONFIG")
      const logger = jsonLogger(stdout, (bindings.LOG_LEVEL as LogLevel | undefined) ?? "info")
      built = { text, app: makeApp({ store: options.store(bindings), config, logger }) }
    }
    return built.app
  }

  return {
    fetch: (request, bindings, ctx) => {
      let app: ReturnType<typeof makeApp>
      try {
        app = appFor(bindings)
      } catch (e) {
        stderr(`cdp ingest: ${(e as Error).message}`)
        return problem("internal_error", "The service is misconfigured (INGEST_CONFIG); the Worker's log says why.")
      }
      return app.fetch(request, bindings, ctx)
    },
  }
}
