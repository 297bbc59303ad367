import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { makeWorkspace as makeTestWorkspace, type ServerProcess, startServer, type Workspace } from "@cdp/testkit"

export type { Workspace } from "@cdp/testkit"

/** The folder of `@cdp/app-worker`. */
export const appDir = fileURLToPath(new URL("..", import.meta.url))

/** A temporary home of one service (\`makeWorkspace\` of @cdp/testkit): its store and its tenants file. */
export const makeWorkspace = (label: string): Promise<Workspace> =>
  makeTestWorkspace(`app-worker-${label}`, { store: "data" })

/** Starts `scripts/start.mjs` on the workspace, on a free port; resolves once `/healthz` answers. */
export const startWorker = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> =>
  startServer({
    command: process.execPath,
    args: [join(appDir, "scripts", "start.mjs")],
    cwd: appDir,
    env: { PORT: "0", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env },
    timeoutMs: 120_000,
  })
