/**
 * The testkit's PostgreSQL part, apart because it loads porsager's
 * `postgres` client: a fresh schema of a test's own on the shared test
 * server, the storage faults a schema can be made to answer with, the
 * fault suite of a service on PostgreSQL, and a private cluster a test may
 * stop and start.
 *
 * @module
 */

export * from "./postgresCluster.ts"
export * from "./postgresFaultSuite.ts"
export * from "./postgresFaults.ts"
export * from "./postgresSchema.ts"
