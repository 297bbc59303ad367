/**
 * The database thread of the node:sqlite store on a Web Worker
 * (`openNodeSqliteStoreOnWorker`, Deno): opens the connection, runs the
 * shared core and answers the requests of `SqliteWorkerStore.ts` (the
 * protocol of `workerProtocol.ts`, over the Web Worker API rather than
 * `node:worker_threads`, whose Deno implementation costs more per message).
 * A Web Worker cannot take its waiting messages at once, as `sqliteWorker.ts`
 * does; instead the caller shares a count of the requests it has sent, and
 * commit requests wait while more are on their way, then go in one
 * transaction (`synchronous = FULL`: the WAL is synced inside the commit,
 * once for the whole group). Not an entry point of the package; the driver
 * starts it.
 *
 * @module
 */
/// <reference path="./node-sqlite.ambient.d.ts" />
import { DatabaseSync } from "node:sqlite"
import { classifySqliteError } from "./classifySqliteError.ts"
import { faultableDriver, type SqliteFault } from "./faultInjection.ts"
import { nodeSqliteDriver } from "./node-sqlite.ts"
import { openSqliteCore, type SqliteCore } from "./SqliteCore.ts"
import {
  answerRequest,
  commitRequests,
  type Reply,
  type Request,
  serializeError,
  type WorkerData,
} from "./workerProtocol.ts"

/** The Web Worker's global scope, as far as this thread uses it. */
declare const self: {
  onmessage: ((event: { data: unknown }) => void) | null
  postMessage(message: unknown): void
  close(): void
}

type Commit = Extract<Request, { op: "commit" }>

const reply = (replies: Reply[]) => self.postMessage({ type: "replies", replies })

let core: SqliteCore | undefined
/** The connection's fault switch (tests: `faultInjection.ts`). */
let setFault: ((fault: SqliteFault | undefined) => void) | undefined

const start = (data: WorkerData): void => {
  try {
    const open = () => nodeSqliteDriver(new DatabaseSync(data.path))
    let driver = open()
    if (data.faultInjection === true) {
      const faultable = faultableDriver(driver, open)
      driver = faultable.driver
      setFault = faultable.setFault
    }
    try {
      core = openSqliteCore(driver, data.options)
    } catch (error) {
      driver.close()
      throw error
    }
    self.postMessage({ type: "ready", migrated: core.migrated })
  } catch (error) {
    self.postMessage({ type: "failed", error: serializeError(classifySqliteError(error)) })
    self.postMessage({ type: "closed" })
    self.close()
  }
}

/**
 * Requests the caller has sent (a counter it shares, counted once posted)
 * and this thread has received. While more were sent than received, the
 * next ones are already on their way: commit requests wait in `waiting`.
 */
let sent: Int32Array | undefined
let received = 0
let waiting: Commit[] = []

/** Commits every waiting request in one transaction; one reply per request. */
const flush = (db: SqliteCore): void => {
  if (waiting.length === 0) return
  const requests = waiting
  waiting = []
  const replies: Reply[] = []
  commitRequests(db, requests, replies)
  reply(replies)
}

self.onmessage = (event) => {
  // No WAL syncer here (its driver starts none): no "syncVia".
  const message = event.data as
    | { type: "start"; data: WorkerData; sent?: Int32Array }
    | Exclude<Request, { op: "syncVia" }>
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
    r = { id: message.id, ok: true, value: answerRequest(db, message, setFault) }
  } catch (error) {
    r = { id: message.id, ok: false, error: serializeError(classifySqliteError(error)) }
  }
  reply([r])
  if (message.op === "close") {
    self.postMessage({ type: "closed" })
    self.close()
  }
}
