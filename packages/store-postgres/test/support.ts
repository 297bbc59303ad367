/**
 * What the PostgreSQL tests share: the test server's URL, a fresh schema per
 * fixture (dropped afterwards, so runs on the shared server never meet), and
 * a trigger that fails the insert of a chosen event the way a disk would.
 * The store suite's storage faults (a lock held by another session, the
 * server's own errors for a failing, full or read-only disk) come from
 * `@cdp/testkit/postgres`, shared with the services' tests.
 */
import postgres from "postgres"

export {
  holdTableLock,
  installServerFaults,
  type ServerFault,
  setServerFault,
} from "@cdp/testkit/postgres"

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
