/**
 * A PostgreSQL schema of a test's own on the shared test server
 * (`CDP_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`;
 * CI starts it), dropped afterwards: what `INGEST_DB` gets when a service
 * under test runs on PostgreSQL, on any runtime. Test-side only.
 *
 * @module
 */
import postgres from "postgres"

/** @since 0.2.0 @category settings */
export const sharedPostgresUrl = process.env["CDP_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

/** A client for the tests' own look into a database. @since 0.2.0 @category constructors */
export const sqlClient = (url: string): postgres.Sql =>
  postgres(url, { max: 2, onnotice: () => {}, fetch_types: false, connect_timeout: 5 })

/** @since 0.2.0 @category models */
export interface TestSchema {
  readonly schema: string
  /** The server URL with `?schema=`: what `INGEST_DB` gets. */
  readonly url: string
  readonly sql: postgres.Sql
  readonly drop: () => Promise<void>
}

/** A schema of its own on a server, named for the test; `drop` removes it. @since 0.2.0 @category constructors */
export const freshSchema = (label: string, serverUrl = sharedPostgresUrl): TestSchema => {
  const schema = `cdp_test_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`
  const sql = sqlClient(serverUrl)
  return {
    schema,
    url: `${serverUrl}${serverUrl.includes("?") ? "&" : "?"}schema=${schema}`,
    sql,
    drop: async () => {
      try {
        await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
      } finally {
        await sql.end({ timeout: 5 })
      }
    },
  }
}
