/**
 * `@cdp/client` inside Deno (run by the root's `node scripts/test-runtimes.mjs
 * deno`), sending through Deno's own `fetch` to the Deno service started as
 * a process of its own, with the very command and permissions its start
 * script gives (`--print`, run by Deno here): the testkit's
 * `clientInRuntime` suite, which reads every event back from the service.
 */
import { execFileSync } from "node:child_process"
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
  ws = await makeWorkspace("deno-client")
  const env = { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config }
  const { command, args } = JSON.parse(
    execFileSync(process.execPath, ["run", "--allow-all", "scripts/start.mjs", "--print"], {
      cwd: appDir,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
    }),
  ) as { command: string; args: Array<string> }
  server = await startServer({ command, args, cwd: appDir, env, timeoutMs: 60_000 })
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

it("runs inside Deno", () => {
  expect(typeof Deno.version.deno).toBe("string")
})

clientInRuntime("deno", () => {
  if (service === undefined) throw new Error("the Deno service did not start")
  return { createClient, service }
})
