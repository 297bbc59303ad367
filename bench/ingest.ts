/**
 * `pnpm bench:ingest`: how many events per second the real ingestion service
 * takes over HTTP, durably, against a bare Hono handler on the same runtime
 * (the ceiling of HTTP plus `JSON.parse` there). See README.md
 * ("bench:ingest") for how to read the output.
 *
 * Contenders are child processes, started once and kept up side by side:
 * - `service`: apps/node/src/main.ts, SQLite in a fresh temp folder, one
 *   tenant (no rate limit, no channels) in a temp INGEST_CONFIG;
 * - `bare`: bareServer.ts (@hono/node-server, parse the JSON, answer 202);
 * - `pg`: the same service on PostgreSQL (BENCH_POSTGRES_URL, a fresh schema
 *   of its own, dropped afterwards), one process;
 * - `pg2`: two such processes on one schema of their own, each on its own
 *   port; the load generator splits its connections between the two ports
 *   (connection i to process i mod 2), as a load balancer would.
 * More runtimes (Bun, Deno) join as more entries of `allContenders`, each
 * with the bare contender it is compared with.
 *
 * Workloads: `single` (one event per POST) and `batch` (BENCH_BATCH_SIZE
 * events per POST). Every event is unique (its customer, timestamp and a few
 * attributes vary with a counter), so each one takes the insert path, never
 * the duplicate path. Bodies are rendered from a template split once, so
 * rendering them costs the load generator little beside the HTTP exchange.
 *
 * Method: loadgen.ts in this process (keep-alive connections, one request in
 * flight on each, a fresh body per request; cheaper on the client than
 * autocannon, see there). Preflight (one single and one batch POST, answers
 * checked), then a warm-up of every contender on every workload, then ROUNDS
 * rounds, in each of which every workload runs every contender for
 * BENCH_SECONDS, contenders in an order rotated per round so that machine
 * drift hits them alike. Figures are medians over the rounds. Latencies are
 * per request, send to last byte of the answer, 2xx answers only; non-2xx
 * answers, socket errors, timeouts and unreadable 2xx bodies are errors; events
 * of 2xx answers that were not `accepted` (duplicates, rejections) are counted
 * apart as `unaccepted`. Afterwards each store-backed contender is stopped
 * (SIGTERM, graceful) and its events counted (the SQLite file opened
 * read-only; the PostgreSQL schema queried): it must hold at least as many
 * events as the 202 answers acknowledged.
 *
 * Environment: BENCH_ROUNDS (5), BENCH_SECONDS (5), BENCH_WARMUP_SECONDS (2),
 * BENCH_CONNECTIONS (50, single), BENCH_BATCH_CONNECTIONS (see below),
 * BENCH_BATCH_SIZE (100), BENCH_WORKLOADS (single,batch), BENCH_ONLY
 * (contender names, e.g. service), BENCH_CPU_PROF (a folder: profile the
 * service process with --cpu-prof there), BENCH_LOG_LEVEL (the service's
 * LOG_LEVEL, default warn: no per-request access log), BENCH_KEEP_DB=1,
 * BENCH_POSTGRES_URL (postgres://postgres@127.0.0.1:5432/test), BENCH_SETTLE
 * (sync: `sync` before each measured slot, see settle(SETTLE); none), BENCH_AGAINST
 * (another checkout of this repository, set up: each service contender gets
 * a twin `<name>_against` running that checkout's app, measured in the same
 * rounds, and the ratios `<workload>_<name>_vs_against`: an A/B of two
 * revisions in one run).
 */
import { execFileSync } from "node:child_process"
import { randomBytes } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { loadavg, tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { contractConfig, type ServerProcess, seedContext, startServer } from "@cdp/testkit"
import Database from "better-sqlite3"
import postgres from "postgres"
import { runtimeBinary } from "../scripts/runtimeBinary.mjs"
import { runLoad } from "./loadgen.ts"
import { processCpuUs as cpuUs, envInt, median, percentile, revisionOf, round2, round3, settle } from "./measure.ts"

const ROUNDS = envInt("BENCH_ROUNDS", 5)
const SECONDS = envInt("BENCH_SECONDS", 5)
const WARMUP_SECONDS = envInt("BENCH_WARMUP_SECONDS", 2)
const BATCH_SIZE = envInt("BENCH_BATCH_SIZE", 100)
const SINGLE_CONNECTIONS = envInt("BENCH_CONNECTIONS", 50)
/**
 * Batches: fewer connections. 50 connections of 100 events keep 5,000 events
 * in flight, which only queues them (latency grows, throughput does not); 10
 * keep the servers as busy with a shorter queue. See README.md.
 */
const BATCH_CONNECTIONS = envInt("BENCH_BATCH_CONNECTIONS", 10)
const CPU_PROF = process.env["BENCH_CPU_PROF"]
const LOG_LEVEL = process.env["BENCH_LOG_LEVEL"] ?? "warn"
const SETTLE = process.env["BENCH_SETTLE"] === "none" ? "none" : "sync"
const POSTGRES_URL = process.env["BENCH_POSTGRES_URL"] ?? "postgres://postgres@127.0.0.1:5432/test"
const TENANT = 567

const here = dirname(fileURLToPath(import.meta.url))
const repo = join(here, "..")

// --- events -------------------------------------------------------------------

/** The seed document's example, with placeholders where each event differs. */
const templateContext = { ...seedContext, ootb_city: "@@CITY@@", ootb_first_name: "@@FIRST@@" }

const prototype = {
  tenant: TENANT,
  timestamp: "@@TS@@",
  event: "ootb_user_details_update",
  customer: "@@CUSTOMER@@",
  context: templateContext,
}

/** The event JSON cut at its placeholders: literal, name, literal, name, ... */
const pieces = JSON.stringify(prototype).split(/@@([A-Z]+)@@/)
if (pieces.filter((_, i) => i % 2 === 1).join() !== "TS,CUSTOMER,CITY,FIRST") {
  throw new Error(`unexpected template order: ${pieces.join("|")}`)
}
const [p0, , p1, , p2, , p3, , p4] = pieces as [string, string, string, string, string, string, string, string, string]
const CUSTOMERS = 10_000
const CITIES = ["NYC", "Lisbon", "Berlin", "Tokyo", "Lagos", "Lima", "Oslo", "Pune"]
const FIRST = ["John", "Ana", "Maria", "Kenji", "Ada", "Luis", "Ingrid", "Ravi", "Zoë"]
const BASE_MS = Date.UTC(2024, 4, 27, 10, 30)

/** A fresh serial for every event this process renders: no two are equal. */
let serial = 0
/** Event number n in the documented timestamp form, n milliseconds after BASE_MS. */
const timestamp = (n: number): string => {
  const iso = new Date(BASE_MS + n).toISOString()
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)}000 UTC`
}
const eventText = (): string => {
  const n = serial++
  return (
    p0 +
    timestamp(n) +
    p1 +
    `bench-${n % CUSTOMERS}` +
    p2 +
    CITIES[n % CITIES.length] +
    p3 +
    FIRST[n % FIRST.length] +
    p4
  )
}
const batchText = (size: number): string => {
  let s = "["
  for (let i = 0; i < size; i++) s += (i === 0 ? "" : ",") + eventText()
  return `${s}]`
}

interface Workload {
  readonly name: string
  readonly eventsPerRequest: number
  readonly connections: number
  readonly body: () => string
}

const allWorkloads: ReadonlyArray<Workload> = [
  { name: "single", eventsPerRequest: 1, connections: SINGLE_CONNECTIONS, body: eventText },
  { name: "batch", eventsPerRequest: BATCH_SIZE, connections: BATCH_CONNECTIONS, body: () => batchText(BATCH_SIZE) },
]
const workloadFilter = process.env["BENCH_WORKLOADS"]?.split(",")
const workloads = workloadFilter ? allWorkloads.filter((w) => workloadFilter.includes(w.name)) : allWorkloads

// --- contenders ---------------------------------------------------------------

/** A started contender. */
interface Running {
  /** Where it listens: one URL per process. */
  readonly urls: ReadonlyArray<string>
  readonly headers: Readonly<Record<string, string>>
  readonly processes: ReadonlyArray<ServerProcess>
  /** Checks a preflight answer; returns a complaint or undefined. */
  readonly check: (status: number, body: unknown, events: number) => string | undefined
  /** Stops it; a store-backed contender then counts the events it holds. */
  readonly stop: () => Promise<{ readonly stored?: number; readonly exit: number | null }>
  /** Counters of the contender's own /metrics, when it has them. */
  readonly metrics?: () => Promise<Record<string, number>>
  /** Processes of a database server that work for it (PostgreSQL backends), whose CPU time is counted apart. */
  readonly dbPids?: () => Promise<ReadonlyArray<number>>
}

interface Contender {
  /** The key of its figures: `service` reports as `single`, others as `<name>_single`. */
  readonly name: string
  readonly runtime: string
  /** The contender its ratio is taken against (a bare handler on the same runtime). */
  readonly baseline?: string
  /** Its twin on the checkout of BENCH_AGAINST, when one is given. */
  readonly against?: () => Contender
  readonly start: () => Promise<Running>
}

const acceptedCheck = (status: number, body: unknown, events: number): string | undefined => {
  const b = body as { accepted?: number; rejected?: number; results?: Array<{ issues?: unknown }> }
  if (status !== 202 || b.accepted !== events) {
    return `expected 202 with ${events} accepted, got ${status} ${JSON.stringify(body).slice(0, 600)}`
  }
  return undefined
}

/** A temp folder with a one-tenant INGEST_CONFIG and the key that works. */
const benchTenant = async (): Promise<{ dir: string; configPath: string; key: string }> => {
  const dir = mkdtempSync(join(tmpdir(), "cdp-bench-ingest-"))
  const key = `cdp_bench_${randomBytes(24).toString("hex")}`
  const configPath = join(dir, "tenants.json")
  writeFileSync(configPath, JSON.stringify(await contractConfig([{ id: TENANT, key, channels: [] }])))
  return { dir, configPath, key }
}

/** How a runtime starts a program of this repository. */
interface Runtime {
  /** Its label in the report, with its version. */
  readonly label: string
  /** The command line that runs `file` (a path relative to `cwd`). */
  readonly command: (file: string) => { readonly command: string; readonly args: ReadonlyArray<string> }
}

/** The runtimes' own executables (not the shims of node_modules/.bin: see runtimeBinary.mjs). */
const bin = runtimeBinary
const versionOf = (command: string, args: ReadonlyArray<string>, pattern: RegExp): string => {
  try {
    return pattern.exec(execFileSync(command, [...args], { encoding: "utf8" }))?.[1] ?? "?"
  } catch {
    return "?"
  }
}

const node: Runtime = {
  label: `node ${process.version}`,
  command: (file) => ({
    command: process.execPath,
    args: [...(CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`] : []), "--import", "tsx", file],
  }),
}
const bun: Runtime = {
  label: `bun ${versionOf(bin("bun"), ["--version"], /(\S+)/)}`,
  command: (file) => ({ command: bin("bun"), args: [file] }),
}
/**
 * Deno with every permission the service needs and no more than the bench's
 * own folders would need: the start script of apps/deno narrows them further
 * for users, but wraps Deno in a Node process, whose pid is not Deno's (its
 * CPU time is measured here).
 */
const deno: Runtime = {
  label: `deno ${versionOf(bin("deno"), ["--version"], /deno (\S+)/)}`,
  command: (file) => ({ command: bin("deno"), args: ["run", "--allow-all", file] }),
}

/** Another checkout whose services run beside this one's (see BENCH_AGAINST above). */
const AGAINST = process.env["BENCH_AGAINST"] === undefined ? undefined : resolve(repo, process.env["BENCH_AGAINST"])

/** Starts an app (`apps/<app>/src/main.ts` of the checkout at `root`) on a store. */
const startService = (
  runtime: Runtime,
  app: string,
  db: string,
  configPath: string,
  root = repo,
): Promise<ServerProcess> =>
  startServer({
    ...runtime.command("src/main.ts"),
    cwd: join(root, "apps", app),
    env: { PORT: "0", HOST: "127.0.0.1", INGEST_DB: db, INGEST_CONFIG: configPath, LOG_LEVEL },
  })
const startNodeService = (db: string, configPath: string, root = repo): Promise<ServerProcess> =>
  startService(node, "node", db, configPath, root)

/** The `ingest_events_total` counters of the processes' /metrics, summed. */
const eventCounters = async (procs: ReadonlyArray<ServerProcess>): Promise<Record<string, number>> => {
  const out: Record<string, number> = {}
  for (const proc of procs) {
    const text = await (await fetch(`${proc.baseUrl}/metrics`)).text()
    for (const m of text.matchAll(/^ingest_events_total\{status="(\w+)"\} (\d+)$/gm))
      out[m[1] as string] = (out[m[1] as string] ?? 0) + +(m[2] as string)
  }
  return out
}

/** The service of `apps/<app>` (of the checkout at `root`) on `runtime`, on SQLite in a fresh temp folder. */
const sqliteService = (name: string, runtime: Runtime, app: string, baseline: string, root = repo): Contender => ({
  name,
  runtime: runtime.label,
  baseline,
  ...(root === repo && AGAINST !== undefined
    ? { against: () => sqliteService(`${name}_against`, runtime, app, baseline, AGAINST) }
    : {}),
  start: async () => {
    const { dir, configPath, key } = await benchTenant()
    const db = join(dir, "ingest.db")
    const proc = await startService(runtime, app, db, configPath, root)
    return {
      urls: [proc.baseUrl],
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      processes: [proc],
      check: acceptedCheck,
      metrics: () => eventCounters([proc]),
      stop: async () => {
        const exit = await proc.stop("SIGTERM")
        const sqlite = new Database(db, { readonly: true, fileMustExist: true })
        const stored = (sqlite.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n
        sqlite.close()
        if (process.env["BENCH_KEEP_DB"] === "1") process.stderr.write(`kept ${db}\n`)
        else rmSync(dir, { recursive: true, force: true })
        return { stored, exit }
      },
    }
  },
})

/**
 * The service on PostgreSQL, `processes` Node processes on one fresh schema
 * (durable commits: the store's sessions run with synchronous_commit on).
 */
const postgresService = (name: string, processes: number, root = repo): Contender => ({
  name,
  runtime: `node ${process.version}`,
  baseline: "bare",
  ...(root === repo && AGAINST !== undefined
    ? { against: () => postgresService(`${name}_against`, processes, AGAINST) }
    : {}),
  start: async () => {
    const { dir, configPath, key } = await benchTenant()
    const schema = `cdp_bench_${name}_${randomBytes(4).toString("hex")}`
    // The schema's name as application_name too: its backends can be told apart in pg_stat_activity.
    const db = `${POSTGRES_URL}${POSTGRES_URL.includes("?") ? "&" : "?"}schema=${schema}&application_name=${schema}`
    const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} })
    // One first, so that the others find the schema migrated; then the rest at once.
    const procs = [await startNodeService(db, configPath, root)]
    procs.push(
      ...(await Promise.all(Array.from({ length: processes - 1 }, () => startNodeService(db, configPath, root)))),
    )
    return {
      urls: procs.map((p) => p.baseUrl),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      processes: procs,
      check: acceptedCheck,
      metrics: () => eventCounters(procs),
      dbPids: async () =>
        (await admin.unsafe("SELECT pid FROM pg_stat_activity WHERE application_name = $1", [schema])).map((r) =>
          Number(r["pid"]),
        ),
      stop: async () => {
        const exits = await Promise.all(procs.map((p) => p.stop("SIGTERM")))
        try {
          const [row] = await admin.unsafe(`SELECT count(*)::int AS n FROM "${schema}".events`)
          if (process.env["BENCH_KEEP_DB"] === "1") process.stderr.write(`kept schema ${schema}\n`)
          else await admin.unsafe(`DROP SCHEMA "${schema}" CASCADE`)
          return { stored: Number(row?.["n"]), exit: exits.find((e) => e !== 0) ?? 0 }
        } finally {
          await admin.end()
          rmSync(dir, { recursive: true, force: true })
        }
      },
    }
  },
})

/** bareServer.ts on `runtime`: the ceiling of HTTP plus JSON.parse there. */
const bare = (name: string, runtime: Runtime): Contender => ({
  name,
  runtime: runtime.label,
  start: async () => {
    const proc = await startServer({
      ...runtime.command("bareServer.ts"),
      cwd: here,
      env: { PORT: "0", HOST: "127.0.0.1" },
    })
    return {
      urls: [proc.baseUrl],
      headers: { "content-type": "application/json" },
      processes: [proc],
      check: acceptedCheck,
      stop: async () => ({ exit: await proc.stop("SIGTERM") }),
    }
  },
})

const allContenders: ReadonlyArray<Contender> = [
  sqliteService("service", node, "node", "bare"),
  bare("bare", node),
  postgresService("pg", 1),
  postgresService("pg2", 2),
  sqliteService("bun", bun, "bun", "bare_bun"),
  bare("bare_bun", bun),
  sqliteService("deno", deno, "deno", "bare_deno"),
  bare("bare_deno", deno),
]
/** The services on runtimes other than Node, by contender name (= runtime name). */
const runtimeServices = ["bun", "deno"]
const only = process.env["BENCH_ONLY"]?.split(",")
const chosen = only ? allContenders.filter((c) => only.includes(c.name)) : allContenders
const contenders = chosen.flatMap((c) => (c.against === undefined ? [c] : [c, c.against()]))

// --- measuring ------------------------------------------------------------------

interface Sample {
  readonly requestsPerSec: number
  readonly eventsPerSec: number
  readonly p50: number
  readonly p99: number
  /** Events acknowledged (sum of `accepted` of the 2xx answers, drain included). */
  readonly accepted: number
  /** 2xx answers in the window that accepted fewer events than were sent (duplicates, rejections). */
  readonly short: number
  readonly errors: number
  readonly statuses: Readonly<Record<string, number>>
  /** CPU time of the contender's process (all threads) per acknowledged event, µs; NaN where unknown. */
  readonly cpuUsPerEvent: number
  /** CPU time of its database server's backends per acknowledged event, µs; NaN for an embedded store. */
  readonly dbCpuUsPerEvent: number
}

/** CPU time the database backends used since `db0` was read (backends that appeared meanwhile: all of theirs), µs. */
const dbCpu = async (running: Running, pids0: ReadonlyArray<number>, db0: Map<number, number>): Promise<number> => {
  let us = 0
  for (const pid of new Set([...pids0, ...((await running.dbPids?.()) ?? [])])) {
    const now = cpuUs(pid)
    if (Number.isFinite(now)) us += now - (db0.get(pid) ?? 0)
  }
  return us
}

/** Runs one workload against one contender for `seconds`. */
const measure = async (running: Running, w: Workload, seconds: number): Promise<Sample> => {
  const pids = running.processes.map((p) => p.child.pid)
  const cpu = () => pids.reduce((sum, pid) => sum + cpuUs(pid), 0)
  const dbPids0 = (await running.dbPids?.()) ?? []
  const db0 = new Map(dbPids0.map((pid) => [pid, cpuUs(pid)]))
  const cpu0 = cpu()
  const r = await runLoad({
    url: running.urls,
    path: "/v1/events",
    headers: running.headers,
    connections: w.connections,
    seconds,
    body: w.body,
  })
  let non2xx = 0
  let answered = 0
  for (const [code, count] of Object.entries(r.statuses)) {
    answered += count
    if (+code < 200 || +code > 299) non2xx += count
  }
  return {
    requestsPerSec: r.ok / r.seconds,
    eventsPerSec: (r.ok * w.eventsPerRequest) / r.seconds,
    p50: percentile(r.latencies, 0.5),
    p99: percentile(r.latencies, 0.99),
    accepted: r.accepted,
    short: (answered - non2xx) * w.eventsPerRequest - r.accepted,
    errors: non2xx + r.socketErrors + r.timeouts + r.unreadable,
    statuses: r.statuses,
    cpuUsPerEvent: (cpu() - cpu0) / r.accepted,
    dbCpuUsPerEvent: running.dbPids === undefined ? Number.NaN : (await dbCpu(running, dbPids0, db0)) / r.accepted,
  }
}

const label = (c: Contender, w: Workload): string => (c.name === "service" ? w.name : `${c.name}_${w.name}`)
const log = (line: string) => process.stderr.write(`${line}\n`)

// --- run ------------------------------------------------------------------------

const started = new Map<string, Running>()
/** Events the contenders acknowledged with 2xx, per contender (preflight and warm-up included). */
const acknowledged = new Map<string, number>()
const ack = (name: string, events: number) => acknowledged.set(name, (acknowledged.get(name) ?? 0) + events)

const stopAll = async () => {
  for (const [name, r] of started) {
    started.delete(name)
    await r.stop().catch(() => {})
  }
}
process.on("SIGINT", () => {
  void stopAll().finally(() => process.exit(130))
})

const loadAtStart = loadavg()[0] as number
const revision = revisionOf(repo)
try {
  log(
    `bench:ingest on node ${process.version}: ${contenders.map((c) => c.name).join(", ")}; ` +
      workloads.map((w) => `${w.name} (${w.eventsPerRequest}/POST, ${w.connections} conn)`).join(", ") +
      `; ${ROUNDS} rounds of ${SECONDS} s, warm-up ${WARMUP_SECONDS} s`,
  )
  for (const c of contenders) {
    const r = await c.start()
    started.set(c.name, r)
    log(`${c.name}: ${r.urls.join(", ")}`)
  }

  // Preflight: each workload's body is answered 202 with every event accepted.
  for (const c of contenders) {
    const r = started.get(c.name) as Running
    for (const w of workloads) {
      const res = await fetch(`${r.urls[0]}/v1/events`, { method: "POST", headers: r.headers, body: w.body() })
      const complaint = r.check(res.status, await res.json(), w.eventsPerRequest)
      if (complaint) throw new Error(`${c.name} ${w.name} preflight: ${complaint}`)
      ack(c.name, w.eventsPerRequest)
    }
  }

  for (const w of workloads) {
    for (const c of contenders) {
      const s = await measure(started.get(c.name) as Running, w, WARMUP_SECONDS)
      ack(c.name, s.accepted)
      log(`warm-up ${label(c, w)}: ${Math.round(s.eventsPerSec)} events/s, ${s.errors} errors`)
    }
  }

  const samples = new Map<string, Array<Sample>>()
  for (let round = 0; round < ROUNDS; round++) {
    for (const w of workloads) {
      const order = contenders.map((_, i) => contenders[(i + round) % contenders.length] as Contender)
      for (const c of order) {
        settle(SETTLE)
        const s = await measure(started.get(c.name) as Running, w, SECONDS)
        ack(c.name, s.accepted)
        const key = label(c, w)
        samples.set(key, [...(samples.get(key) ?? []), s])
        log(
          `round ${round + 1} ${key}: ${Math.round(s.eventsPerSec)} events/s (${Math.round(s.requestsPerSec)} req/s), ` +
            `p50 ${round2(s.p50)} ms, p99 ${round2(s.p99)} ms, ${s.errors} errors, ${s.short} unaccepted` +
            (s.errors > 0 ? ` ${JSON.stringify(s.statuses)}` : ""),
        )
      }
    }
  }

  // Durability: stop every contender; a store holds at least what it acknowledged.
  const durability: Record<string, { acknowledged: number; stored: number; metrics?: Record<string, number> }> = {}
  for (const c of contenders) {
    const r = started.get(c.name) as Running
    const metrics = r.metrics ? await r.metrics() : undefined
    started.delete(c.name)
    const { stored, exit } = await r.stop()
    if (exit !== 0) log(`${c.name} exited with ${exit}`)
    if (stored !== undefined) {
      durability[c.name] = { acknowledged: acknowledged.get(c.name) ?? 0, stored, ...(metrics ? { metrics } : {}) }
    }
  }

  // Report.
  const eventsPerSec: Record<string, number> = {}
  const latencyMs: Record<string, { p50: number; p99: number }> = {}
  const cpuUsPerEvent: Record<string, number | null> = {}
  const dbCpuUsPerEvent: Record<string, number> = {}
  const errors: Record<string, number> = {}
  const unaccepted: Record<string, number> = {}
  log("")
  log(
    "contender/workload     events/s  (min..max)            req/s   p50 ms   p99 ms  cpu µs/event  db µs/event  errors  unaccepted",
  )
  for (const w of workloads) {
    for (const c of contenders) {
      const key = label(c, w)
      const ss = samples.get(key) ?? []
      const eps = ss.map((s) => s.eventsPerSec)
      eventsPerSec[key] = Math.round(median(eps))
      latencyMs[key] = { p50: round3(median(ss.map((s) => s.p50))), p99: round3(median(ss.map((s) => s.p99))) }
      const cpu = median(ss.map((s) => s.cpuUsPerEvent))
      cpuUsPerEvent[key] = Number.isFinite(cpu) ? round2(cpu) : null
      const dbCpu = median(ss.map((s) => s.dbCpuUsPerEvent))
      if (Number.isFinite(dbCpu)) dbCpuUsPerEvent[key] = round2(dbCpu)
      errors[key] = ss.reduce((a, s) => a + s.errors, 0)
      unaccepted[key] = ss.reduce((a, s) => a + s.short, 0)
      const range = `(${Math.round(Math.min(...eps))}..${Math.round(Math.max(...eps))})`
      log(
        `${key.padEnd(20)} ${String(eventsPerSec[key]).padStart(10)}  ${range.padEnd(20)} ` +
          `${String(Math.round(median(ss.map((s) => s.requestsPerSec)))).padStart(7)}  ` +
          `${latencyMs[key].p50.toFixed(2).padStart(7)}  ${latencyMs[key].p99.toFixed(2).padStart(7)}  ` +
          `${String(cpuUsPerEvent[key] ?? "-").padStart(12)}  ${String(dbCpuUsPerEvent[key] ?? "-").padStart(11)}  ` +
          `${String(errors[key]).padStart(6)}  ${String(unaccepted[key]).padStart(10)}`,
      )
    }
  }
  /** Ratio of the medians; and the median of the ratios of each round's pair, which drift between rounds does not move. */
  const ratios: Record<string, number | null> = {}
  const pairedRatios: Record<string, number | null> = {}
  const ratio = (name: string, mineKey: string, theirsKey: string): void => {
    const a = samples.get(mineKey) ?? []
    const b = samples.get(theirsKey) ?? []
    if (a.length === 0 || b.length === 0) return
    const mine = eventsPerSec[mineKey] as number
    const theirs = eventsPerSec[theirsKey] as number
    ratios[name] = theirs > 0 ? round3(mine / theirs) : null
    const perRound = a.map((s, i) => s.eventsPerSec / (b[i] as Sample).eventsPerSec)
    pairedRatios[name] = round3(median(perRound))
    log(`${name}: ${ratios[name]} (rounds: ${perRound.map(round3).join(", ")})`)
  }
  for (const c of contenders) {
    const base = contenders.find((b) => b.name === c.baseline)
    if (!base) continue
    for (const w of workloads) {
      // The service on each runtime against the bare handler of its runtime:
      // single_vs_bare (Node), single_vs_bare_bun, single_vs_bare_deno; others: pg_single_vs_bare.
      const name =
        c.name === "service" || runtimeServices.includes(c.name)
          ? `${w.name}_vs_${base.name}`
          : `${c.name}_${w.name}_vs_${base.name}`
      ratio(name, label(c, w), label(base, w))
    }
  }
  // PostgreSQL against SQLite (one process each), and two PostgreSQL processes against one.
  for (const w of workloads) {
    ratio(`${w.name}_pg_vs_sqlite`, `pg_${w.name}`, w.name)
    ratio(`${w.name}_pg2_vs_pg1`, `pg2_${w.name}`, `pg_${w.name}`)
    // Each runtime's service against the Node service.
    for (const rt of runtimeServices) ratio(`${w.name}_${rt}_vs_node`, `${rt}_${w.name}`, w.name)
    // Each service against its twin on the other checkout.
    for (const c of chosen)
      if (c.against) ratio(`${w.name}_${c.name}_vs_against`, label(c, w), `${c.name}_against_${w.name}`)
  }
  let durable = true
  for (const [name, d] of Object.entries(durability)) {
    const ok = d.stored >= d.acknowledged
    durable &&= ok
    log(
      `durability ${name}: ${d.stored} events stored, ${d.acknowledged} acknowledged with 2xx` +
        (d.metrics ? `, its /metrics: ${JSON.stringify(d.metrics)}` : "") +
        (ok ? " (ok)" : " — FEWER STORED THAN ACKNOWLEDGED"),
    )
  }
  log("")
  console.log(
    JSON.stringify({
      bench: "ingest",
      ratios,
      events_per_sec: eventsPerSec,
      latency_ms: latencyMs,
      paired_ratios: pairedRatios,
      cpu_us_per_event: cpuUsPerEvent,
      db_cpu_us_per_event: dbCpuUsPerEvent,
      errors,
      unaccepted,
      connections: Object.fromEntries(workloads.map((w) => [w.name, w.connections])),
      batch_size: BATCH_SIZE,
      durability: Object.fromEntries(
        Object.entries(durability).map(([k, d]) => [k, { acknowledged: d.acknowledged, stored: d.stored }]),
      ),
      durable,
      rounds: ROUNDS,
      seconds: SECONDS,
      settle: SETTLE,
      node: process.version,
      revision,
      ...(AGAINST === undefined ? {} : { against: revisionOf(AGAINST) }),
      loadavg: [round2(loadAtStart), round2(loadavg()[0] as number)],
    }),
  )
  if (!durable) process.exitCode = 1
} finally {
  await stopAll()
}
