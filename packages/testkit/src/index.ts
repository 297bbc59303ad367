/**
 * The conformance suites of the CDP ingestion service, one per port, each a
 * function that takes the implementation under test.
 *
 * @module
 */

export * from "./concurrentFold.ts"
export * from "./crashOracle.ts"
export * from "./crashSuite.ts"
export { hostileSuite } from "./hostileSuite.ts"
export * from "./httpSuite.ts"
export * from "./serverProcess.ts"
export { makeEvent, type StoreCapabilities, type StoreFixture, storeConformance, timestampAt } from "./storeSuite.ts"
