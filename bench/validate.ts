/**
 * `pnpm bench:validate`: how fast each validator checks events, valid and
 * invalid, every issue reported. See README.md for how to read the output.
 *
 * Method: every contender is checked first to agree on each event's verdict;
 * then each is warmed up; then ROUNDS rounds, each running every contender for
 * a fixed time on the valid pool and on the invalid pool, contenders in an
 * order rotated per round so that machine drift hits them alike. The figure
 * of a contender is its median ops/s over the rounds. Each result's issue
 * count is summed and printed, so the JIT cannot drop the work.
 *
 * Throughput is counted per second of CPU time of this process by default,
 * so that other processes on a shared machine do not move the figures.
 *
 * Environment: BENCH_ROUNDS (default 7), BENCH_MS (wall-clock time per
 * contender, pool and round; default 400), BENCH_COPIES (parsed copies of each
 * event; 200), BENCH_CLOCK (cpu, the default, or wall), BENCH_ONLY (a
 * comma-separated list of contenders, for quick looks).
 */
import { contenders as all, type Contender } from "./contenders.ts"
import { invalidEvents, validEvents } from "./events.ts"
import { envInt, median, round2 } from "./measure.ts"

const ROUNDS = envInt("BENCH_ROUNDS", 7)
const MS = envInt("BENCH_MS", 400)
const COPIES = envInt("BENCH_COPIES", 200)
/**
 * What a second is: CPU time of this process (default), so that other
 * processes on a shared machine slow no contender down in the figures, or
 * wall-clock time (BENCH_CLOCK=wall).
 */
const CLOCK = process.env["BENCH_CLOCK"] === "wall" ? "wall" : "cpu"
/** BENCH_ONLY=ours,ajv runs only these (Ajv is always kept: it is the yardstick). */
const only = process.env["BENCH_ONLY"]?.split(",")
const contenders = only ? all.filter((c) => c.name === "ajv" || only.includes(c.name)) : all
/** The reference decoder is far slower than the compiled contenders: a shorter slot. */
const REFERENCE_SHARE = 0.25

/** Fresh objects, parsed one by one from JSON, events interleaved. */
const pool = (texts: ReadonlyArray<string>): ReadonlyArray<unknown> => {
  const out: Array<unknown> = []
  for (let i = 0; i < COPIES; i++) for (const t of texts) out.push(JSON.parse(t))
  return out
}

const validPool = pool(validEvents)
const invalidPool = pool(invalidEvents)

// --- agreement: same verdicts for everyone ----------------------------------

const issueCounts: Record<string, Array<number>> = {}
let disagreements = 0
for (const c of contenders) {
  for (const t of validEvents) {
    const n = c.check(JSON.parse(t))
    if (n !== 0) {
      disagreements++
      console.error(`${c.name} rejects a valid event (${n} issues): ${t.slice(0, 120)}`)
    }
  }
  issueCounts[c.name] = invalidEvents.map((t) => {
    const n = c.check(JSON.parse(t))
    if (n === 0) {
      disagreements++
      console.error(`${c.name} accepts an invalid event: ${t.slice(0, 120)}`)
    }
    return n
  })
}
if (disagreements > 0) {
  console.error(`${disagreements} disagreement(s): the contenders do not check the same rules`)
  process.exit(1)
}

// --- timing -------------------------------------------------------------------

interface Sample {
  readonly ops: number
  /** Wall-clock seconds. */
  readonly seconds: number
  /** CPU seconds of this process (all its threads, so the GC's helpers too). */
  readonly cpuSeconds: number
  readonly accepted: number
  readonly issues: number
}

/** Runs `check` over `events` for `ms` milliseconds, in batches of 64. */
const run = (check: Contender["check"], events: ReadonlyArray<unknown>, ms: number): Sample => {
  const n = events.length
  let i = 0
  let ops = 0
  let accepted = 0
  let issues = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const end = t0 + ms
  let t = t0
  do {
    for (let k = 0; k < 64; k++) {
      const found = check(events[i])
      if (found === 0) accepted++
      else issues += found
      if (++i === n) i = 0
    }
    ops += 64
    t = performance.now()
  } while (t < end)
  const cpu = process.cpuUsage(cpu0)
  return { ops, seconds: (t - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, accepted, issues }
}

const slot = (c: Contender): number => (c.name === "effect" ? Math.max(50, Math.round(MS * REFERENCE_SHARE)) : MS)

const started = performance.now()
// Warm-up: both pools, so each validator's feedback has seen valid and invalid input,
// three times over: long enough for the optimising compiler to finish with the big
// straight-line validators (ours and Ajv's), which take it the longest.
for (let w = 0; w < 3; w++) {
  for (const c of contenders) {
    run(c.check, validPool, slot(c) / 2)
    run(c.check, invalidPool, slot(c) / 2)
  }
}

type Kind = "valid" | "invalid"
/** Ops per CPU second, per round: the figures (see CLOCK). */
const samples: Record<string, Record<Kind, Array<number>>> = {}
/** Ops per wall-clock second, per round: for the record. */
const wallSamples: Record<string, Record<Kind, Array<number>>> = {}
/** What each contender said while timed, printed so that no result goes unused. */
const said: Record<string, { accepted: number; issues: number }> = {}
for (const c of contenders) {
  samples[c.name] = { valid: [], invalid: [] }
  wallSamples[c.name] = { valid: [], invalid: [] }
  said[c.name] = { accepted: 0, issues: 0 }
}

for (let r = 0; r < ROUNDS; r++) {
  const order = contenders.map((_, i) => contenders[(i + r) % contenders.length] as Contender)
  for (const kind of ["valid", "invalid"] as const) {
    for (const c of order) {
      const s = run(c.check, kind === "valid" ? validPool : invalidPool, slot(c))
      samples[c.name]![kind].push(CLOCK === "cpu" ? s.ops / s.cpuSeconds : s.ops / s.seconds)
      wallSamples[c.name]![kind].push(s.ops / s.seconds)
      said[c.name]!.accepted += s.accepted
      said[c.name]!.issues += s.issues
    }
  }
}
const elapsed = (performance.now() - started) / 1000

// --- report -------------------------------------------------------------------

const spread = (xs: ReadonlyArray<number>): number => (Math.max(...xs) - Math.min(...xs)) / median(xs)

const opsPerSec: Record<string, { valid: number; invalid: number }> = {}
for (const c of contenders) {
  const s = samples[c.name]!
  opsPerSec[c.name] = { valid: Math.round(median(s.valid)), invalid: Math.round(median(s.invalid)) }
}
const ajv = opsPerSec["ajv"]!
const us = opsPerSec["ours"]!

const fmt = (n: number): string => n.toLocaleString("en-US").padStart(12)
const pct = (x: number): string => `±${(x * 50).toFixed(0)}%`.padStart(5)
console.log(
  `validation benchmark: ${validEvents.length} valid and ${invalidEvents.length} invalid events, ${COPIES} parsed copies each; ` +
    `${ROUNDS} rounds of ${MS} ms per contender and pool (reference ${slot({ name: "effect" } as Contender)} ms); ` +
    `ops per ${CLOCK === "cpu" ? "CPU" : "wall-clock"} second; node ${process.version}`,
)
console.log("")
console.log(
  `${"contender".padEnd(10)} ${"valid ops/s".padStart(12)} spread ${"invalid ops/s".padStart(13)} spread  vs ajv (valid / invalid)`,
)
for (const c of contenders) {
  const o = opsPerSec[c.name]!
  const s = samples[c.name]!
  console.log(
    `${c.name.padEnd(10)} ${fmt(o.valid)} ${pct(spread(s.valid))}  ${fmt(o.invalid)} ${pct(spread(s.invalid))}   ` +
      `${(o.valid / ajv.valid).toFixed(2)}x / ${(o.invalid / ajv.invalid).toFixed(2)}x   ${c.label}`,
  )
}
const paired = (kind: Kind): number =>
  median(samples["ours"]![kind].map((x, r) => x / (samples["ajv"]![kind][r] as number)))
if (samples["ours"])
  console.log(
    `${"".padEnd(10)} ours / ajv, median of the per-round ratios (a cross-check on a noisy machine): ` +
      `${paired("valid").toFixed(2)}x / ${paired("invalid").toFixed(2)}x`,
  )
if (samples["ours"] && CLOCK === "cpu") {
  const wall = (name: string, kind: Kind) => median(wallSamples[name]![kind])
  console.log(
    `${"".padEnd(10)} wall-clock medians, ours / ajv: ${(wall("ours", "valid") / wall("ajv", "valid")).toFixed(2)}x / ` +
      `${(wall("ours", "invalid") / wall("ajv", "invalid")).toFixed(2)}x (ours ${Math.round(wall("ours", "valid")).toLocaleString("en-US")} / ` +
      `${Math.round(wall("ours", "invalid")).toLocaleString("en-US")} ops/s)`,
  )
}
console.log("")
console.log(
  `issues per invalid event: ${contenders.map((c) => `${c.name} [${issueCounts[c.name]!.join(", ")}]`).join("; ")}`,
)
console.log(
  `while timed: ${contenders.map((c) => `${c.name} ${said[c.name]!.accepted} accepted, ${said[c.name]!.issues} issues`).join("; ")}`,
)
console.log(`timed in ${elapsed.toFixed(1)} s`)
console.log(
  JSON.stringify({
    bench: "validate",
    ratios: { valid_vs_ajv: round2(us.valid / ajv.valid), invalid_vs_ajv: round2(us.invalid / ajv.invalid) },
    ops_per_sec: opsPerSec,
    rounds: ROUNDS,
    node: process.version,
  }),
)
