/**
 * The real Node service (`apps/node`, `node --import tsx src/main.ts`) as a
 * process for the client's tests, on a fixed port of 127.0.0.1 so that a
 * client keeps its URL across a SIGKILL and a restart on the same store.
 */
import { createServer } from "node:net"
import { fileURLToPath } from "node:url"
import { type ServerProcess, startServer, type Workspace } from "@cdp/testkit"

/** The folder of the Node service, where it is started from. */
const appDir = fileURLToPath(new URL("../../../../apps/node", import.meta.url))

/** A TCP port nobody listens on right now. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })

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
