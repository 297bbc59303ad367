/**
 * The database thread of the node:sqlite store on a Web Worker
 * (`openNodeSqliteStoreOnWorker`, Deno): opens the connection, runs the
 * shared core and answers the requests of `SqliteWorkerStore.ts` (the
 * protocol of `workerProtocol.ts`, over the Web Worker API rather than
 * `node:worker_threads`, whose Deno implementation costs more per message).
 * A Web Worker cannot drain its queue of messages synchronously; instead the
 * caller shares a count of the requests it has sent, and commit requests
 * wait while more are on their way, then go in one transaction. Commits are
 * made durable off this thread: each runs with `synchronous = NORMAL` and
 * its replies wait for an fsync of the WAL on the runtime's I/O threads that
 * began after it (`walSync.ts`), one fsync serving every commit made while
 * the previous one ran. Not an entry point of the package; the driver starts
 * it.
 *
 * @module
 */
/// <reference path="./node-sqlite.ambient.d.ts" />
import { DatabaseSync } from "node:sqlite"
import { classifySqliteError } from "./classifySqliteError.ts"
import { nodeSqliteDriver } from "./node-sqlite.ts"
import { openSqliteCore, type SqliteCore } from "./SqliteCore.ts"
import { walFile } from "./walFile.ts"
import { makeSyncer } from "./walSync.ts"
import {
  answerRequest,
  type Reply,
  type Request,
  type SerializedError,
  serializeError,
  serializeOutcomes,
  type WorkerData,
} from "./workerProtocol.ts"

/** The Web Worker's global scope, as far as this thread uses it. */
declare const self: {
  onmessage: ((event: { data: unknown }) => void) | null
  postMessage(message: unknown): void
  close(): void
}

const reply = (replies: Reply[]) => self.postMessage({ type: "replies", replies })

let core: SqliteCore | undefined
let wal: ReturnType<typeof walFile> | undefined
let sync: (() => Promise<void>) | undefined
/** Set when an fsync failed: what was committed may not be on disk, so the thread stops writing. */
let failed: SerializedError | undefined

const start = (data: WorkerData): void => {
  try {
    const driver = nodeSqliteDriver(new DatabaseSync(data.path))
    const durable = data.options.synchronous !== "NORMAL" && data.path !== ":memory:" && data.path !== ""
    try {
      core = openSqliteCore(driver, durable ? { ...data.options, synchronous: "NORMAL" } : data.options)
    } catch (error) {
      driver.close()
      throw error
    }
    if (durable) {
      wal = walFile(data.path)
      sync = makeSyncer(wal.sync)
    }
    self.postMessage({ type: "ready", migrated: core.migrated })
  } catch (error) {
    self.postMessage({ type: "failed", error: serializeError(classifySqliteError(error)) })
    self.postMessage({ type: "closed" })
    self.close()
  }
}

type Commit = Extract<Request, { op: "commit" }>

/** Commits the batches of many commit requests in one transaction; one reply per request, after the fsync. */
const commitAll = async (requests: ReadonlyArray<Commit>, db: SqliteCore): Promise<Reply[]> => {
  const refuse = (error: SerializedError) => requests.map((r): Reply => ({ id: r.id, ok: false, error }))
  if (failed !== undefined) return refuse(failed)
  const outcomes = db.commitEncoded(requests)
  if (sync !== undefined && outcomes.some((o) => o.ok)) {
    try {
      await sync()
    } catch (error) {
      failed ??= {
        name: "StoreError",
        message: `the WAL could not be synced to disk: ${String(error)}`,
        storeCode: "unavailable",
      }
      return refuse(failed)
    }
  }
  let at = 0
  return requests.map((request): Reply => {
    const mine = outcomes.slice(at, at + request.sizes.length)
    at += request.sizes.length
    return { id: request.id, ok: true, value: serializeOutcomes(mine) }
  })
}

/** Replies in the order of the requests: a later read waits for an earlier commit's fsync. */
let queue: Promise<void> = Promise.resolve()
/**
 * Requests the caller has sent (a counter it shares, counted once posted)
 * and this thread has received. While more were sent than received, the
 * next ones are already on their way: commit requests wait in `waiting` and
 * go in one transaction, as the database thread of `sqliteWorker.ts` takes
 * its whole queue at once.
 */
let sent: Int32Array | undefined
let received = 0
let waiting: Commit[] = []

const flush = (db: SqliteCore): void => {
  if (waiting.length === 0) return
  const replied = commitAll(waiting, db)
  waiting = []
  queue = queue.then(() => replied.then(reply))
}

self.onmessage = (event) => {
  const message = event.data as { type: "start"; data: WorkerData; sent?: Int32Array } | Request
  if ("type" in message) {
    sent = message.sent
    start(message.data)
    return
  }
  received++
  const db = core
  if (db === undefined) return
  if (message.op === "commit") {
    waiting.push(message)
    if (sent === undefined || Atomics.load(sent, 0) <= received) flush(db)
    return
  }
  // Other requests keep their place after the commits sent before them.
  flush(db)
  let r: Reply
  try {
    if (message.op === "ping" && failed !== undefined) throw new Error(failed.message)
    r = { id: message.id, ok: true, value: answerRequest(db, message) }
  } catch (error) {
    r = { id: message.id, ok: false, error: serializeError(classifySqliteError(error)) }
  }
  queue = queue.then(async () => {
    reply([r])
    if (message.op === "close") {
      await wal?.close()
      self.postMessage({ type: "closed" })
      self.close()
    }
  })
}
