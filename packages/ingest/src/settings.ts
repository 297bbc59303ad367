/**
 * The service's settings from its environment (`PORT`, `INGEST_DB`,
 * `INGEST_CONFIG`), the same on every runtime. The runtime hands in its
 * environment and a way to read a file; this module decides the rest,
 * development mode included.
 *
 * @module
 */
import { ConfigError } from "@cdp/store"
import { developmentConfig, type IngestConfig, parseConfigText } from "./TenantConfig.ts"

/** @since 0.1.0 @category models */
export interface Settings {
  readonly port: number
  /** A SQLite file path or a `postgres://` URL. */
  readonly db: string
  readonly config: IngestConfig
  /** Set in development mode: the generated key and its tenant. */
  readonly development?: { readonly key: string; readonly tenant: number }
}

/** @since 0.1.0 @category defaults */
export const DEFAULT_PORT = 8787
/** @since 0.1.0 @category defaults */
export const DEFAULT_DB = "./.data/ingest.db"

/**
 * Reads the settings. Throws `ConfigError` with a message naming the
 * variable, file and field at fault.
 *
 * @since 0.1.0
 * @category settings
 */
export const loadSettings = async (
  env: Readonly<Record<string, string | undefined>>,
  readText: (path: string) => Promise<string>,
): Promise<Settings> => {
  const portText = env.PORT
  const port = portText === undefined || portText === "" ? DEFAULT_PORT : Number(portText)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`PORT must be a port number (0 to 65535), got ${JSON.stringify(portText)}`)
  }
  const db = env.INGEST_DB || DEFAULT_DB
  const path = env.INGEST_CONFIG
  if (path === undefined || path === "") {
    const dev = await developmentConfig()
    return { port, db, config: dev.config, development: { key: dev.key, tenant: dev.tenant } }
  }
  let text: string
  try {
    text = await readText(path)
  } catch (e) {
    throw new ConfigError(`INGEST_CONFIG: cannot read ${path}: ${(e as Error).message}`)
  }
  return { port, db, config: parseConfigText(text, path) }
}

/**
 * What to print on start-up: where it listens, the store, and in
 * development mode the generated key, said plainly.
 *
 * @since 0.1.0
 * @category settings
 */
export const startupLines = (settings: Settings, runtime: string, url: string): Array<string> => {
  const lines = [`cdp ingest (${runtime}) listening on ${url}`, `store: ${redactUrl(settings.db)}`]
  if (settings.development) {
    lines.push(
      "DEVELOPMENT MODE: no INGEST_CONFIG was given, so one tenant with a fresh key was generated.",
      `  tenant: ${settings.development.tenant}`,
      `  key:    ${settings.development.key}`,
      `  try:    curl -H 'Authorization: Bearer ${settings.development.key}' ${url}/v1/customers/customerId1`,
      "Set INGEST_CONFIG to a tenants file for anything but development.",
    )
  } else {
    lines.push(`tenants: ${settings.config.tenants.map((t) => t.id).join(", ")}`)
  }
  return lines
}

/** Hides a password in a database URL. */
export const redactUrl = (db: string): string => db.replace(/^(\w+:\/\/[^:/@]+):[^@]*@/, "$1:***@")

/**
 * The line that says why a server could not listen on `hostname:port`, in
 * words for the operator: a port in use, one that needs privileges, an
 * address that is not this machine's (Node.js and Bun name them by `code`);
 * otherwise the error's own message. Every runtime's service prints it
 * (after its `cdp ingest: ` prefix) and exits 1.
 *
 * @since 0.2.0
 * @category settings
 */
export const listenErrorText = (hostname: string, port: number, error: unknown): string =>
  `cannot listen on ${hostname}:${port}: ${listenReason(error)}`

const listenReason = (error: unknown): string => {
  const code = (error as { code?: unknown } | null)?.code
  if (code === "EADDRINUSE") return "the address is already in use (another process listens on this port)"
  if (code === "EACCES") return "permission denied (ports below 1024 need privileges)"
  if (code === "EADDRNOTAVAIL") return "the address is not one of this machine's"
  return error instanceof Error ? error.message : String(error)
}
