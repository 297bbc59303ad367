/**
 * The limits of the ingestion API, defined once: the handler enforces them
 * and the OpenAPI document states them.
 *
 * @module
 */

/**
 * The limits of the contract.
 *
 * @since 0.1.0
 * @category limits
 */
export const apiLimits = {
  /** The largest body of `POST /v1/events`, in bytes: 1 MiB. */
  maxBodyBytes: 1024 * 1024,
  /** The largest batch of events. */
  maxBatch: 500,
  /** The default page size of a customer's activity. */
  defaultPage: 50,
  /** The largest page size of a customer's activity. */
  maxPage: 100,
} as const
