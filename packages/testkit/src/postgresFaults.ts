/**
 * Storage faults of a PostgreSQL schema under test, as a store or a service
 * on it meets them: a lock another session holds (`holdTableLock`), and
 * triggers that answer writes as a failing, full or read-only server does,
 * with PostgreSQL's own SQLSTATE and wording (`installServerFaults`,
 * `setServerFault`): a client cannot make the server's disk fail, but the
 * server can be made to answer exactly as it would, so the error travels
 * the real driver and the real classifier. Test-side only; reach for it
 * from the store's conformance fixture or a service test on PostgreSQL.
 *
 * @module
 */
import type postgres from "postgres"

/**
 * A fault the triggers of `installServerFaults` raise.
 *
 * @since 0.2.0
 * @category models
 */
export type ServerFault = "io-error" | "disk-full" | "read-only"

/**
 * Installs, in `schema` (already migrated: `events` and `profiles` exist),
 * triggers that fail writes while `<schema>.server_fault` names a fault,
 * each with the error PostgreSQL itself raises for it:
 *
 * - `read-only` (25006 `read_only_sql_transaction`, what a write meets on a
 *   hot standby, for example after a failover): before any statement that
 *   writes `events` or `profiles`;
 * - `disk-full` (53100 `disk_full`, md.c's "could not extend file"): at the
 *   insert of each event, where the table grows;
 * - `io-error` (58030 `io_error`, md.c's "could not write block"): at the
 *   write of each profile, after the statement has inserted its events.
 *
 * Each failure ends the statement, and with it the transaction.
 *
 * @since 0.2.0
 * @category constructors
 */
export const installServerFaults = async (sql: postgres.Sql, schema: string): Promise<void> => {
  const s = `"${schema}"`
  await sql.unsafe(`
    CREATE TABLE ${s}.server_fault (kind text);
    INSERT INTO ${s}.server_fault VALUES (NULL);
    CREATE FUNCTION ${s}.server_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      kind text := (SELECT f.kind FROM ${s}.server_fault f);
      file text := pg_relation_filepath(TG_RELID);
    BEGIN
      IF kind = TG_ARGV[0] THEN
        CASE kind
          WHEN 'read-only' THEN
            RAISE EXCEPTION 'cannot execute % in a read-only transaction', TG_OP USING ERRCODE = '25006';
          WHEN 'disk-full' THEN
            RAISE EXCEPTION 'could not extend file "%": No space left on device', file
              USING ERRCODE = '53100', HINT = 'Check free disk space.';
          WHEN 'io-error' THEN
            RAISE EXCEPTION 'could not write block % in file "%": Input/output error',
              pg_relation_size(TG_RELID) / current_setting('block_size')::bigint, file USING ERRCODE = '58030';
        END CASE;
      END IF;
      RETURN CASE WHEN TG_LEVEL = 'ROW' THEN NEW END;
    END $$;
    CREATE TRIGGER read_only BEFORE INSERT OR UPDATE OR DELETE ON ${s}.events
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.server_fault('read-only');
    CREATE TRIGGER read_only BEFORE INSERT OR UPDATE OR DELETE ON ${s}.profiles
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.server_fault('read-only');
    CREATE TRIGGER disk_full BEFORE INSERT ON ${s}.events
      FOR EACH ROW EXECUTE FUNCTION ${s}.server_fault('disk-full');
    CREATE TRIGGER io_error BEFORE INSERT OR UPDATE ON ${s}.profiles
      FOR EACH ROW EXECUTE FUNCTION ${s}.server_fault('io-error');
  `)
}

/**
 * Starts `fault` for every later statement of every session (`undefined`:
 * ends it).
 *
 * @since 0.2.0
 * @category constructors
 */
export const setServerFault = async (
  sql: postgres.Sql,
  schema: string,
  fault: ServerFault | undefined,
): Promise<void> => {
  await sql.unsafe(`UPDATE "${schema}".server_fault SET kind = $1`, [fault ?? null] as never)
}

/**
 * Takes, from a session of `sql`'s own, `ACCESS EXCLUSIVE` on
 * `<schema>.events` in an open transaction (what `ALTER TABLE`, `VACUUM
 * FULL` or `LOCK TABLE` by an operator hold): every read and write of the
 * table waits for it. Resolves once the lock is held, with the function
 * that rolls back and gives the session back.
 *
 * @since 0.2.0
 * @category constructors
 */
export const holdTableLock = async (sql: postgres.Sql, schema: string): Promise<() => Promise<void>> => {
  const session = await sql.reserve()
  try {
    await session.unsafe("BEGIN")
    await session.unsafe(`LOCK TABLE "${schema}".events IN ACCESS EXCLUSIVE MODE`)
  } catch (error) {
    session.release()
    throw error
  }
  return async () => {
    try {
      await session.unsafe("ROLLBACK")
    } finally {
      session.release()
    }
  }
}
