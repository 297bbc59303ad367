/**
 * Starts a service process for black-box tests (any runtime: node, bun,
 * deno, wrangler), waits until it prints `listening on <url>` and answers
 * `/healthz`, and stops it by its pid. Test-side only (uses node:*).
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process"

export interface ServerProcess {
  readonly baseUrl: string
  readonly child: ChildProcess
  /** Everything the process wrote so far (stdout and stderr). */
  readonly output: () => string
  /** Sends a signal and waits for the process to exit; resolves with its exit code. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export const startServer = async (options: {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly env?: Readonly<Record<string, string>>
  readonly cwd?: string
  readonly timeoutMs?: number
  /** Leads a process group of its own, so that it and its children can be signalled together (`-pid`). */
  readonly detached?: boolean
}): Promise<ServerProcess> => {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    detached: options.detached ?? false,
    env: { ...process.env, LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let out = ""
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time:\n${out}`)),
      options.timeoutMs ?? 60_000,
    )
    const onData = (chunk: Buffer) => {
      out += chunk.toString()
      const m = /listening on (http:\/\/\S+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1] as string)
      }
    }
    child.stdout?.on("data", onData)
    child.stderr?.on("data", onData)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code} before listening:\n${out}`))
    })
  })
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  for (;;) {
    try {
      const res = await fetch(`${url}/healthz`)
      await res.text()
      if (res.ok) break
    } catch {}
    if (Date.now() > deadline) throw new Error(`server at ${url} never became healthy:\n${out}`)
    await new Promise((r) => setTimeout(r, 100))
  }
  return {
    baseUrl: url,
    child,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
      return exited
    },
  }
}

/**
 * How a launched process ended.
 *
 * @since 0.2.0
 * @category models
 */
export interface Exit {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
}

/**
 * A service process with its stdout and stderr kept apart (the start-up
 * banner goes to stderr, the JSON logs to stdout), for tests of start-up
 * itself. Its environment is `env` and `PATH`, nothing else.
 *
 * @since 0.2.0
 * @category models
 */
export interface LaunchedProcess {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<Exit>
  /** Resolves with the base URL once stderr says `listening on <url>`; rejects if the process exits first. */
  readonly listening: Promise<string>
  /** Signals the process (by pid) unless it has exited, and waits for its exit. */
  readonly stop: (signal?: NodeJS.Signals) => Promise<Exit>
}

/**
 * Launches a service process (see `LaunchedProcess`); unlike `startServer`
 * it does not wait for it to listen.
 *
 * @since 0.2.0
 * @category constructors
 */
export const launchProcess = (options: {
  readonly command: string
  readonly args: ReadonlyArray<string>
  readonly cwd: string
  readonly env: Readonly<Record<string, string>>
}): LaunchedProcess => {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? "", ...options.env },
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

/**
 * Waits until the process's stderr matches `pattern` (10 s at most); returns
 * the match.
 *
 * @since 0.2.0
 * @category utils
 */
export const waitForStderr = async (launched: LaunchedProcess, pattern: RegExp): Promise<RegExpExecArray> => {
  const deadline = Date.now() + 10_000
  for (;;) {
    const m = pattern.exec(launched.stderr())
    if (m) return m
    if (Date.now() > deadline) throw new Error(`stderr never matched ${pattern}:\n${launched.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
