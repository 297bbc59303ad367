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
}): Promise<ServerProcess> => {
  const child = spawn(options.command, [...options.args], {
    cwd: options.cwd,
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
