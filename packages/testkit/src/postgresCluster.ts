/**
 * A PostgreSQL cluster of a test's own (initdb, pg_ctl) on 127.0.0.1 and a
 * free port, for tests that stop and start the server under a service: the
 * shared test server is never stopped, other tests use it at the same time.
 * Test-side only (runs PostgreSQL's server programs).
 *
 * @module
 */
import { execFileSync } from "node:child_process"
import { existsSync, readdirSync } from "node:fs"
import { chown, mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { freePort } from "./freePort.ts"

/** The folder of PostgreSQL's server programs: `PG_BINDIR`, `pg_config --bindir`, or the newest of /usr/lib/postgresql. */
const serverBinaries = (): string => {
  const fromEnv = process.env["PG_BINDIR"]
  if (fromEnv) return fromEnv
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim()
    if (existsSync(join(dir, "initdb"))) return dir
  } catch {}
  const root = "/usr/lib/postgresql"
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : []
  for (const v of versions) if (existsSync(join(root, v, "bin", "initdb"))) return join(root, v, "bin")
  throw new Error("PostgreSQL's initdb was not found: set PG_BINDIR (a private cluster is needed to stop and restart)")
}

/**
 * A PostgreSQL cluster of the test's own, on 127.0.0.1 and a free port.
 *
 * @since 0.2.0
 * @category models
 */
export interface PrivateCluster {
  readonly port: number
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string
  /** `pg_ctl stop`: `fast` ends sessions (57P01), `immediate` crashes (recovery at the next start). */
  readonly stop: (mode: "fast" | "immediate") => void
  /** `pg_ctl start`, waiting until it accepts connections. */
  readonly start: () => void
  /** Stops it (if running) and removes its folder. */
  readonly destroy: () => Promise<void>
}

/**
 * initdb, then start, in a temporary folder. As root (CI), the server runs as
 * the `postgres` user (`runuser`), which owns the folder.
 *
 * @since 0.2.0
 * @category constructors
 */
export const startPrivateCluster = async (): Promise<PrivateCluster> => {
  const bin = serverBinaries()
  const dir = await mkdtemp(join(tmpdir(), "cdp-pg-"))
  const data = join(dir, "data")
  const asRoot = process.getuid?.() === 0
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
    await chown(dir, uid, gid)
  }
  const run = (program: string, args: ReadonlyArray<string>) =>
    execFileSync(
      asRoot ? "runuser" : join(bin, program),
      asRoot ? ["-u", "postgres", "--", join(bin, program), ...args] : args,
      {
        stdio: ["ignore", "pipe", "pipe"],
        timeout: 60_000,
      },
    )
  run("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"])
  const port = await freePort()
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=40 -c shared_buffers=16MB -c fsync=on`
  const start = () => run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "60", "start"])
  start()
  let running = true
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: (mode) => {
      run("pg_ctl", ["-D", data, "-m", mode, "-w", "-t", "60", "stop"])
      running = false
    },
    start: () => {
      start()
      running = true
    },
    destroy: async () => {
      if (running) {
        try {
          run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "60", "stop"])
        } catch {}
      }
      await rm(dir, { recursive: true, force: true })
    },
  }
}
