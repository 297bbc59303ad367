/**
 * `@cdp/api`: the HTTP contract of the ingestion API. Every answer body as
 * an Effect Schema, the limits, the problem codes and the route table; no
 * server code. The OpenAPI document is the `@cdp/api/openapi` entry point.
 *
 * @module
 */

export * from "./access.ts"
export * from "./answers.ts"
export * from "./limits.ts"
export * from "./problems.ts"
export * from "./routes.ts"
