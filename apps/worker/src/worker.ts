/**
 * The ingestion service on Cloudflare Workers: the one Hono app of
 * `@cdp/ingest`, with profiles and events in Durable Objects with SQLite
 * storage, one object per (tenant, customer). The tenants come from the
 * `INGEST_CONFIG` binding (a secret holding the config JSON).
 *
 * @module
 */

import { DurableObject } from "cloudflare:workers"
import { type AppOptions, jsonLogger, type LogLevel, makeApp, parseConfigText, problem } from "@cdp/ingest"
import {
  type IngestObjectApi,
  type IngestObjectNamespace,
  makeDurableObjectStore,
  serveIngestObject,
} from "@cdp/store-sqlite/durable-object"

export interface Env {
  /** The tenants config, JSON text (`wrangler secret put INGEST_CONFIG`). */
  readonly INGEST_CONFIG?: string | undefined
  readonly INGEST_OBJECTS: DurableObjectNamespace<IngestObject>
  readonly LOG_LEVEL?: string
}

/** One customer's profile and events, in its own SQLite database. */
export class IngestObject extends DurableObject<Env> implements IngestObjectApi {
  readonly #api = serveIngestObject(this.ctx.storage)
  append(...args: Parameters<IngestObjectApi["append"]>) {
    return this.#api.append(...args)
  }
  getProfile(...args: Parameters<IngestObjectApi["getProfile"]>) {
    return this.#api.getProfile(...args)
  }
  listEvents(...args: Parameters<IngestObjectApi["listEvents"]>) {
    return this.#api.listEvents(...args)
  }
  eraseCustomer(...args: Parameters<IngestObjectApi["eraseCustomer"]>) {
    return this.#api.eraseCustomer(...args)
  }
  ping() {
    return this.#api.ping()
  }
}

/** The app of this isolate, built on first use and again when the config text changes. */
let built: { readonly text: string; readonly app: ReturnType<typeof makeApp> } | undefined

const appFor = (env: Env): ReturnType<typeof makeApp> => {
  const text = env.INGEST_CONFIG ?? ""
  if (built?.text !== text) {
    if (text === "")
      throw new Error("INGEST_CONFIG is not set: `wrangler secret put INGEST_CONFIG` with the tenants JSON")
    const options: AppOptions = {
      // A stub cannot serve two requests: one per call.
      store: makeDurableObjectStore(env.INGEST_OBJECTS as unknown as IngestObjectNamespace, { stubs: "per-call" }),
      config: parseConfigText(text, "INGEST_CONFIG"),
      logger: jsonLogger((line) => console.log(line), (env.LOG_LEVEL as LogLevel | undefined) ?? "info"),
    }
    built = { text, app: makeApp(options) }
  }
  return built.app
}

export default {
  fetch(request, env, ctx) {
    let app: ReturnType<typeof makeApp>
    try {
      app = appFor(env)
    } catch (e) {
      console.error(`cdp ingest: ${(e as Error).message}`)
      return problem("internal_error", "The service is misconfigured (INGEST_CONFIG); the Worker's log says why.")
    }
    return app.fetch(request, env, ctx)
  },
} satisfies ExportedHandler<Env>
