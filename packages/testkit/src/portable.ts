/**
 * The part of the testkit that uses only Web APIs, vitest and fast-check,
 * so that it loads inside every runtime, workerd included (which has no
 * `node:*` modules): the store conformance suite and its event makers, the
 * contract tenants and their `INGEST_CONFIG`, the seed event's context, the
 * suite `@cdp/client` passes inside each runtime.
 * `@cdp/testkit` exports all of it too; reach for `@cdp/testkit/portable`
 * from a test that runs inside workerd.
 *
 * @module
 */

export * from "./clientSuite.ts"
export * from "./http/contractTenants.ts"
export * from "./seedEvent.ts"
export {
  faultsThrough,
  makeEvent,
  type StoreCapabilities,
  type StoreFault,
  type StoreFixture,
  storeConformance,
  timestampAt,
} from "./storeSuite.ts"
