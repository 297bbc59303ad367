/**
 * How many events per second the better-sqlite3 store commits durably, on the
 * caller's thread and on a database thread, with many concurrent callers
 * (group commit). Each event carries the seed's 28 parameters.
 *
 *   pnpm --filter @cdp/store-sqlite bench [-- --events 20000 --callers 50 --work 25 --sync FULL --checkpoint 20,0]
 *
 * `--work N` makes every caller spend N µs of CPU on the calling thread before
 * each append, as an HTTP handler does parsing and validating a request: it
 * shows what a database thread buys when the calling thread is busy too.
 * `--checkpoint` lists the checkpointer intervals (ms) to run the database
 * thread with (`0`: none, the writer checkpoints inline).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import type { IngestStore, NewEvent } from "@cdp/store"
import { seedContext } from "@cdp/testkit"
import { openBetterSqliteStoreInThread, openBetterSqliteStoreOnWorker } from "../src/drivers/better-sqlite3.ts"

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "20000" },
    callers: { type: "string", default: "50" },
    work: { type: "string", default: "0,25" },
    sync: { type: "string", default: "FULL" },
    customers: { type: "string", default: "5000" },
    modes: { type: "string", default: "thread,worker" },
    rounds: { type: "string", default: "1" },
    checkpoint: { type: "string", default: "20" },
  },
})
const totalEvents = Number(args.events)
const callers = Number(args.callers)
const synchronous = args.sync === "NORMAL" ? "NORMAL" : "FULL"

let seq = 0
const makeEvent = (): NewEvent => {
  const n = seq++
  const micros = 1_716_805_800_000_000 + n * 1000
  const iso = new Date(Math.floor(micros / 1000)).toISOString()
  const timestamp = `${iso.slice(0, 10)} ${iso.slice(11, 23)}000 UTC`
  const random = () =>
    Math.floor(Math.random() * 2 ** 32)
      .toString(16)
      .padStart(8, "0")
  return {
    tenant: 567,
    customer: `customer-${Math.floor(Math.random() * Number(args.customers))}`,
    id: micros.toString(16).padStart(15, "0") + random() + random() + random() + random(),
    event: "ootb_user_details_update",
    timestamp,
    receivedAt: timestamp,
    context: { ...seedContext, ootb_alias: `alias-${n}`, ootb_city: `city-${n % 97}` },
  }
}

/** Spends `micros` µs of CPU on this thread. */
const spin = (micros: number): void => {
  if (micros <= 0) return
  const end = performance.now() + micros / 1000
  while (performance.now() < end) {
    // busy
  }
}

const run = async (mode: string, work: number, checkpointIntervalMs: number) => {
  const dir = mkdtempSync(join(tmpdir(), "cdp-bench-"))
  const path = join(dir, "bench.db")
  const inThread = mode === "thread" ? openBetterSqliteStoreInThread(path, { synchronous }) : undefined
  const onWorker =
    mode === "worker" ? await openBetterSqliteStoreOnWorker(path, { synchronous, checkpointIntervalMs }) : undefined
  const store: IngestStore = (inThread ?? onWorker)!
  // warm up: create the customers' profiles
  await store.append(Array.from({ length: 500 }, makeEvent))
  const before = inThread ? { ...inThread.stats } : await onWorker!.stats()
  const latencies: number[] = []
  let remaining = totalEvents
  const start = performance.now()
  const cpuStart = process.cpuUsage()
  await Promise.all(
    Array.from({ length: callers }, async () => {
      while (remaining > 0) {
        remaining--
        const event = makeEvent()
        spin(work)
        const t0 = performance.now()
        await store.append([event])
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const seconds = (performance.now() - start) / 1000
  const cpu = process.cpuUsage(cpuStart)
  const after = inThread ? { ...inThread.stats } : await onWorker!.stats()
  await store.close()
  rmSync(dir, { recursive: true, force: true })
  latencies.sort((a, b) => a - b)
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))]!.toFixed(1)
  const commits = after.commits - before.commits
  return {
    mode: mode === "worker" ? `worker, checkpoint ${checkpointIntervalMs || "inline"}` : mode,
    work,
    synchronous,
    eventsPerSecond: Math.round(totalEvents / seconds),
    commits,
    eventsPerCommit: +(totalEvents / commits).toFixed(1),
    p50ms: pct(0.5),
    p99ms: pct(0.99),
    p999ms: pct(0.999),
    processCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / seconds) * 100),
    cpuUsPerEvent: +((cpu.user + cpu.system) / totalEvents).toFixed(1),
  }
}

const rows = []
for (let round = 0; round < Number(args.rounds); round++) {
  for (const work of args.work.split(",").map(Number)) {
    for (const mode of args.modes.split(",")) {
      if (mode !== "worker") rows.push(await run(mode, work, 0))
      else for (const ms of args.checkpoint.split(",").map(Number)) rows.push(await run(mode, work, ms))
    }
  }
}
console.log(`${totalEvents} events, ${callers} concurrent callers, single-event appends, synchronous=${synchronous}`)
console.table(rows)
