/**
 * What the PostgreSQL tests share: the test server's URL, a fresh schema per
 * fixture (dropped afterwards, so runs on the shared server never meet), a
 * trigger that fails the insert of a chosen event the way a disk would, and
 * the storage faults of the store suite: a lock held by another session, and
 * triggers that answer the store's writes as a failing, full or read-only
 * server does, with the same SQLSTATE and wording.
 */
import postgres from "postgres"

/** The shared test server (CI starts it: `.ci/run`). `CDP_TEST_POSTGRES_URL` overrides it. */
export const postgresUrl = process.env["CDP_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"

/** A schema name no other run uses. */
export const freshSchema = (label: string): string =>
  `cdp_test_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`

/** A small pool for the tests' own look into the database. */
export const adminClient = (): postgres.Sql =>
  postgres(postgresUrl, { max: 2, onnotice: () => {}, fetch_types: false, connect_timeout: 5 })

export const dropSchema = async (admin: postgres.Sql, schema: string): Promise<void> => {
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
}

/**
 * Installs, in `schema` (already migrated), a trigger that raises SQLSTATE
 * 58030 (`io_error`) when the event with the id in `<schema>.fault` is
 * inserted: the statement that carries it fails in its middle.
 */
export const installFaultTrigger = async (admin: postgres.Sql, schema: string): Promise<void> => {
  await admin.unsafe(`
    CREATE TABLE "${schema}".fault (id text);
    INSERT INTO "${schema}".fault VALUES (NULL);
    CREATE FUNCTION "${schema}".fail_poisoned() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.id = (SELECT id FROM "${schema}".fault) THEN
        RAISE EXCEPTION 'could not write block (injected fault at event %)', NEW.id USING ERRCODE = '58030';
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER fail_poisoned BEFORE INSERT ON "${schema}".events
      FOR EACH ROW EXECUTE FUNCTION "${schema}".fail_poisoned();
  `)
}

export const setFault = async (admin: postgres.Sql, schema: string, id: string | undefined): Promise<void> => {
  await admin.unsafe(`UPDATE "${schema}".fault SET id = $1`, [id ?? null] as never)
}

/** The storage faults the triggers of `installStorageFaults` can raise. */
export type ServerFault = "io-error" | "disk-full" | "read-only"

/**
 * Installs, in `schema` (already migrated, with `installFaultTrigger`'s
 * table), triggers that fail the store's writes while `<schema>.fault`
 * names a fault, each with the error PostgreSQL itself raises for it:
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
 */
export const installStorageFaults = async (admin: postgres.Sql, schema: string): Promise<void> => {
  const s = `"${schema}"`
  await admin.unsafe(`
    ALTER TABLE ${s}.fault ADD COLUMN kind text;
    CREATE FUNCTION ${s}.storage_fault() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      kind text := (SELECT f.kind FROM ${s}.fault f);
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
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.storage_fault('read-only');
    CREATE TRIGGER read_only BEFORE INSERT OR UPDATE OR DELETE ON ${s}.profiles
      FOR EACH STATEMENT EXECUTE FUNCTION ${s}.storage_fault('read-only');
    CREATE TRIGGER disk_full BEFORE INSERT ON ${s}.events
      FOR EACH ROW EXECUTE FUNCTION ${s}.storage_fault('disk-full');
    CREATE TRIGGER io_error BEFORE INSERT OR UPDATE ON ${s}.profiles
      FOR EACH ROW EXECUTE FUNCTION ${s}.storage_fault('io-error');
  `)
}

/** Starts `fault` for every later statement of every session (`undefined`: ends it). */
export const setServerFault = async (
  admin: postgres.Sql,
  schema: string,
  fault: ServerFault | undefined,
): Promise<void> => {
  await admin.unsafe(`UPDATE "${schema}".fault SET kind = $1`, [fault ?? null] as never)
}

/**
 * Takes, from a session of `admin`'s own, `ACCESS EXCLUSIVE` on
 * `<schema>.events` in an open transaction (what `ALTER TABLE`, `VACUUM
 * FULL` or `LOCK TABLE` by an operator hold): every read and write of the
 * table waits for it. Resolves once the lock is held, with the function
 * that rolls back and gives the session back.
 */
export const holdTableLock = async (admin: postgres.Sql, schema: string): Promise<() => Promise<void>> => {
  const session = await admin.reserve()
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
