// Runs a program in the foreground for the start scripts (`scripts/start.mjs`,
// `apps/deno/scripts/start.mjs`): with this process's stdio, SIGTERM, SIGINT
// and SIGHUP passed on to it, and this process exiting as it exits (with its
// code, or of its signal).
import { spawn } from "node:child_process"

/**
 * @param {string} command
 * @param {ReadonlyArray<string>} args
 * @param {string} name what to call it in a message when it cannot start
 */
export const runForeground = (command, args, name) => {
  const child = spawn(command, [...args], { stdio: "inherit" })
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"]) {
    process.on(signal, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal)
    })
  }
  child.once("error", (error) => {
    process.stderr.write(`cdp ingest: cannot start ${name} (${command}): ${error.message}\n`)
    process.exit(1)
  })
  child.once("exit", (code, signal) => {
    if (signal !== null) {
      process.removeAllListeners(signal)
      process.kill(process.pid, signal)
    } else process.exit(code ?? 1)
  })
  return child
}
