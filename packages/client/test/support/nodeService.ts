/**
 * The real Node service (`apps/node`, `node --import tsx src/main.ts`) as a
 * process for the client's tests, on a fixed port of 127.0.0.1 so that a
 * client keeps its URL across a SIGKILL and a restart on the same store.
 */
import { fileURLToPath } from "node:url"
import { type ServerProcess, startServer, type Workspace } from "@cdp/testkit"

export { freePort } from "@cdp/testkit"

/** The folder of the Node service, where it is started from. */
const appDir = fileURLToPath(new URL("../../../../apps/node", import.meta.url))

/** Starts the service on the workspace's store (or `env.INGEST_DB`) and tenants, on `port`; waits for /healthz. */
export const startNodeService = (
  ws: Workspace,
  port: number,
  env: Readonly<Record<string, string>> = {},
): Promise<ServerProcess> =>
  startServer({
    command: process.execPath,
    args: ["--import", "tsx", "src/main.ts"],
    cwd: appDir,
    env: { PORT: String(port), HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env },
    timeoutMs: 60_000,
  })
