/**
 * The Worker under real local workerd, as the user starts it
 * (`scripts/start.mjs`, which runs `wrangler dev`): a temporary folder with
 * the Durable Objects' storage (`INGEST_DB`) and the tenants file
 * (`INGEST_CONFIG`), start-up on a free port, stop by pid.
 *
 * @module
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { type ContractTenant, contractConfig, contractTenants, type ServerProcess, startServer } from "@cdp/testkit"

/** The folder of `@cdp/app-worker`. */
export const appDir = fileURLToPath(new URL("..", import.meta.url))

/** A temporary home of one service: its storage folder and its tenants file. */
export interface Workspace {
  readonly dir: string
  readonly db: string
  readonly config: string
  readonly tenants: ReadonlyArray<ContractTenant>
  readonly remove: () => Promise<void>
}

export const makeWorkspace = async (label: string): Promise<Workspace> => {
  const dir = await mkdtemp(join(tmpdir(), `cdp-app-worker-${label}-`))
  const tenants = contractTenants()
  const config = join(dir, "tenants.json")
  await writeFile(config, JSON.stringify(await contractConfig(tenants), null, 2))
  return { dir, db: join(dir, "data"), config, tenants, remove: () => rm(dir, { recursive: true, force: true }) }
}

/** Starts `scripts/start.mjs` on the workspace, on a free port; resolves once `/healthz` answers. */
export const startWorker = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> =>
  startServer({
    command: process.execPath,
    args: [join(appDir, "scripts", "start.mjs")],
    cwd: appDir,
    env: { PORT: "0", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env },
    timeoutMs: 120_000,
  })
