/**
 * The SQL of the store, for one schema. The write path is one statement per
 * group commit, so one round trip and one commit (one WAL flush) carry every
 * event of the group, and the overwrite rule runs in the database, atomically,
 * under the row lock of each profile:
 *
 * 1. `input`: the events, unpacked from the array parameters (`encodeGroup`),
 *    with their arrival order `n`.
 * 2. `inserted`: `INSERT ... ON CONFLICT (tenant, id) DO NOTHING`, in key
 *    order; the primary key is the dedupe key across processes (a second
 *    writer of the same id waits for the first to commit, then finds it).
 * 3. `patches`: per customer, what the newly inserted events bring: the
 *    context and stamps of its only event (the common case, no aggregation),
 *    or, for several, per attribute the value of the latest timestamp, ties
 *    to the later arrival (greater `n`).
 * 4. `INSERT INTO profiles ... ON CONFLICT (tenant, customer) DO UPDATE`, in
 *    key order: per attribute, the incoming value wins when its timestamp is
 *    at least the stored one (ties: the later commit, i.e. the later
 *    arrival); `updated_at` is the greater. When every incoming stamp is at
 *    least the profile's `updated_at` (events arriving in order), the patch
 *    wins whole: two `||`, no per-attribute work; and when the patch also
 *    carries every attribute the profile holds (`?&` of the profile's keys),
 *    it is the new profile as it is, without `||`, which builds the merged
 *    object by sorting both sides' keys together (a large share of the
 *    backend's time when events carry many names). The upsert locks the
 *    profile row, so concurrent writers of one customer, in any process,
 *    apply one after the other, each to the other's result: no lost update.
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
  /** `$1` to `$9`: `encodeGroup(...).params`. Rows: `{ n }` of each event inserted (accepted), 1 up. */
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
      SELECT n, t, id COLLATE "C" AS id, c COLLATE "C" AS c, e, ts COLLATE "C" AS ts, r, x, s, raw
      FROM ROWS FROM (
        unnest($1::bigint[]), unnest($2::text[]), unnest($3::text[]), unnest($4::text[]), unnest($5::text[]),
        unnest($6::text[]), json_array_elements($7::text::json), json_array_elements($8::text::json), unnest($9::text[])
      ) WITH ORDINALITY AS i(t, id, c, e, ts, r, x, s, raw, n)
    ),
    inserted AS (
      INSERT INTO ${s}.events (tenant, id, customer, event, timestamp, received_at, context)
      SELECT t, id, c, e, ts, r, coalesce(raw::json, x) FROM input ORDER BY t, id
      ON CONFLICT (tenant, id) DO NOTHING
      RETURNING tenant, id
    ),
    accepted AS (
      SELECT input.n, input.t, input.c, input.ts, input.x, input.s,
        count(*) OVER customer AS k, max(input.ts) OVER customer AS hi
      FROM input JOIN inserted ON inserted.tenant = input.t AND inserted.id = input.id
      WINDOW customer AS (PARTITION BY input.t, input.c)
    ),
    merged AS (
      SELECT DISTINCT ON (a.t, a.c, kv.key COLLATE "C") a.t, a.c, kv.key, kv.value, a.ts
      FROM accepted AS a CROSS JOIN LATERAL jsonb_each(a.x::jsonb) AS kv
      WHERE a.k > 1
      ORDER BY a.t, a.c, kv.key COLLATE "C", a.ts DESC, a.n DESC
    ),
    patches AS (
      -- A customer with one event in the group: its context and stamps are the patch.
      SELECT t, c, x::jsonb AS attributes, s::jsonb AS stamps, hi FROM accepted WHERE k = 1
      UNION ALL
      -- Several: per attribute, the latest (ties: the later arrival).
      SELECT u.t, u.c, coalesce(m.attributes, '{}'), coalesce(m.stamps, '{}'), u.hi
      FROM (SELECT DISTINCT t, c, hi FROM accepted WHERE k > 1) AS u LEFT JOIN (
        SELECT t, c, jsonb_object_agg(key, value) AS attributes, jsonb_object_agg(key, ts) AS stamps
        FROM merged GROUP BY t, c
      ) AS m ON m.t = u.t AND m.c = u.c
    ),
    upserted AS (
      INSERT INTO ${s}.profiles AS p (tenant, customer, attributes, stamps, updated_at)
      SELECT t, c, attributes, stamps, hi FROM patches ORDER BY t, c
      ON CONFLICT (tenant, customer) DO UPDATE SET (attributes, stamps, updated_at) = (
        SELECT
          CASE WHEN o.covers THEN excluded.attributes WHEN o.in_order THEN p.attributes || excluded.attributes ELSE p.attributes || w.attributes END,
          CASE WHEN o.covers THEN excluded.stamps WHEN o.in_order THEN p.stamps || excluded.stamps ELSE p.stamps || w.stamps END,
          greatest(p.updated_at, excluded.updated_at)
        FROM (
          SELECT i.in_order, i.in_order AND excluded.stamps ?& ARRAY(SELECT jsonb_object_keys(p.stamps)) AS covers
          FROM (
            -- Every incoming stamp at least the profile's latest: the patch wins whole (the common case).
            SELECT coalesce(min(s.value COLLATE "C"), excluded.updated_at) >= p.updated_at AS in_order
            FROM jsonb_each_text(excluded.stamps) AS s
          ) AS i
        ) AS o
        CROSS JOIN LATERAL (
          -- Else, attribute by attribute.
          SELECT
            coalesce(jsonb_object_agg(s.key, excluded.attributes -> s.key), '{}') AS attributes,
            coalesce(jsonb_object_agg(s.key, s.value), '{}') AS stamps
          FROM jsonb_each_text(excluded.stamps) AS s
          WHERE NOT o.in_order AND ${wins}
        ) AS w
      )
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
