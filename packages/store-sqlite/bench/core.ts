/**
 * CPU cost of the core's write path per event, without threads or HTTP:
 * `commitGroup` on the caller's thread with groups of `--group` events, the
 * seed's 28 parameters, `--customers` customers with profiles already made,
 * timestamps rising (the in-order case) except `--late` of them (a fraction,
 * events older than their customer's profile).
 *
 *   pnpm --filter @cdp/store-sqlite exec tsx bench/core.ts [--group 1000 --events 50000 --sync FULL --late 0]
 *
 * Prints µs of CPU (user + system, this process) and of wall time per event;
 * `--sync OFF` leaves the fsyncs out, so only the CPU work of the writes is left.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { parseArgs } from "node:util"
import type { NewEvent } from "@cdp/store"
import { seedContext } from "@cdp/testkit"
import Database from "better-sqlite3"
import { openSqliteCore } from "../src/core/SqliteCore.ts"
import { betterSqliteDriver } from "../src/drivers/better-sqlite3.ts"

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "50000" },
    group: { type: "string", default: "1000" },
    customers: { type: "string", default: "10000" },
    sync: { type: "string", default: "OFF" },
    late: { type: "string", default: "0" },
    rounds: { type: "string", default: "3" },
  },
})
const totalEvents = Number(args.events)
const groupSize = Number(args.group)
const customers = Number(args.customers)
const late = Number(args.late)

const stamp = (micros: number): string => {
  const iso = new Date(Math.floor(micros / 1000)).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(micros % 1000).padStart(3, "0")} UTC`
}

let seq = 0
const makeEvent = (customer: number, isLate: boolean): NewEvent => {
  const n = seq++
  const micros = 1_716_805_800_000_000 + (isLate ? -1_000_000_000 : 0) + n * 1000
  const timestamp = stamp(micros)
  return {
    tenant: 567,
    customer: `customer-${customer}`,
    id: micros.toString(16).padStart(16, "0") + n.toString(16).padStart(48, "0"),
    event: "ootb_user_details_update",
    timestamp,
    receivedAt: timestamp,
    context: { ...seedContext, ootb_alias: `alias-${n}`, ootb_city: `city-${n % 97}` },
  }
}

const dir = mkdtempSync(join(tmpdir(), "cdp-bench-core-"))
try {
  const path = join(dir, "bench.db")
  const sync = args.sync.toUpperCase()
  const db = new Database(path)
  const core = openSqliteCore(betterSqliteDriver(db), { synchronous: sync === "NORMAL" ? "NORMAL" : "FULL" })
  if (sync === "OFF") db.pragma("synchronous = OFF")
  // Profiles for every customer first.
  for (let c = 0; c < customers; c += groupSize) {
    const batch = Array.from({ length: Math.min(groupSize, customers - c) }, (_, i) => makeEvent(c + i, false))
    core.commitGroup([batch])
  }
  const rows: Array<Record<string, unknown>> = []
  for (let round = 0; round < Number(args.rounds); round++) {
    const groups: NewEvent[][][] = []
    for (let done = 0; done < totalEvents; done += groupSize) {
      const group: NewEvent[][] = []
      for (let i = 0; i < groupSize; i++) {
        group.push([makeEvent(Math.floor(Math.random() * customers), Math.random() < late)])
      }
      groups.push(group)
    }
    const cpu0 = process.cpuUsage()
    const t0 = performance.now()
    let accepted = 0
    for (const group of groups) {
      for (const outcome of core.commitGroup(group)) {
        if (!outcome.ok) throw outcome.error
        for (const s of outcome.statuses) if (s === "accepted") accepted++
      }
    }
    const wall = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    rows.push({
      round,
      accepted,
      cpuUsPerEvent: +((cpu.user + cpu.system) / accepted).toFixed(2),
      wallUsPerEvent: +((wall * 1000) / accepted).toFixed(2),
      eventsPerSecond: Math.round(accepted / (wall / 1000)),
    })
  }
  core.close()
  console.log(`core: groups of ${groupSize}, ${customers} customers, late ${late}, synchronous=${sync}`)
  console.table(rows)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
