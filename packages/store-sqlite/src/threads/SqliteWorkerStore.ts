/**
 * The SQLite store with its database on a thread of its own
 * (`databaseThread.ts`), for every driver that runs one: the caller's thread
 * goes on parsing requests while SQLite writes and syncs. The driver says
 * how its runtime starts threads (`startThread.ts`) and which module opens
 * its connections; this module talks to the threads through `protocol.ts`
 * only. Runtime-free.
 *
 * @module
 */
import type { IngestStore } from "@cdp/store"
import { makeGroupCommit, StoreError } from "@cdp/store"
import { encodeBatches } from "../core/encodeEvents.ts"
import type { SqliteFault } from "../core/faultInjection.ts"
import type { BatchOutcome, SqliteCoreStats } from "../core/SqliteCore.ts"
import type { SqliteStoreOptions } from "../core/SqliteStore.ts"
import {
  type DatabaseThreads,
  deserializeError,
  type Request,
  type SerializedError,
  type ThreadMessage,
} from "./protocol.ts"
import { checkpointSettings, runCheckpointer } from "./runCheckpointer.ts"

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
 * Opens the store on `path` (its folder exists) with its database on the
 * thread that `threads.startDatabase` starts, a checkpointer thread when
 * `threads.startCheckpointer` is given and `checkpointIntervalMs` is not 0.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openSqliteStoreOnWorker = async (
  threads: DatabaseThreads,
  path: string,
  options: SqliteWorkerOptions = {},
): Promise<SqliteWorkerStore> => {
  const { synchronous, busyTimeoutMs, pragmas, cacheSizeKiB } = options
  const startCheckpointer = threads.startCheckpointer
  const { intervalMs: checkpointIntervalMs, walAutocheckpoint } = checkpointSettings(
    options,
    startCheckpointer !== undefined,
  )
  const { driverModule } = threads
  const worker = threads.startDatabase({
    driverModule,
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
    const listening = [
      worker.onExit(onEarlyExit),
      worker.onError((error) => {
        reject(new StoreError("unavailable", `the database thread failed: ${error.message}`, { cause: error }))
      }),
      worker.onMessage((message) => {
        for (const stop of listening) stop()
        if (message.type === "ready") resolve(message.migrated)
        else if (message.type === "failed") reject(deserializeError(message.error))
        else reject(new StoreError("unavailable", `the database thread answered ${message.type} while opening ${path}`))
      }),
    ]
  })

  // Started once the writer has set WAL mode and migrated.
  const stopCheckpointer =
    startCheckpointer === undefined
      ? () => Promise.resolve()
      : runCheckpointer(startCheckpointer, { driverModule, path, intervalMs: checkpointIntervalMs })

  const settle = (message: ThreadMessage) => {
    if (message.type !== "replies") return
    for (const reply of message.replies) {
      const waiter = pending.get(reply.id)
      if (waiter === undefined) continue
      pending.delete(reply.id)
      if (reply.ok) waiter.resolve(reply.value)
      else waiter.reject(deserializeError(reply.error))
    }
  }
  worker.onMessage(settle)

  worker.onError((error) => fail(new StoreError("unavailable", `the database thread failed: ${error.message}`)))
  worker.onExit(() => {
    fail(new StoreError("unavailable", "the database thread has stopped"))
    void stopCheckpointer()
  })

  type Op = Request["op"]
  const request = <T>(op: Op, fields: object = {}): Promise<T> => {
    if (dead !== undefined) return Promise.reject(dead)
    const id = nextId++
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject })
      worker.post({ id, op, ...fields })
    })
  }

  const group = makeGroupCommit(
    async (batches) => {
      // Encoded here, on the caller's thread: the database thread gets strings to bind.
      const outcomes = await request<Array<BatchOutcome | { ok: false; error: SerializedError }>>("commit", {
        events: encodeBatches(batches),
      })
      return outcomes.map((o) =>
        o.ok ? o : { ok: false as const, error: deserializeError(o.error as SerializedError) },
      )
    },
    // Groups go to the database thread as they form, 8 events at the latest,
    // not once per turn of the event loop: the thread starts writing while
    // this one still parses requests, and commits together whatever waits
    // for it. Without it, many clients move in
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
          const exited = new Promise<void>((resolve) => worker.onExit(() => resolve()))
          await request("close").catch(() => undefined)
          await exited
        }
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
