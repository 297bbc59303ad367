/**
 * The conformance suites of the CDP ingestion service, one per port, each a
 * function that takes the implementation under test, and the harness that
 * runs a service under test (its process, its workspace, its clients). The
 * parts that load inside any runtime are also `@cdp/testkit/portable`; the
 * PostgreSQL helpers are `@cdp/testkit/postgres`.
 *
 * @module
 */

export * from "./checkpointerSyncs.ts"
export * from "./concurrentFold.ts"
export * from "./crashOracle.ts"
export * from "./crashSuite.ts"
export * from "./devMode.ts"
export * from "./freePort.ts"
export { type HostileOptions, hostileSuite } from "./hostileSuite.ts"
export * from "./httpSuite.ts"
export * from "./portable.ts"
export * from "./portInUse.ts"
export * from "./serverProcess.ts"
export * from "./serviceMemory.ts"
export * from "./serviceWorkspace.ts"
export * from "./slowUploads.ts"
