/**
 * The real Bun service as a child process, for the process-level tests of
 * this app (run by vitest on Node): a temporary folder holding the SQLite
 * file and the `INGEST_CONFIG` file, start-up (`bun src/main.ts`: the shim
 * in `node_modules/.bin` execs Bun, so the child's pid is the server's),
 * and a look inside the database file once the service is down.
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import { makeWorkspace as makeTestWorkspace, type ServerProcess, startServer, type Workspace } from "@cdp/testkit"

export type { Workspace } from "@cdp/testkit"
export { sleep } from "@cdp/testkit"

/** The folder of `@cdp/app-bun`, where the service is started from. */
export const appDir = fileURLToPath(new URL("..", import.meta.url))

/** Bun, as installed from npm at the workspace's root. */
export const bun = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url))

/** A temporary home of one service (\`makeWorkspace\` of @cdp/testkit): its store and its tenants file. */
export const makeWorkspace = (label: string): Promise<Workspace> => makeTestWorkspace(`app-bun-${label}`)

/**
 * Starts the service on a free port of 127.0.0.1 with these settings
 * (by default the workspace's database and tenants file) and waits until
 * `/healthz` answers.
 */
export const startService = (
  ws: Workspace,
  env: Readonly<Record<string, string>> = { INGEST_CONFIG: ws.config },
): Promise<ServerProcess> =>
  startServer({
    command: bun,
    args: ["src/main.ts"],
    cwd: appDir,
    env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, ...env },
    timeoutMs: 60_000,
  })

/**
 * Runs SQLite's `PRAGMA integrity_check` on the database file with
 * bun:sqlite (the service must be down); returns its rows (`["ok"]` when
 * sound).
 */
export const integrityCheck = (db: string): Array<string> => {
  const script = `
    import { Database } from "bun:sqlite"
    const db = new Database(process.argv[1], { readwrite: true, create: false })
    console.log(JSON.stringify(db.prepare("PRAGMA integrity_check").all().map((r) => r.integrity_check)))
    db.close()`
  const result = spawnSync(bun, ["-e", script, db], { encoding: "utf8" })
  if (result.status !== 0) throw new Error(`integrity check failed: ${result.stderr}`)
  return JSON.parse(result.stdout) as Array<string>
}
