/**
 * Runs the Worker locally under workerd (`wrangler dev`), with the same
 * settings as every other runtime: `PORT` (default 8787; 0 picks a free
 * one), `INGEST_DB` (the folder where the Durable Objects' storage
 * persists, default `./.data/worker`), `INGEST_CONFIG` (path to the tenants
 * JSON; absent: development mode, a tenant and key generated here and
 * printed). The config reaches the Worker as its `INGEST_CONFIG` binding.
 * Prints `listening on <url>` once the Worker answers; forwards SIGTERM and
 * SIGINT to wrangler and exits when it does.
 */
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { readFile } from "node:fs/promises"
import { createRequire } from "node:module"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { register } from "tsx/esm/api"

register()
const { ConfigError, loadSettings, startupLines } = await import("@cdp/ingest")

const appDir = fileURLToPath(new URL("..", import.meta.url))
const fail = (message) => {
  process.stderr.write(`cdp ingest: ${message}\n`)
  process.exit(1)
}

const env = { ...process.env, INGEST_DB: process.env.INGEST_DB || "./.data/worker" }
let settings
try {
  settings = await loadSettings(env, (path) => readFile(resolve(path), "utf8"))
} catch (e) {
  if (e instanceof ConfigError) fail(e.message)
  throw e
}
const persistTo = resolve(settings.db)
mkdirSync(persistTo, { recursive: true })
// One line of JSON (checked by loadSettings above), single-quoted: taken literally by the env file's parser.
const configText = JSON.stringify(
  env.INGEST_CONFIG ? JSON.parse(readFileSync(resolve(env.INGEST_CONFIG), "utf8")) : settings.config,
)
if (configText.includes("'")) fail("INGEST_CONFIG: a value holds a single quote, which this script cannot pass on")

const freePort = () =>
  new Promise((done, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address()
      server.close(() => done(port))
    })
  })
const port = settings.port === 0 ? await freePort() : settings.port
const host = process.env.HOST ?? "127.0.0.1"
const url = `http://${host === "0.0.0.0" ? "localhost" : host}:${port}`

// The config goes in an env file that only this process can read, not on a command line.
const varsDir = mkdtempSync(join(tmpdir(), "cdp-worker-"))
const varsFile = join(varsDir, "vars.env")
writeFileSync(varsFile, `INGEST_CONFIG='${configText}'\nLOG_LEVEL=${process.env.LOG_LEVEL ?? "info"}\n`, {
  mode: 0o600,
})
const removeVars = () => rmSync(varsDir, { recursive: true, force: true })

const wrangler = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js")
const child = spawn(
  process.execPath,
  [
    wrangler,
    "dev",
    "--config",
    join(appDir, "wrangler.jsonc"),
    "--env-file",
    varsFile,
    "--ip",
    host,
    "--port",
    String(port),
    "--persist-to",
    persistTo,
    "--show-interactive-dev-session=false",
    "--log-level",
    process.env.WRANGLER_LOG ?? "warn",
  ],
  {
    cwd: appDir,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: process.env.CI ?? "1" },
  },
)

let exited = false
child.once("exit", (code, signal) => {
  exited = true
  removeVars()
  process.exit(code ?? (signal === "SIGTERM" || signal === "SIGINT" ? 0 : 1))
})
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => child.kill(signal))

// Announce the URL once the Worker answers.
const deadline = Date.now() + 120_000
for (;;) {
  if (exited) break
  try {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`)
    await res.text()
    if (res.ok) break
  } catch {}
  if (Date.now() > deadline) {
    child.kill("SIGTERM")
    fail(`the Worker did not answer on port ${port} within 120 s`)
  }
  await new Promise((r) => setTimeout(r, 100))
}
if (!exited) {
  for (const line of startupLines(settings, "workerd", url)) process.stderr.write(`${line}\n`)
}
