/**
 * PostgreSQL for the process-level tests of the service, from
 * `@cdp/testkit/postgres`: a fresh schema on the shared test server
 * (`CDP_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`;
 * CI starts it), dropped afterwards; and a private cluster of our own
 * (initdb, pg_ctl) on a free port, for tests that stop and restart the
 * server. The shared server is never stopped: other tests use it at the same
 * time.
 *
 * @module
 */

export { freePort } from "@cdp/testkit"
export {
  freshSchema,
  type PrivateCluster,
  sharedPostgresUrl,
  sqlClient,
  startPrivateCluster,
  type TestSchema,
} from "@cdp/testkit/postgres"
