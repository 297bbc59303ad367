/**
 * The OpenAPI 3.1 document of the ingestion API. It is rendered by `@cdp/api`
 * from the route table and the answer schemas (`@cdp/api/openapi`); this
 * module re-exports it, with the limits and names the docs page reads.
 *
 * @module
 */
export { apiLimits, keyScopes, responseTimestampPattern } from "@cdp/api"
export { bearerScheme, openApiDocument } from "@cdp/api/openapi"
