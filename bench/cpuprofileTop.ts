/**
 * Summarises V8 .cpuprofile files (`node --cpu-prof`, e.g. from
 * `BENCH_CPU_PROF=/tmp/prof pnpm bench:ingest`): the functions with the most
 * self time, and self time by area (package or Node internals).
 *
 *   pnpm --filter @cdp/bench exec tsx cpuprofileTop.ts /tmp/prof/*.cpuprofile [--top 15] [--skip 5]
 *
 * `--skip S` leaves out the first S seconds of each profile (start-up: module
 * loading and tsx's transpiling).
 *
 * Frames of the repository's .ts files are mapped back to source lines by
 * redoing tsx's transform of the file as it is now: summarise a profile before
 * editing the code it ran, or the lines shown are off.
 */
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
  readonly columnNumber: number
}
interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
  readonly startTime: number
  readonly endTime: number
}

const args = process.argv.slice(2)
const topAt = args.indexOf("--top")
const top = topAt >= 0 ? Number(args[topAt + 1]) : 15
const skipAt = args.indexOf("--skip")
const skipUs = skipAt >= 0 ? Number(args[skipAt + 1]) * 1e6 : 0
const files = args.filter((a) => a.endsWith(".cpuprofile"))

/** Where a function lives: a package, the app's own packages, or Node. */
const area = (url: string, name: string): string => {
  if (url === "") return name.startsWith("(") ? name : "(native)"
  const pnpm = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (pnpm) return pnpm[1] as string
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)
  if (nm) return nm[1] as string
  const own = /\/(packages|apps)\/([^/]+)\//.exec(url)
  if (own) return `${own[1]}/${own[2]}`
  if (url.startsWith("node:")) return "node:internal"
  return url
}

// --- source positions -----------------------------------------------------------
// tsx compiles each .ts module to one line (esbuild, minifyWhitespace and
// keepNames), so its functions show as "(anonymous)" on line 1. The same
// esbuild transform, redone here, gives the source map that leads back to
// the source line.

interface Transformed {
  /** Generated column -> source line (0-based), ascending by column. */
  readonly columns: Array<number>
  readonly lines: Array<number>
  readonly source: ReadonlyArray<string>
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
const decodeVlq = (segment: string): Array<number> => {
  const out: Array<number> = []
  let value = 0
  let shift = 0
  for (const ch of segment) {
    const digit = B64.indexOf(ch)
    value += (digit & 31) << shift
    if (digit & 32) shift += 5
    else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1)
      value = 0
      shift = 0
    }
  }
  return out
}

type Transform = (code: string, options: Record<string, unknown>) => { code: string; map: string }
let esbuildTransform: Transform | undefined | null = null
const transformer = (): Transform | undefined => {
  if (esbuildTransform !== null) return esbuildTransform
  try {
    const fromHere = createRequire(import.meta.url)
    const esbuild = createRequire(fromHere.resolve("tsx/package.json"))("esbuild") as { transformSync: Transform }
    esbuildTransform = esbuild.transformSync
  } catch {
    esbuildTransform = undefined
  }
  return esbuildTransform
}

const transformed = new Map<string, Transformed | undefined>()
const transformOf = (url: string): Transformed | undefined => {
  if (transformed.has(url)) return transformed.get(url)
  let t: Transformed | undefined
  const transform = transformer()
  const path = url.startsWith("file://") ? fileURLToPath(url) : ""
  if (transform && /\.m?ts$/.test(path) && existsSync(path)) {
    const text = readFileSync(path, "utf8")
    const r = transform(text, {
      loader: "ts",
      format: "esm",
      target: `node${process.versions.node}`,
      sourcemap: true,
      minifyWhitespace: true,
      keepNames: true,
      sourcefile: path,
    })
    const mappings = (JSON.parse(r.map) as { mappings: string }).mappings
    const columns: Array<number> = []
    const lines: Array<number> = []
    let col = 0
    let line = 0
    // One generated line: segments [genCol, source, srcLine, srcCol, name?], deltas.
    for (const seg of (mappings.split(";")[0] ?? "").split(",")) {
      if (seg === "") continue
      const v = decodeVlq(seg)
      col += v[0] ?? 0
      if (v.length >= 4) line += v[2] ?? 0
      columns.push(col)
      lines.push(line)
    }
    t = { columns, lines, source: text.split("\n") }
  }
  transformed.set(url, t)
  return t
}

/** "file.ts:LINE  source text" for a frame on tsx's one generated line. */
const sourceOf = (url: string, column: number): string | undefined => {
  const t = transformOf(url)
  if (!t || t.columns.length === 0) return undefined
  let lo = 0
  let hi = t.columns.length - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if ((t.columns[mid] as number) <= column) lo = mid
    else hi = mid - 1
  }
  const line = t.lines[lo] as number
  const text = (t.source[line] ?? "").trim()
  return `${short(url)}:${line + 1}  ${text.length > 70 ? `${text.slice(0, 70)}…` : text}`
}

const short = (url: string): string =>
  url
    .replace(/^file:\/\//, "")
    .replace(/.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")
    .replace(/.*\/work\/main\//, "")

for (const file of files) {
  const p = JSON.parse(readFileSync(file, "utf8")) as Profile
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const self = new Map<number, number>()
  let t = 0
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number
    const dt = p.timeDeltas[i] ?? 0
    t += dt
    if (t < skipUs) continue
    self.set(id, (self.get(id) ?? 0) + dt)
  }
  const fns = new Map<string, number>()
  const areas = new Map<string, number>()
  let total = 0
  let idle = 0
  for (const [id, us] of self) {
    const f = (byId.get(id) as ProfileNode).callFrame
    total += us
    if (f.functionName === "(idle)") idle += us
    const resolved = f.lineNumber === 0 && !f.url.includes("node_modules") ? sourceOf(f.url, f.columnNumber) : undefined
    const key = resolved
      ? `${f.functionName || "(anonymous)"}  ${resolved}`
      : `${f.functionName || "(anonymous)"}  ${short(f.url)}${f.url ? `:${f.lineNumber + 1}` : ""}`
    fns.set(key, (fns.get(key) ?? 0) + us)
    const a = area(f.url, f.functionName)
    areas.set(a, (areas.get(a) ?? 0) + us)
  }
  const busy = total - idle
  const pct = (us: number) => `${((100 * us) / busy).toFixed(1)}%`.padStart(6)
  const ms = (us: number) => `${(us / 1000).toFixed(0)} ms`.padStart(9)
  console.log(`\n${file}`)
  console.log(
    `  ${(total / 1e6).toFixed(1)} s sampled, ${(idle / 1e6).toFixed(1)} s idle, ${(busy / 1e6).toFixed(1)} s busy; % of busy`,
  )
  console.log(`  top ${top} functions by self time:`)
  for (const [k, us] of [...fns]
    .filter(([k]) => !k.startsWith("(idle)"))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)) {
    console.log(`  ${ms(us)} ${pct(us)}  ${k}`)
  }
  console.log("  self time by area:")
  for (const [k, us] of [...areas]
    .filter(([k]) => k !== "(idle)")
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)) {
    console.log(`  ${ms(us)} ${pct(us)}  ${k}`)
  }
}
