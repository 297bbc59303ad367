/**
 * The SQLite store on `node:sqlite` (`DatabaseSync`,
 * https://nodejs.org/api/sqlite.html, https://docs.deno.com/api/node/sqlite/):
 * Deno 2.2+ and Node.js 22.5+, no native addon to install. The database runs
 * on a Web Worker of its own where the runtime has Web Workers (Deno;
 * `nodeSqliteThread.ts`), else on the caller's thread, behind the shared
 * group-commit queue. The Web Worker commits what waits for it in one
 * transaction, with `synchronous = FULL`. (On Deno the shared database
 * thread over `node:worker_threads` took far fewer single-event POSTs per
 * second than the caller's thread: hence a Web Worker.)
 *
 * @module
 */
/// <reference path="./node-sqlite.ambient.d.ts" />
import { EventEmitter } from "node:events"
import { DatabaseSync } from "node:sqlite"
import type { Worker } from "node:worker_threads"
import type { IngestStore } from "@cdp/store"
import { openSqliteStoreInThread } from "./databaseFile.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"
import type { SqliteStore, SqliteStoreOptions } from "./SqliteStore.ts"
import { openSqliteStoreOnWorker, type SqliteWorkerOptions, type SqliteWorkerStore } from "./SqliteWorkerStore.ts"
import type { WorkerData } from "./workerProtocol.ts"

/**
 * A `node:sqlite` connection as the core's driver. Its statements fit
 * `SqliteStatement` as they are: rows come back as null-prototype objects,
 * `get()` gives `undefined` when there is no row, `run()` gives
 * `{ changes, lastInsertRowid }`.
 *
 * @since 0.2.0
 * @category drivers
 */
export const nodeSqliteDriver = (db: DatabaseSync): SqliteDriver => ({
  prepare: (sql) => db.prepare(sql),
  exec: (sql) => {
    db.exec(sql)
  },
  close: () => {
    db.close()
  },
})

/**
 * Opens a connection to the file at `path` (its folder must exist). Throws
 * node:sqlite's error as it is.
 *
 * @since 0.2.0
 * @category drivers
 */
export const openNodeSqliteDriver = (path: string): SqliteDriver => nodeSqliteDriver(new DatabaseSync(path))

/**
 * Opens the store on the caller's thread.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStoreInThread = (path: string, options: SqliteStoreOptions = {}): SqliteStore =>
  openSqliteStoreInThread(path, openNodeSqliteDriver, options)

/** The Web Worker API, as far as the driver uses it (Deno, Bun and browsers have it; Node.js 20 does not). */
interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null
  onerror: ((event: { message?: string; preventDefault?: () => void }) => void) | null
  postMessage(message: unknown): void
  terminate(): void
}

/**
 * The database thread (`nodeSqliteThread.ts`) as a Web Worker, seen as the
 * `node:worker_threads` Worker that `SqliteWorkerStore.ts` talks to: its
 * messages, an `error` event, and an `exit` event once the thread has closed
 * (or failed).
 */
const startWebWorker = (data: WorkerData): Worker => {
  const WorkerClass = (globalThis as { Worker?: new (url: string, options: { type: "module" }) => WebWorker }).Worker
  if (WorkerClass === undefined)
    throw new Error("this runtime has no Web Worker: open the store with { worker: false }")
  const entry = new URL(
    import.meta.url.endsWith(".ts") ? "./nodeSqliteThread.ts" : "./nodeSqliteThread.js",
    import.meta.url,
  )
  const web = new WorkerClass(entry.href, { type: "module" })
  const events = new EventEmitter()
  let exited = false
  const exit = (code: number) => {
    if (exited) return
    exited = true
    web.terminate()
    events.emit("exit", code)
  }
  web.onmessage = (event) => {
    if ((event.data as { type?: string }).type === "closed") exit(0)
    else events.emit("message", event.data)
  }
  web.onerror = (event) => {
    event.preventDefault?.()
    events.emit("error", new Error(event.message ?? "the database thread failed"))
    exit(1)
  }
  // Requests sent so far, shared with the thread, so that it can tell
  // whether more are already on their way and commit them together (a Web
  // Worker cannot take its waiting messages at once, as `sqliteWorker.ts`
  // does with receiveMessageOnPort).
  const sent = new Int32Array(new SharedArrayBuffer(4))
  web.postMessage({ type: "start", data, sent })
  return Object.assign(events, {
    postMessage: (message: unknown) => {
      web.postMessage(message)
      // Counted once sent: the thread waits only for messages that will come.
      Atomics.add(sent, 0, 1)
    },
  }) as unknown as Worker
}

/**
 * Opens the store with its database on a Web Worker of its own (Deno):
 * the caller's thread goes on serving requests while SQLite writes, and
 * the commits waiting for the Web Worker go in one transaction.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStoreOnWorker = async (
  path: string,
  options: SqliteWorkerOptions = {},
): Promise<SqliteWorkerStore> => {
  return openSqliteStoreOnWorker({ startWorker: startWebWorker }, path, options)
}

/** @since 0.2.0 @category models */
export interface NodeSqliteStoreOptions extends SqliteWorkerOptions {
  /** Run SQLite on a Web Worker of its own (default `true` where the runtime has Web Workers). */
  readonly worker?: boolean
}

/**
 * Opens (creating it and its folder when missing) the SQLite database file at
 * `path` and returns the store on it, its database on a Web Worker unless
 * `{ worker: false }` (or the runtime has none). Rejects with `StoreError`
 * (`unavailable`) when the file cannot be opened.
 *
 * @since 0.2.0
 * @category constructors
 */
export const openNodeSqliteStore = async (path: string, options: NodeSqliteStoreOptions = {}): Promise<IngestStore> => {
  const { worker = typeof (globalThis as { Worker?: unknown }).Worker === "function", ...rest } = options
  return worker ? openNodeSqliteStoreOnWorker(path, rest) : openNodeSqliteStoreInThread(path, rest)
}
