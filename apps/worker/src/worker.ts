/**
 * The ingestion service on Cloudflare Workers: the one Hono app of
 * `@cdp/ingest`, with profiles and events in Durable Objects with SQLite
 * storage, one object per (tenant, customer). The tenants come from the
 * `INGEST_CONFIG` binding (a secret holding the config JSON).
 *
 * @module
 */

import { DurableObject } from "cloudflare:workers"
import { appFromBindings } from "@cdp/ingest"
import {
  type IngestObjectNamespace,
  makeDurableObjectStore,
  makeIngestObjectClass,
} from "@cdp/store-sqlite/durable-object"

export interface Env {
  /** The tenants config, JSON text (`wrangler secret put INGEST_CONFIG`). */
  readonly INGEST_CONFIG?: string | undefined
  readonly INGEST_OBJECTS: DurableObjectNamespace<IngestObject>
  readonly LOG_LEVEL?: string
}

/** One customer's profile and events, in its own SQLite database. */
export class IngestObject extends makeIngestObjectClass(DurableObject<Env>) {}

/** The app of this isolate, built on first use and again when the config text changes. */
export default appFromBindings<Env>({
  // A stub cannot serve two requests: one per call.
  store: (env) => makeDurableObjectStore(env.INGEST_OBJECTS as unknown as IngestObjectNamespace, { stubs: "per-call" }),
}) satisfies ExportedHandler<Env>
