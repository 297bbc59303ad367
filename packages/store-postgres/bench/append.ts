/**
 * What one event costs the PostgreSQL store, without HTTP: durable appends of
 * events with the seed's 28 parameters, new profiles first, then events for
 * existing profiles in batches of 100 and as 50 concurrent single-event
 * callers (group commit), with the CPU time of this process and of the
 * store's database backends (read from /proc, so on the database's machine
 * only) per event. Reach for it when changing the write statement.
 *
 *   pnpm --filter @cdp/store-postgres bench [-- --url postgres://… --customers 10000 --max-events-per-commit 1]
 *
 * It works in a schema of its own and drops it afterwards.
 */
import { readFileSync } from "node:fs"
import { parseArgs } from "node:util"
import type { NewEvent } from "@cdp/store"
import { seedContext } from "@cdp/testkit"
import postgres from "postgres"
import { openPostgresStore } from "../src/openPostgresStore.ts"

const { values: args } = parseArgs({
  options: {
    url: { type: "string", default: process.env["CDP_TEST_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test" },
    customers: { type: "string", default: "10000" },
    /** 1 turns group commit off: each append its own statement and commit. */
    "max-events-per-commit": { type: "string", default: "1000" },
  },
})
const customers = Number(args.customers)

const CITIES = ["NYC", "Lisbon", "Berlin", "Tokyo", "Lagos", "Lima", "Oslo", "Pune"]

let serial = 0
const timestamp = (n: number): string => {
  const iso = new Date(Date.UTC(2024, 4, 27, 10, 30) + n).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000 UTC`
}
const event = (): NewEvent => {
  const n = serial++
  return {
    tenant: 567,
    customer: `bench-${n % customers}`,
    id: `${n.toString(16).padStart(16, "0")}${"9e".repeat(16)}`,
    event: "ootb_user_details_update",
    timestamp: timestamp(n),
    receivedAt: timestamp(n),
    context: { ...seedContext, ootb_city: CITIES[n % CITIES.length], ootb_first_name: `first-${n % 9}` },
  }
}

/** CPU time (user + system) of a process so far, µs, from /proc. */
const cpuUs = (pid: number): number => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
  return (Number(f[11]) + Number(f[12])) * 1e4
}

const schema = `cdp_bench_append_${process.pid}`
const store = await openPostgresStore(`${args.url}${args.url.includes("?") ? "&" : "?"}application_name=${schema}`, {
  schema,
  maxEventsPerCommit: Number(args["max-events-per-commit"]),
})
const admin = postgres(args.url, { max: 1, onnotice: () => {} })
try {
  const backends = async () =>
    (await admin.unsafe("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [schema])).map((r) =>
      Number(r["pid"]),
    )
  const run = async (label: string, calls: number, perCall: number, concurrent: number) => {
    await store.ping()
    const before = new Map((await backends()).map((pid) => [pid, cpuUs(pid)]))
    const me = process.cpuUsage()
    const started = performance.now()
    for (let c = 0; c < calls; c++) {
      await Promise.all(Array.from({ length: concurrent }, () => store.append(Array.from({ length: perCall }, event))))
    }
    const seconds = (performance.now() - started) / 1000
    const events = calls * perCall * concurrent
    let db = 0
    for (const pid of await backends()) db += cpuUs(pid) - (before.get(pid) ?? 0)
    const mine = process.cpuUsage(me)
    console.log(
      `${label.padEnd(34)} ${String(Math.round(events / seconds)).padStart(7)} events/s  ` +
        `database ${(db / events).toFixed(1).padStart(6)} µs/event  this process ${((mine.user + mine.system) / events).toFixed(1).padStart(5)} µs/event`,
    )
  }
  await run("new profiles, batches of 100", customers / 100, 100, 1)
  await run("existing profiles, batches of 100", customers / 100, 100, 1)
  await run("existing profiles, 50 single callers", customers / 50, 1, 50)
  console.log(`commits ${store.stats.commits}, batches ${store.stats.batches}`)
} finally {
  await store.close()
  await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await admin.end()
}
