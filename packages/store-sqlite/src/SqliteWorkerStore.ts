/**
 * The SQLite store with its database on a thread of its own, for any driver
 * that a database thread can open (`sqliteWorker.ts`): the HTTP thread goes
 * on parsing requests while SQLite writes and syncs. The driver file starts
 * the threads (each runtime starts a worker its own way) and hands them
 * here; this module only talks to them through `workerProtocol.ts`.
 * Runtime-free (the `Worker` of `node:worker_threads`, which Node.js, Bun and
 * Deno provide, is only a type here).
 *
 * @module
 */
import type { Worker } from "node:worker_threads"
import type { IngestStore } from "@cdp/store"
import { makeGroupCommit, StoreError } from "@cdp/store"
import {
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  runCheckpointer,
  WRITER_AUTOCHECKPOINT_WITH_CHECKPOINTER,
} from "./checkpointer.ts"
import { ensureFolder, isFileDatabase } from "./databaseFile.ts"
import { encodeBatches } from "./encodeEvents.ts"
import type { SqliteFault } from "./faultInjection.ts"
import type { BatchOutcome, SqliteCoreStats } from "./SqliteCore.ts"
import type { SqliteStoreOptions } from "./SqliteStore.ts"
import {
  type CheckpointerData,
  deserializeError,
  type Request,
  type SerializedError,
  type WalSyncerData,
  type WorkerData,
} from "./workerProtocol.ts"

/** @since 0.2.0 @category models */
export interface SqliteWorkerOptions extends SqliteStoreOptions {
  /**
   * How often a checkpointer thread, with a connection of its own, copies the
   * WAL back into the database file, in ms (default 20, when the driver has
   * a checkpointer). The writer's autocheckpoint then only steps in past
   * `walAutocheckpoint` pages (default 3000 with a checkpointer), so that
   * commits seldom carry a checkpoint, and a small one when they do. `0`: no
   * checkpointer; the writer checkpoints as SQLite does by default.
   */
  readonly checkpointIntervalMs?: number
  /**
   * Where a durable commit waits for the disk, when the driver has a WAL
   * syncer and `synchronous` is `FULL` (the default): `"syncer"` (the
   * default) commits with `NORMAL` and has the syncer thread sync the WAL
   * before answering, while the database thread writes the next group;
   * `"commit"` syncs inside each commit, on the database thread.
   */
  readonly walSync?: "syncer" | "commit"
}

/**
 * A store whose database runs on a thread of its own; its counters are
 * fetched from there.
 *
 * @since 0.2.0
 * @category models
 */
export interface SqliteWorkerStore extends IngestStore {
  /** The core's counters (commits, rollbacks, batches). */
  readonly stats: () => Promise<SqliteCoreStats>
  /** The migration versions applied when the store opened the database. */
  readonly migrated: ReadonlyArray<number>
  /**
   * Starts a fault in the database thread's connection, in order with the
   * requests sent before it, ending the one in force (`undefined`: none).
   * Only on a store opened with `faultInjection`. @since 0.2.0
   */
  readonly injectFault?: (fault: SqliteFault | undefined) => Promise<void>
}

/**
 * How a driver starts its threads: the database thread (running
 * `sqliteWorker.ts` with this `WorkerData`), and optionally the checkpointer.
 *
 * @since 0.2.0
 * @category models
 */
export interface DatabaseThreads {
  readonly startWorker: (data: WorkerData) => Worker
  readonly startCheckpointer?: (data: CheckpointerData) => Worker
  /** The WAL syncer (`walSyncer.ts`), for drivers whose database thread can hand it replies. */
  readonly startSyncer?: (data: WalSyncerData) => Worker
}

/**
 * Opens the store on `path` with its database on the thread that
 * `threads.startWorker` starts (running `sqliteWorker.ts`), and a
 * checkpointer thread when `threads.startCheckpointer` is given and
 * `checkpointIntervalMs` is not 0. Creates the file's folder when missing.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openSqliteStoreOnWorker = async (
  threads: DatabaseThreads,
  path: string,
  options: SqliteWorkerOptions = {},
): Promise<SqliteWorkerStore> => {
  ensureFolder(path)
  const { synchronous, busyTimeoutMs, pragmas, cacheSizeKiB } = options
  const startCheckpointer = threads.startCheckpointer
  const checkpointIntervalMs =
    startCheckpointer === undefined ? 0 : Math.max(0, options.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS)
  const walAutocheckpoint =
    options.walAutocheckpoint ?? (checkpointIntervalMs > 0 ? WRITER_AUTOCHECKPOINT_WITH_CHECKPOINTER : undefined)
  // Durable commits synced by the syncer: the writer itself need not wait.
  const startSyncer =
    (synchronous ?? "FULL") === "FULL" && (options.walSync ?? "syncer") === "syncer" && isFileDatabase(path)
      ? threads.startSyncer
      : undefined
  const worker = threads.startWorker({
    path,
    options: {
      ...(synchronous === undefined ? {} : { synchronous }),
      ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
      ...(pragmas === undefined ? {} : { pragmas }),
      ...(cacheSizeKiB === undefined ? {} : { cacheSizeKiB }),
      ...(walAutocheckpoint === undefined ? {} : { walAutocheckpoint }),
    },
    ...(options.faultInjection === true ? { faultInjection: true } : {}),
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

  // Started once the writer has set WAL mode and migrated.
  const stopCheckpointer =
    startCheckpointer === undefined
      ? () => Promise.resolve()
      : runCheckpointer(startCheckpointer, path, checkpointIntervalMs)

  type Reply = { id: number; ok: boolean; value?: unknown; error?: SerializedError }
  const settle = (message: { type: "replies"; replies: Reply[] }) => {
    for (const reply of message.replies) {
      const waiter = pending.get(reply.id)
      if (waiter === undefined) continue
      pending.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.value)
      else waiter.reject(deserializeError(reply.error!))
    }
  }
  worker.on("message", settle)

  // The syncer gets one end of a channel, the database thread the other:
  // replies of writes go from the one to the other, then here.
  let stopSyncer = (): void => undefined
  const syncer = ((): Worker | undefined => {
    try {
      return startSyncer?.({ walPath: `${path}-wal` })
    } catch {
      // A runtime that cannot start it: every commit syncs on the database thread (FULL).
      return undefined
    }
  })()
  if (syncer !== undefined) {
    const channel = new MessageChannel() // the global one: Node.js's and Bun's is worker_threads'
    syncer.postMessage({ port: channel.port1 }, [channel.port1])
    worker.postMessage({ id: -1, op: "syncVia", port: channel.port2 }, [channel.port2])
    syncer.on("message", settle)
    syncer.on("error", (error) => fail(new StoreError("unavailable", `the WAL syncer failed: ${error.message}`)))
    syncer.on("exit", () => fail(new StoreError("unavailable", "the WAL syncer has stopped")))
    let stopped = false
    stopSyncer = () => {
      if (stopped) return
      stopped = true
      syncer.removeAllListeners("exit")
      syncer.postMessage("close")
    }
  }
  worker.on("error", (error) => fail(new StoreError("unavailable", `the database thread failed: ${error.message}`)))
  worker.on("exit", () => {
    fail(new StoreError("unavailable", "the database thread has stopped"))
    void stopCheckpointer()
    stopSyncer()
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
    // Groups go to the database thread as they form, 8 events at the latest,
    // not once per turn of the event loop: the thread starts writing while
    // this one still parses requests, and commits together whatever waits
    // for it (both database threads do). Without it, many clients move in
    // lockstep: each thread idles while the other works, and single events
    // are the slower for it.
    { maxInFlight: Number.POSITIVE_INFINITY, launchAt: 8, ...options },
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
        stopSyncer()
      })()
      return closing
    },
    stats: () => request("stats"),
    migrated,
    ...(options.faultInjection === true
      ? {
          injectFault: async (fault: SqliteFault | undefined) => {
            open()
            await request("fault", { fault })
          },
        }
      : {}),
  }
}
