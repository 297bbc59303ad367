/**
 * The database thread of a store opened on a worker (`openSqliteStoreOnWorker`:
 * better-sqlite3 on Node.js, bun:sqlite on Bun): opens the connection with the
 * driver that `WorkerData` names, runs the shared core and answers the
 * requests of `SqliteWorkerStore.ts`. Large groups are committed with
 * `synchronous = NORMAL` and answered through the WAL syncer (`walSyncer.ts`)
 * when the store started one. Not an entry point of the package; the
 * drivers start it.
 *
 * @module
 */
import { type MessagePort, parentPort, receiveMessageOnPort, workerData } from "node:worker_threads"
import { classifySqliteError } from "./classifySqliteError.ts"
import { faultableDriver, type SqliteFault } from "./faultInjection.ts"
import { openSqliteCore, type SqliteCore } from "./SqliteCore.ts"
import type { SqliteDriver } from "./SqliteDriver.ts"
import {
  answerRequest,
  commitRequests,
  type Reply,
  type Request,
  serializeError,
  type WorkerData,
} from "./workerProtocol.ts"

const port = parentPort
if (port === null) throw new Error("sqliteWorker.ts runs only as a worker thread")
const data = workerData as WorkerData

/** How the driver's own module opens a connection (each imports only its own library). */
const driverOpener = async (): Promise<(path: string) => SqliteDriver> =>
  data.driver === "bun:sqlite"
    ? (await import("./bun-sqlite.ts")).openBunSqliteDriver
    : (await import("./better-sqlite3.ts")).openBetterSqliteDriver

let core: SqliteCore
/** The connection's fault switch (tests: `faultInjection.ts`). */
let setFault: ((fault: SqliteFault | undefined) => void) | undefined
try {
  const openDriver = await driverOpener()
  let driver = openDriver(data.path)
  if (data.faultInjection === true) {
    const faultable = faultableDriver(driver, () => openDriver(data.path))
    driver = faultable.driver
    setFault = faultable.setFault
  }
  try {
    core = openSqliteCore(driver, data.options)
  } catch (error) {
    driver.close()
    throw error
  }
} catch (error) {
  port.postMessage({ type: "failed", error: serializeError(classifySqliteError(error)) })
  process.exit(0)
}
port.postMessage({ type: "ready", migrated: core.migrated })

/** Where the replies of large groups go once a WAL syncer runs (`walSyncer.ts`). */
let syncPort: MessagePort | undefined
/**
 * Events from which a group is committed with `synchronous = NORMAL` and
 * made durable by the syncer, while this thread writes the next group.
 * Smaller groups commit with `FULL` and are answered from here: their sync
 * is short, and the extra thread's hop and CPU cost more than the overlap
 * gains (through the syncer, single events got slower and 100-event
 * batches faster).
 */
const SYNCER_MIN_EVENTS = 64
let synchronous: "FULL" | "NORMAL" = data.options.synchronous ?? "FULL"

// Group commit on this side too: every commit request that arrived while the
// last transaction ran is taken at once and committed in one transaction.
port.on("message", (first: Request) => {
  const requests: Request[] = [first]
  for (let next = receiveMessageOnPort(port); next !== undefined; next = receiveMessageOnPort(port)) {
    requests.push(next.message as Request)
  }
  let events = 0
  for (const request of requests) {
    if (request.op === "commit") for (const size of request.sizes) events += size
    else if (request.op === "syncVia") syncPort = request.port
  }
  const viaSyncer = syncPort !== undefined && events >= SYNCER_MIN_EVENTS
  if (syncPort !== undefined && synchronous !== (viaSyncer ? "NORMAL" : "FULL")) {
    synchronous = viaSyncer ? "NORMAL" : "FULL"
    core.setSynchronous(synchronous)
  }
  const replies: Reply[] = []
  let commits: Array<Extract<Request, { op: "commit" }>> = []
  let closing = false
  for (const request of requests) {
    if (request.op === "commit") {
      commits.push(request)
      continue
    }
    if (request.op === "syncVia") continue
    commitRequests(core, commits, replies)
    commits = []
    try {
      replies.push({ id: request.id, ok: true, value: answerRequest(core, request, setFault) })
    } catch (error) {
      replies.push({ id: request.id, ok: false, error: serializeError(error) })
    }
    if (request.op === "close") closing = true
  }
  commitRequests(core, commits, replies)
  if (viaSyncer) syncPort?.postMessage(replies)
  else if (replies.length > 0) port.postMessage({ type: "replies", replies })
  if (closing) port.close()
})
