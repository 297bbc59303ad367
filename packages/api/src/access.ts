/**
 * Who may call what: the scopes of an API key, and the rules for browsers
 * (CORS) on the routes a web page may call. The route table names each
 * route's scope; the handler enforces both; the OpenAPI document and the
 * docs page describe them from here.
 *
 * @module
 */

/**
 * The scopes of an API key, each with the routes it opens. A key given in
 * the configuration as a plain digest has all of them.
 *
 * @since 0.2.0
 * @category access
 */
export const keyScopes = {
  send: "`POST /v1/events`: send events.",
  read: "`GET /v1/customers/...` and `GET /v1/events?customer=`: read profiles and activity.",
  erase: "`DELETE /v1/customers/...`: erase a customer.",
} as const

/**
 * A scope of an API key.
 *
 * @since 0.2.0
 * @category access
 */
export type KeyScope = keyof typeof keyScopes

/**
 * Every scope, in the order of `keyScopes`.
 *
 * @since 0.2.0
 * @category access
 */
export const keyScopeNames = Object.keys(keyScopes) as ReadonlyArray<KeyScope>

/**
 * What the service answers to browsers on the routes marked `cors` (and
 * their preflight), for an `Origin` that a tenant's `allowedOrigins` lists.
 * Credentials (cookies) are never allowed: the key travels in
 * `Authorization`.
 *
 * @since 0.2.0
 * @category access
 */
export const corsPolicy = {
  /** `Access-Control-Allow-Methods` of the preflight. */
  allowMethods: ["POST"],
  /** `Access-Control-Allow-Headers` of the preflight: what a page may send. */
  allowHeaders: ["authorization", "content-type", "x-request-id"],
  /** `Access-Control-Expose-Headers` of the answers: what a page may read besides the safelisted ones. */
  exposeHeaders: ["retry-after", "x-request-id"],
  /**
   * `Access-Control-Max-Age` of the preflight, in seconds: Chromium's upper
   * bound (Firefox allows a day). Dropping an origin from the configuration
   * takes effect at once all the same: every request is checked again.
   */
  maxAgeSeconds: 7200,
} as const
