#!/usr/bin/env node
// Starts the Deno service (src/main.ts) with the narrowest permissions its
// environment allows, from wherever it is run (the root's `pnpm start:deno`
// runs it from the repo root, so a relative INGEST_DB or INGEST_CONFIG is
// the caller's): the network for HOST:PORT only (HOST only when PORT is 0 or
// not a number: the port is not known beforehand), read and write in the
// folder of INGEST_DB only, read of INGEST_CONFIG only, and the five
// variables it reads (on PostgreSQL: the database's host and port, and the
// variables its client reads). Module loading needs no permission. Signals go on to
// the service; this process exits with its code. `--print` prints the
// command as JSON instead of running it.
import { createRequire } from "node:module"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { runForeground } from "../../../scripts/runForeground.mjs"
import { runtimeBinary } from "../../../scripts/runtimeBinary.mjs"

const app = join(dirname(fileURLToPath(import.meta.url)), "..")

const env = process.env
const db = env.INGEST_DB || "./.data/ingest.db"
const host = env.HOST ?? "0.0.0.0"
const port = Number(env.PORT || "8787")
const hostPart = host.includes(":") ? `[${host}]` : host
const net = Number.isInteger(port) && port > 0 && port <= 65535 ? `${hostPart}:${port}` : hostPart
const postgresUrl = /^postgres(ql)?:\/\//.test(db) ? new URL(db) : undefined
const embedded = postgresUrl === undefined && db !== ":memory:"
const dataFolder = embedded ? resolve(dirname(db)) : undefined
// The SQLite store's database thread is a Web Worker, whose modules Deno
// loads only with read permission: the source folders of the SQLite store
// and of the storage port package it imports (code, not data).
const requireHere = createRequire(join(app, "package.json"))
const storePackage = requireHere.resolve("@cdp/store-sqlite/package.json")
const requireStore = createRequire(storePackage)
const databaseThreadCode = embedded
  ? [join(dirname(storePackage), "src"), dirname(requireStore.resolve("@cdp/store"))]
  : []
const readable = [dataFolder, ...databaseThreadCode, env.INGEST_CONFIG ? resolve(env.INGEST_CONFIG) : undefined].filter(
  Boolean,
)

// PostgreSQL: the database's host and port too, and what its client may read
// when the URL leaves them out (PG* variables, the user's name).
const postgresNet = postgresUrl ? [`${postgresUrl.hostname || "localhost"}:${postgresUrl.port || "5432"}`] : []
const postgresEnv = postgresUrl
  ? ["PG*", "USERNAME", "USER", "LOGNAME"] // the client reads PGHOST, PGSSL, PGMAX, ... for what the URL leaves out
  : []

const args = [
  "run",
  "--no-prompt",
  `--allow-net=${[net, ...postgresNet].join(",")}`,
  ...(postgresUrl ? ["--allow-sys=userInfo"] : []),
  ...(readable.length > 0 ? [`--allow-read=${readable.join(",")}`] : []),
  ...(dataFolder === undefined ? [] : [`--allow-write=${dataFolder}`]),
  `--allow-env=${["PORT", "HOST", "INGEST_DB", "INGEST_CONFIG", "LOG_LEVEL", ...postgresEnv].join(",")}`,
  join(app, "src", "main.ts"),
]
const command = runtimeBinary("deno")

if (process.argv.includes("--print")) {
  process.stdout.write(`${JSON.stringify({ command, args })}\n`)
  process.exit(0)
}

runForeground(command, args, "deno")
