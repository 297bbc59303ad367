/**
 * The Deno service started as the deno process itself, with exactly the
 * command and permissions the start script would use (its `--print`), for
 * tests that must signal the service and not the script around it (the
 * crash suite's SIGKILL); and a look inside its SQLite file once it is down.
 *
 * @module
 */
import { execFileSync } from "node:child_process"
import { dirname } from "node:path"
import { type ServerProcess, startServer } from "@cdp/testkit"
import { denoCommand, repoDir, type Workspace } from "./denoService.ts"

/**
 * Starts `deno run …` directly on a free port of 127.0.0.1, on the
 * workspace's database and tenants file unless `env` says otherwise; waits
 * until `/healthz` answers. The returned child is the deno process.
 */
export const startDeno = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> => {
  const settings = { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env }
  const { command, args } = denoCommand(settings)
  return startServer({ command, args, cwd: repoDir, env: settings, timeoutMs: 60_000 })
}

/**
 * Runs SQLite's `PRAGMA integrity_check` on the database file with Deno's
 * node:sqlite (the service must be down); returns its rows (`["ok"]` when
 * sound). Opening the file replays or discards a leftover write-ahead log.
 */
export const integrityCheck = (db: string): Array<string> => {
  const { command } = denoCommand({ INGEST_DB: db })
  const script = `
    import { DatabaseSync } from "node:sqlite"
    const db = new DatabaseSync(Deno.args[0])
    console.log(JSON.stringify(db.prepare("PRAGMA integrity_check").all().map((r) => r.integrity_check)))
    db.close()`
  // The folder, not the file: the write-ahead log and its index sit beside it.
  const folder = dirname(db)
  const out = execFileSync(command, ["eval", `--allow-read=${folder}`, `--allow-write=${folder}`, script, db], {
    encoding: "utf8",
  })
  return JSON.parse(out) as Array<string>
}
