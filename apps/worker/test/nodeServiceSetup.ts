/**
 * Global setup of the `worker-workerd` project: the real Node service
 * (`apps/node`, SQLite) on a fresh workspace with the contract tenants, for
 * the tests in which `@cdp/client` runs inside workerd and sends to a
 * service over the network. Its URL and tenant A's keys reach the tests
 * through `inject("clientService")` (`test-runtime/clientService.ts`); the service is stopped and the
 * workspace removed after the run.
 */
import { fileURLToPath } from "node:url"
import { contractTenantIds, makeWorkspace, startServer, tenantOf } from "@cdp/testkit"
import type { TestProject } from "vitest/node"
import type {} from "../test-runtime/clientService.ts"

const nodeApp = fileURLToPath(new URL("../../node", import.meta.url))

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const ws = await makeWorkspace("worker-client")
  try {
    const service = await startServer({
      command: process.execPath,
      args: ["--import", "tsx", "src/main.ts"],
      cwd: nodeApp,
      env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config },
      timeoutMs: 60_000,
    })
    const a = tenantOf(ws.tenants, contractTenantIds.A)
    project.provide("clientService", {
      url: service.baseUrl,
      tenant: a.id,
      key: a.key,
      sendKey: a.scopedKeys?.send ?? "",
    })
    return async () => {
      try {
        await service.stop("SIGTERM")
      } finally {
        await ws.remove()
      }
    }
  } catch (error) {
    await ws.remove()
    throw error
  }
}
