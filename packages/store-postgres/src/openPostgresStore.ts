/**
 * The driver: the PostgreSQL store on porsager's `postgres` client (v3, pure
 * JavaScript: the same code runs on Node.js, Bun and Deno). It reads a
 * `postgres://` URL, opens a small pool, makes sure commits are durable and
 * hands the pool to the shared store (`makePostgresStore`). The client pools,
 * reconnects by itself when the database comes back, and prepares each
 * statement once per connection.
 *
 * Client docs: https://github.com/porsager/postgres
 *
 * @module
 */
import { ConfigError, StoreError } from "@cdp/store"
import postgres from "postgres"
import { classifyPostgresError } from "./classifyPostgresError.ts"
import { quoteSchema } from "./migrations.ts"
import { makePostgresStore, type PgConnection, type PostgresStore, type PostgresStoreOptions } from "./PostgresStore.ts"

/**
 * @since 0.1.0
 * @category models
 */
export interface OpenPostgresStoreOptions extends PostgresStoreOptions {
  /**
   * Connections of the reading pool (default 3; a `max` URL parameter sets it
   * too). Writes go over one more connection of their own, pipelined.
   */
  readonly max?: number
  /** Seconds to wait for a connection before the store is `unavailable` (default 5; URL parameter `connect_timeout`). */
  readonly connectTimeoutSeconds?: number
  /** `application_name` of the sessions (default `cdp-ingest`). */
  readonly applicationName?: string
  /**
   * How long, in ms, a statement waits for a lock another session holds
   * (a table locked by an operator's `ALTER TABLE`, a row held by a stuck
   * transaction) before it fails and the store is `unavailable`: the
   * sessions' `lock_timeout` (default 5,000, as the SQLite store's busy
   * timeout; 0 waits forever). A `lock_timeout` URL parameter wins
   * (`?lock_timeout=2s`).
   */
  readonly lockTimeoutMs?: number
  /**
   * How long opening keeps retrying while the database is unavailable (not
   * up yet, restarting), in ms. Default 10,000; 0 fails at once.
   */
  readonly startupTimeoutMs?: number
}

/**
 * The parts of a `postgres://` URL: the URL for the client, and the `schema`
 * parameter (this store's, not a server setting), removed from it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const splitPostgresUrl = (url: string): { readonly url: string; readonly schema: string | undefined } => {
  const at = url.indexOf("?")
  if (at < 0) return { url, schema: undefined }
  const params = new URLSearchParams(url.slice(at + 1))
  const schema = params.get("schema") ?? undefined
  params.delete("schema")
  const rest = params.toString()
  return { url: rest === "" ? url.slice(0, at) : `${url.slice(0, at)}?${rest}`, schema }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** `sql` reads (and migrates); `writer`, a client of one connection, pipelines the writes in call order. */
const poolOn = (sql: postgres.Sql, writer: postgres.Sql): PgConnection => ({
  query: (text, params) => sql.unsafe(text, params as Array<string | number>, { prepare: true }),
  write: (text, params) => writer.unsafe(text, params as Array<string | number>, { prepare: true }),
  transaction: <T>(
    fn: (
      query: (text: string, params?: ReadonlyArray<string | number>) => Promise<ReadonlyArray<unknown>>,
    ) => Promise<T>,
  ): Promise<T> =>
    sql.begin((tx) => fn((text, params = []) => tx.unsafe(text, params as Array<string | number>))) as Promise<T>,
  end: async () => {
    await Promise.all([sql.end({ timeout: 5 }), writer.end({ timeout: 5 })])
  },
})

/**
 * Opens the PostgreSQL store that `url` names
 * (`postgres://user:password@host:port/database?schema=cdp_ingest`): creates
 * the schema and applies the migrations when needed. Every URL parameter but
 * `schema` goes to the client (`max`, `connect_timeout`, `sslmode`, ...) or,
 * when the client does not know it, to the server as a session setting
 * (`synchronous_commit=remote_apply`, ...). When the server's
 * `synchronous_commit` is `off`, the store's sessions set it `on`: a
 * resolved append is on disk. The sessions wait at most `lockTimeoutMs`
 * for a lock: a write never hangs behind a lock held elsewhere.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openPostgresStore = async (
  url: string,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresStore> => {
  const parts = splitPostgresUrl(url)
  const inUrl = new URLSearchParams(parts.url.includes("?") ? parts.url.slice(parts.url.indexOf("?") + 1) : "")
  const connect = (settings: Record<string, string>, max?: number) =>
    postgres(parts.url, {
      ...(max !== undefined ? { max } : inUrl.has("max") ? {} : { max: options.max ?? 3 }),
      ...(inUrl.has("connect_timeout") ? {} : { connect_timeout: options.connectTimeoutSeconds ?? 5 }),
      // Reconnect soon after an outage: the client's default waits up to 20 s between tries of a
      // connection that failed often, and queries queued on it wait as long.
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2),
      fetch_types: false,
      onnotice: () => {},
      // URL parameters the client does not know win over these (`?lock_timeout=2s`).
      connection: {
        application_name: options.applicationName ?? "cdp-ingest",
        lock_timeout: Math.max(0, Math.trunc(options.lockTimeoutMs ?? 5000)),
        ...settings,
      },
    })
  const schema = options.schema ?? parts.schema
  const storeOptions: PostgresStoreOptions = schema === undefined ? options : { ...options, schema }
  const deadline = Date.now() + (options.startupTimeoutMs ?? 10_000)
  for (;;) {
    let sql = connect({})
    let writer: postgres.Sql | undefined
    try {
      const [row] = await sql.unsafe("SELECT current_setting('synchronous_commit') AS value")
      const settings: Record<string, string> = row?.["value"] === "off" ? { synchronous_commit: "on" } : {}
      if (row?.["value"] === "off") {
        await sql.end({ timeout: 5 })
        sql = connect(settings)
      }
      writer = connect(settings, 1)
      return await makePostgresStore(poolOn(sql, writer), storeOptions)
    } catch (error) {
      await sql.end({ timeout: 1 }).catch(() => {})
      await writer?.end({ timeout: 1 }).catch(() => {})
      const classified = classifyPostgresError(error)
      const unavailable = classified instanceof StoreError && classified.code === "unavailable"
      if (!unavailable || Date.now() >= deadline) throw classified
      await sleep(250)
    }
  }
}

/**
 * Whether an `INGEST_DB` setting names a PostgreSQL database (a
 * `postgres://` or `postgresql://` URL) rather than a SQLite file.
 *
 * @since 0.2.0
 * @category settings
 */
export const isPostgresUrl = (db: string): boolean => /^postgres(ql)?:\/\//.test(db)

/**
 * Opens the store an `INGEST_DB` URL names, as every app does: a malformed
 * `?schema=` is a `ConfigError` naming `INGEST_DB`; an unreachable database
 * rejects with `StoreError` (`unavailable`) after `startupTimeoutMs`.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openPostgresStoreForSetting = (
  db: string,
  options: OpenPostgresStoreOptions = {},
): Promise<PostgresStore> => {
  const { schema } = splitPostgresUrl(db)
  if (schema !== undefined) {
    try {
      quoteSchema(schema)
    } catch (e) {
      return Promise.reject(new ConfigError(`INGEST_DB: ${(e as Error).message}`))
    }
  }
  return openPostgresStore(db, options)
}
