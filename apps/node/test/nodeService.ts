/**
 * The real Node service as a child process, for the process-level tests of
 * this app: a temporary folder holding the SQLite file and the
 * `INGEST_CONFIG` file, start-up (`node --import tsx src/main.ts`: one
 * process, so its pid is the server's and a SIGKILL reaches it), stop by
 * pid, and a look inside the database file once the service is down.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { type ContractTenant, type ServerProcess, startServer } from "@cdp/testkit"
import { makeWorkspace as makeTestWorkspace, type Workspace } from "@cdp/testkit/serviceWorkspace.ts"

export { tenantOf, type Workspace } from "@cdp/testkit/serviceWorkspace.ts"

import Database from "better-sqlite3"

/** The folder of `@cdp/app-node`, where the service is started from. */
export const appDir = fileURLToPath(new URL("..", import.meta.url))

/** How the service is started: Node itself with tsx's loader, no wrapper process. */
export const serviceCommand = { command: process.execPath, args: ["--import", "tsx", "src/main.ts"] } as const

/** A temporary home of one service (\`makeWorkspace\` of @cdp/testkit): its store and its tenants file. */
export const makeWorkspace = (label: string, tenants?: ReadonlyArray<ContractTenant>): Promise<Workspace> =>
  makeTestWorkspace(`app-node-${label}`, tenants === undefined ? {} : { tenants })

/**
 * Starts the service on the workspace's database and tenants file, on a free
 * port of 127.0.0.1, and waits until `/healthz` answers.
 */
export const startService = (ws: Workspace, env: Readonly<Record<string, string>> = {}): Promise<ServerProcess> =>
  startServer({
    ...serviceCommand,
    cwd: appDir,
    env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: ws.db, INGEST_CONFIG: ws.config, ...env },
    timeoutMs: 60_000,
  })

/** What a service process printed and how it ended. */
export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/**
 * A service process with its stdout and stderr kept apart (the start-up
 * banner goes to stderr, the JSON logs to stdout). `env` is the whole
 * environment of the process: nothing is inherited but `PATH`.
 */
export interface LaunchedService {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<Exit>
  /** Resolves with the base URL once stderr says `listening on <url>`; rejects if the process exits first. */
  readonly listening: Promise<string>
  /** Signals the process (by pid) unless it has exited, and waits for its exit. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<Exit>
}

export const launchService = (env: Readonly<Record<string, string>>): LaunchedService => {
  const child = spawn(serviceCommand.command, [...serviceCommand.args], {
    cwd: appDir,
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

/** Races a promise against a deadline; rejects with `what` when the deadline passes first. */
export const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> => {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)
    }),
  ]).finally(() => clearTimeout(timer))
}

/**
 * Opens the database file (the service must be down) and runs SQLite's
 * `PRAGMA integrity_check`; returns its rows (`["ok"]` when sound). Opening
 * the file replays or discards a leftover write-ahead log, as the service
 * would on its next start.
 */
export const integrityCheck = (db: string): Array<string> => {
  const conn = new Database(db, { fileMustExist: true })
  try {
    return (conn.pragma("integrity_check") as Array<{ integrity_check: string }>).map((r) => r.integrity_check)
  } finally {
    conn.close()
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
