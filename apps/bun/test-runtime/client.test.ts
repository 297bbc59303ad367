/**
 * `@cdp/client` inside Bun (`bun test ./test-runtime/`), sending through
 * Bun's own `fetch` to the Bun service (`src/main.ts`, bun:sqlite) started
 * as a process of its own: the testkit's `clientInRuntime` suite, which
 * reads every event back from the service.
 */

import { fileURLToPath } from "node:url"
import { createClient } from "@cdp/client"
import {
  type ClientSuiteFixture,
  clientInRuntime,
  contractTenantIds,
  makeWorkspace,
  type ServerProcess,
  startServer,
  tenantOf,
  type Workspace,
} from "@cdp/testkit"
import { afterAll, beforeAll, expect, it } from "vitest"

const appDir = fileURLToPath(new URL("..", import.meta.url))

let ws: Workspace | undefined
let server: ServerProcess | undefined
let service: ClientSuiteFixture["service"] | undefined

beforeAll(async () => {
  ws = await makeWorkspace("bun-client")
  server = await startServer({
    command: process.execPath,
    args: ["src/main.ts"],
    cwd: appDir,
    env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config },
  })
  const a = tenantOf(ws.tenants, contractTenantIds.A)
  service = { url: server.baseUrl, tenant: a.id, key: a.key, sendKey: a.scopedKeys?.send ?? "" }
})

afterAll(async () => {
  try {
    await server?.stop("SIGTERM")
  } finally {
    await ws?.remove()
  }
})

it("runs inside Bun", () => {
  expect(typeof Bun.version).toBe("string")
})

clientInRuntime("bun", () => {
  if (service === undefined) throw new Error("the Bun service did not start")
  return { createClient, service }
})
