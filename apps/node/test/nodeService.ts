import { fileURLToPath } from "node:url"
import {
  type ContractTenant,
  type LaunchedProcess,
  launchProcess,
  makeWorkspace as makeTestWorkspace,
  type ServerProcess,
  startServer,
  type Workspace,
} from "@cdp/testkit"

export {
  type Exit,
  type LaunchedProcess as LaunchedService,
  sleep,
  tenantOf,
  type Workspace,
  waitForStderr,
  within,
} from "@cdp/testkit"

import Database from "better-sqlite3"

/** The folder of `@cdp/app-node`, where the service is started from. */
export const appDir = fileURLToPath(new URL("..", import.meta.url))

/** How the service is started: Node itself with tsx's loader, no wrapper process. */
export const serviceCommand = { command: process.execPath, args: ["--import", "tsx", "src/main.ts"] } as const

/** A temporary home of one service (\`makeWorkspace\` of @cdp/testkit): its store and its tenants file. */
export const makeWorkspace = (label: string, tenants?: ReadonlyArray<ContractTenant>): Promise<Workspace> =>
  makeTestWorkspace(`app-node-${label}`, tenants === undefined ? {} : { tenants })

/**
 * Starts the service on the workspace's database and tenants file, on a free
 * port of 127.0.0.1, and waits until `/healthz` answers.
 */
export const startService = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> =>
  startServer({
    ...serviceCommand,
    cwd: appDir,
    env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env },
    timeoutMs: 60_000,
  })

/** The service launched with stdout and stderr apart, for tests of start-up itself (`launchProcess`). */
export const launchService = (env: Readonly<Record<string, string>>): LaunchedProcess =>
  launchProcess({ ...serviceCommand, cwd: appDir, env })

/**
 * Opens the database file (the service must be down) and runs SQLite's
 * `PRAGMA integrity_check`; returns its rows (`["ok"]` when sound). Opening
 * the file replays or discards a leftover write-ahead log, as the service
 * would on its next start.
 */
export const integrityCheck = (db: string): Array<string> => {
  const conn = new Database(db, { fileMustExist: true })
  try {
    return (conn.pragma("integrity_check") as Array<{ integrity_check: string }>).map((r) => r.integrity_check)
  } finally {
    conn.close()
  }
}
