/**
 * The memory of a service process under test, read from Linux's /proc: its
 * resident set (`VmRSS`), and the process that actually serves when the
 * started one is a wrapper (the Deno start script runs `deno`; the Worker's
 * runs wrangler, which runs `workerd`). Reach for it when a test must hold
 * a server's memory to a bound. Test-side only (uses node:fs).
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs"

/**
 * The resident set size of processes in bytes, together (`VmRSS` of
 * `/proc/<pid>/status`).
 *
 * @since 0.2.0
 * @category memory
 */
export const residentBytes = (pids: ReadonlyArray<number>): number => {
  let sum = 0
  for (const pid of pids) {
    const status = readFileSync(`/proc/${pid}/status`, "utf8")
    const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)
    if (m === null) throw new Error(`no VmRSS in /proc/${pid}/status`)
    sum += Number(m[1]) * 1024
  }
  return sum
}

/** Parent pid and command name of every process, from `/proc/<pid>/stat`. */
const processTable = (): Array<{ pid: number; ppid: number; name: string }> => {
  const rows: Array<{ pid: number; ppid: number; name: string }> = []
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8")
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ")".
      const close = stat.lastIndexOf(")")
      const name = stat.slice(stat.indexOf("(") + 1, close)
      const ppid = Number(stat.slice(close + 2).split(" ")[1])
      rows.push({ pid: Number(entry), ppid, name })
    } catch {
      // The process ended while the table was read.
    }
  }
  return rows
}

/**
 * The pids of the processes named `name` (their `comm`, e.g. `deno`,
 * `workerd`) among `root` and its descendants; waits up to `timeoutMs` for
 * one to appear.
 *
 * @since 0.2.0
 * @category processes
 */
export const descendantsNamed = async (root: number, name: string, timeoutMs = 10_000): Promise<Array<number>> => {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const table = processTable()
    const family = new Set([root])
    for (let grew = true; grew; ) {
      grew = false
      for (const row of table) {
        if (!family.has(row.pid) && family.has(row.ppid)) {
          family.add(row.pid)
          grew = true
        }
      }
    }
    const found = table.filter((row) => family.has(row.pid) && row.name === name).map((row) => row.pid)
    if (found.length > 0) return found
    if (Date.now() > deadline) throw new Error(`no process named ${name} under ${root}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/**
 * The command line of a process, its arguments apart (`/proc/<pid>/cmdline`).
 *
 * @since 0.2.0
 * @category processes
 */
export const commandLine = (pid: number): Array<string> =>
  readFileSync(`/proc/${pid}/cmdline`, "utf8")
    .split("\0")
    .filter((a) => a !== "")
