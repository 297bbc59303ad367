/**
 * The schema, as numbered migrations. A migration is never edited once
 * released: a change is a new migration at the end of the list. `migrate`
 * applies the missing ones in one transaction that holds a transaction-level
 * advisory lock on the schema, and records each in `schema_migrations`, so
 * that many service processes starting at once apply each exactly once (the
 * others wait for the lock, however long, then find nothing to do).
 *
 * Layout: everything lives in one schema (option `schema`, default
 * `cdp_ingest`), so that tests and tenants of a shared server can be kept
 * apart. `tenant` leads every key and index, so the tables can be
 * distributed by tenant (Citus: `create_distributed_table(..., 'tenant')`,
 * co-located). Text that is compared or sorted (ids, customers, timestamps in
 * the documented form `YYYY-MM-DD HH:MM:SS.ssssss UTC`) uses the "C"
 * collation: byte order, the order of the port's cursor and of every other
 * store, whatever the database's locale.
 *
 * - `events`: `(tenant, id)` is the primary key, the dedupe key across
 *   processes; `(tenant, customer, timestamp, id)` serves paging and
 *   erasure. `context` is `json`, the event's parameters exactly as encoded.
 * - `profiles`: `(tenant, customer)` → `attributes` (`jsonb`, `{ key: value }`),
 *   `stamps` (`jsonb`, `{ key: timestamp of the event the value came from }`,
 *   the same keys) and `updated_at` (the latest timestamp of the customer's
 *   events). A profile is rewritten by every event of its customer: the
 *   table keeps 30 % of each page free (`fillfactor = 70`) so that most
 *   rewrites are HOT updates (no index entry), and rows of a few KiB stay
 *   uncompressed in line (`toast_tuple_target = 8160`) instead of being
 *   compressed again at every rewrite.
 *
 * @module
 */

/** @since 0.1.0 @category models */
export interface Migration {
  readonly version: number
  readonly name: string
  /** The statements, for the schema named by the quoted identifier `s`. */
  readonly sql: (s: string) => string
}

/** @since 0.1.0 @category migrations */
export const migrations: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: "events and profiles",
    sql: (s) => `
      CREATE TABLE ${s}.events (
        tenant bigint NOT NULL,
        id text COLLATE "C" NOT NULL,
        customer text COLLATE "C" NOT NULL,
        event text NOT NULL,
        timestamp text COLLATE "C" NOT NULL,
        received_at text COLLATE "C" NOT NULL,
        context json NOT NULL,
        PRIMARY KEY (tenant, id)
      );
      CREATE INDEX events_by_customer ON ${s}.events (tenant, customer, timestamp, id);
      CREATE TABLE ${s}.profiles (
        tenant bigint NOT NULL,
        customer text COLLATE "C" NOT NULL,
        attributes jsonb NOT NULL,
        stamps jsonb NOT NULL,
        updated_at text COLLATE "C" NOT NULL,
        PRIMARY KEY (tenant, customer)
      ) WITH (fillfactor = 70, toast_tuple_target = 8160);
    `,
  },
]

/**
 * A schema name as a quoted SQL identifier. Names are restricted to lower-case
 * letters, digits and `_` (at most 63, not starting with a digit): what a
 * URL parameter or an environment variable can carry without surprises.
 *
 * @since 0.1.0
 * @category migrations
 */
export const quoteSchema = (schema: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new TypeError(
      `schema must be 1 to 63 of a-z, 0-9 and _ (not starting with a digit), got ${JSON.stringify(schema)}`,
    )
  }
  return `"${schema}"`
}

/** First key of the advisory lock taken while migrating ("CDPI"); the second is `hashtext(schema)`. */
export const MIGRATION_LOCK_CLASS = 0x43445049

/**
 * What `migrate` needs of a connection: one transaction in which it runs
 * statements (parameters `$1`, `$2`, ...; rows as plain objects).
 *
 * @since 0.1.0
 * @category models
 */
export interface MigrationConnection {
  readonly transaction: <T>(
    fn: (
      query: (text: string, params?: ReadonlyArray<string | number>) => Promise<ReadonlyArray<unknown>>,
    ) => Promise<T>,
  ) => Promise<T>
}

/**
 * Brings the schema up to date. Returns the versions it applied (empty when
 * there was nothing to do).
 *
 * @since 0.1.0
 * @category migrations
 */
export const migrate = (
  connection: MigrationConnection,
  schema: string,
  list: ReadonlyArray<Migration> = migrations,
): Promise<number[]> => {
  const s = quoteSchema(schema)
  return connection.transaction(async (query) => {
    // A process waits for another's migrations as long as they take, whatever
    // the session's lock_timeout; the migrations' own statements keep it.
    await query("SET LOCAL lock_timeout = 0")
    await query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [MIGRATION_LOCK_CLASS, schema])
    await query("SET LOCAL lock_timeout TO DEFAULT")
    await query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    )
    const rows = (await query(`SELECT coalesce(max(version), 0) AS version FROM ${s}.schema_migrations`)) as Array<{
      version: number
    }>
    const current = Number(rows[0]?.version ?? 0)
    const applied: number[] = []
    for (const migration of list) {
      if (migration.version <= current) continue
      await query(migration.sql(s))
      await query(`INSERT INTO ${s}.schema_migrations (version, name) VALUES ($1, $2)`, [
        migration.version,
        migration.name,
      ])
      applied.push(migration.version)
    }
    return applied
  })
}
