/**
 * The real Deno service as a child process, for the process-level tests of
 * this app: started as users start it, `node scripts/start.mjs` from the repo
 * root (so the permissions it computes are the ones under test, and the
 * signals go through it), with a temporary folder holding the SQLite file and
 * the `INGEST_CONFIG` file.
 *
 * @module
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type ContractTenant, type ServerProcess, startServer } from "@cdp/testkit"
import { makeWorkspace as makeTestWorkspace, type Workspace } from "@cdp/testkit/serviceWorkspace.ts"

export { tenantOf, type Workspace } from "@cdp/testkit/serviceWorkspace.ts"

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

export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/** A process with its stdout and stderr kept apart; `env` is its whole environment but `PATH`. */
export interface Launched {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<Exit>
  /** Resolves with the base URL once stderr says `listening on <url>`; rejects if the process exits first. */
  readonly listening: Promise<string>
  readonly stop: (signal?: NodeJS.Signals) => Promise<Exit>
}

export const launch = (
  command: string,
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string>>,
): Launched => {
  const child = spawn(command, [...args], {
    cwd: repoDir,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let out = ""
  let err = ""
  child.stdout?.on("data", (chunk: Buffer) => {
    out += chunk.toString()
  })
  const exited = new Promise<Exit>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })))
  const listening = new Promise<string>((resolve, reject) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      err += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(err)
      if (m) resolve(m[1] as string)
    })
    void exited.then((e) => reject(new Error(`exited (${e.code ?? e.signal}) before listening:\n${err}`)))
  })
  listening.catch(() => {})
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    listening,
    stop: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        process.kill(child.pid, signal)
      }
      return exited
    },
  }
}

/** The service through the start script, as `pnpm start:deno` runs it. */
export const launchService = (env: Readonly<Record<string, string>>): Launched =>
  launch(process.execPath, [startScript], env)

/** Races a promise against a deadline. */
export const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
