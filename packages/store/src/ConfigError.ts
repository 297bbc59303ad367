/**
 * What a malformed setting fails with, whoever reads it: the handler's
 * settings (`INGEST_CONFIG`, `PORT`) and a store's own (`INGEST_DB`). One
 * class, so that a runtime's entry point tells a refusal to start (one line,
 * exit code 1) from a crash with one `instanceof`.
 *
 * @module
 */

/**
 * A malformed configuration: the message names the source and the field.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "ConfigError"
  }
}
