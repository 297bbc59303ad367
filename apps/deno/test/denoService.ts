/**
 * The real Deno service as a child process, for the process-level tests of
 * this app: started as users start it, `node scripts/start.mjs` from the repo
 * root (so the permissions it computes are the ones under test, and the
 * signals go through it), with a temporary folder holding the SQLite file and
 * the `INGEST_CONFIG` file.
 *
 * @module
 */
import { execFileSync } from "node:child_process"
import { fileURLToPath } from "node:url"
import {
  type ContractTenant,
  type LaunchedProcess,
  launchProcess,
  makeWorkspace as makeTestWorkspace,
  type ServerProcess,
  startServer,
  type Workspace,
} from "@cdp/testkit"

export {
  type Exit,
  type LaunchedProcess as Launched,
  sleep,
  tenantOf,
  type Workspace,
  waitForStderr,
  within,
} from "@cdp/testkit"

/** The repo root, where `pnpm start:deno` runs the start script from. */
export const repoDir = fileURLToPath(new URL("../../..", import.meta.url))
/** The start script: computes the permissions, runs `deno run`, forwards signals. */
export const startScript = fileURLToPath(new URL("../scripts/start.mjs", import.meta.url))

/** A temporary home of one service (\`makeWorkspace\` of @cdp/testkit): its store and its tenants file. */
export const makeWorkspace = (label: string, tenants?: ReadonlyArray<ContractTenant>): Promise<Workspace> =>
  makeTestWorkspace(`app-deno-${label}`, tenants === undefined ? {} : { tenants })

/** Starts the service through the start script on a free port of 127.0.0.1; waits until `/healthz` answers. */
export const startService = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> =>
  startServer({
    command: process.execPath,
    args: [startScript],
    cwd: repoDir,
    env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env },
    timeoutMs: 60_000,
  })

/** The `deno run` command that the start script would run for `env` (its `--print`). */
export const denoCommand = (env: Readonly<Record<string, string>>): { command: string; args: string[] } =>
  JSON.parse(
    execFileSync(process.execPath, [startScript, "--print"], {
      cwd: repoDir,
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
    }),
  )

/** A process with stdout and stderr apart, run from the repo root (`launchProcess`). */
export const launch = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
): LaunchedProcess => launchProcess({ command, args, cwd: repoDir, env })

/** The service through the start script, as `pnpm start:deno` runs it. */
export const launchService = (env: Readonly<Record<string, string>>): LaunchedProcess =>
  launch(process.execPath, [startScript], env)
