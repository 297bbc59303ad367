/**
 * `npm start`, the README's command, as an operator or a container runtime
 * uses it: SIGTERM sent to the npm process (what `docker stop` and process
 * supervisors do) must stop the service gracefully, not leave it running on
 * its own. npm passes the signal to the shell of the package script, which
 * dies of it without passing it on; scripts/start.mjs notices that its parent
 * is gone and stops as on SIGTERM.
 */
import { spawn } from "node:child_process"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { tryConnect } from "@cdp/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { within } from "./nodeService.ts"

const repoDir = fileURLToPath(new URL("../../..", import.meta.url))

let dir = ""
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cdp-app-node-npm-start-"))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe("npm start", () => {
  it("SIGTERM to npm stops the service gracefully: its shutdown runs, the port closes, no process is left", async () => {
    const npm = spawn("npm", ["start"], {
      cwd: repoDir,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", INGEST_DB: join(dir, "ingest.db"), LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
      // A process group of its own, so that cleanup can reach whatever is left of it.
      detached: true,
    })
    let output = ""
    npm.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    npm.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString()
    })
    // Every holder of the pipes (npm, the shell, the service) has exited once both are closed.
    const allClosed = Promise.all([
      new Promise((resolve) => npm.stdout.once("close", resolve)),
      new Promise((resolve) => npm.stderr.once("close", resolve)),
    ])
    try {
      const baseUrl = await within(
        90_000,
        "npm start listening",
        new Promise<string>((resolve, reject) => {
          const look = () => {
            const m = /listening on (http:\/\/\S+)/.exec(output)
            if (m) resolve(m[1] as string)
          }
          npm.stdout.on("data", look)
          npm.stderr.on("data", look)
          npm.once("exit", (code) => reject(new Error(`npm start exited (${code}) before listening:\n${output}`)))
        }),
      )
      const health = await fetch(`${baseUrl}/healthz`)
      expect(health.status).toBe(200)
      await health.text()

      npm.kill("SIGTERM") // npm alone, as a supervisor does, not its group
      await within(20_000, "the service to exit after npm did", allClosed)
      expect(output, "the service's own graceful shutdown ran").toMatch(/SIGTERM: finishing in-flight requests/)
      expect(await tryConnect(baseUrl), "nothing listens any more").toBe("ECONNREFUSED")
    } finally {
      try {
        if (npm.pid !== undefined) process.kill(-npm.pid, "SIGKILL")
      } catch {
        // the group is gone already
      }
    }
  })
})
