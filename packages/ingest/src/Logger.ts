/**
 * Structured logs: one JSON object a line. The handler logs request facts
 * (method, route, status, duration, counts, issue codes) and never event
 * values, so personal data (email, phone, names, address, date of birth)
 * cannot reach a log.
 *
 * @module
 */

/** @since 0.1.0 @category models */
export type LogLevel = "debug" | "info" | "warn" | "error"

/** @since 0.1.0 @category models */
export interface Logger {
  readonly log: (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void
  /** Whether a line of this level would be written: lets callers skip building it. */
  readonly enabled: (level: LogLevel) => boolean
}

/**
 * A logger writing JSON lines through `write` (stdout on servers).
 *
 * @since 0.1.0
 * @category constructors
 */
export const jsonLogger = (write: (line: string) => void, minLevel: LogLevel = "info"): Logger => {
  const order = { debug: 0, info: 1, warn: 2, error: 3 }
  return {
    enabled: (level) => order[level] >= order[minLevel],
    log: (level, message, fields) => {
      if (order[level] < order[minLevel]) return
      write(JSON.stringify({ time: new Date().toISOString(), level, message, ...fields }))
    },
  }
}

/** A logger that drops everything. @since 0.1.0 @category constructors */
export const silentLogger: Logger = { log: () => {}, enabled: () => false }
