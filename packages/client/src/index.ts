/**
 * `@cdp/client`: the typed sender of the CDP ingestion API, on every
 * runtime with `fetch` (Node.js 20+, Bun, Deno, browsers, Cloudflare
 * Workers). `createClient` validates, batches, retries and reads.
 *
 * @module
 */

export type { EventPage, Profile, StoredEvent } from "@cdp/api"
export { InvalidEventError } from "@cdp/schema"
export { type ClientCode, ClientError, type ClientErrorCode } from "./ClientError.ts"
export { type Client, type ClientOptions, createClient, type SendInput, type SendResult } from "./createClient.ts"
export type { ErrorNotice } from "./ErrorNotice.ts"
export type { FetchFunction } from "./requestWithRetries.ts"
