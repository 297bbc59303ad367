/**
 * `pnpm bench:client`: how many events per second an application delivers
 * to one running Node service (SQLite) with `@cdp/client`, against the two
 * ways of sending without it: one `fetch` POST per event, and hand-made
 * batches of `BENCH_BATCH_SIZE` events per `fetch` POST. See README.md
 * ("bench:client") for how to read the output.
 *
 * Contenders, all in this process, all sending to the same service:
 * - `client`: one `createClient` (default options) and `BENCH_SENDERS`
 *   concurrent senders, each awaiting `client.send(kind, input)` once per
 *   event, then sending the next, as the request handlers of an application
 *   would;
 * - `fetch_single`: the same number of concurrent senders, each awaiting one
 *   `fetch` POST of one event (`JSON.stringify` of the hand-made event);
 * - `fetch_batch`: `BENCH_BATCH_SENDERS` concurrent senders, each awaiting
 *   one `fetch` POST of `BENCH_BATCH_SIZE` hand-made events.
 * Every event is unique (its customer, timestamp, city and first name vary
 * with a counter; the seed's 28 parameters otherwise), the same input for
 * every contender.
 *
 * Method: preflight (each contender delivers a few events, answers
 * checked), a warm-up of each, then BENCH_ROUNDS rounds in each of which
 * every contender runs for BENCH_SECONDS, in an order rotated per round,
 * `sync` before each slot. A slot's figure is the events acknowledged
 * (`accepted`) within its window over the window; figures are medians over
 * the rounds, ratios the ratio of the medians (and, apart, the median of
 * the rounds' own ratios). Afterwards the service is stopped (SIGTERM) and
 * its SQLite file opened read-only: it must hold exactly the events
 * acknowledged, preflight, warm-up and the answers after each window
 * included. The run exits non-zero otherwise, or on any error.
 *
 * Environment: BENCH_ROUNDS (5), BENCH_SECONDS (5), BENCH_WARMUP_SECONDS
 * (2), BENCH_SENDERS (see below), BENCH_BATCH_SENDERS (10), BENCH_BATCH_SIZE
 * (100), BENCH_SETTLE (sync; none), BENCH_KEEP_DB=1, BENCH_ONLY (contender
 * names, comma-separated: a quick look or a profile; the ratios need all).
 */
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { createClient } from "@cdp/client"
import { contractConfig, type ServerProcess, seedContext, startServer } from "@cdp/testkit"
import Database from "better-sqlite3"
import { envInt, median, percentile, processCpuUs, revisionOf, round2, settle } from "./measure.ts"

const ROUNDS = envInt("BENCH_ROUNDS", 5)
const SECONDS = envInt("BENCH_SECONDS", 5)
const WARMUP_SECONDS = envInt("BENCH_WARMUP_SECONDS", 2)
/**
 * Senders of `client` and `fetch_single`: an application under load has many
 * requests in flight, each sending its event. See README.md for the choice.
 */
const SENDERS = envInt("BENCH_SENDERS", 1000)
/** Senders of `fetch_batch`: as many batches in flight as bench:ingest's batch workload. */
const BATCH_SENDERS = envInt("BENCH_BATCH_SENDERS", 10)
const BATCH_SIZE = envInt("BENCH_BATCH_SIZE", 100)
const SETTLE = process.env["BENCH_SETTLE"] === "none" ? "none" : "sync"
const TENANT = 567
const KIND = "ootb_user_details_update"

const repo = join(dirname(fileURLToPath(import.meta.url)), "..")

// --- events -------------------------------------------------------------------

const CUSTOMERS = 10_000
const CITIES = ["NYC", "Lisbon", "Berlin", "Tokyo", "Lagos", "Lima", "Oslo", "Pune"]
const FIRST = ["John", "Ana", "Maria", "Kenji", "Ada", "Luis", "Ingrid", "Ravi", "Zoë"]
const BASE_MS = Date.UTC(2024, 4, 27, 10, 30)

/** A fresh serial for every event this process makes: no two are equal. */
let serial = 0

/** What `client.send` takes; the fetch contenders wrap the same in the envelope. */
const nextInput = () => {
  const n = serial++
  const iso = new Date(BASE_MS + n).toISOString()
  return {
    customer: `bench-${n % CUSTOMERS}`,
    timestamp: `${iso.slice(0, 10)} ${iso.slice(11, 23)}000 UTC`,
    context: {
      ...seedContext,
      ootb_city: CITIES[n % CITIES.length] as string,
      ootb_first_name: FIRST[n % FIRST.length] as string,
    },
  }
}

/** The hand-made event of a sender without the client. */
const nextEvent = () => ({ tenant: TENANT, event: KIND, ...nextInput() })

// --- the service --------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), "cdp-bench-client-"))
const db = join(dir, "ingest.db")
const key = `cdp_bench_${randomBytes(24).toString("hex")}`
const configPath = join(dir, "tenants.json")
writeFileSync(configPath, JSON.stringify(await contractConfig([{ id: TENANT, key, channels: [] }])))

const service: ServerProcess = await startServer({
  command: process.execPath,
  args: ["--import", "tsx", "src/main.ts"],
  cwd: join(repo, "apps", "node"),
  env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: db, INGEST_CONFIG: configPath, LOG_LEVEL: "warn" },
})
const url = service.baseUrl
const eventsUrl = `${url}/v1/events`
const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" }

/** CPU time (user + system, all threads) the service has used so far, µs. */
const serviceCpuUs = (): number => processCpuUs(service.child.pid)

// --- contenders -----------------------------------------------------------------

/** What one slot of one contender measured. */
interface Slot {
  /** Events acknowledged within the window. */
  readonly events: number
  readonly seconds: number
  /** Events acknowledged after the window (answers of what was in flight at its end). */
  readonly late: number
  /** Sends (or requests) that failed, and events answered but not `accepted`. */
  readonly errors: number
  readonly unaccepted: number
  /** Per event, from the call to its answer: ms (2 decimals), p50 and p99. */
  readonly p50: number
  readonly p99: number
  /** CPU of this process (the senders) and of the service, µs per acknowledged event. */
  readonly senderCpuUs: number
  readonly serviceCpuUs: number
}

interface Contender {
  readonly name: string
  /** Runs `senders` loops until the window ends; each loop delivers events and reports them. */
  readonly run: (window: Window) => Promise<void>
}

/** The shared bookkeeping of a slot. */
class Window {
  events = 0
  late = 0
  errors = 0
  unaccepted = 0
  latencies: Array<number> = []
  firstError: string | undefined
  constructor(readonly end: number) {}
  get open(): boolean {
    return performance.now() < this.end
  }
  /** `n` events sent at `sentAt` were acknowledged now. */
  acknowledged(n: number, sentAt: number): void {
    const now = performance.now()
    if (now <= this.end) {
      this.events += n
      for (let i = 0; i < n; i++) this.latencies.push(now - sentAt)
    } else this.late += n
  }
  failed(what: string): void {
    this.errors++
    this.firstError ??= what
  }
}

const loops = (n: number, loop: () => Promise<void>) => Promise.all(Array.from({ length: n }, loop))

const client: Contender = {
  name: "client",
  run: async (w) => {
    const c = createClient({ url, key, tenant: TENANT })
    await loops(SENDERS, async () => {
      while (w.open) {
        const sentAt = performance.now()
        try {
          const r = await c.send(KIND, nextInput())
          if (r.status === "accepted") w.acknowledged(1, sentAt)
          else w.unaccepted++
        } catch (error) {
          w.failed(String(error))
        }
      }
    })
    await c.close()
  },
}

/** POSTs `body`; the number of events the answer `accepted`, or a failure. */
const post = async (w: Window, body: string, events: number, sentAt: number): Promise<void> => {
  try {
    const res = await fetch(eventsUrl, { method: "POST", headers, body })
    const text = await res.text()
    if (res.status !== 202) return w.failed(`${res.status} ${text.slice(0, 300)}`)
    const accepted = (JSON.parse(text) as { accepted: number }).accepted
    w.acknowledged(accepted, sentAt)
    w.unaccepted += events - accepted
  } catch (error) {
    w.failed(String(error))
  }
}

const fetchSingle: Contender = {
  name: "fetch_single",
  run: (w) =>
    loops(SENDERS, async () => {
      while (w.open) await post(w, JSON.stringify(nextEvent()), 1, performance.now())
    }).then(() => {}),
}

const fetchBatch: Contender = {
  name: "fetch_batch",
  run: (w) =>
    loops(BATCH_SENDERS, async () => {
      while (w.open) {
        const sentAt = performance.now()
        const batch = Array.from({ length: BATCH_SIZE }, nextEvent)
        await post(w, JSON.stringify(batch), BATCH_SIZE, sentAt)
      }
    }).then(() => {}),
}

const ONLY = process.env["BENCH_ONLY"]?.split(",")
const contenders: ReadonlyArray<Contender> = [client, fetchSingle, fetchBatch].filter(
  (c) => ONLY === undefined || ONLY.includes(c.name),
)

// --- measuring ----------------------------------------------------------------

/** Every event acknowledged so far, all contenders, all slots (windows and after). */
let acknowledged = 0

const measure = async (contender: Contender, seconds: number): Promise<Slot> => {
  const cpu0 = process.cpuUsage()
  const service0 = serviceCpuUs()
  const start = performance.now()
  const w = new Window(start + seconds * 1000)
  await contender.run(w)
  const cpu = process.cpuUsage(cpu0)
  const serviceUs = serviceCpuUs() - service0
  acknowledged += w.events + w.late
  if (w.firstError !== undefined) process.stderr.write(`${contender.name}: first error: ${w.firstError}\n`)
  const latencies = w.latencies.sort((a, b) => a - b)
  const all = w.events + w.late
  return {
    events: w.events,
    seconds,
    late: w.late,
    errors: w.errors,
    unaccepted: w.unaccepted,
    p50: round2(percentile(latencies, 0.5)),
    p99: round2(percentile(latencies, 0.99)),
    senderCpuUs: all === 0 ? Number.NaN : round2((cpu.user + cpu.system) / all),
    serviceCpuUs: all === 0 ? Number.NaN : round2(serviceUs / all),
  }
}

const stopService = async (): Promise<number> => {
  await service.stop("SIGTERM")
  const sqlite = new Database(db, { readonly: true, fileMustExist: true })
  const stored = (sqlite.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n
  sqlite.close()
  if (process.env["BENCH_KEEP_DB"] === "1") process.stderr.write(`kept ${db}\n`)
  else rmSync(dir, { recursive: true, force: true })
  return stored
}

const load0 = loadavg()[0] as number
let ok = true
const slots = new Map<string, Array<Slot>>(contenders.map((c) => [c.name, []]))
try {
  console.log(
    `bench:client  node ${process.version}, service ${url} (SQLite), ${ROUNDS} rounds of ${SECONDS} s, ` +
      `senders: client ${SENDERS}, fetch_single ${SENDERS}, fetch_batch ${BATCH_SENDERS} × ${BATCH_SIZE} events`,
  )
  for (const c of contenders) {
    const pre = await measure(c, 0.2)
    if (pre.errors > 0 || pre.unaccepted > 0 || pre.events + pre.late === 0) {
      throw new Error(
        `preflight of ${c.name}: ${pre.errors} errors, ${pre.unaccepted} unaccepted, ${pre.events} events`,
      )
    }
  }
  for (const c of contenders) await measure(c, WARMUP_SECONDS)
  for (let r = 0; r < ROUNDS; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c = contenders[(i + r) % contenders.length] as Contender
      settle(SETTLE)
      slots.get(c.name)?.push(await measure(c, SECONDS))
    }
  }
} catch (error) {
  ok = false
  process.stderr.write(`${String(error)}\n`)
} finally {
  const stored = await stopService()
  const durable = stored === acknowledged
  if (!durable) ok = false
  const rate = (name: string) => (slots.get(name) ?? []).map((s) => s.events / s.seconds)
  const perRound = (a: string, b: string) => rate(a).map((x, i) => x / (rate(b)[i] as number))
  const eventsPerSec = Object.fromEntries(contenders.map((c) => [c.name, Math.round(median(rate(c.name)))]))
  const ratio = (a: string, b: string) => Math.round((median(rate(a)) / median(rate(b))) * 1000) / 1000
  const paired = (a: string, b: string) => Math.round(median(perRound(a, b)) * 1000) / 1000
  const sum = (name: string, f: (s: Slot) => number) => (slots.get(name) ?? []).reduce((n, s) => n + f(s), 0)
  const med = (name: string, f: (s: Slot) => number) => median((slots.get(name) ?? []).map(f))

  console.log(
    `\ncontender        events/s  (min..max)          p50 ms   p99 ms  sender cpu µs/event  service cpu µs/event  errors  unaccepted`,
  )
  for (const c of contenders) {
    const r = rate(c.name)
    console.log(
      `${c.name.padEnd(14)} ${String(eventsPerSec[c.name]).padStart(10)}  (${Math.round(Math.min(...r))}..${Math.round(Math.max(...r))})`.padEnd(
        46,
      ) +
        `${String(med(c.name, (s) => s.p50)).padStart(7)}  ${String(med(c.name, (s) => s.p99)).padStart(7)}` +
        `${String(med(c.name, (s) => s.senderCpuUs)).padStart(21)}${String(med(c.name, (s) => s.serviceCpuUs)).padStart(22)}` +
        `${String(sum(c.name, (s) => s.errors)).padStart(8)}${String(sum(c.name, (s) => s.unaccepted)).padStart(12)}`,
    )
  }
  const ratios = {
    client_vs_fetch_single: ratio("client", "fetch_single"),
    client_vs_fetch_batch: ratio("client", "fetch_batch"),
  }
  const pairedRatios = {
    client_vs_fetch_single: paired("client", "fetch_single"),
    client_vs_fetch_batch: paired("client", "fetch_batch"),
  }
  for (const [name, b] of [
    ["client_vs_fetch_single", "fetch_single"],
    ["client_vs_fetch_batch", "fetch_batch"],
  ] as const)
    console.log(
      `${name}: ${ratios[name]} (rounds: ${perRound("client", b)
        .map((x) => x.toFixed(2))
        .join(", ")})`,
    )
  console.log(`durability: ${stored} events stored, ${acknowledged} acknowledged (${durable ? "ok" : "MISMATCH"})`)
  const errors = Object.fromEntries(contenders.map((c) => [c.name, sum(c.name, (s) => s.errors)]))
  const unaccepted = Object.fromEntries(contenders.map((c) => [c.name, sum(c.name, (s) => s.unaccepted)]))
  if (Object.values(errors).some((n) => n > 0) || Object.values(unaccepted).some((n) => n > 0)) ok = false
  const revision = revisionOf(repo, ["packages/client", "apps/node", "packages/ingest"])
  console.log(
    JSON.stringify({
      bench: "client",
      ratios,
      events_per_sec: eventsPerSec,
      paired_ratios: pairedRatios,
      latency_ms: Object.fromEntries(
        contenders.map((c) => [c.name, { p50: med(c.name, (s) => s.p50), p99: med(c.name, (s) => s.p99) }]),
      ),
      sender_cpu_us_per_event: Object.fromEntries(contenders.map((c) => [c.name, med(c.name, (s) => s.senderCpuUs)])),
      service_cpu_us_per_event: Object.fromEntries(contenders.map((c) => [c.name, med(c.name, (s) => s.serviceCpuUs)])),
      errors,
      unaccepted,
      senders: { client: SENDERS, fetch_single: SENDERS, fetch_batch: BATCH_SENDERS },
      batch_size: BATCH_SIZE,
      durability: { acknowledged, stored },
      durable,
      rounds: ROUNDS,
      seconds: SECONDS,
      settle: SETTLE,
      node: process.version,
      revision,
      loadavg: [round2(load0), round2(loadavg()[0] as number)],
    }),
  )
}
process.exit(ok ? 0 : 1)
