#!/usr/bin/env node
// `npm start` (and `npm run start:bun`, `start:deno`, `start:worker`):
// installs what is missing (setup.mjs), then runs the service of one runtime
// in the foreground, so that stopping `npm start` stops the service
// gracefully. npm passes SIGTERM to the shell that runs the package script,
// and the shell dies of it without passing it on: the service, its child,
// went on running on its own. So this process watches its parent: once that
// is gone (the process was handed to init or a subreaper), it stops as on
// SIGTERM. Ctrl+C reaches every process of the terminal's group anyway.
//
//   node scripts/start.mjs [node|bun|deno|worker]    (default node)
//
// node runs in this very process (tsx registered here, as `--import tsx`
// would), so signals reach it directly. bun is a child process, to which
// SIGTERM, SIGINT and SIGHUP are passed on; this process then exits as it
// did. deno and worker are their apps' own start scripts, which do the same.
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { runForeground } from "./runForeground.mjs"
import { runtimeBinary } from "./runtimeBinary.mjs"
import { setup } from "./setup.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const runtimes = ["node", "bun", "deno", "worker"]
const runtime = process.argv[2] ?? "node"
if (!runtimes.includes(runtime)) {
  process.stderr.write(`usage: node scripts/start.mjs [${runtimes.join("|")}] (got ${runtime})\n`)
  process.exit(2)
}

setup()

// The shell (or npm) that started this process is gone: stop as on SIGTERM.
const parent = process.ppid
const orphaned = setInterval(() => {
  if (process.ppid === parent) return
  clearInterval(orphaned)
  process.kill(process.pid, "SIGTERM")
}, 250)
orphaned.unref()

const entry = (path) => pathToFileURL(join(root, path)).href

if (runtime === "node") {
  // Resolved only now: on a fresh clone, tsx is there once setup() has run.
  const { register } = await import("tsx/esm/api")
  register()
  await import(entry("apps/node/src/main.ts"))
} else if (runtime === "bun") {
  runForeground(runtimeBinary("bun"), [join(root, "apps", "bun", "src", "main.ts")], "bun")
} else {
  await import(entry(`apps/${runtime}/scripts/start.mjs`))
}
