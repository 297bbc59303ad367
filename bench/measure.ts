/**
 * What the benchmarks share: their settings from the environment, the
 * statistics they report, a process's CPU time, and the settling of the
 * disk before each measured slot.
 *
 * @module
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

/** A positive integer setting from the environment, or `fallback`. */
export const envInt = (name: string, fallback: number): number => {
  const n = Number(process.env[name])
  return Number.isInteger(n) && n > 0 ? n : fallback
}

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}

/** The `q` quantile of values sorted in ascending order; NaN for none. */
export const percentile = (sorted: ArrayLike<number>, q: number): number =>
  sorted.length === 0 ? Number.NaN : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)

export const round2 = (x: number): number => Math.round(x * 100) / 100
export const round3 = (x: number): number => Math.round(x * 1000) / 1000

/** USER_HZ: 100 on every Linux build this runs on. */
const CLOCK_TICKS = 100

/** CPU time (user + system, all threads) a process has used so far, µs, from /proc (Linux); NaN elsewhere. */
export const processCpuUs = (pid: number | undefined): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS
  } catch {
    return Number.NaN
  }
}

/**
 * Before each measured slot: the dirty pages of the whole machine written out
 * (`sync`), so that a contender does not pay for the write-back of the files
 * the contender before it left behind (its database's pages queue in the
 * same disk ahead of this one's WAL syncs). Each contender's own writes
 * during its slot are still all its own. `none` (BENCH_SETTLE=none) leaves
 * it out.
 */
export const settle = (mode: "sync" | "none"): void => {
  if (mode === "none") return
  try {
    execFileSync("sync", [], { stdio: "ignore" })
  } catch {
    // no sync(1) here: measured as without
  }
}

/**
 * The commit of the checkout at `root`, `+dirty` when the work tree under
 * `paths` (the code measured) differs from it; `unknown` without git.
 */
export const revisionOf = (root: string, paths: ReadonlyArray<string> = ["apps", "packages"]): string => {
  try {
    const git = (...args: Array<string>) => execFileSync("git", args, { cwd: root, encoding: "utf8" }).trim()
    const dirty = git("status", "--porcelain", "--", ...paths) !== ""
    return `${git("rev-parse", "--short", "HEAD")}${dirty ? "+dirty" : ""}`
  } catch {
    return "unknown"
  }
}
