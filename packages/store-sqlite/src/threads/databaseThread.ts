/**
 * The database thread of every SQLite store that runs its database on a
 * thread of its own (better-sqlite3 on Node.js, bun:sqlite on Bun,
 * node:sqlite on Deno): opens the connection with the driver module it is
 * given, runs the shared core and answers the requests of
 * `SqliteWorkerStore.ts`.
 *
 * Group commit on this side too: the commit requests that arrived while the
 * last transaction ran are committed in one transaction. On
 * `node:worker_threads` the thread takes every waiting message at once; on
 * a Web Worker, which cannot, commits wait while the store has sent more
 * messages than have come (`parentPort.ts`). Not an entry point of the
 * package.
 *
 * @module
 */
import { classifySqliteError } from "../core/classifySqliteError.ts"
import { faultableDriver, type SqliteFault } from "../core/faultInjection.ts"
import { openSqliteCore, type SqliteCore } from "../core/SqliteCore.ts"
import { connectToParent } from "./parentPort.ts"
import {
  answerRequest,
  commitRequests,
  type DatabaseThreadData,
  type DriverModule,
  type Reply,
  type Request,
  serializeError,
  type ThreadMessage,
} from "./protocol.ts"

type Commit = Extract<Request, { op: "commit" }>

const parent = await connectToParent<DatabaseThreadData>()
const post = (message: ThreadMessage): void => parent.post(message)

/** The core on the connection, and its fault switch when the store asked for one. */
const open = async (
  data: DatabaseThreadData,
): Promise<{ core: SqliteCore; setFault?: (fault: SqliteFault | undefined) => void }> => {
  const { openConnection } = (await import(data.driverModule)) as DriverModule
  const connection = openConnection(data.path)
  const faultable =
    data.faultInjection === true ? faultableDriver(connection, () => openConnection(data.path)) : undefined
  try {
    const core = openSqliteCore(faultable?.driver ?? connection, data.options)
    return faultable === undefined ? { core } : { core, setFault: faultable.setFault }
  } catch (error) {
    connection.close()
    throw error
  }
}

const serve = (core: SqliteCore, setFault: ((fault: SqliteFault | undefined) => void) | undefined): void => {
  /** Commit requests not yet committed. */
  let waiting: Commit[] = []

  const commitWaiting = (replies: Reply[]): void => {
    if (waiting.length === 0) return
    const commits = waiting
    waiting = []
    commitRequests(core, commits, replies)
  }

  parent.onMessage((first) => {
    const requests = [first as Request, ...(parent.takeWaiting() as Request[])]
    const replies: Reply[] = []
    let closing = false
    for (const request of requests) {
      if (request.op === "commit") {
        waiting.push(request)
        continue
      }
      // Other requests keep their place after the commits sent before them.
      commitWaiting(replies)
      try {
        replies.push({ id: request.id, ok: true, value: answerRequest(core, request, setFault) })
      } catch (error) {
        replies.push({ id: request.id, ok: false, error: serializeError(classifySqliteError(error)) })
      }
      if (request.op === "close") closing = true
    }
    if (closing || !parent.moreOnTheWay()) commitWaiting(replies)
    if (replies.length > 0) post({ type: "replies", replies })
    if (closing) parent.close()
  })
}

try {
  const { core, setFault } = await open(parent.data)
  post({ type: "ready", migrated: core.migrated })
  serve(core, setFault)
} catch (error) {
  post({ type: "failed", error: serializeError(classifySqliteError(error)) })
  parent.close()
}
