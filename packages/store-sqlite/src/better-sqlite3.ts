/**
 * The SQLite store on Node.js, with better-sqlite3
 * (https://github.com/WiseLibs/better-sqlite3/blob/master/docs/api.md).
 * By default the database runs on a thread of its own (`node:worker_threads`),
 * so that the HTTP thread goes on parsing requests while SQLite writes and
 * syncs; `{ worker: false }` runs it on the caller's thread.
 *
 * @module
 */
import { mkdirSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import { Worker } from "node:worker_threads"
import { makeGroupCommit } from "@cdp/ingest/groupCommit.ts"
import type { IngestStore } from "@cdp/ingest/StorePort.ts"
import { StoreError } from "@cdp/ingest/StorePort.ts"
import Database from "better-sqlite3"
import { classifySqliteError } from "./classifySqliteError.ts"
import { encodeBatches } from "./encodeEvents.ts"
import type { BatchOutcome, SqliteCoreStats } from "./SqliteCore.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"
import { makeSqliteStore, type SqliteStore, type SqliteStoreOptions } from "./SqliteStore.ts"
import {
  type CheckpointerData,
  deserializeError,
  type Request,
  type SerializedError,
  type WorkerData,
} from "./workerProtocol.ts"

/** @since 0.2.0 @category models */
export interface BetterSqliteWorkerOptions extends SqliteStoreOptions {
  /**
   * How often a checkpointer thread, with a connection of its own, copies the
   * WAL back into the database file, in ms (default 20). The writer's
   * autocheckpoint then only steps in past `walAutocheckpoint` pages
   * (default 3000 with a checkpointer), so that commits seldom carry a
   * checkpoint, and a small one when they do. `0`: no checkpointer; the
   * writer checkpoints as SQLite does by default.
   */
  readonly checkpointIntervalMs?: number
}

/** @since 0.1.0 @category models */
export interface BetterSqliteStoreOptions extends BetterSqliteWorkerOptions {
  /** Run SQLite on its own thread (default `true`). */
  readonly worker?: boolean
}

/**
 * A store whose database runs on a thread of its own; its counters are
 * fetched from there.
 *
 * @since 0.1.0
 * @category models
 */
export interface BetterSqliteStore extends IngestStore {
  /** The core's counters (commits, rollbacks, batches). */
  readonly stats: () => Promise<SqliteCoreStats>
  /** The migration versions applied when the store opened the database. */
  readonly migrated: ReadonlyArray<number>
}

/**
 * A better-sqlite3 connection as the core's driver. (better-sqlite3's own
 * `transaction` wraps a function instead of running it, so it is not passed
 * through.)
 *
 * @since 0.1.0
 * @category drivers
 */
export const betterSqliteDriver = (db: Database.Database): SqliteDriver => ({
  prepare: (sql) => db.prepare<unknown[]>(sql),
  exec: (sql) => {
    db.exec(sql)
  },
  close: () => {
    db.close()
  },
})

const ensureFolder = (path: string): void => {
  if (path === ":memory:" || path === "") return
  try {
    mkdirSync(dirname(path), { recursive: true })
  } catch (error) {
    throw classifySqliteError(Object.assign(error as Error, { code: "SQLITE_CANTOPEN" }))
  }
}

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStoreInThread = (path: string, options: SqliteStoreOptions = {}): SqliteStore => {
  ensureFolder(path)
  let db: Database.Database
  try {
    db = new Database(path)
  } catch (error) {
    throw classifySqliteError(error)
  }
  try {
    return makeSqliteStore(betterSqliteDriver(db), options)
  } catch (error) {
    db.close()
    throw error
  }
}

/**
 * Starts the database thread. While the package runs from its TypeScript
 * sources, the thread registers tsx (Node 20 does not hand a loader given by
 * `--import` on to worker threads) before it loads its entry.
 */
const startWorker = (data: WorkerData): Worker => {
  const fromSource = import.meta.url.endsWith(".ts")
  const entry = new URL(fromSource ? "./betterSqliteWorker.ts" : "./betterSqliteWorker.js", import.meta.url)
  if (!fromSource) return new Worker(entry, { workerData: data })
  const tsx = import.meta.resolve("tsx/esm/api")
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}) })`
  return new Worker(bootstrap, { eval: true, workerData: data })
}

/**
 * The checkpointer thread: a connection of its own that copies committed
 * pages from the WAL back into the database file every `intervalMs`
 * (`PRAGMA wal_checkpoint(PASSIVE)`, which never waits for, nor blocks, the
 * writer). The writer's commits then seldom carry a checkpoint (megabytes
 * written and a second fsync, every few commits otherwise). Frequent small
 * passes: one large pass syncs megabytes of the database file while the
 * writer syncs the WAL, and the writer waits. Under sustained load the WAL
 * is never wholly copied between two commits, so it cannot start over; the
 * writer's autocheckpoint, set higher, then finishes a pass that is mostly
 * done and lets it. Durability does not depend on it: a commit is durable
 * in the WAL before it is answered. Plain JavaScript, so that it starts
 * without a TypeScript loader.
 */
const checkpointerSource = `
const { parentPort, workerData } = require("node:worker_threads")
const Database = require(workerData.driver)
let db
try {
  db = new Database(workerData.path, { fileMustExist: true })
  // A checkpoint syncs the WAL before copying and the database file after.
  db.pragma("synchronous = FULL")
} catch {
  process.exit(0) // the writer checkpoints by itself
}
const timer = setInterval(() => {
  try {
    db.pragma("wal_checkpoint(PASSIVE)")
  } catch {
    // busy (another checkpoint runs) or an I/O error: the next pass, or the writer, tries again
  }
}, workerData.intervalMs)
parentPort.once("message", () => {
  clearInterval(timer)
  try {
    db.close()
  } finally {
    parentPort.close()
  }
})
`

const startCheckpointer = (data: CheckpointerData): Worker =>
  new Worker(checkpointerSource, {
    eval: true,
    workerData: { ...data, driver: createRequire(import.meta.url).resolve("better-sqlite3") },
  })

/**
 * Opens the store with its database on a thread of its own.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStoreOnWorker = async (
  path: string,
  options: BetterSqliteWorkerOptions = {},
): Promise<BetterSqliteStore> => {
  ensureFolder(path)
  const { synchronous, busyTimeoutMs, pragmas, cacheSizeKiB } = options
  const checkpointIntervalMs = Math.max(0, options.checkpointIntervalMs ?? 20)
  const walAutocheckpoint = options.walAutocheckpoint ?? (checkpointIntervalMs > 0 ? 3000 : undefined)
  const worker = startWorker({
    path,
    options: {
      ...(synchronous === undefined ? {} : { synchronous }),
      ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
      ...(pragmas === undefined ? {} : { pragmas }),
      ...(cacheSizeKiB === undefined ? {} : { cacheSizeKiB }),
      ...(walAutocheckpoint === undefined ? {} : { walAutocheckpoint }),
    },
  })

  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>()
  let nextId = 0
  let dead: StoreError | undefined

  const fail = (error: StoreError): void => {
    dead ??= error
    for (const waiter of pending.values()) waiter.reject(error)
    pending.clear()
  }

  const migrated = await new Promise<ReadonlyArray<number>>((resolve, reject) => {
    const onEarlyExit = (code: number) =>
      reject(new StoreError("unavailable", `the database thread stopped while opening ${path} (exit code ${code})`))
    worker.once("exit", onEarlyExit)
    worker.once("error", (error) => {
      reject(new StoreError("unavailable", `the database thread failed: ${error.message}`, { cause: error }))
    })
    worker.once("message", (message: { type: string; migrated?: number[]; error?: SerializedError }) => {
      worker.off("exit", onEarlyExit)
      if (message.type === "ready") resolve(message.migrated ?? [])
      else reject(message.error === undefined ? new Error("database thread failed") : deserializeError(message.error))
    })
  })

  // Started once the writer has set WAL mode and migrated. Its failure costs
  // nothing but speed: the writer's autocheckpoint remains.
  let stopCheckpointer = (): Promise<void> => Promise.resolve()
  if (checkpointIntervalMs > 0 && path !== ":memory:" && path !== "") {
    const thread = startCheckpointer({ path, intervalMs: checkpointIntervalMs })
    thread.on("error", () => undefined)
    const exited = new Promise<void>((resolve) => thread.once("exit", () => resolve()))
    let stopping = false
    stopCheckpointer = () => {
      if (!stopping) thread.postMessage("close")
      stopping = true
      return exited
    }
  }

  type Reply = { id: number; ok: boolean; value?: unknown; error?: SerializedError }
  worker.on("message", (message: { type: "replies"; replies: Reply[] }) => {
    for (const reply of message.replies) {
      const waiter = pending.get(reply.id)
      if (waiter === undefined) continue
      pending.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.value)
      else waiter.reject(deserializeError(reply.error!))
    }
  })
  worker.on("error", (error) => fail(new StoreError("unavailable", `the database thread failed: ${error.message}`)))
  worker.on("exit", () => {
    fail(new StoreError("unavailable", "the database thread has stopped"))
    void stopCheckpointer()
  })

  type Op = Request["op"]
  const request = <T>(op: Op, fields: object = {}): Promise<T> => {
    if (dead !== undefined) return Promise.reject(dead)
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      worker.postMessage({ id, op, ...fields })
    })
  }

  const group = makeGroupCommit(
    async (batches) => {
      // Encoded here, on the caller's thread: the database thread gets strings to bind.
      const outcomes = await request<Array<BatchOutcome | { ok: false; error: SerializedError }>>(
        "commit",
        encodeBatches(batches),
      )
      return outcomes.map((o) =>
        o.ok ? o : { ok: false as const, error: deserializeError(o.error as SerializedError) },
      )
    },
    { maxInFlight: Number.POSITIVE_INFINITY, ...options },
  )

  let closing: Promise<void> | undefined
  const open = (): void => {
    if (closing !== undefined) throw new StoreError("unavailable", "the SQLite store is closed")
    if (dead !== undefined) throw dead
  }

  return {
    append: async (events) => {
      open()
      if (events.length === 0) return []
      return group.submit(events)
    },
    getProfile: async (tenant, customer) => {
      open()
      return request("getProfile", { tenant, customer })
    },
    listEvents: async (tenant, customer, { limit, cursor }) => {
      open()
      return request("listEvents", { tenant, customer, limit, cursor })
    },
    eraseCustomer: async (tenant, customer) => {
      open()
      return request("eraseCustomer", { tenant, customer })
    },
    ping: async () => {
      open()
      await request("ping")
    },
    close: () => {
      closing ??= (async () => {
        await group.drain()
        await stopCheckpointer()
        if (dead === undefined) {
          const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()))
          await request("close").catch(() => undefined)
          await exited
        }
      })()
      return closing
    },
    stats: () => request("stats"),
    migrated,
  }
}

/**
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it, its database on a thread of its own
 * unless `{ worker: false }`. Rejects with `StoreError` (`unavailable`) when
 * the file cannot be opened.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openBetterSqliteStore = async (
  path: string,
  options: BetterSqliteStoreOptions = {},
): Promise<IngestStore> => {
  const { worker = true, ...rest } = options
  return worker ? openBetterSqliteStoreOnWorker(path, rest) : openBetterSqliteStoreInThread(path, rest)
}
