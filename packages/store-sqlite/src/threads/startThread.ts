/**
 * How a store starts its threads, on the two kinds of thread the runtimes
 * offer: `node:worker_threads` (Node.js, Bun) and Web Workers (Deno, whose
 * `node:worker_threads` costs more per message). Each thread is a module of
 * this folder; a driver names its own module, which the threads import to
 * open their connections (`DriverModule`).
 *
 * @module
 */
import { type TransferListItem, Worker } from "node:worker_threads"
import type { CheckpointerData, DatabaseThreadData, DatabaseThreads, ThreadHandle, ThreadMessage } from "./protocol.ts"

/** A thread module of this folder, as the package runs: TypeScript sources or compiled JavaScript. */
const threadModule = (name: "databaseThread" | "checkpointer"): URL =>
  new URL(`./${name}${import.meta.url.endsWith(".ts") ? ".ts" : ".js"}`, import.meta.url)

/** Node.js (not Bun, which runs TypeScript as it is) needs tsx for a `.ts` thread (`loadTypeScript.mjs`). */
const needsLoader = (entry: URL): boolean =>
  entry.pathname.endsWith(".ts") && (globalThis as { Bun?: unknown }).Bun === undefined

/** A `node:worker_threads` worker running `entry` with `data` as its `workerData`. */
const startWorkerThread = (entry: URL, data: unknown): ThreadHandle => {
  const worker = needsLoader(entry)
    ? new Worker(new URL("./loadTypeScript.mjs", import.meta.url), { workerData: data, argv: [entry.href] })
    : new Worker(entry, { workerData: data })
  const listen =
    <T>(event: "message" | "error" | "exit") =>
    (listener: (value: T) => void) => {
      worker.on(event, listener)
      return () => void worker.off(event, listener)
    }
  return {
    post: (message, transfer) => worker.postMessage(message, transfer as ReadonlyArray<TransferListItem> | undefined),
    onMessage: listen<ThreadMessage>("message"),
    onError: listen<Error>("error"),
    onExit: listen<number>("exit"),
  }
}

/**
 * The threads of a driver whose runtime has `node:worker_threads` (Node.js,
 * Bun): the database thread and the checkpointer.
 *
 * @since 0.3.0
 * @category constructors
 */
export const workerThreads = (driverModule: string): DatabaseThreads => ({
  driverModule,
  startDatabase: (data: DatabaseThreadData) => startWorkerThread(threadModule("databaseThread"), data),
  startCheckpointer: (data: CheckpointerData) => startWorkerThread(threadModule("checkpointer"), data),
})

/** The Web Worker API, as far as the store uses it (Deno, Bun and browsers have it; Node.js 20 does not). */
interface WebWorker {
  onmessage: ((event: { data: unknown }) => void) | null
  onerror: ((event: { message?: string; preventDefault?: () => void }) => void) | null
  postMessage(message: unknown): void
  terminate(): void
}

/**
 * A Web Worker running `entry`: its data goes in a first `start` message,
 * with a count of the messages sent to it so far, shared, so that it can
 * tell whether more are on their way (`parentPort.ts`). Its `closed`
 * message, or its failure, ends it: the store sees that as its exit.
 */
const startWebWorker = (entry: URL, data: unknown): ThreadHandle => {
  const WorkerClass = (globalThis as { Worker?: new (url: string, options: { type: "module" }) => WebWorker }).Worker
  if (WorkerClass === undefined)
    throw new Error("this runtime has no Web Worker: open the store with { worker: false }")
  const web = new WorkerClass(entry.href, { type: "module" })
  const listeners = {
    message: new Set<(message: ThreadMessage) => void>(),
    error: new Set<(error: Error) => void>(),
    exit: new Set<(code: number) => void>(),
  }
  let exited = false
  const exit = (code: number) => {
    if (exited) return
    exited = true
    web.terminate()
    for (const listener of [...listeners.exit]) listener(code)
  }
  web.onmessage = (event) => {
    const message = event.data as ThreadMessage
    if (message.type === "closed") exit(0)
    else for (const listener of [...listeners.message]) listener(message)
  }
  web.onerror = (event) => {
    event.preventDefault?.()
    const error = new Error(event.message ?? "the thread failed")
    for (const listener of [...listeners.error]) listener(error)
    exit(1)
  }
  const sent = new Int32Array(new SharedArrayBuffer(4))
  web.postMessage({ type: "start", data, sent })
  const listen =
    <T>(set: Set<(value: T) => void>) =>
    (listener: (value: T) => void) => {
      set.add(listener)
      return () => void set.delete(listener)
    }
  return {
    post: (message) => {
      web.postMessage(message)
      // Counted once sent: the thread waits only for messages that will come.
      Atomics.add(sent, 0, 1)
    },
    onMessage: listen(listeners.message),
    onError: listen(listeners.error),
    onExit: listen(listeners.exit),
  }
}

/**
 * The threads of a driver whose runtime runs the database on a Web Worker
 * (Deno): the database thread only.
 *
 * @since 0.3.0
 * @category constructors
 */
export const webWorkerThreads = (driverModule: string): DatabaseThreads => ({
  driverModule,
  startDatabase: (data: DatabaseThreadData) => startWebWorker(threadModule("databaseThread"), data),
})
