/**
 * The checkpointer thread of the bun:sqlite store (`checkpointer.ts`): a
 * connection of its own that runs `PRAGMA wal_checkpoint(PASSIVE)` every
 * `intervalMs` until told to stop. Not an entry point of the package; the
 * driver starts it as a Bun worker.
 *
 * @module
 */
import { Database } from "bun:sqlite"
import { parentPort, workerData } from "node:worker_threads"
import type { CheckpointerData } from "./workerProtocol.ts"

const port = parentPort
if (port === null) throw new Error("bunCheckpointer.ts runs only as a worker thread")
const data = workerData as CheckpointerData

let db: Database | undefined
try {
  db = new Database(data.path, { readwrite: true, create: false })
  // A checkpoint syncs the WAL before copying and the database file after.
  db.exec("PRAGMA synchronous = FULL")
} catch {
  db = undefined // the writer checkpoints by itself
}
const timer =
  db === undefined
    ? undefined
    : setInterval(() => {
        try {
          db?.exec("PRAGMA wal_checkpoint(PASSIVE)")
        } catch {
          // busy (another checkpoint runs) or an I/O error: the next pass, or the writer, tries again
        }
      }, data.intervalMs)
const stop = () => {
  if (timer !== undefined) clearInterval(timer)
  try {
    db?.close()
  } finally {
    port.close()
  }
}
if (db === undefined) stop()
else port.once("message", stop)
