#!/usr/bin/env node
// Installs the workspace's dependencies when they are missing or older than
// the lockfile, so that `npm start` and `npm test` work on a machine that has
// only Node and npm. Fast no-op when everything is already in place.
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { existsSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"

const root = join(dirname(fileURLToPath(import.meta.url)), "..")
const lockfile = join(root, "pnpm-lock.yaml")
const stamp = join(root, "node_modules", ".setup-stamp")
const pnpmVersion = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).packageManager.split("@")[1]

const digest = () =>
  createHash("sha256")
    .update(existsSync(lockfile) ? readFileSync(lockfile) : "")
    .update(process.version)
    .digest("hex")

/**
 * Installs the dependencies unless the stamp says they match the lockfile and
 * this Node.js; throws when the install fails. Used by `start.mjs` too.
 */
export const setup = () => {
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === digest()) return
  const env = { ...process.env }
  // better-sqlite3 builds from source when no prebuilt binary can be fetched;
  // point node-gyp at the installed Node headers instead of downloading them.
  if (!env.npm_config_nodedir && existsSync("/usr/include/node/node.h")) env.npm_config_nodedir = "/usr"

  const args = ["--yes", `pnpm@${pnpmVersion}`, "install"]
  if (existsSync(lockfile)) args.push("--frozen-lockfile")
  console.error(`setup: installing dependencies with pnpm ${pnpmVersion}`)
  execFileSync("npx", args, { cwd: root, env, stdio: "inherit" })
  writeFileSync(stamp, digest())
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) setup()
