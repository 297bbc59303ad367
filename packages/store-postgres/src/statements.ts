/**
 * The SQL of the store, for one schema. The write path is one statement per
 * group commit, so one round trip and one commit (one WAL flush) carry every
 * event of the group, and the overwrite rule runs in the database, atomically,
 * under the row lock of each profile:
 *
 * 1. `input`: the events, unpacked from the JSON parameter (`encodeGroup`).
 * 2. `inserted`: `INSERT ... ON CONFLICT (tenant, id) DO NOTHING`, in key
 *    order; the primary key is the dedupe key across processes (a second
 *    writer of the same id waits for the first to commit, then finds it).
 * 3. `latest`: for each customer and attribute, the value of the newly
 *    inserted event with the latest timestamp, ties to the later arrival
 *    (greater `n`).
 * 4. `INSERT INTO profiles ... ON CONFLICT (tenant, customer) DO UPDATE`, in
 *    key order: per attribute, the incoming value wins when its timestamp is
 *    at least the stored one (ties: the later commit, i.e. the later
 *    arrival); `updated_at` is the greater. The upsert locks the profile
 *    row, so concurrent writers of one customer, in any process, apply one
 *    after the other, each to the other's result: no lost update.
 *
 * Rows are locked in one order everywhere (events by `(tenant, id)`, then
 * profiles by `(tenant, customer)`), so two groups never wait on each other
 * in a cycle. Runtime-free.
 *
 * @module
 */
import { quoteSchema } from "./migrations.ts"

/**
 * The statements of a schema.
 *
 * @since 0.1.0
 * @category models
 */
export interface Statements {
  /** `$1`: `encodeGroup(...).json`. Rows: `{ n }` of each event inserted (accepted). */
  readonly append: string
  /** `$1` tenant, `$2` customer. Row: `{ attributes (jsonb as text), updated_at }`. */
  readonly profile: string
  /** `$1` tenant, `$2` customer, `$3` limit. */
  readonly events: string
  /** `$1` tenant, `$2` customer, `$3` timestamp, `$4` id of the cursor, `$5` limit. */
  readonly eventsAfter: string
  /** `$1` tenant, `$2` customer. Row: `{ n }` rows deleted. */
  readonly erase: string
  readonly ping: string
}

/**
 * Builds the statements for the schema `schema` (validated and quoted).
 *
 * @since 0.1.0
 * @category constructors
 */
export const statementsFor = (schema: string): Statements => {
  const s = quoteSchema(schema)
  // A stamp comparison in byte order: the documented timestamp form sorts as text.
  const wins = `s.value COLLATE "C" >= coalesce(p.stamps ->> s.key, '') COLLATE "C"`
  const append = `
    WITH input AS (
      SELECT * FROM json_to_recordset($1::text::json)
        AS i(n integer, t bigint, id text, c text, e text, ts text, r text, x json, raw text)
    ),
    inserted AS (
      INSERT INTO ${s}.events (tenant, id, customer, event, timestamp, received_at, context)
      SELECT t, id, c, e, ts, r, coalesce(raw::json, x) FROM input ORDER BY t, id
      ON CONFLICT (tenant, id) DO NOTHING
      RETURNING tenant, id
    ),
    accepted AS (
      SELECT input.n, input.t, input.c, input.ts, input.x
      FROM input JOIN inserted ON inserted.tenant = input.t AND inserted.id = input.id
    ),
    latest AS (
      SELECT DISTINCT ON (a.t, a.c, kv.key) a.t, a.c, kv.key, kv.value, a.ts
      FROM accepted AS a CROSS JOIN LATERAL jsonb_each(a.x::jsonb) AS kv
      ORDER BY a.t, a.c, kv.key, a.ts COLLATE "C" DESC, a.n DESC
    ),
    patches AS (
      SELECT t, c, jsonb_object_agg(key, value) AS attributes, jsonb_object_agg(key, ts) AS stamps
      FROM latest GROUP BY t, c
    ),
    customers AS (
      SELECT t, c, max(ts COLLATE "C") AS updated_at FROM accepted GROUP BY t, c
    ),
    upserted AS (
      INSERT INTO ${s}.profiles AS p (tenant, customer, attributes, stamps, updated_at)
      SELECT u.t, u.c, coalesce(pa.attributes, '{}'), coalesce(pa.stamps, '{}'), u.updated_at
      FROM customers AS u LEFT JOIN patches AS pa ON pa.t = u.t AND pa.c = u.c
      ORDER BY u.t, u.c
      ON CONFLICT (tenant, customer) DO UPDATE SET
        attributes = p.attributes || (
          SELECT coalesce(jsonb_object_agg(s.key, excluded.attributes -> s.key), '{}')
          FROM jsonb_each_text(excluded.stamps) AS s WHERE ${wins}),
        stamps = p.stamps || (
          SELECT coalesce(jsonb_object_agg(s.key, s.value), '{}')
          FROM jsonb_each_text(excluded.stamps) AS s WHERE ${wins}),
        updated_at = greatest(p.updated_at, excluded.updated_at)
    )
    SELECT n FROM accepted`
  const columns = "id, event, timestamp, received_at, context::text AS context"
  return {
    append,
    profile: `SELECT attributes::text AS attributes, updated_at FROM ${s}.profiles WHERE tenant = $1 AND customer = $2`,
    events: `SELECT ${columns} FROM ${s}.events WHERE tenant = $1 AND customer = $2 ORDER BY timestamp DESC, id DESC LIMIT $3`,
    eventsAfter: `SELECT ${columns} FROM ${s}.events WHERE tenant = $1 AND customer = $2 AND (timestamp, id) < ($3, $4) ORDER BY timestamp DESC, id DESC LIMIT $5`,
    erase: `
      WITH e AS (DELETE FROM ${s}.events WHERE tenant = $1 AND customer = $2 RETURNING 1),
      p AS (DELETE FROM ${s}.profiles WHERE tenant = $1 AND customer = $2 RETURNING 1)
      SELECT ((SELECT count(*) FROM e) + (SELECT count(*) FROM p))::integer AS n`,
    ping: "SELECT 1 AS ok",
  }
}
