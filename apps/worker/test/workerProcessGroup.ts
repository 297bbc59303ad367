/**
 * The Worker under `wrangler dev` as one process group (the start script,
 * wrangler and the workerd that serves), for tests that must kill what
 * actually serves: SIGKILL to the whole group, as a machine losing power
 * would; and a look inside the Durable Objects' SQLite files once it is down.
 *
 * @module
 */
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type ServerProcess, startServer } from "@cdp/testkit"
import { appDir, type Workspace } from "./workerService.ts"

/** Bun, as installed from npm at the workspace's root: it reads the SQLite files. */
const bun = fileURLToPath(new URL("../../../node_modules/.bin/bun", import.meta.url))

/**
 * Starts `scripts/start.mjs` as the leader of a process group of its own, on
 * the workspace (its `INGEST_DB` folder keeps the local state), on a free
 * port; resolves once `/healthz` answers. The start script's temporary files
 * go in the workspace too, so that a kill leaves none behind elsewhere.
 */
export const startWorkerGroup = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> =>
  startServer({
    command: process.execPath,
    args: [join(appDir, "scripts", "start.mjs")],
    cwd: appDir,
    env: { PORT: "0", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, TMPDIR: ws.dir, ...env },
    timeoutMs: 120_000,
    detached: true,
  })

const groupAlive = (pgid: number): boolean => {
  try {
    process.kill(-pgid, 0)
    return true
  } catch {
    return false
  }
}

/**
 * SIGKILLs every process of the group (wrangler and workerd with the start
 * script) at once; resolves once none is left (15 s at most).
 */
export const killWorkerGroup = async (server: ServerProcess): Promise<void> => {
  const pgid = server.child.pid
  if (pgid === undefined) throw new Error("the worker's start script has no pid")
  if (groupAlive(pgid)) process.kill(-pgid, "SIGKILL")
  await server.stop("SIGKILL")
  const deadline = Date.now() + 15_000
  while (groupAlive(pgid)) {
    if (Date.now() > deadline) throw new Error(`process group ${pgid} still alive 15 s after SIGKILL`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

const sqliteFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith(".sqlite"))
    .map((d) => join(d.parentPath, d.name))

/**
 * SQLite's `PRAGMA integrity_check` on every `.sqlite` file of the local
 * state (the Durable Objects' storage; the Worker must be down): `["ok"]`
 * when each is sound, else the rows of the others, each after its file.
 */
export const stateIntegrity = (dir: string): Array<string> => {
  const files = sqliteFiles(dir)
  if (files.length === 0) return [`no .sqlite file under ${dir}`]
  const script = `
    import { Database } from "bun:sqlite"
    const rows = []
    for (const file of process.argv.slice(2)) {
      const db = new Database(file, { readwrite: true, create: false })
      for (const r of db.prepare("PRAGMA integrity_check").all()) if (r.integrity_check !== "ok") rows.push(file + ": " + r.integrity_check)
      db.close()
    }
    console.log(JSON.stringify(rows))`
  const result = spawnSync(bun, ["-e", script, ...files], { encoding: "utf8" })
  if (result.status !== 0) throw new Error(`integrity check failed: ${result.stderr}`)
  const problems = JSON.parse(result.stdout) as Array<string>
  return problems.length === 0 ? ["ok"] : problems
}
